package mount

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// Creating mount points inside an image is where container runtimes have had
// their worst escapes (runc CVE-2021-30465, CVE-2024-21626). The rootfs
// comes from an image anyone can build, so /data in it may be a symlink to
// /etc, or to ../../../../etc. A runtime that joins rootfs+"/data" and hands
// the result to mkdir(2) or mount(2) lets the kernel follow that symlink on
// the HOST and mounts the volume over the host's /etc.
//
// openat2(2) with RESOLVE_IN_ROOT resolves a path as if the directory fd
// were "/": "..", absolute symlinks and relative symlinks all stay below
// it. So every container path is opened that way, and only the resulting
// real path (read back from /proc/self/fd) is given to mount(2). Nothing
// inside the container runs yet, so nothing can swap a symlink between the
// resolution and the mount. (runc goes one step further and mounts onto
// /proc/self/fd/N itself, because hooks and shared volumes can run
// concurrently; minictr has neither.)

// inRoot resolves container paths inside one rootfs.
type inRoot struct {
	rootfs string
	fd     int
}

func openRoot(rootfs string) (*inRoot, error) {
	fd, err := unix.Open(rootfs, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: rootfs, Err: err}
	}
	return &inRoot{rootfs: rootfs, fd: fd}, nil
}

func (r *inRoot) Close() error { return unix.Close(r.fd) }

// open resolves path (a container path such as "/dev/pts") inside the
// root with openat2(2) RESOLVE_IN_ROOT. With unix.O_CREAT in flags it
// creates a missing final file with mode 0644.
func (r *inRoot) open(path string, flags int) (int, error) {
	how := unix.OpenHow{Flags: uint64(flags | unix.O_CLOEXEC), Resolve: unix.RESOLVE_IN_ROOT}
	if flags&unix.O_CREAT != 0 {
		how.Mode = 0o644 // openat2 rejects a mode without O_CREAT (EINVAL)
		trace("openat2", r.rootfs, path, "O_CREAT", "RESOLVE_IN_ROOT")
	}
	fd, err := unix.Openat2(r.fd, path, &how)
	if err != nil {
		return -1, &os.PathError{Op: "openat2", Path: filepath.Join(r.rootfs, path), Err: err}
	}
	return fd, nil
}

// mkdirAll makes sure directory path exists inside the root, creating
// missing components with mode 0755 one at a time (mkdirat in the already
// resolved parent), and returns an O_PATH fd for it.
func (r *inRoot) mkdirAll(path string) (int, error) {
	path = filepath.Clean("/" + path)
	fd, err := r.open(path, unix.O_PATH|unix.O_DIRECTORY)
	if err == nil || !errors.Is(err, unix.ENOENT) || path == "/" {
		return fd, err
	}
	parent, err := r.mkdirAll(filepath.Dir(path))
	if err != nil {
		return -1, err
	}
	defer unix.Close(parent)
	name := filepath.Base(path)
	trace("mkdirat", filepath.Join(r.rootfs, filepath.Dir(path)), name, "0755")
	if err := unix.Mkdirat(parent, name, 0o755); err != nil && !errors.Is(err, unix.EEXIST) {
		return -1, &os.PathError{Op: "mkdir", Path: filepath.Join(r.rootfs, path), Err: err}
	}
	return r.open(path, unix.O_PATH|unix.O_DIRECTORY)
}

// target prepares a mount point for a container path: a directory, or an
// empty file when file is true (a file can only be bind-mounted onto a
// file). It returns the real host path the mount point resolved to.
func (r *inRoot) target(path string, file bool) (string, error) {
	var fd int
	var err error
	if file {
		var dir int
		if dir, err = r.mkdirAll(filepath.Dir(filepath.Clean("/" + path))); err != nil {
			return "", err
		}
		unix.Close(dir)
		fd, err = r.open(path, unix.O_RDONLY|unix.O_CREAT)
	} else {
		fd, err = r.mkdirAll(path)
	}
	if err != nil {
		return "", err
	}
	defer unix.Close(fd)
	return fdPath(fd)
}

// fdPath reads back where an open file really is. The kernel keeps that
// path for every open file and shows it as the /proc/self/fd/N symlink.
func fdPath(fd int) (string, error) {
	link := fmt.Sprintf("/proc/self/fd/%d", fd)
	p, err := os.Readlink(link)
	if err != nil {
		return "", err
	}
	return p, nil
}
