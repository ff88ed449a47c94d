package container

import (
	"fmt"
	"io"
	"os"

	"github.com/minictr/minictr/ns"
	"github.com/minictr/minictr/tty"
	"golang.org/x/sys/unix"
)

// consoleSocket prepares the start of a child that gets a terminal (-t):
// the child makes the pty itself, from the container's own /dev/ptmx, and
// sends its master back over a socketpair (tty.SetupConsole), as runc's
// --console-socket. The child's end is its fd ns.ExtraFD; its stdio is the
// pty's slave, not ours. nil without a terminal.
func consoleSocket(sc *ns.StartConfig, terminal bool) (*os.File, error) {
	if !terminal {
		return nil, nil
	}
	console, child, err := tty.Socketpair()
	if err != nil {
		return nil, err
	}
	sc.ExtraFiles = []*os.File{child}
	sc.Stdin, sc.Stdout, sc.Stderr = nil, nil, nil
	return console, nil
}

// termSize is the size the container's terminal starts with: this
// terminal's in the foreground, the attached terminal's for run -it,
// docker's default 24x80 when detached (or when this is no terminal, 0x0:
// the kernel's default).
func (pio procIO) termSize() (rows, cols uint16) {
	if pio.detached && pio.size != nil && pio.size.Row > 0 && pio.size.Col > 0 {
		return pio.size.Row, pio.size.Col
	}
	if pio.detached {
		return 24, 80
	}
	if ws, err := tty.GetSize(int(os.Stdin.Fd())); err == nil {
		return ws.Row, ws.Col
	}
	return 0, 0
}

// attachTerminal receives the pty master that the child made inside the
// container's devpts, puts this terminal in raw mode (so keys like Ctrl-C
// reach the container's line discipline, not ours), forwards window size
// changes, and copies bytes both ways until the container side closes.
func attachTerminal(sock *os.File, pio procIO) (chan error, error) {
	master, err := tty.RecvFd(sock)
	if err != nil {
		return nil, fmt.Errorf("receive the container's terminal: %w", err)
	}
	done := make(chan error, 1)
	if pio.detached {
		// Detached (run -dt, run -it): the monitor holds the master, so
		// the container's shell has a terminal that stays open, with
		// docker's default size (or the attached terminal's), and what it
		// prints goes to the log and to attached terminals.
		rows, cols := pio.termSize()
		tty.SetSize(int(master.Fd()), &unix.Winsize{Row: rows, Col: cols})
		if pio.onTerminal != nil {
			pio.onTerminal(master)
		}
		go func() {
			done <- tty.Copy(master, nil, pio.term)
			master.Close()
		}()
		return done, nil
	}
	in := int(os.Stdin.Fd())
	if ws, err := tty.GetSize(in); err == nil {
		tty.SetSize(int(master.Fd()), ws)
	}
	restore, rawErr := tty.MakeRaw(in)
	stopResize := tty.ForwardResize(in, master)
	go func() {
		var stdin io.Reader
		if pio.interactive {
			stdin = os.Stdin
		}
		err := tty.Copy(master, stdin, pio.term)
		stopResize()
		if rawErr == nil {
			restore()
		}
		master.Close()
		done <- err
	}()
	return done, nil
}
