package ns

import (
	"fmt"
	"math"
	"os"

	"golang.org/x/sys/unix"
)

// closeRangeCloexec is CLOSE_RANGE_CLOEXEC from <linux/close_range.h>
// (Linux 5.11): mark the fds close-on-exec instead of closing them now.
const closeRangeCloexec = 1 << 2

// Exec replaces this process -- `minictr init` -- with the container's
// command. It is the last step in the child, called inside the container's
// root after everything else. On success it does not return: the kernel
// closes the sync pipe (close-on-exec) and the parent reads end-of-file.
//
// It changes to dir (if not ""), looks argv[0] up in the PATH of env (the
// container's environment, DefaultPath if it has none), marks every fd above
// stderr close-on-exec so only stdin, stdout and stderr reach the command,
// and calls execve(2). Errors are *ChildError with docker's codes: not found
// is 127, found but not executable is 126.
//
// execve replaces the whole process with the calling thread, so whatever was
// set on this locked thread alone (unshare, setgroups) is what the command gets.
func Exec(argv []string, env []string, dir string) error {
	if len(argv) == 0 {
		return &ChildError{Stage: "exec", Msg: "exec: no command given", Code: CodeSetup}
	}
	if dir != "" {
		trace("chdir", dir)
		if err := unix.Chdir(dir); err != nil {
			return &ChildError{Stage: "chdir", Msg: (&os.PathError{Op: "chdir", Path: dir, Err: err}).Error(), Code: CodeSetup}
		}
	}
	path, err := lookPath(argv[0], pathFrom(env))
	if err != nil {
		return &ChildError{Stage: "exec", Msg: err.Error(), Code: execErrorCode(err)}
	}
	if err := unix.CloseRange(3, math.MaxUint32, closeRangeCloexec); err != nil {
		return &ChildError{Stage: "exec", Msg: fmt.Sprintf("close_range 3.. CLOSE_RANGE_CLOEXEC: %v", err), Code: CodeSetup}
	}
	trace("execve", path, argv, env)
	err = unix.Exec(path, argv, env)
	return &ChildError{Stage: "exec", Msg: (&os.PathError{Op: "exec", Path: path, Err: err}).Error(), Code: execErrorCode(err)}
}
