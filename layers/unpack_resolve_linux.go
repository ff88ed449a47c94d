package layers

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// openInRoot opens rel, a path inside the layer, with openat2(2):
//
//	RESOLVE_IN_ROOT        resolve as if the layer dir were "/": "..", absolute
//	                       symlinks and symlinks to ".." chains all stay inside.
//	RESOLVE_NO_MAGICLINKS  refuse /proc/<pid>/fd-style "magic" links, which can
//	                       point anywhere regardless of the root.
//
// The kernel may answer EAGAIN when a rename elsewhere raced with a ".."
// step (it cannot then prove the walk stayed inside); retrying is the
// documented remedy.
func (u *unpacker) openInRoot(rel string, flags uint64) (int, error) {
	if rel == "" {
		rel = "."
	}
	how := unix.OpenHow{
		Flags:   flags | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
	}
	for tries := 0; ; tries++ {
		fd, err := unix.Openat2(u.root, rel, &how)
		if err == unix.EAGAIN && tries < 32 {
			continue
		}
		if err == unix.ENOSYS {
			return -1, fmt.Errorf("openat2 %s: %w (openat2(2) needs Linux 5.6 or later)", rel, err)
		}
		if err != nil {
			return -1, &os.PathError{Op: "openat2 (in layer root)", Path: rel, Err: err}
		}
		return fd, nil
	}
}

// parent returns an O_PATH fd of directory dir inside the layer, creating
// missing directories like `mkdir -p`. The fd belongs to the cache: callers
// must not close it.
func (u *unpacker) parent(dir string) (int, error) {
	if dir == "" {
		return u.root, nil
	}
	if u.cacheFd >= 0 && !u.stale && dir == u.cacheDir {
		return u.cacheFd, nil
	}
	fd, err := u.dir(dir, unix.O_PATH)
	if err != nil {
		return -1, err
	}
	if u.cacheFd >= 0 {
		unix.Close(u.cacheFd)
	}
	u.cacheDir, u.cacheFd, u.stale = dir, fd, false
	return fd, nil
}

// dir opens directory rel inside the layer with the given extra flags
// (O_PATH to use it as a parent, O_RDONLY to set an xattr on it), creating
// it and its missing parents first. The caller closes the fd.
func (u *unpacker) dir(rel string, flags uint64) (int, error) {
	fd, err := u.openInRoot(rel, flags|unix.O_DIRECTORY)
	if errors.Is(err, unix.ENOENT) {
		if err = u.mkdirAll(rel); err == nil {
			fd, err = u.openInRoot(rel, flags|unix.O_DIRECTORY)
		}
	}
	return fd, err
}

// mkdirAll creates the missing directories of rel. Tars from real image
// builders list every parent before its children, but hand-made ones often
// do not, and a whiteout may sit in a directory this layer does not
// otherwise touch.
//
// Each prefix is resolved from the root (RESOLVE_IN_ROOT must always start
// at the layer root, or ".." would stop at the wrong place); a missing one
// is created with mkdirat(2) inside the already-resolved previous prefix,
// so it, too, lands inside the layer. If mkdirat finds the name taken even
// though openat2 could not open it, the name is a dangling symlink (or a
// file): we refuse rather than guess where it "should" lead.
func (u *unpacker) mkdirAll(rel string) error {
	prev, start := u.root, 0
	defer func() {
		if prev != u.root {
			unix.Close(prev)
		}
	}()
	for i := 0; i <= len(rel); i++ {
		if i < len(rel) && rel[i] != '/' {
			continue
		}
		prefix, name := rel[:i], rel[start:i]
		start = i + 1
		fd, err := u.openInRoot(prefix, unix.O_PATH|unix.O_DIRECTORY)
		if errors.Is(err, unix.ENOENT) {
			if err = unix.Mkdirat(prev, name, 0o755); err == nil {
				err = unix.Fchmodat(prev, name, 0o755, 0) // undo the umask
			}
			if err == unix.EEXIST {
				return fmt.Errorf("parent %q does not resolve to a directory inside the layer (dangling symlink?)", prefix)
			}
			if err != nil {
				return withHint("mkdirat "+prefix, err)
			}
			fd, err = u.openInRoot(prefix, unix.O_PATH|unix.O_DIRECTORY)
		}
		if err != nil {
			return err
		}
		if prev != u.root {
			unix.Close(prev)
		}
		prev = fd
	}
	return nil
}

// removeExisting makes room for a new entry named base in pfd: a later tar
// entry replaces an earlier one (OCI layer.md, "Changeset over existing
// files"). unlinkat(2) removes a file, symlink or device without following
// it, so a symlink or hard link planted earlier is removed, never written
// through; a directory is removed with everything in it.
func (u *unpacker) removeExisting(pfd int, base string) error {
	u.stale = true // what a cached path resolves to may have changed
	if err := removeAllAt(pfd, base); err != nil {
		return err
	}
	return nil
}

// removeAllAt is os.RemoveAll relative to a directory fd, never following
// symlinks: every step is an *at call on a name read from getdents.
func removeAllAt(pfd int, name string) error {
	err := unix.Unlinkat(pfd, name, 0)
	if err == nil || err == unix.ENOENT {
		return nil
	}
	if err != unix.EISDIR {
		return withHint("unlinkat "+name, err)
	}
	fd, err := unix.Openat(pfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "openat", Path: name, Err: err}
	}
	f := os.NewFile(uintptr(fd), name)
	names, err := f.Readdirnames(-1)
	for _, n := range names {
		if err == nil {
			err = removeAllAt(fd, n)
		}
	}
	f.Close()
	if err != nil {
		return err
	}
	if err := unix.Unlinkat(pfd, name, unix.AT_REMOVEDIR); err != nil {
		return &os.PathError{Op: "rmdir", Path: name, Err: err}
	}
	return nil
}
