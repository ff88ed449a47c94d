package mount

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// MakePrivate sets every mount in this mount namespace to private
// propagation: mount("", "/", "", MS_REC|MS_PRIVATE, NULL).
//
// A new mount namespace (CLONE_NEWNS) starts as a copy of its parent's
// mounts, WITH their propagation: on a systemd host every mount is
// "shared", so the copies stay in the host's peer groups and each mount the
// container makes below a shared mount would appear on the host too
// (mount_namespaces(7)). Private cuts those links in both directions, and
// pivot_root(2) refuses to work on shared mounts anyway. (runc defaults to
// MS_SLAVE|MS_REC instead, which still lets the host's new mounts, a USB
// stick say, flow into the container; minictr has no use for that.)
// Call it first, in the new mount namespace, before any other mount.
func MakePrivate() error {
	return Mount{Target: "/", Flags: msRec | msPrivate}.Apply()
}

// PivotRoot makes rootfs the root directory of this mount namespace and
// detaches the host's tree from it; afterwards the working directory is
// the new "/". rootfs must be a mount point (the overlay, or BindSelf).
//
// Why pivot_root(2) and not chroot(2): chroot only changes how one
// process resolves "/" and is not meant as a wall. A root process can
// chroot again into a subdirectory and then walk out with chdir("..")
// from its old working directory, reaching the host's root; the host's
// mounts also stay in the namespace, reachable through any open file
// descriptor. pivot_root changes the root MOUNT of the whole mount
// namespace: the old root becomes an ordinary mount we then unmount, so the
// host's filesystem is not merely hidden but gone from the container's
// namespace.
//
// It uses pivot_root(".", ".") as runc does and pivot_root(2) documents:
// with new_root as the working directory, the old root is stacked on top
// of the new one at "/", needing no put_old directory inside the image;
// umount2(".", MNT_DETACH) then peels it off.
func PivotRoot(rootfs string) error {
	oldRoot, err := unix.Open("/", unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: "/", Err: err}
	}
	defer unix.Close(oldRoot)
	trace("chdir", rootfs)
	if err := unix.Chdir(rootfs); err != nil {
		return &os.PathError{Op: "chdir", Path: rootfs, Err: err}
	}
	trace("pivot_root", ".", ".")
	if err := unix.PivotRoot(".", "."); err != nil {
		return pivotError(rootfs, err)
	}
	// The kernel does not promise where "." points after pivot_root, so go
	// to the old root explicitly (through the fd opened before) to unmount it.
	trace("fchdir", oldRoot)
	if err := unix.Fchdir(oldRoot); err != nil {
		return fmt.Errorf("fchdir to old root: %w", err)
	}
	if err := (Mount{Target: ".", Flags: msRec | msSlave}).Apply(); err != nil {
		return err // belt and braces: our unmount must never propagate anywhere
	}
	if err := Unmount("."); err != nil {
		return fmt.Errorf("detach old root: %w", err)
	}
	trace("chdir", "/")
	if err := unix.Chdir("/"); err != nil {
		return &os.PathError{Op: "chdir", Path: "/", Err: err}
	}
	return nil
}

// pivotError turns pivot_root's bare EINVAL into a reason when the mount
// table shows one: a shared mount (MakePrivate was not called) or a new
// root that is not a mount point.
func pivotError(rootfs string, err error) error {
	perr := &os.PathError{Op: "pivot_root", Path: rootfs, Err: err}
	if !errors.Is(err, unix.EINVAL) {
		return perr
	}
	mounts, rerr := ReadMountInfo()
	if rerr != nil {
		return perr
	}
	if why := pivotBlocker(mounts, rootfs); why != "" {
		return fmt.Errorf("%w: %s", perr, why)
	}
	return perr
}

// ReadMountInfo parses /proc/self/mountinfo: the mounts of this process's
// mount namespace as seen from its root.
func ReadMountInfo() ([]MountInfo, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseMountInfo(f)
}
