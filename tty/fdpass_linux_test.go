package tty_test

import (
	"io"
	"os"
	"strings"
	"testing"

	"github.com/minictr/minictr/tty"
)

// TestSendRecvFd passes a pipe's write end over a socketpair and writes
// through the received descriptor: it is the same open file.
func TestSendRecvFd(t *testing.T) {
	a, b, err := tty.Socketpair()
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	defer b.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := tty.SendFd(a, w); err != nil {
		t.Fatalf("SendFd: %v", err)
	}
	w.Close() // only the received copy keeps the pipe's write end open now
	got, err := tty.RecvFd(b)
	if err != nil {
		t.Fatalf("RecvFd: %v", err)
	}
	if got.Name() != w.Name() {
		t.Errorf("received name %q, want %q", got.Name(), w.Name())
	}
	if _, err := got.WriteString("through the socket"); err != nil {
		t.Fatal(err)
	}
	got.Close()
	b2, err := io.ReadAll(r)
	if err != nil || string(b2) != "through the socket" {
		t.Errorf("read %q, %v from the pipe", b2, err)
	}
}

// A sender that dies before sending (init failed before making its pty)
// must not leave the parent waiting forever.
func TestRecvFdClosed(t *testing.T) {
	a, b, err := tty.Socketpair()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	a.Close()
	f, err := tty.RecvFd(b)
	if err == nil {
		f.Close()
		t.Fatal("RecvFd on a closed socket: no error")
	}
	if !strings.Contains(err.Error(), "closed by the sender") {
		t.Errorf("error %q does not say the sender closed", err)
	}
}
