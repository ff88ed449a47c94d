package ns

import (
	"os"
	"slices"
	"testing"

	"golang.org/x/sys/unix"
)

func TestForwardedSignals(t *testing.T) {
	sigs := forwardedSignals()
	has := func(s unix.Signal) bool { return slices.Contains(sigs, os.Signal(s)) }
	for _, s := range []unix.Signal{unix.SIGHUP, unix.SIGINT, unix.SIGQUIT, unix.SIGTERM, unix.SIGUSR1, unix.SIGUSR2, unix.SIGCONT, unix.SIGTSTP, 34, 64} {
		if !has(s) {
			t.Errorf("%v (%d) is not forwarded", s, int(s))
		}
	}
	for _, s := range []unix.Signal{unix.SIGKILL, unix.SIGSTOP, unix.SIGCHLD, unix.SIGURG, unix.SIGWINCH, unix.SIGPIPE, 32, 33} {
		if has(s) {
			t.Errorf("%v (%d) must not be forwarded", s, int(s))
		}
	}
}
