package mount

import "errors"

// SetupRootfs builds the container's root filesystem and moves into it, in
// the order runc does. It must run in the container's init, in a new mount
// namespace (CLONE_NEWNS) and new PID namespace, on a locked OS thread
// (see package ns). Each step is one exported function; their order is the
// story of docs/03-overlay.md and docs/04-namespaces.md:
//
//  1. MakePrivate: stop mount events from leaking to or from the host
//  2. overlay (or bind) on Rootfs: the image's layers plus a writable upper
//  3. MountSpecial: fresh /proc, /sys, /dev, /dev/pts, /dev/shm, /dev/mqueue
//  4. MakeDevices, MakeDevLinks: null, zero, ..., /dev/fd, /dev/ptmx
//  5. BindConsole, Files + MountBinds: console, /etc files, volumes
//  6. PivotRoot: Rootfs becomes "/", the host's tree is detached
//  7. MaskPaths, ReadonlyPaths, ReadOnlyRoot: hide and freeze host knobs
func SetupRootfs(c RootfsConfig) error {
	if err := MakePrivate(); err != nil {
		return err
	}
	if err := mountRootfs(c); err != nil {
		return err
	}
	if err := MountSpecial(c.Rootfs); err != nil {
		return err
	}
	if err := MakeDevices(c.Rootfs); err != nil {
		return err
	}
	if err := MakeDevLinks(c.Rootfs); err != nil {
		return err
	}
	if c.Console != "" {
		if err := BindConsole(c.Rootfs, c.Console); err != nil {
			return err
		}
	}
	binds := c.Binds
	if c.FilesDir != "" {
		etc, err := Files(c.FilesDir, c.Hostname, c.ResolvConf)
		if err != nil {
			return err
		}
		binds = append(etc, binds...)
	}
	if err := MountBinds(c.Rootfs, binds); err != nil {
		return err
	}
	if err := PivotRoot(c.Rootfs); err != nil {
		return err
	}
	return hardenRoot(c.ReadOnly)
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
// /dev/null, i.e. after PivotRoot.
func hardenRoot(readOnly bool) error {
	if err := MaskPaths(); err != nil {
		return err
	}
	if err := ReadonlyPaths(); err != nil {
		return err
	}
	if readOnly {
		return ReadOnlyRoot()
	}
	return nil
}
