package cgroups

import (
	"errors"
	"fmt"
)

// Cgroup is one container's control group, whichever cgroup version the
// host runs. [New] creates one, [Load] reopens one from its [Cgroup.Paths].
type Cgroup interface {
	// Version is 1 (one directory per controller hierarchy) or 2 (one
	// directory in the unified tree).
	Version() int

	// Paths maps controller name to the group's absolute directory: v1 has
	// one entry per controller ("memory", "cpu", "cpuacct", "pids",
	// "devices", and "freezer" where it is mounted), v2 a single entry
	// under the key "" (the unified tree). Save it to reopen the group
	// later with [Load].
	Paths() map[string]string

	// AddProcess moves a running process into the group by writing its PID
	// to cgroup.procs (v2), or to every controller's cgroup.procs (v1).
	// Children it forks afterwards are born in the group.
	AddProcess(pid int) error

	// FD returns an open O_DIRECTORY file descriptor of the group for
	// clone3(2)'s CLONE_INTO_CGROUP (Go: SysProcAttr.UseCgroupFD and
	// CgroupFD). It is v2 only: ok is false on v1. The descriptor belongs
	// to the Cgroup and is closed by Delete.
	FD() (fd int, ok bool)

	// Stats reads the group's current usage counters.
	Stats() (Stats, error)

	// SetDevices puts the device rules in force for the group's processes
	// (see [DeviceRule]): v1 writes devices.deny and devices.allow, v2
	// attaches a BPF_PROG_TYPE_CGROUP_DEVICE program to the directory. Call
	// it before the container's first process runs.
	SetDevices(rules []DeviceRule) error

	// OOMKilled reports whether the kernel's OOM killer has killed a
	// process in the group because it went over its memory limit.
	OOMKilled() (bool, error)

	// Freeze stops every process in the group (cgroup v2 cgroup.freeze,
	// the v1 freezer controller) and returns once the kernel reports them
	// all stopped, or an error after a bounded wait. Freezing a frozen
	// group is not an error.
	Freeze() error

	// Thaw lets the processes of a frozen group run again and returns once
	// the kernel reports the group thawed. Thawing a group that is not
	// frozen is not an error.
	Thaw() error

	// Delete removes the group's directories. It kills nothing: the caller
	// ends the processes first. While the last one is still exiting the
	// kernel answers EBUSY, so Delete retries for a short while. Deleting a
	// group that is already gone is not an error.
	Delete() error
}

// Stats are usage counters of one group. Times are in microseconds, memory
// in bytes. A counter the kernel does not provide stays 0.
type Stats struct {
	MemoryCurrent int64 // memory in use now (v2 memory.current, v1 memory.usage_in_bytes)
	MemoryPeak    int64 // highest memory use seen (v2 memory.peak, v1 memory.max_usage_in_bytes)
	OOMKills      int64 // processes the OOM killer killed in the group
	CPUUsageUsec  int64 // CPU time used, all CPUs summed
	NrThrottled   int64 // CFS periods in which the group ran out of quota
	ThrottledUsec int64 // total time the group spent throttled
	PidsCurrent   int64 // tasks (processes and threads) in the group now
}

// ErrControllerMissing is wrapped by [New]'s error when the kernel does not
// offer a controller minictr needs (memory, cpu, cpuacct on v1, pids), so
// callers and tests can tell "this host cannot" from "this went wrong".
var ErrControllerMissing = errors.New("cgroup controller not available")

// Mode is the way the host has mounted cgroups, as found by [Detect].
type Mode int

const (
	// Unified: a cgroup2 filesystem at /sys/fs/cgroup with every
	// controller in one tree (systemd's default since about 2021:
	// Ubuntu 21.10+, Debian 11+, Fedora 31+). minictr uses the v2 driver.
	Unified Mode = iota + 1
	// Hybrid: a tmpfs at /sys/fs/cgroup holding one v1 hierarchy per
	// controller, plus a cgroup2 tree at /sys/fs/cgroup/unified that has
	// (almost) no controllers. Limits go through the v1 driver.
	Hybrid
	// Legacy: v1 hierarchies only. minictr uses the v1 driver.
	Legacy
)

func (m Mode) String() string {
	switch m {
	case Unified:
		return "unified (cgroup v2)"
	case Hybrid:
		return "hybrid (cgroup v1 controllers, v2 at /sys/fs/cgroup/unified)"
	case Legacy:
		return "legacy (cgroup v1)"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Version is the cgroup version whose controllers enforce limits in mode m.
func (m Mode) Version() int {
	if m == Unified {
		return 2
	}
	return 1
}

// Filesystem magic numbers, as statfs(2) reports them in f_type
// (include/uapi/linux/magic.h). They are constants of the kernel ABI, the
// same on every architecture, so they are spelled out here rather than
// taken from x/sys/unix, which defines them only on Linux.
const (
	cgroup2SuperMagic = 0x63677270 // "cgrp": a cgroup v2 filesystem
	cgroupSuperMagic  = 0x0027e0eb // a cgroup v1 hierarchy
	tmpfsMagic        = 0x01021994 // the tmpfs that holds v1 hierarchies
)

// classify decides the [Mode] from the statfs(2) magic of /sys/fs/cgroup
// and of /sys/fs/cgroup/unified (0 when that does not exist). It is the
// pure half of [Detect].
func classify(rootMagic, unifiedMagic int64) (Mode, error) {
	switch rootMagic {
	case cgroup2SuperMagic:
		return Unified, nil
	case tmpfsMagic:
		if unifiedMagic == cgroup2SuperMagic {
			return Hybrid, nil
		}
		return Legacy, nil
	case cgroupSuperMagic: // a single v1 hierarchy mounted right there
		return Legacy, nil
	}
	return 0, fmt.Errorf("no cgroup filesystem at /sys/fs/cgroup (statfs f_type %#x): mount one, e.g. `mount -t cgroup2 none /sys/fs/cgroup`", rootMagic)
}
