package ns_test

import (
	"fmt"
	"testing"

	"github.com/minictr/minictr/ns"
	"golang.org/x/sys/unix"
)

func TestCloneFlags(t *testing.T) {
	all := uintptr(unix.CLONE_NEWNS | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC |
		unix.CLONE_NEWPID | unix.CLONE_NEWNET | unix.CLONE_NEWCGROUP)
	tests := []struct {
		name string
		opts ns.Options
		want uintptr
	}{
		{"none (every namespace shared with the host)", ns.Options{}, 0},
		{"all new", ns.AllNew(), all},
		{"--net host", ns.Options{PID: true, Mount: true, UTS: true, IPC: true, Cgroup: true}, all &^ unix.CLONE_NEWNET},
		{"--pid host", ns.Options{Mount: true, UTS: true, IPC: true, Net: true, Cgroup: true}, all &^ unix.CLONE_NEWPID},
		{"only mount", ns.Options{Mount: true}, unix.CLONE_NEWNS},
		{"only uts", ns.Options{UTS: true}, unix.CLONE_NEWUTS},
		{"only ipc", ns.Options{IPC: true}, unix.CLONE_NEWIPC},
		{"only pid", ns.Options{PID: true}, unix.CLONE_NEWPID},
		{"only net", ns.Options{Net: true}, unix.CLONE_NEWNET},
		{"only cgroup", ns.Options{Cgroup: true}, unix.CLONE_NEWCGROUP},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.opts.CloneFlags(); got != tt.want {
				t.Errorf("CloneFlags() = %s (%#x), want %s (%#x)", ns.FlagNames(got), got, ns.FlagNames(tt.want), tt.want)
			}
		})
	}
}

func TestFlagNames(t *testing.T) {
	tests := []struct {
		flags uintptr
		want  string
	}{
		{0, "0"},
		{unix.CLONE_NEWPID, "CLONE_NEWPID"},
		{unix.CLONE_NEWNS | unix.CLONE_NEWNET, "CLONE_NEWNS|CLONE_NEWNET"},
		{unix.CLONE_NEWUTS | uintptr(unix.SIGCHLD), "CLONE_NEWUTS"}, // non-namespace bits are not named
	}
	for _, tt := range tests {
		if got := ns.FlagNames(tt.flags); got != tt.want {
			t.Errorf("FlagNames(%#x) = %q, want %q", tt.flags, got, tt.want)
		}
	}
}

func ExampleOptions_CloneFlags() {
	o := ns.AllNew()
	o.Net = false // `minictr run --net host`: share the host's network namespace
	fmt.Printf("%#x = %s\n", o.CloneFlags(), ns.FlagNames(o.CloneFlags()))
	// Output:
	// 0x2e020000 = CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID|CLONE_NEWCGROUP
}
