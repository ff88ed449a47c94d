package ns

import (
	"io"
	"os"
	"os/exec"
	"sync/atomic"
)

// StartConfig describes the child to start: which namespaces, which hidden
// command of this binary, and what to hand it.
type StartConfig struct {
	Args    []string // arguments after the binary name, e.g. []string{"init"}
	Options Options  // which namespaces are new
	Config  any      // any JSON-able value; the child gets it with ReadConfig

	// Stdio of the child. An *os.File (a terminal, a pty slave) is passed
	// as is; other readers and writers go through a pipe, as with os/exec.
	Stdin          io.Reader
	Stdout, Stderr io.Writer

	// CgroupFD > 0 is an open cgroup v2 directory: clone3(2) puts the child
	// into it with CLONE_INTO_CGROUP, so not one instruction of the child runs
	// outside its cgroup. 0 or -1 means "no": fd 0 is stdin, never a cgroup.
	// Without it (cgroup v1), the parent adds Pid() to the cgroup before
	// Continue, and the child creates its cgroup namespace only after that.
	CgroupFD int

	ExtraEnv []string // appended to this process's environment for the child

	// ExtraFiles are passed on as fds ExtraFD, ExtraFD+1, ... (e.g. the console
	// socket for tty.SetupConsole). The caller closes its copies after Start.
	ExtraFiles []*os.File

	Setsid  bool // setsid(2): the child leads a new session (needed for Setctty)
	Setctty bool // make fd Ctty (a tty, in the child's numbering) its controlling terminal
	Ctty    int
}

// Fds 3 and 4 of the child are the config pipe and the sync pipe; fds from
// ExtraFD on are StartConfig.ExtraFiles.
const ExtraFD = 5

// Proc is a started container init. The parent must call Continue (after
// putting Pid() into the cgroup, if cgroup v1) and then Wait.
type Proc struct {
	Cmd *exec.Cmd // the running /proc/self/exe; Cmd.Process.Pid is the host PID

	sync          *os.File    // parent end of the sync socketpair
	unshareCgroup bool        // tell the child to unshare its cgroup ns after Continue
	childErr      *ChildError // the child's report, once read

	// stoppedBy is the signal whose default action ForwardSignals carried
	// out for a PID 1 without a handler (see defaultAction); Wait reports
	// the container as killed by it rather than by the SIGKILL used.
	stoppedBy atomic.Int32
}

// Pid is the child's process ID as the host sees it (inside its own PID
// namespace the same process is PID 1).
func (p *Proc) Pid() int { return p.Cmd.Process.Pid }
