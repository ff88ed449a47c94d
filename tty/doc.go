// Package tty gives a container a terminal: a pseudo-terminal pair made in
// the container's own devpts, the master handed back to minictr over a unix
// socket, the host terminal in raw mode, window-size changes passed on, and
// the bytes shovelled between the two.
//
// A pty is two ends of one kernel object (pty(7)): whatever is written to the
// master appears as typed input on the slave, and whatever a program writes
// to the slave comes out of the master. Between them sits the line
// discipline, which echoes, edits lines, and turns Ctrl-C into SIGINT for the
// slave's foreground process group. The container's shell gets the slave as
// stdin, stdout, stderr and controlling terminal; minictr holds the master.
//
// Why the container makes its own pty (as runc's --console-socket does): the
// slave must be a /dev/pts/N that exists INSIDE the container, in the devpts
// instance mounted at the container's /dev/pts, so that `tty`, `ls -l
// /proc/self/fd/0` and programs that reopen their terminal all work and see
// only the container's terminals. So `minictr init` opens /dev/ptmx there
// (SetupConsole) and sends the master to the parent with SCM_RIGHTS
// (SendFd, RecvFd). The parent puts its own terminal into raw mode (MakeRaw),
// so keys go to the container's line discipline uninterpreted, and copies
// bytes both ways (Copy) and window sizes (ForwardResize).
//
// Man pages: pty(7), pts(4), ptmx(4), termios(3), tty_ioctl(4) (TIOCGPTN,
// TIOCSPTLCK, TIOCSCTTY, TIOCGWINSZ, TIOCSWINSZ), unix(7) (SCM_RIGHTS),
// setsid(2), credentials(7) (sessions and controlling terminals).
//
// Chapter: docs/04-namespaces.md ("A terminal for the container").
package tty
