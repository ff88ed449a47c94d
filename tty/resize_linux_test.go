package tty_test

import (
	"os"
	"testing"
	"time"

	"github.com/minictr/minictr/tty"
	"golang.org/x/sys/unix"
)

// TestForwardResize: a second pty stands in for the user's terminal.
func TestForwardResize(t *testing.T) {
	hostMaster, hostSlave := newPty(t)
	master, _ := newPty(t)
	if err := tty.SetSize(int(hostMaster.Fd()), &unix.Winsize{Row: 24, Col: 80}); err != nil {
		t.Fatal(err)
	}
	stop := tty.ForwardResize(int(hostSlave.Fd()), master)
	defer stop()
	// The first copy happens before ForwardResize returns.
	if ws, err := tty.GetSize(int(master.Fd())); err != nil || ws.Row != 24 || ws.Col != 80 {
		t.Fatalf("container pty %+v, %v; want 24x80", ws, err)
	}
	// Resizing the host terminal's master makes the kernel send us SIGWINCH,
	// as a terminal emulator does when its window is resized -- but only to
	// the slave's foreground process group, which we are not; so send it.
	if err := tty.SetSize(int(hostMaster.Fd()), &unix.Winsize{Row: 50, Col: 132}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Kill(unix.Getpid(), unix.SIGWINCH); err != nil {
		t.Fatal(err)
	}
	waitSize(t, master, 50, 132)
}

// waitSize polls until the forwarding goroutine has copied the size; the
// minute is a guard against a hang, not a timing assertion.
func waitSize(t *testing.T, f *os.File, row, col uint16) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		ws, err := tty.GetSize(int(f.Fd()))
		if err == nil && ws.Row == row && ws.Col == col {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("container pty %+v, %v; want %dx%d", ws, err, row, col)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
