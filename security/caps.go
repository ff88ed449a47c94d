package security

import (
	"fmt"
	"slices"
	"strings"
)

// capNames lists the Linux capabilities by number, as in
// include/uapi/linux/capability.h and capabilities(7): capNames[n] is the name
// of capability n, without its "CAP_" prefix. The numbers are kernel ABI, the
// same on every architecture, so they are spelled out here (x/sys/unix has
// them only on Linux); a Linux test checks them against unix.CAP_*.
var capNames = [...]string{
	0:  "CHOWN",              // chown(2) any file
	1:  "DAC_OVERRIDE",       // ignore file read/write/execute permission bits
	2:  "DAC_READ_SEARCH",    // read any file, search any directory; open_by_handle_at(2)
	3:  "FOWNER",             // act as the owner of any file (chmod, utime, ...)
	4:  "FSETID",             // keep set-user-ID bits when a file is modified
	5:  "KILL",               // send signals to processes of other users
	6:  "SETGID",             // setgid(2), setgroups(2): become any group
	7:  "SETUID",             // setuid(2): become any user
	8:  "SETPCAP",            // drop capabilities from the bounding set
	9:  "LINUX_IMMUTABLE",    // set the immutable and append-only file flags
	10: "NET_BIND_SERVICE",   // bind ports below 1024
	11: "NET_BROADCAST",      // (unused) broadcast and multicast
	12: "NET_ADMIN",          // configure interfaces, routes, firewall
	13: "NET_RAW",            // raw and packet sockets (ping)
	14: "IPC_LOCK",           // mlock(2) memory
	15: "IPC_OWNER",          // bypass System V IPC permission checks
	16: "SYS_MODULE",         // load and unload kernel modules
	17: "SYS_RAWIO",          // iopl(2), ioperm(2), /dev/mem
	18: "SYS_CHROOT",         // chroot(2)
	19: "SYS_PTRACE",         // ptrace(2) any process
	20: "SYS_PACCT",          // acct(2)
	21: "SYS_ADMIN",          // mount(2), unshare(2) of most namespaces, and much more
	22: "SYS_BOOT",           // reboot(2), kexec_load(2)
	23: "SYS_NICE",           // raise priority, set other processes' scheduling
	24: "SYS_RESOURCE",       // raise resource limits above the hard limit
	25: "SYS_TIME",           // set the system clock
	26: "SYS_TTY_CONFIG",     // vhangup(2)
	27: "MKNOD",              // mknod(2) of device nodes
	28: "LEASE",              // file leases on files one does not own
	29: "AUDIT_WRITE",        // write records to the kernel audit log
	30: "AUDIT_CONTROL",      // configure the audit subsystem
	31: "SETFCAP",            // set file capabilities
	32: "MAC_OVERRIDE",       // override mandatory access control (Smack)
	33: "MAC_ADMIN",          // configure mandatory access control
	34: "SYSLOG",             // syslog(2), read kernel addresses in /proc
	35: "WAKE_ALARM",         // timers that wake the system from suspend
	36: "BLOCK_SUSPEND",      // block system suspend
	37: "AUDIT_READ",         // read the audit log over netlink
	38: "PERFMON",            // perf_event_open(2) and other performance monitoring
	39: "BPF",                // bpf(2) for privileged program and map types
	40: "CHECKPOINT_RESTORE", // checkpoint/restore: set_tid of clone3, ns_last_pid
}

// DefaultCaps are the capabilities docker (and podman, runc's spec example)
// give a container: enough for what a distribution's root user does while
// installing packages and running daemons (chown files, switch users, bind
// port 80, ping, mknod), nothing that reaches the host's kernel state
// (no SYS_ADMIN, SYS_MODULE, SYS_TIME, NET_ADMIN, SYS_PTRACE). As a mask it is
// 0xa80425fb, the "CapEff: 00000000a80425fb" of /proc/self/status inside.
var DefaultCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

// CapNames returns every capability minictr knows, "CAP_" names in number order.
func CapNames() []string {
	names := make([]string, len(capNames))
	for i, n := range capNames {
		names[i] = "CAP_" + n
	}
	return names
}

// capNumber accepts a capability as docker does: with or without "CAP_", in
// any case ("net_admin", "CAP_NET_ADMIN", "Net_Admin").
func capNumber(name string) (int, bool) {
	n := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(name)), "CAP_")
	i := slices.Index(capNames[:], n)
	return i, i >= 0
}

// capMask is a set of capabilities as the kernel stores it: bit n set means
// capability n is in the set (the CapEff line of /proc/PID/status in hex).
type capMask uint64

// maskOf turns names into a mask; an unknown name is an error that lists
// the valid ones.
func maskOf(names []string) (capMask, error) {
	var m capMask
	for _, name := range names {
		n, ok := capNumber(name)
		if !ok {
			return 0, fmt.Errorf("unknown capability %q (valid: ALL, %s)", name, strings.Join(CapNames(), ", "))
		}
		m |= 1 << n
	}
	return m, nil
}

// names lists the capabilities in m as "CAP_" names, in number order.
func (m capMask) names() []string {
	var out []string
	for n := range capNames {
		if m&(1<<n) != 0 {
			out = append(out, "CAP_"+capNames[n])
		}
	}
	return out
}

// allCaps is every capability in capNames.
const allCaps = capMask(1)<<len(capNames) - 1

// ResolveCaps computes a container's capabilities from `--cap-add`,
// `--cap-drop` and `--privileged`, in docker's order of evaluation:
//
//   - --privileged: every capability; add and drop are still checked for
//     unknown names but change nothing.
//   - ALL in add: every capability except those named in drop.
//   - ALL in drop: only those named in add.
//   - otherwise: DefaultCaps, minus drop, plus add (so a name in both is kept).
//
// Names may come with or without "CAP_", in any case; an unknown name is an
// error listing the valid ones. The result is sorted by capability number.
func ResolveCaps(add, drop []string, privileged bool) ([]string, error) {
	addAll, add := splitAll(add)
	dropAll, drop := splitAll(drop)
	addM, err := maskOf(add)
	if err != nil {
		return nil, fmt.Errorf("--cap-add: %w", err)
	}
	dropM, err := maskOf(drop)
	if err != nil {
		return nil, fmt.Errorf("--cap-drop: %w", err)
	}
	def, _ := maskOf(DefaultCaps)
	var m capMask
	switch {
	case privileged:
		m = allCaps
	case addAll:
		m = allCaps &^ dropM
	case dropAll:
		m = addM
	default:
		m = def&^dropM | addM
	}
	return m.names(), nil
}

// splitAll removes the word ALL (any case) from names and reports whether
// it was there.
func splitAll(names []string) (bool, []string) {
	all := false
	var rest []string
	for _, n := range names {
		if strings.EqualFold(strings.TrimSpace(n), "ALL") {
			all = true
			continue
		}
		rest = append(rest, n)
	}
	return all, rest
}
