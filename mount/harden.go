package mount

// After pivot_root the container has its own /proc and /sys, but some of
// their files still describe or control the whole machine. Runtimes hide
// them (the lists are runc's and Docker's defaults, see the OCI runtime
// spec's maskedPaths and readonlyPaths).

// maskedPaths are made unreadable: a file gets /dev/null bound over it, a
// directory an empty read-only tmpfs.
var maskedPaths = []string{
	"/proc/acpi",          // ACPI tables and events of the host
	"/proc/asound",        // the host's sound cards
	"/proc/kcore",         // the host's physical memory as an ELF core file
	"/proc/keys",          // kernel keyrings, with descriptions from every namespace
	"/proc/latency_stats", // kernel latency tracing
	"/proc/timer_list",    // every timer of the host, with process names and PIDs
	"/proc/timer_stats",
	"/proc/sched_debug", // scheduler state of every host CPU and process
	"/proc/scsi",        // the host's SCSI devices (writing can rescan buses)
	"/sys/firmware",     // BIOS/UEFI tables and variables
}

// readonlyPaths stay readable but become read-only: writing them would
// change the whole kernel, not just the container (/proc/sys is sysctl).
var readonlyPaths = []string{
	"/proc/bus",
	"/proc/fs",
	"/proc/irq",
	"/proc/sys",
	"/proc/sysrq-trigger", // writing "b" here would reboot the host
}

// Mask returns the mount that hides path: /dev/null bound over a file (it
// reads as empty), or an empty read-only tmpfs over a directory.
func Mask(path string, dir bool) Mount {
	if dir {
		return Mount{Source: "tmpfs", Target: path, FSType: "tmpfs", Flags: msRdonly}
	}
	return Mount{Source: "/dev/null", Target: path, Flags: msBind}
}

// ReadOnly returns the two mounts that make path read-only in place: a bind
// of path onto itself (so that path is its own mount point, whose flags can
// change without touching the rest of /proc), then the read-only remount.
func ReadOnly(path string) []Mount {
	return []Mount{
		{Source: path, Target: path, Flags: msBind | msRec},
		remountReadOnly(path),
	}
}
