package cgroups

import (
	"maps"
	"slices"
	"testing"
)

func TestV2Files(t *testing.T) {
	for _, tc := range []struct {
		name string
		l    Limits
		want map[string]string
	}{
		{"unlimited", Limits{}, map[string]string{
			"memory.max": "max", "memory.swap.max": "max", "cpu.max": "max 100000", "pids.max": "max"}},
		{"all set", Limits{MemoryBytes: 64 << 20, CPUQuota: 50000, CPUPeriod: 100000, PidsMax: 32}, map[string]string{
			"memory.max": "67108864", "memory.swap.max": "0", "cpu.max": "50000 100000", "pids.max": "32"}},
		{"memory only: no swap", Limits{MemoryBytes: 1 << 30}, map[string]string{
			"memory.max": "1073741824", "memory.swap.max": "0", "cpu.max": "max 100000", "pids.max": "max"}},
		{"quota, default period", Limits{CPUQuota: 200000}, map[string]string{
			"memory.max": "max", "memory.swap.max": "max", "cpu.max": "200000 100000", "pids.max": "max"}},
		{"own period", Limits{CPUQuota: 5000, CPUPeriod: 10000}, map[string]string{
			"memory.max": "max", "memory.swap.max": "max", "cpu.max": "5000 10000", "pids.max": "max"}},
		{"negative is unlimited", Limits{MemoryBytes: -1, CPUQuota: -1, PidsMax: -1}, map[string]string{
			"memory.max": "max", "memory.swap.max": "max", "cpu.max": "max 100000", "pids.max": "max"}},
	} {
		if got := tc.l.V2Files(); !maps.Equal(got, tc.want) {
			t.Errorf("%s: %+v.V2Files() =\n %v\nwant\n %v", tc.name, tc.l, got, tc.want)
		}
	}
}

func TestV1Files(t *testing.T) {
	for _, tc := range []struct {
		name string
		l    Limits
		want map[string]map[string]string
	}{
		{"unlimited", Limits{}, map[string]map[string]string{
			"memory": {"memory.limit_in_bytes": "-1", "memory.memsw.limit_in_bytes": "-1"},
			"cpu":    {"cpu.cfs_period_us": "100000", "cpu.cfs_quota_us": "-1"},
			"pids":   {"pids.max": "max"}}},
		{"all set", Limits{MemoryBytes: 32 << 20, CPUQuota: 20000, CPUPeriod: 100000, PidsMax: 16}, map[string]map[string]string{
			"memory": {"memory.limit_in_bytes": "33554432", "memory.memsw.limit_in_bytes": "33554432"},
			"cpu":    {"cpu.cfs_period_us": "100000", "cpu.cfs_quota_us": "20000"},
			"pids":   {"pids.max": "16"}}},
		{"own period", Limits{CPUQuota: 5000, CPUPeriod: 10000}, map[string]map[string]string{
			"memory": {"memory.limit_in_bytes": "-1", "memory.memsw.limit_in_bytes": "-1"},
			"cpu":    {"cpu.cfs_period_us": "10000", "cpu.cfs_quota_us": "5000"},
			"pids":   {"pids.max": "max"}}},
	} {
		got := tc.l.V1Files()
		if !maps.EqualFunc(got, tc.want, maps.Equal) {
			t.Errorf("%s: %+v.V1Files() =\n %v\nwant\n %v", tc.name, tc.l, got, tc.want)
		}
	}
}

// The kernel rejects memory.memsw.limit_in_bytes below memory.limit_in_bytes
// and checks a quota against the current period, so writeFiles' sorted order
// must put the limit before memsw and the period before the quota.
func TestV1WriteOrder(t *testing.T) {
	files := Limits{MemoryBytes: 1, CPUQuota: 1}.V1Files()
	for ctrl, pair := range map[string][2]string{
		"memory": {"memory.limit_in_bytes", "memory.memsw.limit_in_bytes"},
		"cpu":    {"cpu.cfs_period_us", "cpu.cfs_quota_us"},
	} {
		order := sortedKeys(files[ctrl])
		if slices.Index(order, pair[0]) > slices.Index(order, pair[1]) {
			t.Errorf("%s files are written in order %v: %s must come before %s", ctrl, order, pair[0], pair[1])
		}
	}
}
