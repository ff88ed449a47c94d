// Package container keeps the state of containers on disk: one directory
// per container under <root>/containers/<id>/ holding its writable layer
// (upper/), overlay's scratch directory (work/), the mount point of its
// root filesystem (rootfs/), and config.json, the plain description of what
// to run. The stage packages (mount, ns, cgroups) never see this package:
// main reads a Container and hands them plain values.
//
// See docs/06-run.md.
package container
