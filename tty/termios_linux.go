package tty

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// MakeRaw switches the terminal on fd to raw mode and returns a function that
// restores the old settings; call it before minictr exits, or the user's
// shell is left without echo.
//
// Raw mode turns off the HOST's line discipline (termios(3), as cfmakeraw
// does): no echo, no line editing, no Ctrl-C -> SIGINT, no CR/LF mapping.
// Every key goes byte for byte to the pty master, and the CONTAINER's line
// discipline does all of that instead -- otherwise each key would be echoed
// twice and Ctrl-C would kill minictr rather than the container's program.
func MakeRaw(fd int) (restore func() error, err error) {
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return nil, fmt.Errorf("ioctl TCGETS fd %d: %w", fd, err)
	}
	raw := *old
	raw.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	raw.Oflag &^= unix.OPOST
	raw.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	raw.Cflag &^= unix.CSIZE | unix.PARENB
	raw.Cflag |= unix.CS8
	raw.Cc[unix.VMIN] = 1 // a read returns as soon as one byte is there
	raw.Cc[unix.VTIME] = 0
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &raw); err != nil {
		return nil, fmt.Errorf("ioctl TCSETS fd %d: %w", fd, err)
	}
	return func() error {
		if err := unix.IoctlSetTermios(fd, unix.TCSETS, old); err != nil {
			return fmt.Errorf("ioctl TCSETS fd %d (restore): %w", fd, err)
		}
		return nil
	}, nil
}

// GetSize reads the window size (rows, columns) of the terminal on fd.
func GetSize(fd int) (*unix.Winsize, error) {
	ws, err := unix.IoctlGetWinsize(fd, unix.TIOCGWINSZ)
	if err != nil {
		return nil, fmt.Errorf("ioctl TIOCGWINSZ fd %d: %w", fd, err)
	}
	return ws, nil
}

// SetSize sets the window size of the terminal on fd. On a pty master the
// kernel then sends SIGWINCH to the slave's foreground process group, which
// is how a full-screen program in the container learns to redraw.
func SetSize(fd int, ws *unix.Winsize) error {
	if err := unix.IoctlSetWinsize(fd, unix.TIOCSWINSZ, ws); err != nil {
		return fmt.Errorf("ioctl TIOCSWINSZ fd %d: %w", fd, err)
	}
	return nil
}
