package cgroups

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// Detect finds out how the host mounts cgroups by asking statfs(2) which
// filesystem is mounted at /sys/fs/cgroup (and at /sys/fs/cgroup/unified):
// cgroup2 there means [Unified]; a tmpfs means v1 hierarchies below it,
// [Hybrid] if a cgroup2 tree sits at unified/, else [Legacy]. It probes the
// kernel's answer rather than guessing from the distribution or the uid.
func Detect() (Mode, error) {
	var root, unified unix.Statfs_t
	if err := unix.Statfs("/sys/fs/cgroup", &root); err != nil {
		return 0, fmt.Errorf("statfs /sys/fs/cgroup: %w", err)
	}
	var unifiedMagic int64
	switch err := unix.Statfs("/sys/fs/cgroup/unified", &unified); {
	case err == nil:
		unifiedMagic = int64(unified.Type)
	case !errors.Is(err, unix.ENOENT):
		return 0, fmt.Errorf("statfs /sys/fs/cgroup/unified: %w", err)
	}
	return classify(int64(root.Type), unifiedMagic)
}
