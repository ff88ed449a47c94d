package security

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Capabilities live in five sets per thread (capabilities(7)):
//
//   - bounding: the most the thread can ever gain, also through execve of a
//     set-user-ID or file-capability program. Dropping from it needs
//     CAP_SETPCAP and cannot be undone.
//   - permitted: what it may switch on; effective: what the kernel checks now.
//   - inheritable and ambient: what passes through execve. Both stay empty in
//     a container: an inheritable set left full let a program with matching
//     file capabilities gain them (CVE-2022-24769, fixed in runc 1.1.2 and
//     docker 20.10.14 by emptying it).
//
// The sets belong to a thread, not a process: capset(2) and
// prctl(PR_CAPBSET_DROP) change only the calling thread. A Go program has
// many threads, so the init must do all of this on the one thread that will
// call execve (runtime.LockOSThread), whose sets the command then inherits.

// capName names capability n for errors, also past the end of capNames (a
// kernel newer than this table).
func capName(n int) string {
	if n < len(capNames) {
		return "CAP_" + capNames[n]
	}
	return "capability " + strconv.Itoa(n)
}

// lastCap is the highest capability number the running kernel knows.
func lastCap() (int, error) {
	const path = "/proc/sys/kernel/cap_last_cap"
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, fmt.Errorf("parse %s: %w", path, err)
	}
	return n, nil
}

// dropBounding removes from the calling thread's bounding set every
// capability that is not in keep. It needs CAP_SETPCAP, so it runs while
// the init is still root with every capability, before setuid.
func dropBounding(keep capMask) error {
	last, err := lastCap()
	if err != nil {
		return err
	}
	for n := 0; n <= last && n < 64; n++ {
		if keep&(1<<n) != 0 {
			continue
		}
		if err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(n), 0, 0, 0); err != nil {
			return fmt.Errorf("prctl PR_CAPBSET_DROP %s: %w", capName(n), err)
		}
	}
	return nil
}

// capsNow returns the calling thread's permitted set (capget(2)).
func capsNow() (capMask, error) {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData // version 3 uses two 32-bit halves
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return 0, fmt.Errorf("capget: %w", err)
	}
	return capMask(data[0].Permitted) | capMask(data[1].Permitted)<<32, nil
}

// setCaps sets the calling thread's permitted and effective sets to keep,
// empties its inheritable set (capset(2)) and its ambient set (prctl
// PR_CAP_AMBIENT_CLEAR_ALL). capset may only lower the permitted set, never
// raise it, so this works before or after setuid alike.
func setCaps(keep capMask) error {
	err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
	if err != nil && !errors.Is(err, unix.EINVAL) { // EINVAL: before Linux 4.3, no ambient set
		return fmt.Errorf("prctl PR_CAP_AMBIENT_CLEAR_ALL: %w", err)
	}
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3} // Pid 0: this thread
	var data [2]unix.CapUserData
	for i := range data {
		half := uint32(keep >> (32 * i))
		data[i].Permitted, data[i].Effective, data[i].Inheritable = half, half, 0
	}
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capset permitted=effective=%#x inheritable=0: %w", uint64(keep), err)
	}
	return nil
}
