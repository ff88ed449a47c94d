package tty

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// NewPty opens a new pseudo-terminal pair and returns its master and the
// path of its slave, which is not opened yet.
//
// Opening /dev/ptmx creates the pair (ptmx(4)). Which devpts instance it
// lands in depends on /dev/ptmx: inside a container, mount/ makes it a
// symlink to pts/ptmx of the container's private devpts (mounted with
// -o newinstance), so the slave is /dev/pts/N of the container and the host
// never sees it. Two ioctls follow, what glibc's unlockpt(3) and ptsname(3)
// do: TIOCSPTLCK 0 unlocks the slave (a new slave is locked so nobody opens
// it before the master is set up), and TIOCGPTN says its number N.
func NewPty() (master *os.File, slavePath string, err error) {
	const ptmx = "/dev/ptmx"
	fd, err := unix.Open(ptmx, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, "", &os.PathError{Op: "open", Path: ptmx, Err: err}
	}
	master = os.NewFile(uintptr(fd), ptmx)
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		master.Close()
		return nil, "", &os.PathError{Op: "ioctl TIOCSPTLCK", Path: ptmx, Err: err}
	}
	n, err := unix.IoctlGetUint32(fd, unix.TIOCGPTN)
	if err != nil {
		master.Close()
		return nil, "", &os.PathError{Op: "ioctl TIOCGPTN", Path: ptmx, Err: err}
	}
	// Since Linux 4.7 /dev/ptmx, device node or symlink, serves the devpts
	// mounted next to it, at /dev/pts: that is where slave N is.
	return master, "/dev/pts/" + strconv.FormatUint(uint64(n), 10), nil
}

// OpenSlave opens the slave end of a pty. O_NOCTTY: opening a terminal must
// not make it our controlling terminal by accident; SetupConsole does that
// on purpose with TIOCSCTTY.
func OpenSlave(path string) (*os.File, error) {
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), nil
}
