//go:build !linux

package ns

import (
	"errors"
	"os"
	"os/exec"
)

// Namespaces are a Linux kernel feature. On other systems the package builds,
// so that editors and `go vet` work on a student's laptop, and every call
// that would need the kernel returns errors.ErrUnsupported.

// CloneFlags is 0: there is no clone(2) outside Linux.
func (o Options) CloneFlags() uintptr { return 0 }

// FlagNames is "0": there are no namespace flags outside Linux.
func FlagNames(flags uintptr) string { return "0" }

func Start(c StartConfig) (*Proc, error)                 { return nil, errors.ErrUnsupported }
func (p *Proc) Continue() error                          { return errors.ErrUnsupported }
func (p *Proc) Wait() (ExitStatus, error)                { return ExitStatus{}, errors.ErrUnsupported }
func ForwardSignals(p *Proc) (stop func())               { return func() {} }
func ReadConfig(v any) error                             { return errors.ErrUnsupported }
func WaitContinue() error                                { return errors.ErrUnsupported }
func (p *Proc) WaitExec() error                          { return errors.ErrUnsupported }
func ReportError(stage string, err error, code int) int  { return code }
func SetHostname(name string) error                      { return errors.ErrUnsupported }
func LoopbackUp() error                                  { return errors.ErrUnsupported }
func SetUser(u User) error                               { return errors.ErrUnsupported }
func Exec(argv []string, env []string, dir string) error { return errors.ErrUnsupported }
func NamespaceInodes(pid int) (map[string]uint64, error) { return nil, errors.ErrUnsupported }

// Joining a running container (`minictr exec`), see setns_linux.go.
func Join(pid int, start uint64) error       { return errors.ErrUnsupported }
func JoinNetwork(path string) error          { return errors.ErrUnsupported }
func Undumpable() error                      { return errors.ErrUnsupported }
func Spawn(c SpawnConfig) (*exec.Cmd, error) { return nil, errors.ErrUnsupported }
func Relay(pid int) (stop func())            { return func() {} }
func SealedExe() (*os.File, error)           { return nil, errors.ErrUnsupported }
func ReexecSealed() error                    { return errors.ErrUnsupported }
