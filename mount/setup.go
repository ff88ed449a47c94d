package mount

// RootfsConfig is everything SetupRootfs needs to build a container's root
// filesystem. All paths are host paths except Bind.Target.
type RootfsConfig struct {
	// Rootfs is where the container's root appears, e.g.
	// /var/lib/minictr/containers/c1/rootfs (an empty directory).
	Rootfs string
	// Lowers are the image's layer directories, TOP-FIRST (reverse the
	// manifest's order). Empty means Rootfs already holds a complete tree
	// (an unpacked bundle), which is then bind-mounted on itself.
	Lowers []string
	// Upper and Work are the container's writable layer and overlayfs's
	// scratch directory, both empty directories on the same filesystem.
	Upper, Work string
	// FilesDir is where /etc/hostname, /etc/hosts and /etc/resolv.conf are
	// written (the container's directory); empty leaves the image's files.
	FilesDir string
	Hostname string
	// ResolvConf is the container's /etc/resolv.conf; nil keeps the image's.
	ResolvConf []byte
	// Binds are the -v volumes, mounted after the /etc files so that a
	// volume on /etc/hosts wins.
	Binds []Bind
	// Console is a pty slave (e.g. /dev/pts/3) to bind on /dev/console; empty: none.
	Console string
	// ReadOnly makes "/" read-only after pivot_root (--read-only). The upper
	// layer still exists; volumes, /dev and /dev/shm stay writable.
	ReadOnly bool
}
