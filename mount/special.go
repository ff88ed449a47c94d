package mount

import "path/filepath"

// A container expects the kernel's pseudo filesystems at the usual places,
// and they must be NEW instances, not the host's: a proc mounted inside the
// new PID namespace shows that namespace's processes (the container's init
// is PID 1), a devpts with "newinstance" has its own pty numbers, and a
// fresh tmpfs on /dev holds only the few devices we put there.
//
// specialMounts is that list in the order runc's default spec mounts it.
// Targets are container paths; SpecialMounts joins them to a rootfs.
var specialMounts = []Mount{
	// proc(5): processes of the container's PID namespace. nosuid,nodev,noexec:
	// nothing in /proc should ever be a device, set-uid or executable.
	{Source: "proc", Target: "/proc", FSType: "proc", Flags: msNosuid | msNodev | msNoexec},
	// sysfs(5): devices and kernel objects. Read-only: a container must not
	// rebind drivers or change kernel knobs. (Network devices shown are those of
	// the mounting process's network namespace.)
	{Source: "sysfs", Target: "/sys", FSType: "sysfs", Flags: msNosuid | msNodev | msNoexec | msRdonly},
	// /dev is a small tmpfs (memory) filled by MakeDevices: the container sees
	// only the devices listed there, never the host's disks.
	{Source: "tmpfs", Target: "/dev", FSType: "tmpfs", Flags: msNosuid | msStrictatime, Data: "mode=755,size=65536k"},
	// devpts: a private pty instance; gid=5 is the "tty" group, mode 620 lets
	// its owner write and the group (write(1), wall(1)) send messages.
	{Source: "devpts", Target: "/dev/pts", FSType: "devpts", Flags: msNosuid | msNoexec,
		Data: "newinstance,ptmxmode=0666,mode=0620,gid=5"},
	// POSIX shared memory (shm_open(3)) lives in a tmpfs; 1777 like /tmp.
	{Source: "shm", Target: "/dev/shm", FSType: "tmpfs", Flags: msNosuid | msNodev | msNoexec, Data: "mode=1777,size=65536k"},
	// mq_overview(7): POSIX message queues of the mounting process's IPC namespace.
	{Source: "mqueue", Target: "/dev/mqueue", FSType: "mqueue", Flags: msNosuid | msNodev | msNoexec},
}

// SpecialMounts returns the /proc, /sys, /dev, /dev/pts, /dev/shm and
// /dev/mqueue mounts for the container whose root is rootfs, in order
// (/dev before the mounts inside it). MountSpecial applies them.
func SpecialMounts(rootfs string) []Mount {
	ms := make([]Mount, len(specialMounts))
	for i, m := range specialMounts {
		m.Target = filepath.Join(rootfs, m.Target)
		ms[i] = m
	}
	return ms
}

// device is a character device node the container's /dev gets. These six
// are what POSIX programs assume exist; the numbers are fixed by the
// kernel's Documentation/admin-guide/devices.txt.
type device struct {
	name         string
	major, minor uint32
}

var devices = []device{
	{"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7},
	{"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
}

// devLinks are the symlinks every Linux /dev has (udev makes them on a
// host): the standard streams via /proc/self/fd, the pty multiplexer of
// the container's own devpts instance, and core for old debuggers.
var devLinks = []struct{ name, target string }{
	{"fd", "/proc/self/fd"},
	{"stdin", "/proc/self/fd/0"},
	{"stdout", "/proc/self/fd/1"},
	{"stderr", "/proc/self/fd/2"},
	{"ptmx", "pts/ptmx"},
	{"core", "/proc/kcore"},
}
