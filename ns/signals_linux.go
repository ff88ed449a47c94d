package ns

import (
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// forwardedSignals lists what ForwardSignals relays: every signal a process
// can catch, except
//   - SIGKILL, SIGSTOP: cannot be caught at all;
//   - SIGCHLD: about our own child, the init itself; the container has its own;
//   - SIGURG: the Go runtime sends it to itself to preempt goroutines;
//   - SIGWINCH: with a tty, tty.ForwardResize resizes the pty instead, and
//     the kernel then signals the container's foreground process group;
//   - SIGPIPE: about our own broken stdout, not the container's business;
//   - 32, 33: reserved by glibc for its threads (SIGRTMIN is 34 to user code).
func forwardedSignals() []os.Signal {
	skip := map[unix.Signal]bool{
		unix.SIGKILL: true, unix.SIGSTOP: true, unix.SIGCHLD: true,
		unix.SIGURG: true, unix.SIGWINCH: true, unix.SIGPIPE: true, 32: true, 33: true,
	}
	var sigs []os.Signal
	for s := unix.Signal(1); s <= 64; s++ { // 64 is SIGRTMAX
		if !skip[s] {
			sigs = append(sigs, s)
		}
	}
	return sigs
}

// ForwardSignals relays the signals minictr receives (Ctrl-C in a terminal
// without -t, `kill` of the minictr process, systemd stopping a service) to
// the container's init, as `docker run` does with --sig-proxy. Call stop
// once the child has exited; it restores default signal handling.
//
// Mind PID 1: the kernel delivers a signal to a namespace's init only if the
// init installed a handler for it (SIGKILL and SIGSTOP from an ancestor
// namespace excepted; pid_namespaces(7)). A shell without a `trap` as PID 1
// ignores the forwarded SIGTERM -- which is why `docker stop` waits 10 s and
// then sends SIGKILL, and why tini exists. minictr does what the signal's
// default action would have done to the same command outside a container:
// see forward.
func ForwardSignals(p *Proc) (stop func()) {
	ch := make(chan os.Signal, 16)
	signal.Notify(ch, forwardedSignals()...)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-ch:
				forward(p, s.(unix.Signal))
			case <-done:
				return
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			signal.Stop(ch)
			close(done)
		})
	}
}

// forward relays sig to the container's PID 1. If PID 1 has no handler for
// sig (neither caught nor ignored, read from /proc/PID/status) and the
// signal's default action is to end the process, the kernel would drop it;
// so forward ends the container with SIGKILL instead, and Wait reports it as
// killed by sig: `minictr run busybox sleep 100` stops at Ctrl-C or `kill`
// with 130 or 143, as the same sleep outside a container would.
func forward(p *Proc, sig unix.Signal) {
	pid := p.Pid()
	if terminates(sig) && !handles(pid, sig) {
		p.stoppedBy.Store(int32(sig))
		trace("kill", pid, unix.SIGKILL)
		_ = unix.Kill(pid, unix.SIGKILL)
		return
	}
	trace("kill", pid, sig)
	_ = unix.Kill(pid, sig) // ESRCH once the child has gone: nothing to do
}

// terminates reports whether sig's default action ends the process
// (signal(7): Term or Core), rather than ignoring it or stopping it.
func terminates(sig unix.Signal) bool {
	switch sig {
	case unix.SIGCHLD, unix.SIGCONT, unix.SIGURG, unix.SIGWINCH,
		unix.SIGSTOP, unix.SIGTSTP, unix.SIGTTIN, unix.SIGTTOU:
		return false
	}
	return true
}

// handles reports whether process pid catches or ignores sig, from the
// SigCgt and SigIgn masks in /proc/PID/status (proc(5)). When in doubt
// (the file is gone) it says yes, so the signal is simply forwarded.
func handles(pid int, sig unix.Signal) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return true
	}
	return sigMaskHas(string(b), "SigCgt:", sig) || sigMaskHas(string(b), "SigIgn:", sig)
}

// sigMaskHas reports whether the hex mask on the line starting with field
// has the bit of sig (bit sig-1).
func sigMaskHas(status, field string, sig unix.Signal) bool {
	for _, line := range strings.Split(status, "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			mask, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			return err == nil && mask&(1<<(uint(sig)-1)) != 0
		}
	}
	return false
}
