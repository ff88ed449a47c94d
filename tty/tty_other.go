//go:build !linux

package tty

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// Pseudo-terminals are made the Linux way here (devpts instances, TIOCGPTN).
// On other systems the package builds and every call returns
// errors.ErrUnsupported.

func NewPty() (master *os.File, slavePath string, err error)           { return nil, "", errors.ErrUnsupported }
func OpenSlave(path string) (*os.File, error)                          { return nil, errors.ErrUnsupported }
func SetupConsole(sock *os.File) error                                 { return errors.ErrUnsupported }
func Socketpair() (parent, child *os.File, err error)                  { return nil, nil, errors.ErrUnsupported }
func SendFd(sock *os.File, f *os.File) error                           { return errors.ErrUnsupported }
func RecvFd(sock *os.File) (*os.File, error)                           { return nil, errors.ErrUnsupported }
func MakeRaw(fd int) (restore func() error, err error)                 { return nil, errors.ErrUnsupported }
func GetSize(fd int) (*unix.Winsize, error)                            { return nil, errors.ErrUnsupported }
func SetSize(fd int, ws *unix.Winsize) error                           { return errors.ErrUnsupported }
func ForwardResize(hostFd int, master *os.File) (stop func())          { return func() {} }
func WatchSize(hostFd int, apply func(ws *unix.Winsize)) (stop func()) { return func() {} }
