package layers

import (
	"path/filepath"

	"golang.org/x/sys/unix"
)

// EmptyIn returns the test HideMountPoints wants for the upper directory
// upper: the entry at a container path is an empty regular file, or an
// empty directory that is not opaque (an opaque one replaced a lower
// directory: a change, even when empty).
func EmptyIn(upper string) func(p string) bool {
	return func(p string) bool {
		full := filepath.Join(upper, p)
		var st unix.Stat_t
		if err := unix.Lstat(full, &st); err != nil {
			return false
		}
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFREG:
			return st.Size == 0
		case unix.S_IFDIR:
			names, err := readDirNames(full)
			if err != nil || len(names) > 0 {
				return false
			}
			opaque, err := isOpaqueDir(full)
			return err == nil && !opaque
		}
		return false
	}
}
