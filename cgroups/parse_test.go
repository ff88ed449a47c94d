package cgroups

import (
	"maps"
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	const ext4 = 0xef53
	for _, tc := range []struct {
		name          string
		root, unified int64
		want          Mode
		err           string
	}{
		{"pure v2 (systemd default, the workshop VMs)", cgroup2SuperMagic, 0, Unified, ""},
		{"hybrid (this dev host)", tmpfsMagic, cgroup2SuperMagic, Hybrid, ""},
		{"legacy: tmpfs, no unified/", tmpfsMagic, 0, Legacy, ""},
		{"legacy: unified/ is not cgroup2", tmpfsMagic, tmpfsMagic, Legacy, ""},
		{"one v1 hierarchy mounted at /sys/fs/cgroup", cgroupSuperMagic, 0, Legacy, ""},
		{"nothing mounted: sysfs's own directory", 0x62656572, 0, 0, "no cgroup filesystem"},
		{"something else", ext4, 0, 0, "statfs f_type 0xef53"},
	} {
		got, err := classify(tc.root, tc.unified)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: classify = %v, %v; want error containing %q", tc.name, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: classify = %v, %v; want %v", tc.name, got, err, tc.want)
		}
		if v := map[Mode]int{Unified: 2, Hybrid: 1, Legacy: 1}[tc.want]; got.Version() != v {
			t.Errorf("%s: %v.Version() = %d, want %d", tc.name, got, got.Version(), v)
		}
	}
}

func TestUnifiedPath(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{"0::/\n", "/", ""},
		{"0::/user.slice/user-1000.slice/session-2.scope\n", "/user.slice/user-1000.slice/session-2.scope", ""},
		{"9:name=systemd:/\n8:pids:/\n4:memory:/process_api/ecd04\n0::/\n", "/", ""}, // hybrid
		{"4:memory:/a\n1:cpu:/\n", "", "no cgroup v2 line"},                          // legacy
		{"0::relative\n", "", "unexpected cgroup v2 path"},
	} {
		got, err := unifiedPath(tc.in)
		if (err != nil) != (tc.err != "") || (err != nil && !strings.Contains(err.Error(), tc.err)) || got != tc.want {
			t.Errorf("unifiedPath(%q) = %q, %v; want %q, error %q", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestV1Mounts(t *testing.T) {
	// Lines from this project's hybrid dev host, an Ubuntu 18.04 host
	// (cpu,cpuacct co-mounted) and a mount point with an escaped space.
	mountinfo := `30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
41 30 0:38 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:15 - cgroup cgroup rw,cpu,cpuacct
42 30 0:39 / /mnt/my\040cgroups rw master:3 - cgroup none rw,blkio
43 30 0:31 / /elsewhere/memory rw - cgroup cgroup rw,memory
`
	// Non-controller options ("rw") come along; New looks up controller names only.
	want := map[string]string{
		"rw":           "/sys/fs/cgroup/cpu",
		"cpu":          "/sys/fs/cgroup/cpu",
		"memory":       "/sys/fs/cgroup/memory",
		"pids":         "/sys/fs/cgroup/pids",
		"name=systemd": "/sys/fs/cgroup/systemd",
		"cpuacct":      "/sys/fs/cgroup/cpu,cpuacct",
		"blkio":        "/mnt/my cgroups",
	}
	if got := v1Mounts(mountinfo); !maps.Equal(got, want) {
		t.Errorf("v1Mounts =\n %v\nwant\n %v", got, want)
	}
}

func TestParseKeyed(t *testing.T) {
	in := "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n"
	if got := parseKeyed(in); !maps.Equal(got, map[string]int64{"oom_kill_disable": 0, "under_oom": 0, "oom_kill": 3}) {
		t.Errorf("parseKeyed(memory.oom_control) = %v", got)
	}
	in = "usage_usec 123\nnr_periods 10\nnr_throttled 4\nthrottled_usec 99\n\nbogus\nname text\n"
	if got := parseKeyed(in); !maps.Equal(got, map[string]int64{"usage_usec": 123, "nr_periods": 10, "nr_throttled": 4, "throttled_usec": 99}) {
		t.Errorf("parseKeyed(cpu.stat) = %v", got)
	}
}

func TestParseValue(t *testing.T) {
	for in, want := range map[string]int64{"0\n": 0, "33554432\n": 33554432, "max\n": 0} {
		if got, err := parseValue("f", in); err != nil || got != want {
			t.Errorf("parseValue(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	if _, err := parseValue("/x/pids.current", "lots\n"); err == nil || err.Error() != `read /x/pids.current: not a number: "lots"` {
		t.Errorf("parseValue(junk) error = %v", err)
	}
}

func TestFormatMemory(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{32 << 20, "32m"}, {1 << 30, "1g"}, {1536 << 10, "1536k"}, {1000, "1000"}, {0, "0"}, {3 << 29, "1536m"},
	} {
		if got := FormatMemory(tc.n); got != tc.want {
			t.Errorf("FormatMemory(%d) = %q, want %q", tc.n, got, tc.want)
		}
		if n, err := ParseMemory(FormatMemory(tc.n)); err != nil || n != tc.n {
			t.Errorf("ParseMemory(FormatMemory(%d)) = %d, %v", tc.n, n, err)
		}
	}
}
