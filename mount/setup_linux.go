package mount

import "errors"

// SetupRootfs builds the container's root filesystem and moves into it. It
// is the one sequence minictr's container init runs, in runc's order, and
// must run in the container's init, in a new mount namespace (CLONE_NEWNS)
// and new PID namespace, on a locked OS thread (see package ns). Each step
// is one exported function; their order is the story of docs/03-overlay.md
// and docs/04-namespaces-mounts.md:
//
//  1. MakePrivate: stop mount events from leaking to or from the host
//  2. overlay (or bind) on Rootfs: the image's layers plus a writable upper
//  3. Populate: fill empty volumes from the image (docs/08-volumes.md)
//  4. MountSpecial: fresh /proc, /sys, /dev, /dev/pts, /dev/shm, /dev/mqueue
//  5. MakeDevices, MakeDevLinks, MakeDeviceNodes: null, zero, ..., /dev/fd,
//     /dev/ptmx, then --device nodes (every host node with --privileged)
//  6. MountCgroupfs: the container's own view of /sys/fs/cgroup
//  7. MountBinds: /etc/hostname, hosts, resolv.conf, -v binds, volumes
//  8. PivotRoot: Rootfs becomes "/", the host's tree is detached
//  9. MaskPaths, ReadonlyPaths, ReadOnlyRoot: hide and freeze host knobs
//  10. Console: the terminal from the container's own devpts, also /dev/console
func SetupRootfs(c RootfsConfig) error {
	steps := []func() error{
		MakePrivate,
		func() error { return mountRootfs(c) },
		c.Populate,
		func() error { return mountSpecial(c.Rootfs, c.Privileged) },
		func() error { return MakeDevices(c.Rootfs) },
		func() error { return MakeDevLinks(c.Rootfs) },
		func() error { return MakeDeviceNodes(c.Rootfs, c.Devices) },
		func() error { return MountCgroupfs(c.Rootfs) },
		func() error { return MountBinds(c.Rootfs, c.Binds) },
		func() error { return PivotRoot(c.Rootfs) },
		func() error { return hardenRoot(c.ReadOnly, c.Privileged) },
		func() error { return bindConsole(c.Console) },
	}
	for _, step := range steps {
		if step == nil {
			continue
		}
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// mountRootfs mounts the image's layers (or binds a ready tree) on Rootfs.
// The overlay's short links, if any, are removed once the kernel has
// resolved them.
func mountRootfs(c RootfsConfig) error {
	if len(c.Lowers) == 0 {
		return BindSelf(c.Rootfs).Apply()
	}
	m, cleanup, err := Overlay(c.Lowers, c.Upper, c.Work, c.Rootfs)
	if err != nil {
		return err
	}
	return errors.Join(m.Apply(), cleanup())
}

// hardenRoot runs the steps that need the container's own /proc and
// /dev/null, i.e. after PivotRoot. --privileged skips the masks and the
// read-only /proc knobs, as docker does.
func hardenRoot(readOnly, privileged bool) error {
	if err := maskUnlessPrivileged(privileged); err != nil {
		return err
	}
	if readOnly {
		return ReadOnlyRoot()
	}
	return nil
}

// bindConsole makes the terminal (after pivot_root: the container's own
// devpts) and binds its slave on /dev/console, as runc does.
func bindConsole(console func() (string, error)) error {
	if console == nil {
		return nil
	}
	pts, err := console()
	if err != nil {
		return err
	}
	return BindConsole("/", pts)
}
