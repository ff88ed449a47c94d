package security

import (
	"errors"
	"fmt"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ApplyChild puts the process-side guards on the calling thread. The init
// calls it last, right before execve(2): after the root filesystem is ready
// (pivot_root, masked paths, device nodes: mount(2) and mknod(2) need the
// capabilities this takes away) and after everything else that reads files
// (the user lookup in /etc/passwd). Requirements:
//
//   - The calling goroutine holds runtime.LockOSThread, and this same
//     thread calls execve. capset(2), PR_CAPBSET_DROP and seccomp(2)
//     without TSYNC act on one thread only; execve keeps just the calling
//     thread, so what it has is what the command gets.
//   - The process is still root with all its capabilities.
//   - setUser switches to the container's user (setgroups, setgid, setuid:
//     ns.SetUser); pass a func that does nothing to stay root. ApplyChild
//     calls it at the one point where it must happen, so the caller must
//     not switch users itself, neither before nor after.
//   - Between ApplyChild and execve the caller does only what the filter
//     allows and needs no capability: chdir, close_range, execve (ns.Exec).
//
// The order, as runc's standard_init_linux.go and finalizeNamespace:
//
//  1. no_new_privs, if asked for (prctl PR_SET_NO_NEW_PRIVS).
//  2. The seccomp filter, if no_new_privs is off. Installing a filter needs
//     no_new_privs or CAP_SYS_ADMIN (otherwise a filter could fool a
//     set-user-ID program into misbehaving), and CAP_SYS_ADMIN is still held
//     here. From now on setuid, capset and execve must pass the filter:
//     docker's profile allows them.
//  3. Drop the bounding set to Caps. This needs CAP_SETPCAP, which a
//     non-root user loses at setuid, so it comes before step 4.
//  4. setUser. A thread whose uids all leave 0 loses its permitted and
//     effective sets (unless PR_SET_KEEPCAPS is on); that is what docker
//     gives a non-root user anyway, so minictr does not need KEEPCAPS: it
//     sets the sets after setuid instead, when capset can only lower them.
//  5. capset: permitted = effective = Caps for uid 0 (nothing for another
//     user), inheritable empty; the ambient set cleared.
//  6. The seccomp filter, if no_new_privs is on: as late as possible, so
//     that the profile need not allow what the init does in 3 to 5.
func ApplyChild(c Config, setUser func() error) error {
	keep, err := maskOf(c.Caps)
	if err != nil {
		return err
	}
	if c.NoNewPrivs {
		if err := SetNoNewPrivs(); err != nil {
			return err
		}
	} else if c.Seccomp != nil {
		if err := InstallFilter(c.Seccomp); err != nil {
			return err
		}
	}
	if keep, err = reachable(keep, c.Privileged); err != nil {
		return err
	}
	if err := dropBounding(keep); err != nil {
		return err
	}
	if err := setUser(); err != nil {
		return err
	}
	if unix.Geteuid() != 0 {
		keep = 0
	}
	if err := setCaps(keep); err != nil {
		return err
	}
	if c.NoNewPrivs && c.Seccomp != nil {
		return InstallFilter(c.Seccomp)
	}
	return nil
}

// reachable limits keep to what this process holds: a host may withhold a
// capability from everyone (here CAP_SYS_RESOURCE), and capset cannot
// create it. --privileged takes what there is; naming a missing capability
// in --cap-add is an error.
func reachable(keep capMask, privileged bool) (capMask, error) {
	have, err := capsNow()
	if err != nil {
		return 0, err
	}
	if privileged {
		return keep & have, nil
	}
	if missing := keep &^ have; missing != 0 {
		return 0, fmt.Errorf("capabilities %v: this process does not hold them (the host withholds them)", missing.names())
	}
	return keep, nil
}

// SetNoNewPrivs sets no_new_privs on the calling thread (prctl(2)
// PR_SET_NO_NEW_PRIVS; it is inherited and can never be unset): execve no
// longer grants privileges, neither through set-user-ID bits nor through
// file capabilities, so `su` and `sudo` stop working. docker leaves it off
// unless --security-opt no-new-privileges is given.
func SetNoNewPrivs() error {
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("prctl PR_SET_NO_NEW_PRIVS: %w", err)
	}
	return nil
}

// InstallFilter loads p into the calling thread with seccomp(2)
// SECCOMP_SET_MODE_FILTER. Without SECCOMP_FILTER_FLAG_TSYNC only this
// thread gets it; children and execve inherit it, and it can never be
// removed. /proc/PID/status then shows "Seccomp: 2" (filter mode).
func InstallFilter(p *Program) error {
	if p.Arch != runtime.GOARCH {
		return fmt.Errorf("seccomp: the filter is for %s, this machine is %s", p.Arch, runtime.GOARCH)
	}
	if len(p.Insns) == 0 {
		return errors.New("seccomp: empty filter")
	}
	f := make([]unix.SockFilter, len(p.Insns))
	for i, in := range p.Insns {
		f[i] = unix.SockFilter{Code: in.Op, Jt: in.Jt, Jf: in.Jf, K: in.K}
	}
	prog := unix.SockFprog{Len: uint16(len(f)), Filter: &f[0]}
	_, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&prog)))
	runtime.KeepAlive(f)
	if errno == unix.EACCES {
		return fmt.Errorf("seccomp SECCOMP_SET_MODE_FILTER: %w (needs no_new_privs or CAP_SYS_ADMIN)", errno)
	}
	if errno != 0 {
		return fmt.Errorf("seccomp SECCOMP_SET_MODE_FILTER (%d instructions): %w", len(f), errno)
	}
	return nil
}
