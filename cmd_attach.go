package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"

	"github.com/minictr/minictr/container"
	"github.com/minictr/minictr/tty"
	"golang.org/x/sys/unix"
)

// AttachCmd is `minictr attach`: this terminal joins a detached container
// through its monitor (monitor_attach.go). Ctrl-P Ctrl-Q detaches and
// leaves the container running; when the container ends, attach exits
// with its exit code, as docker's does.
type AttachCmd struct {
	NoStdin   bool   `name:"no-stdin" help:"Do not send this terminal's input to the container."`
	Container string `arg:"" help:"Container name or ID (a unique prefix will do)."`
}

// detachKeys is docker's default escape sequence: Ctrl-P, Ctrl-Q.
var detachKeys = []byte{0x10, 0x11}

func (c *AttachCmd) Run(g *Globals) error {
	ctr, st, err := findState(g.Root, c.Container)
	if err != nil {
		return err
	}
	if st.Status != container.Running {
		return fmt.Errorf("container %s is not running: 'minictr start -a %s' runs it attached", c.Container, c.Container)
	}
	conn, err := dialAttach(ctr.Dir)
	switch {
	case errors.Is(err, unix.ENOENT):
		return fmt.Errorf("container %s has no monitor to attach to: it runs in the foreground of the terminal that started it (run -d and start make attachable containers)", c.Container)
	case errors.Is(err, unix.ECONNREFUSED):
		return fmt.Errorf("the monitor of container %s is gone (killed?): nothing relays its terminal any more", c.Container)
	case err != nil:
		return fmt.Errorf("attach to %s: %w", c.Container, err)
	}
	defer conn.Close()
	rec := recorderOf(st.Pid)
	in := int(os.Stdin.Fd())
	if ws, err := tty.GetSize(in); err == nil && ctr.Tty {
		sendSize(conn, ws)
		if restore, err := tty.MakeRaw(in); err == nil {
			defer restore()
		}
		stop := forwardSize(in, conn)
		defer stop()
	}
	detached := make(chan struct{})
	if !c.NoStdin {
		go sendInput(conn, os.Stdin, detached)
	}
	io.Copy(os.Stdout, conn) // until the container ends, or a detach closes conn
	select {
	case <-detached:
		fmt.Fprint(os.Stderr, "\r\nread escape sequence\r\n")
		return nil
	default:
	}
	rec.waitRecorded(ctr) // the monitor records the exit, then hangs up
	if st, err := ctr.State(); err == nil && st.ExitCode != 0 {
		return exitCode(st.ExitCode)
	}
	return nil
}

// sendInput sends what is typed, frame by frame, watching for the detach
// keys: on Ctrl-P Ctrl-Q it closes detached and the connection (so the
// copy of the output ends too). A Ctrl-P followed by anything else is sent
// on, both bytes.
func sendInput(conn *net.UnixConn, r io.Reader, detached chan struct{}) {
	buf := make([]byte, 4096)
	held := 0 // bytes of detachKeys seen at the end of the last read
	for {
		n, err := r.Read(buf)
		if n > 0 {
			data := append(append([]byte{}, detachKeys[:held]...), buf[:n]...)
			if i := bytes.Index(data, detachKeys); i >= 0 {
				sendData(conn, data[:i])
				close(detached)
				conn.Close()
				return
			}
			held = 0
			if data[len(data)-1] == detachKeys[0] { // maybe the start of the sequence
				held, data = 1, data[:len(data)-1]
			}
			if len(data) > 0 && sendData(conn, data) != nil {
				return
			}
		}
		if err != nil {
			conn.CloseWrite() // end of input: the monitor stops reading us
			return
		}
	}
}

// forwardSize sends the terminal's size each time it changes (SIGWINCH).
func forwardSize(fd int, conn *net.UnixConn) (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, unix.SIGWINCH)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-ch:
				if ws, err := tty.GetSize(fd); err == nil {
					sendSize(conn, ws)
				}
			case <-done:
				return
			}
		}
	}()
	return func() { signal.Stop(ch); close(done) }
}
