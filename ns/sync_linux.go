package ns

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// The sync pipe is one end of a unix socketpair(2) of type SOCK_SEQPACKET:
// unlike a pipe it goes both ways, and every send arrives as one message, so
// a JSON value never has to be framed. Two messages exist:
//
//	parent -> child  {"type":"continue"}            go on to exec
//	child  -> parent {"type":"error","error":{...}}  a ChildError; the child then exits
//
// The third signal is silence: the child's end is close-on-exec, so when
// execve(2) succeeds the kernel closes it and the parent reads end-of-file.
// os/exec itself uses the same trick to report exec errors.
type message struct {
	Type          string      `json:"type"`
	UnshareCgroup bool        `json:"unshare_cgroup,omitempty"`
	Error         *ChildError `json:"error,omitempty"`
}

// socketpair returns the parent's and the child's ends of a sync pipe. Both
// are close-on-exec; os/exec clears the flag on the copy it hands the child.
func socketpair() (parent, child *os.File, err error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("socketpair AF_UNIX SOCK_SEQPACKET: %w", err)
	}
	return os.NewFile(uintptr(fds[0]), "sync-parent"), os.NewFile(uintptr(fds[1]), "sync-child"), nil
}

// send writes m as one message. MSG_NOSIGNAL turns "the other side is gone"
// into EPIPE instead of a SIGPIPE.
func send(f *os.File, m message) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = rc.Write(func(fd uintptr) bool {
		serr = unix.Sendmsg(int(fd), b, nil, nil, unix.MSG_NOSIGNAL)
		return serr != unix.EAGAIN
	})
	if err != nil {
		return err
	}
	return serr
}

// recv reads one message. flags may be unix.MSG_DONTWAIT; then "nothing
// there" is unix.EAGAIN. A closed peer is io.EOF.
func recv(f *os.File, flags int) (message, error) {
	var m message
	rc, err := f.SyscallConn()
	if err != nil {
		return m, err
	}
	buf := make([]byte, 64<<10)
	var n int
	var rerr error
	err = rc.Read(func(fd uintptr) bool {
		n, _, rerr = unix.Recvfrom(int(fd), buf, flags)
		return rerr != unix.EAGAIN || flags&unix.MSG_DONTWAIT != 0
	})
	switch {
	case err != nil:
		return m, err
	case rerr != nil:
		return m, rerr
	case n == 0:
		return m, io.EOF
	}
	if err := json.Unmarshal(buf[:n], &m); err != nil {
		return m, fmt.Errorf("decode sync message %q: %w", buf[:n], err)
	}
	return m, nil
}
