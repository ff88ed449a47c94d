package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/minictr/minictr/internal/testutil"
	"github.com/minictr/minictr/tty"
)

// `run -it` through a real pty, as a student at a terminal: type into the
// container's shell, read its answers, resize the window, exit.
func TestRunTTY(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	cmd := c.cmd("run", "--rm", "-it", img, "sh")
	master, term := startOnPty(t, cmd, &unix.Winsize{Row: 24, Col: 80})

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

// startOnPty starts cmd on a new pty from the host's devpts, as a shell in a
// terminal would: its own session, the pty its controlling terminal. It
// returns the master end (the test's keyboard and screen) and a screen
// reading it. ws, if not nil, is the terminal's size.
func startOnPty(t *testing.T, cmd *exec.Cmd, ws *unix.Winsize) (*os.File, *screen) {
	t.Helper()
	master, slavePath, err := tty.NewPty()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { master.Close() })
	slave, err := tty.OpenSlave(slavePath)
	if err != nil {
		t.Fatal(err)
	}
	defer slave.Close() // the child has its copies
	if ws != nil {
		tty.SetSize(int(slave.Fd()), ws)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return master, newScreen(master)
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

// attach: a terminal joins a `run -dit` container through its monitor,
// types into its shell, sees the answers (and the size it sends), detaches
// with Ctrl-P Ctrl-Q leaving the container up, attaches again, and exits
// the shell: attach returns the container's exit code. Output of a
// container without -t (run -di) reaches an attached terminal too, and
// what is typed there reaches its stdin.
func TestAttach(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	id := c.detached("-it", "--name", "box", img, "sh")
	c.waitStatus(id, "Up ")

	cmd := c.cmd("attach", "box")
	master, term := startOnPty(t, cmd, &unix.Winsize{Row: 33, Col: 99})
	master.WriteString("echo $((6*7)); stty size\n")
	term.expect(t, "42")
	term.expect(t, "33 99") // the attached terminal's size, sent to the container's pty
	master.Write([]byte{0x10, 0x11})
	if err := cmd.Wait(); err != nil {
		t.Errorf("attach after Ctrl-P Ctrl-Q: %v\n%s", err, term)
	}
	term.expect(t, "read escape sequence")
	c.waitStatus(id, "Up ")

	cmd = c.cmd("attach", "--detach-keys", "ctrl-x,x", "box")
	master, term = startOnPty(t, cmd, nil)
	master.WriteString("echo one\n")
	term.expect(t, "one")
	master.Write([]byte{0x18, 'x'})
	if err := cmd.Wait(); err != nil {
		t.Errorf("attach --detach-keys ctrl-x,x: %v\n%s", err, term)
	}
	c.waitStatus(id, "Up ")
	c.fails("invalid --detach-keys", "attach", "--detach-keys", "ctrl-", "box")

	cmd = c.cmd("attach", id[:12])
	master, term = startOnPty(t, cmd, &unix.Winsize{Row: 24, Col: 80})
	master.WriteString("echo again\n")
	term.expect(t, "again")
	master.WriteString("exit 3\n")
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 3 {
		t.Errorf("attach of a shell that exits 3: exit %d\n%s", code, term)
	}
	c.waitStatus(id, "Exited (3)")
	c.fails("is not running", "attach", "box")

	cat := c.detached("-i", img, "sh", "-c", "while read l; do echo got $l; done")
	c.waitStatus(cat, "Up ")
	at := c.cmd("attach", cat)
	in, err := at.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out testutil.SyncBuffer
	at.Stdout = &out
	if err := at.Start(); err != nil {
		t.Fatal(err)
	}
	in.Write([]byte("hello\n"))
	for i := 0; i < 400 && !strings.Contains(out.String(), "got hello"); i++ {
		time.Sleep(25 * time.Millisecond)
	}
	if !strings.Contains(out.String(), "got hello") {
		t.Errorf("attach to run -di: output %q, want the container's answer to what was typed", out.String())
	}
	c.ok("rm", "-f", cat)
	at.Wait() // the monitor hung up when the container ended

	// The end of attach's input is not the end of attach: it still shows
	// the output, to the container's end, and returns its code.
	sync := t.TempDir()
	late := c.detached("-v", sync+":/sync", img, "sh", "-c", "while [ ! -e /sync/go ]; do echo tick; sleep 0.1; done; echo late; exit 4")
	at = c.cmd("attach", late) // stdin: /dev/null
	var lateOut testutil.SyncBuffer
	at.Stdout = &lateOut
	if err := at.Start(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 400 && !strings.Contains(lateOut.String(), "tick"); i++ { // attached
		time.Sleep(25 * time.Millisecond)
	}
	os.WriteFile(filepath.Join(sync, "go"), nil, 0o644)
	at.Wait()
	if code := at.ProcessState.ExitCode(); code != 4 || !strings.HasSuffix(lateOut.String(), "tick\nlate\n") {
		t.Errorf("attach with no input: exit %d, output %q; want 4 and the container's late line", code, lateOut.String())
	}
}
