package cgroups_test

import (
	"fmt"

	"github.com/minictr/minictr/cgroups"
)

// `minictr run -m 64m --cpus 0.5 --pids-limit 32` on a cgroup v2 host
// writes these four files.
func ExampleLimits_V2Files() {
	mem, _ := cgroups.ParseMemory("64m")
	quota, period, _ := cgroups.ParseCPUs("0.5")
	l := cgroups.Limits{MemoryBytes: mem, CPUQuota: quota, CPUPeriod: period, PidsMax: 32}
	files := l.V2Files()
	for _, f := range []string{"memory.max", "memory.swap.max", "cpu.max", "pids.max"} {
		fmt.Printf("%-16s %s\n", f, files[f])
	}
	// Output:
	// memory.max       67108864
	// memory.swap.max  0
	// cpu.max          50000 100000
	// pids.max         32
}

// The same limits on a cgroup v1 (or hybrid) host: one directory per
// controller hierarchy, each with its own files.
func ExampleLimits_V1Files() {
	l := cgroups.Limits{MemoryBytes: 64 << 20, CPUQuota: 50000, CPUPeriod: 100000, PidsMax: 32}
	files := l.V1Files()
	for _, f := range [][2]string{
		{"memory", "memory.limit_in_bytes"}, {"memory", "memory.memsw.limit_in_bytes"},
		{"cpu", "cpu.cfs_period_us"}, {"cpu", "cpu.cfs_quota_us"}, {"pids", "pids.max"},
	} {
		fmt.Printf("%-6s %-27s %s\n", f[0], f[1], files[f[0]][f[1]])
	}
	// Output:
	// memory memory.limit_in_bytes       67108864
	// memory memory.memsw.limit_in_bytes 67108864
	// cpu    cpu.cfs_period_us           100000
	// cpu    cpu.cfs_quota_us            50000
	// pids   pids.max                    32
}

func ExampleParseMemory() {
	for _, s := range []string{"512k", "64m", "64MB", "1.5g", "64x"} {
		n, err := cgroups.ParseMemory(s)
		fmt.Println(n, err)
	}
	// Output:
	// 524288 <nil>
	// 67108864 <nil>
	// 67108864 <nil>
	// 1610612736 <nil>
	// 0 invalid memory size "64x": unknown unit "x" (use b, k, m, g, t or p)
}

func ExampleParseCPUs() {
	for _, s := range []string{"0.5", "2", "0"} {
		quota, period, err := cgroups.ParseCPUs(s)
		fmt.Println(quota, period, err)
	}
	// Output:
	// 50000 100000 <nil>
	// 200000 100000 <nil>
	// 0 0 invalid cpus "0": must be greater than 0
}
