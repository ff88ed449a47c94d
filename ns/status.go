package ns

import (
	"errors"
	"os/exec"
	"syscall"
)

// Exit codes for a container that never got to run its command, as docker
// uses them (and as POSIX shells use 126 and 127, see sh(1) "Exit Status").
const (
	CodeSetup      = 125 // the runtime failed: a mount, the hostname, the config pipe
	CodeCannotExec = 126 // the command exists but cannot be run: permission denied, a directory, not an executable
	CodeNotFound   = 127 // the command does not exist: not in $PATH, or the path (or its ELF interpreter) is missing
)

// ExitStatus is how the container's process ended: it exited with Code, or a
// signal killed it (Signal != 0).
type ExitStatus struct {
	Code   int
	Signal syscall.Signal
}

// ExitCode folds the status into one number the way shells and docker do:
// the exit code, or 128+N when signal N killed the process (SIGKILL -> 137,
// SIGTERM -> 143). minictr exits with this number.
func (s ExitStatus) ExitCode() int {
	if s.Signal != 0 {
		return 128 + int(s.Signal)
	}
	return s.Code
}

func exitStatusOf(ws syscall.WaitStatus) ExitStatus {
	if ws.Signaled() {
		return ExitStatus{Signal: ws.Signal()}
	}
	return ExitStatus{Code: ws.ExitStatus()}
}

// ChildError is a failure inside `minictr init`, before the container's
// command started: the child sends it to the parent over the sync pipe
// (see ReportError) and Proc.Wait returns it. Stage names the step ("mount",
// "hostname", "exec"), Msg is the child's error text, Code is 125, 126 or 127.
type ChildError struct {
	Stage string `json:"stage"`
	Msg   string `json:"msg"`
	Code  int    `json:"code"`
}

// Error reads like `container init: exec /nope: no such file or directory`:
// the prefix says which process failed, since the text came from the child.
func (e *ChildError) Error() string {
	return "container init: " + e.Msg
}

// execErrorCode maps a failed PATH lookup or execve(2) to docker's exit code:
// a missing file is 127, a file that exists but cannot run is 126, anything
// else (out of memory, too many open files) is a runtime failure, 125.
func execErrorCode(err error) int {
	switch {
	case errors.Is(err, exec.ErrNotFound), errors.Is(err, syscall.ENOENT), errors.Is(err, syscall.ENOTDIR):
		return CodeNotFound
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM),
		errors.Is(err, syscall.EISDIR), errors.Is(err, syscall.ENOEXEC):
		return CodeCannotExec
	}
	return CodeSetup
}
