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
	// Populate, when set, runs once the overlay is mounted and before
	// anything is mounted over it: the one moment the image's files at a
	// volume's path can be copied into an empty volume (docs/08-volumes.md).
	Populate func() error `json:"-"`
	// Binds are mounted in this order: the container's /etc/hostname, hosts
	// and resolv.conf (see Files), the -v binds and the volumes, parents
	// first, so that a volume on /etc/hosts wins over the file.
	Binds []Bind
	// ReadOnly makes "/" read-only after pivot_root (--read-only). The upper
	// layer still exists; volumes, /dev and /dev/shm stay writable.
	ReadOnly bool
	// Console, when set, runs last: it makes the container's terminal from
	// the container's own /dev/ptmx (which exists only after pivot_root)
	// and returns the pty slave's path, which is bound on /dev/console.
	Console func() (pts string, err error) `json:"-"`
	// Privileged is `run --privileged`: /sys is mounted read-write and
	// nothing under /proc or /sys is masked or made read-only.
	Privileged bool
	// Devices are extra device nodes for the container's /dev (--device,
	// or every host node with --privileged), made after MakeDevices.
	Devices []DeviceNode
}

// DeviceNode is a device node to create in the container: Path is a
// container path ("/dev/sda"), Type 'c' or 'b', Mode the permission bits.
type DeviceNode struct {
	Path         string
	Type         byte
	Major, Minor uint32
	Mode         uint32
	UID, GID     int
}
