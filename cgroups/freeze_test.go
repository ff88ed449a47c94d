package cgroups

import "testing"

func TestFreezeFile(t *testing.T) {
	tests := []struct {
		version             int
		frozen              bool
		file, value, status string
	}{
		{2, true, "cgroup.freeze", "1", "cgroup.events"},
		{2, false, "cgroup.freeze", "0", "cgroup.events"},
		{1, true, "freezer.state", "FROZEN", "freezer.state"},
		{1, false, "freezer.state", "THAWED", "freezer.state"},
	}
	for _, tt := range tests {
		file, value, status := freezeFile(tt.version, tt.frozen)
		if file != tt.file || value != tt.value || status != tt.status {
			t.Errorf("freezeFile(%d, %v) = %q %q %q, want %q %q %q", tt.version, tt.frozen, file, value, status, tt.file, tt.value, tt.status)
		}
	}
}

func TestFrozenIn(t *testing.T) {
	tests := []struct {
		version int
		status  string
		frozen  bool
		want    bool
	}{
		{2, "populated 1\nfrozen 1\n", true, true},
		{2, "populated 1\nfrozen 0\n", true, false}, // still freezing
		{2, "populated 0\nfrozen 0\n", false, true},
		{2, "populated 1\nfrozen 1\n", false, false}, // still thawing
		{2, "populated 1\n", true, false},            // no frozen key: a kernel before 5.2
		{2, "populated 1\n", false, false},
		{1, "FROZEN\n", true, true},
		{1, "FREEZING\n", true, false},
		{1, "THAWED\n", true, false},
		{1, "THAWED\n", false, true},
		{1, "FREEZING\n", false, false},
		{1, "FROZEN\n", false, false},
	}
	for _, tt := range tests {
		if got := frozenIn(tt.version, tt.status, tt.frozen); got != tt.want {
			t.Errorf("frozenIn(%d, %q, frozen=%v) = %v, want %v", tt.version, tt.status, tt.frozen, got, tt.want)
		}
	}
}
