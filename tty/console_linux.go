package tty

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// SetupConsole is the child's half of `minictr run -t`, called in `minictr
// init` after /dev/pts and /dev/ptmx of the container are mounted: it makes
// a pty in the container's devpts, makes its slave this process's
// controlling terminal and its stdin, stdout and stderr, and sends the
// master to the parent over sock (the parent calls RecvFd). The command that
// init then execs inherits the terminal.
//
// A controlling terminal belongs to a session (credentials(7)): setsid(2)
// makes this process the leader of a new session with no terminal, then
// ioctl TIOCSCTTY on the slave attaches the terminal to it. From then on the
// line discipline sends Ctrl-C's SIGINT to this session's foreground group.
func SetupConsole(sock *os.File) error {
	master, slavePath, err := NewPty()
	if err != nil {
		return err
	}
	defer master.Close() // the parent gets its own copy; ours must not outlive exec
	slave, err := OpenSlave(slavePath)
	if err != nil {
		return err
	}
	defer slave.Close()
	if err := newSession(); err != nil {
		return err
	}
	if err := unix.IoctlSetInt(int(slave.Fd()), unix.TIOCSCTTY, 0); err != nil {
		return &os.PathError{Op: "ioctl TIOCSCTTY", Path: slavePath, Err: err}
	}
	for fd := 0; fd <= 2; fd++ {
		if err := unix.Dup3(int(slave.Fd()), fd, 0); err != nil {
			return fmt.Errorf("dup3 %s to fd %d: %w", slavePath, fd, err)
		}
	}
	return SendFd(sock, master)
}

// newSession calls setsid(2) unless this process already leads a session
// (ns.StartConfig.Setsid), in which case setsid would fail with EPERM.
func newSession() error {
	if sid, _ := unix.Getsid(0); sid == unix.Getpid() {
		return nil
	}
	if _, err := unix.Setsid(); err != nil {
		return fmt.Errorf("setsid: %w", err)
	}
	return nil
}
