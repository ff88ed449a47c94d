package layers

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Changes lists what a container changed, as `docker diff` does, by
// reading its overlay upper directory against its lower layers. lowers are
// the image's layer directories bottom first (a container's config.json
// "layers" order); Change.LowerIndex indexes this list. The upper directory
// is read directly, not through the overlay mount, so it works on a
// stopped container too; for a running one, freeze it first for a
// consistent answer. Overlayfs's own bookkeeping (whiteout devices, the
// opaque xattr) becomes D lines and is never listed as a file. See
// changes.go for the rules.
func Changes(upper string, lowers []string) ([]Change, error) {
	entries, err := walkUpper(upper)
	if err != nil {
		return nil, err
	}
	var lookupErr error
	lower := func(p string) lowerEntry {
		lo, err := lookupLower(lowers, p)
		if err != nil && lookupErr == nil {
			lookupErr = err
		}
		return lo
	}
	changes := changesOf(entries, lower)
	if lookupErr != nil {
		return nil, lookupErr
	}
	return changes, nil
}

// walkUpper lists the upper directory depth first, names sorted within
// each directory (the order docker's filepath.Walk gives), root excluded.
func walkUpper(upper string) ([]upperEntry, error) {
	if _, err := os.Lstat(upper); err != nil {
		return nil, fmt.Errorf("container upper directory: %w", err)
	}
	var entries []upperEntry
	var walk func(rel string) error
	walk = func(rel string) error {
		names, err := readDirNames(filepath.Join(upper, rel))
		if err != nil {
			return err
		}
		for _, name := range names {
			p := path.Join("/", rel, name)
			e, err := statUpper(filepath.Join(upper, p), p)
			if err != nil {
				return err
			}
			entries = append(entries, e)
			if e.Dir {
				if err := walk(p); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return entries, walk("/")
}

// readDirNames returns the names in dir, sorted.
func readDirNames(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, fmt.Errorf("readdir %s: %w", dir, err)
	}
	sort.Strings(names)
	return names, nil
}

// statUpper describes one upper entry: lstat(2), plus the opaque xattr of
// a directory.
func statUpper(full, p string) (upperEntry, error) {
	var st unix.Stat_t
	if err := unix.Lstat(full, &st); err != nil {
		return upperEntry{}, &os.PathError{Op: "lstat", Path: full, Err: err}
	}
	e := upperEntry{Path: p, Whiteout: isWhiteoutDevice(&st), Dir: st.Mode&unix.S_IFMT == unix.S_IFDIR, Meta: metaOf(&st)}
	if e.Dir {
		opaque, err := isOpaqueDir(full)
		if err != nil {
			return upperEntry{}, err
		}
		e.Opaque = opaque
	}
	return e, nil
}

func metaOf(st *unix.Stat_t) fileMeta {
	return fileMeta{Mode: st.Mode, Size: st.Size, Mtime: time.Unix(st.Mtim.Sec, st.Mtim.Nsec)}
}

// isOpaqueDir reads trusted.overlay.opaque of a directory (see
// trusted_linux.go for why that needs CAP_SYS_ADMIN).
func isOpaqueDir(dir string) (bool, error) {
	if !canReadTrusted() {
		return false, fmt.Errorf("read %s of %s: %w", opaqueXattr, dir, errTrustedHidden)
	}
	buf := make([]byte, 4)
	n, err := unix.Lgetxattr(dir, opaqueXattr, buf)
	switch {
	case err == nil:
		return n == 1 && buf[0] == 'y', nil
	case errors.Is(err, unix.ENODATA), errors.Is(err, unix.ENOTSUP), errors.Is(err, unix.ERANGE):
		return false, nil // none, or longer than "y": not opaque
	}
	return false, &os.PathError{Op: "lgetxattr " + opaqueXattr, Path: dir, Err: err}
}

// lookupLower finds the topmost lower layer that shows p, reading the
// layers as overlayfs does, from the top down: in each layer, walk p's
// components; a whiteout device or a non-directory on the way hides
// everything below; an opaque directory on the way hides the layers
// below this one; a missing component means "look further down".
func lookupLower(lowers []string, p string) (lowerEntry, error) {
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i := len(lowers) - 1; i >= 0; i-- {
		found, stop, e, err := lookupIn(lowers[i], parts)
		if err != nil {
			return lowerEntry{Index: -1}, err
		}
		if found {
			e.Index = i
			return e, nil
		}
		if stop {
			break
		}
	}
	return lowerEntry{Index: -1}, nil
}

// lookupIn looks p (split into parts) up in one layer: found when the
// layer shows it; stop when the layer hides it from the layers below.
func lookupIn(layer string, parts []string) (found, stop bool, e lowerEntry, err error) {
	cur := layer
	for i, part := range parts {
		cur = filepath.Join(cur, part)
		var st unix.Stat_t
		if err := unix.Lstat(cur, &st); err != nil {
			if errors.Is(err, unix.ENOENT) {
				return false, stop, e, nil
			}
			return false, false, e, &os.PathError{Op: "lstat", Path: cur, Err: err}
		}
		if isWhiteoutDevice(&st) {
			return false, true, e, nil
		}
		last := i == len(parts)-1
		if last {
			return true, false, lowerEntry{Dir: st.Mode&unix.S_IFMT == unix.S_IFDIR, Meta: metaOf(&st)}, nil
		}
		if st.Mode&unix.S_IFMT != unix.S_IFDIR {
			return false, true, e, nil // a file where the path wants a directory
		}
		opaque, err := isOpaqueDir(cur)
		if err != nil {
			return false, false, e, err
		}
		stop = stop || opaque
	}
	return false, stop, e, nil
}
