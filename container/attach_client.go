package container

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"

	"github.com/minictr/minictr/tty"
	"golang.org/x/sys/unix"
)

// ErrDetached is Attach's answer when the detach keys were typed: the
// container goes on running without this terminal.
var ErrDetached = errors.New("read escape sequence")

// Attach is the client's end of `minictr attach` (the monitor's end is
// attach.go): this terminal joins a running detached container through its
// monitor's socket. It returns when the container ends (its exit code) or
// when keys (docker's Ctrl-P Ctrl-Q by default) are typed (ErrDetached).
// With noStdin nothing typed is sent. name is the container as the user
// named it, for the messages.
func Attach(ctr *Container, name string, keys []byte, noStdin bool) (int, error) {
	st, err := ctr.State()
	if err != nil {
		return 0, err
	}
	if st.Status != Running {
		return 0, fmt.Errorf("container %s is not running: 'minictr start -a %s' runs it attached", name, name)
	}
	conn, err := dialAttach(ctr.Dir)
	switch {
	case errors.Is(err, unix.ENOENT):
		return 0, fmt.Errorf("container %s has no monitor to attach to: it runs in the foreground of the terminal that started it (run -d and start make attachable containers)", name)
	case errors.Is(err, unix.ECONNREFUSED):
		return 0, fmt.Errorf("the monitor of container %s is gone (killed?): nothing relays its terminal any more", name)
	case err != nil:
		return 0, fmt.Errorf("attach to %s: %w", name, err)
	}
	defer conn.Close()
	rec := RecorderOf(st.Pid)
	if attachConn(conn, ctr.Tty, keys, noStdin) {
		return 0, ErrDetached
	}
	rec.WaitRecorded(ctr) // the monitor records the exit, then hangs up
	if st, err := ctr.State(); err == nil {
		return st.ExitCode, nil
	}
	return 0, nil
}

// attachConn is this terminal joined to a monitor's attach socket: raw
// mode and the window size (now, and on every SIGWINCH) with a terminal,
// typed input sent in frames, and the container's output copied here. It
// returns when the monitor hangs up (the container ended), or true when
// the detach keys were typed.
func attachConn(conn *net.UnixConn, terminal bool, keys []byte, noStdin bool) (detached bool) {
	in := int(os.Stdin.Fd())
	if _, err := tty.GetSize(in); err == nil && terminal {
		if restore, err := tty.MakeRaw(in); err == nil {
			defer restore()
		}
		stop := tty.WatchSize(in, func(ws *unix.Winsize) { sendSize(conn, ws) })
		defer stop()
	}
	done := make(chan struct{})
	if !noStdin {
		go sendInput(conn, os.Stdin, keys, done)
	}
	io.Copy(os.Stdout, conn) // until the container ends, or a detach closes conn
	select {
	case <-done:
		return true
	default:
		return false
	}
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
