package container

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// `minictr attach` connects a terminal to a detached container, the way
// docker attach does: what the container prints appears there, what is
// typed there goes to the container's terminal (-t) or stdin (-i). Only
// the monitor can do that: it holds the pty master, or the write end of
// the container's stdin, and reads its output. So each monitor listens on
// a unix socket in the container's directory, attach.sock, and relays:
//
//	container ──pty/pipes──> monitor ──> log.json
//	                            │  └───> every attached client (raw bytes)
//	                            └<────── frames from clients: data, window size
//
// Frames from a client are one type byte, then: 'd' a uint32 length and
// that many bytes typed; 'w' the terminal's rows and columns (uint16 each),
// sent at attach time and on every SIGWINCH.

const (
	frameData   = 'd'
	frameResize = 'w'
)

// maxPending is how much typed input the monitor keeps for a terminal it
// has not made yet (run -it types ahead of the container's start).
const maxPending = 64 << 10

// attachServer is the monitor's side: the listening socket and the
// clients attached now.
type attachServer struct {
	ln   *net.UnixListener
	path string

	mu      sync.Mutex
	clients map[net.Conn]bool
	in      io.Writer              // where typed bytes go; nil: nowhere (no -i, no -t)
	resize  func(ws *unix.Winsize) // nil without a terminal
	size    *unix.Winsize          // the last size a client sent, for a terminal not made yet
	pending []byte                 // typed before the terminal existed (run -it): given to it first

	ready     chan struct{} // closed once a client has sent its first frame (or its input ended)
	readyOnce sync.Once
}

// listenAttach makes <dir>/attach.sock. A unix socket's path may hold at
// most 107 bytes, and a container's directory under a long --root is
// longer than that: the socket is bound through /proc/self/fd/N/, the
// short name of the directory's open fd, which the kernel resolves as the
// directory itself.
func listenAttach(dir string) (*attachServer, error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("attach socket: %w", err)
	}
	defer d.Close()
	path := filepath.Join(dir, "attach.sock")
	os.Remove(path) // one left by a monitor that was killed
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: fmt.Sprintf("/proc/self/fd/%d/attach.sock", d.Fd()), Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("attach socket %s: %w", path, err)
	}
	ln.SetUnlinkOnClose(false) // the /proc name is gone with the fd: Close removes path
	s := &attachServer{ln: ln, path: path, clients: map[net.Conn]bool{}, ready: make(chan struct{})}
	go s.serve()
	return s, nil
}

// dialAttach connects to the attach socket in dir (see listenAttach for
// the /proc/self/fd name).
func dialAttach(dir string) (*net.UnixConn, error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return net.DialUnix("unix", nil, &net.UnixAddr{Name: fmt.Sprintf("/proc/self/fd/%d/attach.sock", d.Fd()), Net: "unix"})
}

// setInput says where typed bytes go from now on, and how to resize.
func (s *attachServer) setInput(in io.Writer, resize func(*unix.Winsize)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.in, s.resize = in, resize
	if len(s.pending) > 0 && in != nil {
		in.Write(s.pending)
		s.pending = nil
	}
}

// Write sends the container's output to every client. It never fails: a
// client that cannot take it within two seconds (gone, or not reading) is
// dropped, so the container never waits for a slow terminal.
func (s *attachServer) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.clients {
		c.SetWriteDeadline(time.Now().Add(2 * time.Second))
		if _, err := c.Write(b); err != nil {
			c.Close()
			delete(s.clients, c)
		}
	}
	return len(b), nil
}

func (s *attachServer) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return // closed
		}
		s.mu.Lock()
		s.clients[c] = true
		s.mu.Unlock()
		go s.readFrames(c)
	}
}

// readFrames applies one client's frames until its input ends. The end of
// its input (`attach < file`, or a client gone) is not the end of the
// client: it still gets the output, until a write to it fails. A frame
// that makes no sense ends the client.
func (s *attachServer) readFrames(c net.Conn) {
	drop := func() {
		s.mu.Lock()
		delete(s.clients, c)
		s.mu.Unlock()
		c.Close()
	}
	defer s.readyOnce.Do(func() { close(s.ready) })
	for i := 0; ; i++ {
		if i == 1 { // one frame read: the client is there, with its size if it has a terminal
			s.readyOnce.Do(func() { close(s.ready) })
		}
		var kind [1]byte
		if _, err := io.ReadFull(c, kind[:]); err != nil {
			return
		}
		var err error
		switch kind[0] {
		case frameData:
			err = s.typed(c)
		case frameResize:
			err = s.resized(c)
		default:
			err = fmt.Errorf("unknown frame %q", kind[0])
		}
		if err != nil {
			drop()
			return
		}
	}
}

// typed reads a data frame and gives its bytes to the terminal or stdin,
// or keeps them until there is one.
func (s *attachServer) typed(c net.Conn) error {
	var n uint32
	if err := binary.Read(c, binary.BigEndian, &n); err != nil {
		return err
	}
	if n > 1<<20 {
		return fmt.Errorf("data frame of %d bytes", n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(c, b); err != nil {
		return err
	}
	s.mu.Lock()
	in := s.in
	if in == nil && len(s.pending) < maxPending {
		s.pending = append(s.pending, b...) // typed ahead of the terminal
	}
	s.mu.Unlock()
	if in != nil {
		in.Write(b)
	}
	return nil
}

// resized reads a window-size frame and applies it, or keeps it for a
// terminal not made yet.
func (s *attachServer) resized(c net.Conn) error {
	var ws [2]uint16
	if err := binary.Read(c, binary.BigEndian, &ws); err != nil {
		return err
	}
	s.mu.Lock()
	resize := s.resize
	s.size = &unix.Winsize{Row: ws[0], Col: ws[1]}
	s.mu.Unlock()
	if resize != nil {
		resize(&unix.Winsize{Row: ws[0], Col: ws[1]})
	}
	return nil
}

// waitClient waits until a client is attached and has sent its first
// frame (a terminal's size comes first), for `run -it`, whose container
// starts only then: none of its output may go before the terminal is there.
func (s *attachServer) waitClient(timeout time.Duration) bool {
	select {
	case <-s.ready:
		return true
	case <-time.After(timeout):
		return false
	}
}

// lastSize is the window size a client sent last, nil if none did.
func (s *attachServer) lastSize() *unix.Winsize {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.size
}

// Close ends every attachment (the clients read end-of-file) and removes
// the socket.
func (s *attachServer) Close() {
	s.ln.Close()
	s.mu.Lock()
	for c := range s.clients {
		c.Close()
	}
	s.clients = map[net.Conn]bool{}
	s.mu.Unlock()
	os.Remove(s.path)
}

// sendData and sendSize write one frame each (the client's side).
func sendData(w io.Writer, b []byte) error {
	hdr := make([]byte, 5)
	hdr[0] = frameData
	binary.BigEndian.PutUint32(hdr[1:], uint32(len(b)))
	_, err := w.Write(append(hdr, b...))
	return err
}

func sendSize(w io.Writer, ws *unix.Winsize) error {
	b := []byte{frameResize, 0, 0, 0, 0}
	binary.BigEndian.PutUint16(b[1:], ws.Row)
	binary.BigEndian.PutUint16(b[3:], ws.Col)
	_, err := w.Write(b)
	return err
}
