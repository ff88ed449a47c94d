package volume

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// Populate copies what the image has at target (a container path such as
// "/var/lib/db") into the volume directory data, if data is empty. That is
// docker's behaviour: an image that declares VOLUME /var/lib/db and ships
// a skeleton database there still finds it at its first start, now on the
// volume; a volume that already holds data is left alone (it is never
// re-populated, nor merged).
//
// It runs in the container's init after the overlay is mounted on rootfs
// and before the volume is bind-mounted over target: the only moment the
// image's files at target are visible. It reports whether it copied.
//
// The image is untrusted, so target is resolved with openat2(2)
// RESOLVE_IN_ROOT: a symlink /var/lib/db -> /etc gives the IMAGE's /etc,
// a "../../.." stays at the rootfs. A target that resolves to the rootfs
// itself is refused (the volume would be mounted over the container's
// root). Below target, no symlink is ever followed: they are copied as
// symlinks (copy.go).
func Populate(rootfs, target, data string) (bool, error) {
	dst, err := os.Open(data)
	if err != nil {
		return false, err
	}
	defer dst.Close()
	// Two containers starting at once on one new named volume would both
	// see it empty and copy into each other: flock(2) the directory, the
	// second one waits, then finds it full.
	if err := unix.Flock(int(dst.Fd()), unix.LOCK_EX); err != nil {
		return false, &os.PathError{Op: "flock", Path: data, Err: err}
	}
	if names, err := dst.Readdirnames(1); len(names) > 0 || (err != nil && err != io.EOF) {
		return false, err
	}
	src, err := openInRoot(rootfs, target)
	if err != nil || src == nil {
		return false, err
	}
	defer src.Close()
	if err := copyDir(int(src.Fd()), int(dst.Fd()), src.Name(), data); err != nil {
		// All or nothing: a volume left half filled is not empty, so it
		// would never be populated again, and the container would start
		// on half its files. Empty it (everything in it is ours: it was
		// empty a moment ago, and we hold its lock), so the next start
		// tries again.
		return false, errors.Join(err, emptyDir(dst, data))
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(src.Fd()), &st); err != nil {
		return false, &os.PathError{Op: "fstat", Path: src.Name(), Err: err}
	}
	// The volume's root takes the owner, mode and times of the image's
	// directory: a database that runs as uid 999 can write to it.
	return true, setMeta(unix.AT_FDCWD, data, data, &st)
}

// emptyDir removes every entry of the open directory dir (path: data),
// without following symlinks (os.RemoveAll unlinks a symlink, never its
// target).
func emptyDir(dir *os.File, data string) error {
	if _, err := dir.Seek(0, io.SeekStart); err != nil {
		return &os.PathError{Op: "seek", Path: data, Err: err}
	}
	names, err := dir.Readdirnames(-1)
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := os.RemoveAll(filepath.Join(data, n)); err != nil {
			return err
		}
	}
	return nil
}

// openInRoot opens the directory target inside rootfs, with every symlink
// resolved as if rootfs were "/". It returns nil if the image has nothing
// (or no directory) there: then there is nothing to copy.
func openInRoot(rootfs, target string) (*os.File, error) {
	root, err := unix.Open(rootfs, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: rootfs, Err: err}
	}
	defer unix.Close(root)
	how := unix.OpenHow{Flags: unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC, Resolve: unix.RESOLVE_IN_ROOT}
	fd, err := unix.Openat2(root, target, &how)
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
		return nil, nil
	}
	if err != nil {
		return nil, &os.PathError{Op: "openat2", Path: filepath.Join(rootfs, target), Err: err}
	}
	var a, b unix.Stat_t
	if err := errors.Join(unix.Fstat(fd, &a), unix.Fstat(root, &b)); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("stat %s: %w", filepath.Join(rootfs, target), err)
	}
	if a.Dev == b.Dev && a.Ino == b.Ino {
		unix.Close(fd)
		return nil, fmt.Errorf("%s resolves to the container's root (a symlink to / or ..): no volume can go there", target)
	}
	return os.NewFile(uintptr(fd), filepath.Join(rootfs, target)), nil
}
