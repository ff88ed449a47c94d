// Package mount builds a container's root filesystem: the overlay of the
// image's layers with a writable upper layer, fresh /proc, /sys and /dev,
// volumes, and pivot_root into it, then hides the host's kernel knobs.
//
// Every mount is first a plain value, [Mount], built by a pure function
// ([Overlay], [OverlayOptions], [SpecialMounts], [Binds], [Mask],
// [ReadOnly]) and printed or compared in tests; [Mount.Apply] is the one
// place that calls mount(2). The [Trace] hook sees every system call this
// package makes, for `minictr run --debug`.
//
// The container's init calls these inside its new mount namespace
// (CLONE_NEWNS), in this order, or all at once with [SetupRootfs]:
//
//	MakePrivate                      mount_namespaces(7): no propagation to the host
//	Overlay(...).Apply               overlayfs: layers + upper -> rootfs
//	MountSpecial, MakeDevices,       proc(5), sysfs(5), tmpfs(5), devpts
//	MakeDevLinks, BindConsole
//	Files, MountBinds                /etc/hostname, /etc/hosts, /etc/resolv.conf, -v volumes
//	PivotRoot                        pivot_root(2): rootfs becomes "/"
//	MaskPaths, ReadonlyPaths,        hide /proc/kcore..., freeze /proc/sys...
//	ReadOnlyRoot
//
// Man pages: mount(2), umount(2), pivot_root(2), chroot(2), openat2(2),
// mknod(2), mount_namespaces(7), proc(5), sysfs(5), tmpfs(5), statfs(2);
// kernel: Documentation/filesystems/overlayfs.rst.
//
// Docs: docs/03-overlay.md (overlayfs) and docs/04-namespaces.md (mount
// namespace, propagation, pivot_root, /proc /sys /dev).
package mount
