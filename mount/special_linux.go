package mount

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// MountSpecial mounts fresh /proc, /sys, /dev, /dev/pts, /dev/shm and
// /dev/mqueue into the container whose root is rootfs (the mounts
// SpecialMounts lists), creating each mount point inside the root. Call it
// in the container's mount namespace before PivotRoot; for /proc to show
// the container's processes the caller must also be in its PID namespace.
func MountSpecial(rootfs string) error { return mountSpecial(rootfs, false) }

// mountSpecial is MountSpecial; privileged (`run --privileged`) mounts
// /sys read-write, as docker does.
func mountSpecial(rootfs string, privileged bool) error {
	r, err := openRoot(rootfs)
	if err != nil {
		return err
	}
	defer r.Close()
	for _, m := range specialMounts {
		target, err := r.target(m.Target, false)
		if err != nil {
			return err
		}
		m.Target = target
		if privileged && m.FSType == "sysfs" {
			m.Flags &^= msRdonly
		}
		if err := m.Apply(); err != nil {
			return err
		}
	}
	return nil
}

// MakeDevices creates the device nodes null, zero, full, random, urandom
// and tty in the container's /dev (the tmpfs MountSpecial put there).
//
// A device node is only a name with a (major, minor) number; opening it
// reaches whichever driver has that number, so the nodes made here are the
// same devices as the host's /dev/null and friends. Creating one with
// mknod(2) needs CAP_MKNOD in the initial user namespace: minictr runs as
// root, so it does what runc does as root. A rootless runtime cannot mknod
// (the kernel refuses device nodes made inside a user namespace) and
// instead bind-mounts the host's /dev/null etc. onto empty files, which
// works anywhere but costs one mount per device.
func MakeDevices(rootfs string) error {
	dev, devPath, err := openDev(rootfs)
	if err != nil {
		return err
	}
	defer unix.Close(dev)
	for _, d := range devices {
		path := filepath.Join(devPath, d.name)
		trace("mknodat", path, "S_IFCHR|0666", fmt.Sprintf("makedev(%d, %d)", d.major, d.minor))
		if err := unix.Mknodat(dev, d.name, unix.S_IFCHR|0o666, int(unix.Mkdev(d.major, d.minor))); err != nil {
			return &os.PathError{Op: "mknod", Path: path, Err: err}
		}
		// mknod applied our umask (usually 022); devices must be 0666.
		if err := unix.Fchmodat(dev, d.name, 0o666, 0); err != nil {
			return &os.PathError{Op: "chmod", Path: path, Err: err}
		}
	}
	return nil
}

// MakeDevLinks creates the usual /dev symlinks: fd, stdin, stdout and
// stderr into /proc/self/fd, ptmx -> pts/ptmx (so opening /dev/ptmx makes a
// pty in the container's own devpts instance) and core -> /proc/kcore.
func MakeDevLinks(rootfs string) error {
	dev, devPath, err := openDev(rootfs)
	if err != nil {
		return err
	}
	defer unix.Close(dev)
	for _, l := range devLinks {
		if l.name == "core" && !exists("/proc/kcore") {
			continue // kernels without CONFIG_PROC_KCORE: no dangling link (as runc)
		}
		path := filepath.Join(devPath, l.name)
		trace("symlinkat", l.target, path)
		if err := unix.Symlinkat(l.target, dev, l.name); err != nil {
			return &os.LinkError{Op: "symlink", Old: l.target, New: path, Err: err}
		}
	}
	return nil
}

// openDev opens the container's /dev, resolved inside rootfs, and returns
// the fd and its host path.
func openDev(rootfs string) (int, string, error) {
	r, err := openRoot(rootfs)
	if err != nil {
		return -1, "", err
	}
	defer r.Close()
	fd, err := r.open("/dev", unix.O_PATH|unix.O_DIRECTORY)
	if err != nil {
		return -1, "", err
	}
	path, err := fdPath(fd)
	if err != nil {
		unix.Close(fd)
		return -1, "", err
	}
	return fd, path, nil
}

// exists reports whether path exists; called before pivot_root, so the
// host's /proc answers (same kernel, same configuration).
func exists(path string) bool {
	var st unix.Stat_t
	return unix.Stat(path, &st) == nil
}
