package mount

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// MakeDeviceNodes creates the extra device nodes a container was given
// (`run --device`, or every host node with `--privileged`) in the
// container whose root is rootfs, with the host node's type, numbers,
// permission bits and owner. A node that already exists (/dev/null, made
// by MakeDevices) is kept. Creating a node is not using it: the device
// cgroup, set by the host before the init runs, decides whether open(2)
// on it succeeds (docs/12-security.md).
func MakeDeviceNodes(rootfs string, nodes []DeviceNode) error {
	if len(nodes) == 0 {
		return nil
	}
	r, err := openRoot(rootfs)
	if err != nil {
		return err
	}
	defer r.Close()
	for _, n := range nodes {
		if err := r.mknod(n); err != nil {
			return err
		}
	}
	return nil
}

// mknod makes one node in its (resolved, created) parent directory.
func (r *inRoot) mknod(n DeviceNode) error {
	path := filepath.Clean("/" + n.Path)
	dir, err := r.mkdirAll(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer unix.Close(dir)
	name, host := filepath.Base(path), filepath.Join(r.rootfs, path)
	kind := uint32(unix.S_IFCHR)
	if n.Type == 'b' {
		kind = unix.S_IFBLK
	}
	trace("mknodat", host, fmt.Sprintf("%c %#o", n.Type, n.Mode), fmt.Sprintf("makedev(%d, %d)", n.Major, n.Minor))
	err = unix.Mknodat(dir, name, kind|n.Mode, int(unix.Mkdev(n.Major, n.Minor)))
	if errors.Is(err, unix.EEXIST) {
		return nil
	}
	if err != nil {
		return &os.PathError{Op: "mknod", Path: host, Err: err}
	}
	// mknod applied the umask: set the host node's bits and owner exactly.
	if err := unix.Fchmodat(dir, name, n.Mode, 0); err != nil {
		return &os.PathError{Op: "chmod", Path: host, Err: err}
	}
	if err := unix.Fchownat(dir, name, n.UID, n.GID, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &os.PathError{Op: "chown", Path: host, Err: err}
	}
	return nil
}

// maskUnlessPrivileged runs MaskPaths and ReadonlyPaths, except for a
// --privileged container, which sees /proc and /sys as the host does.
func maskUnlessPrivileged(privileged bool) error {
	if privileged {
		return nil
	}
	if err := MaskPaths(); err != nil {
		return err
	}
	return ReadonlyPaths()
}
