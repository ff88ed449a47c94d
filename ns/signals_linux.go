package ns

import (
	"os"
	"os/signal"
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
// then sends SIGKILL, and why tini exists.
func ForwardSignals(p *Proc) (stop func()) {
	ch := make(chan os.Signal, 16)
	signal.Notify(ch, forwardedSignals()...)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-ch:
				sig := s.(unix.Signal)
				trace("kill", p.Pid(), sig)
				_ = unix.Kill(p.Pid(), sig) // ESRCH once the child has gone: nothing to do
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
