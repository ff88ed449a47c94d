package ns

import (
	"strings"

	"golang.org/x/sys/unix"
)

// cloneFlags pairs each Options field with the clone(2) flag that makes the
// kernel create that namespace for the new process. Order = the order of the
// flags in names (and in the docs table).
var cloneFlags = []struct {
	name string
	flag uintptr
	on   func(Options) bool
}{
	{"CLONE_NEWNS", unix.CLONE_NEWNS, func(o Options) bool { return o.Mount }},
	{"CLONE_NEWUTS", unix.CLONE_NEWUTS, func(o Options) bool { return o.UTS }},
	{"CLONE_NEWIPC", unix.CLONE_NEWIPC, func(o Options) bool { return o.IPC }},
	{"CLONE_NEWPID", unix.CLONE_NEWPID, func(o Options) bool { return o.PID }},
	{"CLONE_NEWNET", unix.CLONE_NEWNET, func(o Options) bool { return o.Net }},
	{"CLONE_NEWCGROUP", unix.CLONE_NEWCGROUP, func(o Options) bool { return o.Cgroup }},
}

// CloneFlags returns the clone(2) flags for o, ready for
// syscall.SysProcAttr.Cloneflags. It is pure: no syscall happens here.
func (o Options) CloneFlags() uintptr {
	var flags uintptr
	for _, f := range cloneFlags {
		if f.on(o) {
			flags |= f.flag
		}
	}
	return flags
}

// FlagNames spells clone flags the way clone(2) and strace do:
// "CLONE_NEWNS|CLONE_NEWUTS". Bits that are not namespace flags are ignored;
// no flags at all is "0".
func FlagNames(flags uintptr) string {
	var names []string
	for _, f := range cloneFlags {
		if flags&f.flag != 0 {
			names = append(names, f.name)
		}
	}
	if len(names) == 0 {
		return "0"
	}
	return strings.Join(names, "|")
}
