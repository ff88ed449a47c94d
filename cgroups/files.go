package cgroups

import (
	"slices"
	"strconv"
)

// V2Files turns l into the cgroup v2 interface files to write and their
// contents. Every file is always present: an unlimited value is written as
// "max", so applying the map to a group also clears an older limit.
//
//	memory.max       hard limit in bytes; over it the kernel reclaims, then OOM-kills
//	memory.swap.max  swap the group may use on top of memory.max ("0" when memory is limited)
//	cpu.max          "$QUOTA $PERIOD" in microseconds, or "max $PERIOD"
//	pids.max         tasks the group may hold; fork/clone fail with EAGAIN beyond
func (l Limits) V2Files() map[string]string {
	swap := "max"
	if l.MemoryBytes > 0 {
		swap = "0" // no swap: going over memory.max is a real OOM kill
	}
	return map[string]string{
		"memory.max":      orMax(l.MemoryBytes, "max"),
		"memory.swap.max": swap,
		"cpu.max":         orMax(l.CPUQuota, "max") + " " + strconv.FormatInt(l.period(), 10),
		"pids.max":        orMax(l.PidsMax, "max"),
	}
}

// V1Files turns l into cgroup v1 files, grouped by the controller whose
// hierarchy holds them. v1 spells "unlimited" as -1 (pids.max says "max").
//
//	memory  memory.limit_in_bytes        hard limit in bytes
//	        memory.memsw.limit_in_bytes  memory + swap; the same value means no swap
//	cpu     cpu.cfs_period_us, cpu.cfs_quota_us  CFS bandwidth
//	pids    pids.max
//
// v1 insists that memsw >= limit and that a quota fits its period, so
// [New] writes each controller's files in sorted name order, which puts
// memory.limit_in_bytes before memory.memsw.limit_in_bytes and
// cpu.cfs_period_us before cpu.cfs_quota_us.
func (l Limits) V1Files() map[string]map[string]string {
	mem := orMax(l.MemoryBytes, "-1")
	return map[string]map[string]string{
		"memory": {
			"memory.limit_in_bytes":       mem,
			"memory.memsw.limit_in_bytes": mem,
		},
		"cpu": {
			"cpu.cfs_period_us": strconv.FormatInt(l.period(), 10),
			"cpu.cfs_quota_us":  orMax(l.CPUQuota, "-1"),
		},
		"pids": {"pids.max": orMax(l.PidsMax, "max")},
	}
}

// optionalFiles may be missing: swap accounting is off when the kernel was
// built without it or booted with swapaccount=0. Without them a memory limit
// still holds; a process over it is just swapped out before it is killed.
var optionalFiles = map[string]bool{
	"memory.swap.max":             true,
	"memory.memsw.limit_in_bytes": true,
}

// orMax formats n, or unlimited when n is 0 (or negative).
func orMax(n int64, unlimited string) string {
	if n <= 0 {
		return unlimited
	}
	return strconv.FormatInt(n, 10)
}

// sortedKeys returns m's keys in the order files are written.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
