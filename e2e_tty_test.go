package main

import (
	"bytes"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/minictr/minictr/tty"
)

// `run -it` through a real pty, as a student at a terminal: type into the
// container's shell, read its answers, resize the window, exit.
func TestRunTTY(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	master, slavePath, err := tty.NewPty() // the test's terminal, from the host's devpts
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	slave, err := tty.OpenSlave(slavePath)
	if err != nil {
		t.Fatal(err)
	}
	tty.SetSize(int(slave.Fd()), &unix.Winsize{Row: 24, Col: 80})
	cmd := c.cmd("run", "--rm", "-it", img, "sh")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	term := newScreen(master)

	master.WriteString("echo $((6*7)); tty; stty size; echo console >/dev/console\n")
	term.expect(t, "42")
	term.expect(t, "/dev/pts/0") // a pty of the container's own devpts
	term.expect(t, "24 80")      // the size minictr copied from our terminal
	term.expect(t, "\nconsole")  // /dev/console is the same terminal

	tty.SetSize(int(master.Fd()), &unix.Winsize{Row: 40, Col: 100}) // SIGWINCH to minictr
	for i := 0; i < 100 && !strings.Contains(term.String(), "40 100"); i++ {
		master.WriteString("stty size\n") // the resize travels asynchronously
		time.Sleep(50 * time.Millisecond)
	}
	term.expect(t, "40 100")
	master.WriteString("exit 3\n")
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 3 {
		t.Errorf("exit 3 in the container's shell: minictr exited %d\n%s", code, term)
	}
}

// screen collects what a terminal shows.
type screen struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func newScreen(f *os.File) *screen {
	s := &screen{}
	go func() {
		b := make([]byte, 4096)
		for {
			n, err := f.Read(b)
			s.mu.Lock()
			s.buf.Write(b[:n])
			s.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return s
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// expect waits until the screen shows want (a guard against a hang, not a
// timing assertion).
func (s *screen) expect(t *testing.T, want string) {
	t.Helper()
	for i := 0; i < 400; i++ {
		if strings.Contains(s.String(), want) {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("the terminal never showed %q:\n%s", want, s)
}
