package tty

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// Socketpair returns two connected unix stream sockets, both close-on-exec:
// the parent keeps one and passes the other to the child (ns.StartConfig's
// ExtraFiles) as the console socket.
func Socketpair() (parent, child *os.File, err error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("socketpair AF_UNIX SOCK_STREAM: %w", err)
	}
	return os.NewFile(uintptr(fds[0]), "console-parent"), os.NewFile(uintptr(fds[1]), "console-child"), nil
}

// SendFd sends the open file f over the unix socket sock (unix(7)). The
// message carries an SCM_RIGHTS control message with f's descriptor: the
// kernel installs a new descriptor for the same open file in the receiver,
// as dup(2) would across processes -- and across mount namespaces, which is
// how a pty made in the container's /dev/pts reaches the host. The data part
// is f's name, so the receiver can name the file too.
func SendFd(sock *os.File, f *os.File) error {
	rights := unix.UnixRights(int(f.Fd()))
	rc, err := sock.SyscallConn()
	if err != nil {
		return fmt.Errorf("send fd over %s: %w", sock.Name(), err)
	}
	var serr error
	err = rc.Write(func(fd uintptr) bool {
		serr = unix.Sendmsg(int(fd), []byte(f.Name()), rights, nil, unix.MSG_NOSIGNAL)
		return serr != unix.EAGAIN
	})
	if err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("sendmsg SCM_RIGHTS %s over %s: %w", f.Name(), sock.Name(), err)
	}
	return nil
}

// RecvFd receives one descriptor sent by SendFd on sock and returns it as a
// file, named as the sender named it. MSG_CMSG_CLOEXEC makes the new
// descriptor close-on-exec from the start. A sender that closes the socket
// without sending gives an error (the container's init failed before it
// made its pty).
func RecvFd(sock *os.File) (*os.File, error) {
	name := make([]byte, 4096)
	oob := make([]byte, unix.CmsgSpace(4))
	var n, oobn int
	var rerr error
	rc, err := sock.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("receive fd over %s: %w", sock.Name(), err)
	}
	err = rc.Read(func(fd uintptr) bool {
		n, oobn, _, _, rerr = unix.Recvmsg(int(fd), name, oob, unix.MSG_CMSG_CLOEXEC)
		return rerr != unix.EAGAIN
	})
	if err == nil {
		err = rerr
	}
	if err != nil {
		return nil, fmt.Errorf("recvmsg SCM_RIGHTS over %s: %w", sock.Name(), err)
	}
	if n == 0 && oobn == 0 {
		return nil, fmt.Errorf("recvmsg SCM_RIGHTS over %s: closed by the sender before sending a descriptor", sock.Name())
	}
	fd, err := parseRights(oob[:oobn])
	if err != nil {
		return nil, fmt.Errorf("recvmsg SCM_RIGHTS over %s: %w", sock.Name(), err)
	}
	return os.NewFile(uintptr(fd), string(name[:n])), nil
}

// parseRights picks the one descriptor out of an SCM_RIGHTS control message.
func parseRights(oob []byte) (int, error) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return -1, err
	}
	if len(msgs) != 1 {
		return -1, fmt.Errorf("want 1 control message, got %d", len(msgs))
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil {
		return -1, err
	}
	if len(fds) != 1 {
		for _, fd := range fds {
			unix.Close(fd)
		}
		return -1, fmt.Errorf("want 1 descriptor, got %d", len(fds))
	}
	return fds[0], nil
}
