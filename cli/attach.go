package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"

	"github.com/minictr/minictr/container"
	"github.com/minictr/minictr/tty"
	"golang.org/x/sys/unix"
)

// AttachCmd is `minictr attach`: this terminal joins a detached container
// through its monitor (monitor_attach.go). Ctrl-P Ctrl-Q detaches and
// leaves the container running; when the container ends, attach exits
// with its exit code, as docker's does.
type AttachCmd struct {
	NoStdin    bool   `name:"no-stdin" help:"Do not send this terminal's input to the container."`
	DetachKeys string `name:"detach-keys" default:"ctrl-p,ctrl-q" help:"Keys that detach, docker's syntax: ctrl-<letter>, or a character, comma-separated."`
	Container  string `arg:"" help:"Container name or ID (a unique prefix will do)."`
}

// parseDetachKeys reads docker's --detach-keys: "ctrl-p,ctrl-q" is the
// bytes 0x10 0x11 (a control key is its letter's code with the top three
// bits cleared: 'p' 0x70 & 0x1f = 0x10), "a,ctrl-@" is 'a' 0x00.
func parseDetachKeys(s string) ([]byte, error) {
	var keys []byte
	for _, k := range strings.Split(s, ",") {
		switch {
		case len(k) == 1:
			keys = append(keys, k[0])
		case len(k) == 6 && strings.HasPrefix(strings.ToLower(k), "ctrl-") && k[5] >= '@' && k[5] <= '~':
			keys = append(keys, k[5]&0x1f)
		default:
			return nil, fmt.Errorf("invalid --detach-keys %q: %q is neither a character nor ctrl-<letter>", s, k)
		}
	}
	return keys, nil
}

func (c *AttachCmd) Run(g *Globals) error {
	keys, err := parseDetachKeys(c.DetachKeys)
	if err != nil {
		return err
	}
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
	if _, err := tty.GetSize(in); err == nil && ctr.Tty {
		if restore, err := tty.MakeRaw(in); err == nil {
			defer restore()
		}
		// The size now and on every SIGWINCH, to the container's pty.
		stop := tty.WatchSize(in, func(ws *unix.Winsize) { sendSize(conn, ws) })
		defer stop()
	}
	detached := make(chan struct{})
	if !c.NoStdin {
		go sendInput(conn, os.Stdin, keys, detached)
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
// keys: when they come, it closes detached and the connection (so the copy
// of the output ends too). The start of the sequence followed by anything
// else is sent on, all of it.
func sendInput(conn *net.UnixConn, r io.Reader, keys []byte, detached chan struct{}) {
	buf := make([]byte, 4096)
	held := 0 // bytes of keys seen at the end of the last read
	for {
		n, err := r.Read(buf)
		if n > 0 {
			data := append(append([]byte{}, keys[:held]...), buf[:n]...)
			if i := bytes.Index(data, keys); i >= 0 {
				sendData(conn, data[:i])
				close(detached)
				conn.Close()
				return
			}
			held = heldPrefix(data, keys)
			data = data[:len(data)-held]
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

// heldPrefix is how many bytes at the end of data are the start of keys:
// they wait for the next read to tell whether the sequence is complete.
func heldPrefix(data, keys []byte) int {
	for n := min(len(keys)-1, len(data)); n > 0; n-- {
		if bytes.Equal(data[len(data)-n:], keys[:n]) {
			return n
		}
	}
	return 0
}
