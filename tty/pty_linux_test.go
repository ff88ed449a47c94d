package tty_test

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/minictr/minictr/internal/testutil"
	"github.com/minictr/minictr/tty"
	"golang.org/x/sys/unix"
)

// newPty opens a pty pair in the devpts this test runs in (no root needed:
// every user may open /dev/ptmx) and closes both ends at the end.
func newPty(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, path, err := tty.NewPty()
	if err != nil {
		t.Fatalf("NewPty: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	slave, err = tty.OpenSlave(path)
	if err != nil {
		t.Fatalf("OpenSlave: %v", err)
	}
	t.Cleanup(func() { slave.Close() })
	return master, slave
}

// TestNewPty: the path NewPty names (from TIOCGPTN) is the slave of this
// very master: /proc/self/fd shows the opened slave at that path, and bytes
// written to the master arrive there.
func TestNewPty(t *testing.T) {
	master, slave := newPty(t)
	link, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", slave.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	if link != slave.Name() || !strings.HasPrefix(link, "/dev/pts/") {
		t.Errorf("slave opened at %q, NewPty said %q", link, slave.Name())
	}
	if _, err := master.WriteString("typed\n"); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 64)
	n, err := slave.Read(b) // canonical mode: one line per read
	if err != nil || string(b[:n]) != "typed\n" {
		t.Errorf("slave read %q, %v; want %q", b[:n], err, "typed\n")
	}
}

func TestMakeRaw(t *testing.T) {
	_, slave := newPty(t)
	fd := int(slave.Fd())
	restore, err := tty.MakeRaw(fd)
	if err != nil {
		t.Fatalf("MakeRaw: %v", err)
	}
	raw, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	if raw.Lflag&(unix.ECHO|unix.ICANON|unix.ISIG) != 0 || raw.Iflag&unix.ICRNL != 0 || raw.Oflag&unix.OPOST != 0 || raw.Cflag&unix.CS8 != unix.CS8 {
		t.Errorf("not raw: lflag %#o iflag %#o oflag %#o cflag %#o", raw.Lflag, raw.Iflag, raw.Oflag, raw.Cflag)
	}
	if err := restore(); err != nil {
		t.Fatalf("restore: %v", err)
	}
	cooked, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	if cooked.Lflag&(unix.ECHO|unix.ICANON|unix.ISIG) != unix.ECHO|unix.ICANON|unix.ISIG {
		t.Errorf("restore left lflag %#o without ECHO|ICANON|ISIG", cooked.Lflag)
	}
}

func TestSize(t *testing.T) {
	master, slave := newPty(t)
	want := unix.Winsize{Row: 33, Col: 111}
	if err := tty.SetSize(int(master.Fd()), &want); err != nil {
		t.Fatalf("SetSize: %v", err)
	}
	got, err := tty.GetSize(int(slave.Fd())) // one window size for both ends
	if err != nil {
		t.Fatalf("GetSize: %v", err)
	}
	if got.Row != want.Row || got.Col != want.Col {
		t.Errorf("slave size %dx%d, want %dx%d", got.Row, got.Col, want.Row, want.Col)
	}
}

// TestShellOnPty runs busybox sh with the slave as its controlling terminal,
// the way `minictr run -t` does, and talks to it through Copy.
func TestShellOnPty(t *testing.T) {
	bb := testutil.RequireTool(t, "busybox", "busybox-static")
	master, slave := newPty(t)
	cmd := exec.Command(bb, "sh")
	cmd.Env = []string{"PS1=$ ", "PATH=/usr/bin:/bin"}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	slave.Close() // else the master never reads EIO and Copy never ends

	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- tty.Copy(master, inR, outW); outW.Close() }()
	out := newExpect(outR)

	fmt.Fprintf(inW, "echo h''i\n") // the echoed input line says h''i, only the output says hi
	out.until(t, "\r\nhi\r\n")
	if err := tty.SetSize(int(master.Fd()), &unix.Winsize{Row: 40, Col: 100}); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(inW, "busybox stty size\n")
	out.until(t, "\r\n40 100\r\n")
	fmt.Fprintf(inW, "exit 5\n")
	if err := <-done; err != nil {
		t.Errorf("Copy: %v, want nil (EIO after the shell exits is the normal end)", err)
	}
	err := cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 5 {
		t.Errorf("shell exit code %d (%v), want 5", code, err)
	}
}

// TestCopyNoInput: `run -t` without -i copies only the container's output,
// and still ends when the container's side closes.
func TestCopyNoInput(t *testing.T) {
	bb := testutil.RequireTool(t, "busybox", "busybox-static")
	master, slave := newPty(t)
	cmd := exec.Command(bb, "sh", "-c", "echo only out")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	var out strings.Builder
	if err := tty.Copy(master, nil, &out); err != nil {
		t.Errorf("Copy: %v", err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if out.String() != "only out\r\n" {
		t.Errorf("copied %q, want %q", out.String(), "only out\r\n")
	}
}
