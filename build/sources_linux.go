package build

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// owner is the file's uid and gid (stat(2) st_uid, st_gid).
func owner(fi fs.FileInfo) (int, int, error) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, errors.New("no stat_t")
	}
	return int(st.Uid), int(st.Gid), nil
}

// xattrs reads a file's extended attributes without following a symlink
// (llistxattr(2), lgetxattr(2)). A filesystem without xattrs has none.
func xattrs(abs string) (map[string][]byte, error) {
	size, err := unix.Llistxattr(abs, nil)
	if errors.Is(err, unix.ENOTSUP) || size == 0 {
		return nil, nil
	}
	if err != nil {
		return nil, &os.PathError{Op: "llistxattr", Path: abs, Err: err}
	}
	buf := make([]byte, size)
	if size, err = unix.Llistxattr(abs, buf); err != nil {
		return nil, &os.PathError{Op: "llistxattr", Path: abs, Err: err}
	}
	out := map[string][]byte{}
	for _, name := range strings.Split(strings.TrimRight(string(buf[:size]), "\x00"), "\x00") {
		v, err := lgetxattr(abs, name)
		if err != nil {
			return nil, err
		}
		out[name] = v
	}
	return out, nil
}

func lgetxattr(abs, name string) ([]byte, error) {
	size, err := unix.Lgetxattr(abs, name, nil)
	if err != nil {
		return nil, &os.PathError{Op: "lgetxattr " + name, Path: abs, Err: err}
	}
	v := make([]byte, size)
	if size, err = unix.Lgetxattr(abs, name, v); err != nil {
		return nil, &os.PathError{Op: "lgetxattr " + name, Path: abs, Err: err}
	}
	return v[:size], nil
}

// openNoFollow opens a regular file for reading, refusing a symlink that
// replaced it since the walk saw it (O_NOFOLLOW).
func openNoFollow(abs string) (*os.File, error) {
	fd, err := unix.Open(abs, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", abs, err)
	}
	return os.NewFile(uintptr(fd), abs), nil
}
