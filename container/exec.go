package container

import (
	"fmt"
	"os"
	"syscall"

	"github.com/minictr/minictr/cgroups"
	"github.com/minictr/minictr/ns"
	"github.com/minictr/minictr/security"
	"github.com/minictr/minictr/tty"
	"golang.org/x/sys/unix"
)

// Both ends of `minictr exec`: one more process in a running container.
// The process must end up in every namespace of the container and in its
// cgroup. Three processes take part (docs/07-lifecycle.md):
//
//	minictr exec       (host)  re-execs itself from a sealed copy, finds the
//	  |                        container, starts the helper, relays signals,
//	  |                        the terminal and the exit code      (Exec)
//	  +- minictr exec-init     born in the container's cgroup; joins its
//	       |                   namespaces on one locked thread (setns(2)),
//	       |                   stays in the HOST's PID namespace (ExecInit)
//	       +- CMD              forked from that thread: born in the
//	                           container's PID namespace, not PID 1

// ExecOptions is what to run in the container, parsed from exec's flags.
type ExecOptions struct {
	Args        []string
	Env         []string // -e, on top of the container's environment
	Workdir     string   // -w; "": the container's
	User        string   // -u; "": the container's
	Tty         bool     // -t
	Interactive bool     // -i
	Privileged  bool     // --privileged: every capability (the filter and device cgroup stay)
	Debug       bool
}

// execSpec is what `minictr exec` tells its helper: plain values only.
type execSpec struct {
	Pid         int      `json:"pid"`      // host PID of the container's init
	PidStart    uint64   `json:"pidStart"` // its start time, against PID reuse
	Args        []string `json:"args"`
	Env         []string `json:"env"`
	Cwd         string   `json:"cwd"`
	User        string   `json:"user"`
	Tty         bool     `json:"tty"`
	Rows        uint16   `json:"rows,omitempty"` // with Tty: the terminal's size before the command starts
	Cols        uint16   `json:"cols,omitempty"`
	Interactive bool     `json:"interactive"`
	Debug       bool     `json:"debug"`
	// Security is the container's guards (exec --privileged: every
	// capability), put on the thread that forks the command (applyGuards).
	Security security.Config `json:"security"`
}

// Exec runs o.Args in the running container ctr and returns its exit code,
// docker's way (128+N for signal N; 125, 126, 127 when it could not run,
// after printing why). The caller has re-executed itself from a sealed
// copy first (ns.ReexecSealed: CVE-2019-5736). name is the container as
// the user named it, for the message.
func Exec(ctr *Container, name string, o ExecOptions) (int, error) {
	st, err := ctr.State()
	if err != nil {
		return 0, err
	}
	if st.Status != Running {
		return 0, fmt.Errorf("container %s is not running (status %s): start it first", name, st.Status)
	}
	// The container's environment with -e on top, its working directory
	// unless -w, its user unless -u, as docker exec does.
	spec := execSpec{
		Pid: st.Pid, PidStart: st.PidStart, Args: o.Args,
		Env: withTerm(MergeEnv(ctr.Env, o.Env), o.Tty, ctr.Hostname),
		Cwd: firstOf(o.Workdir, ctr.Cwd, "/"), User: firstOf(o.User, ctr.User),
		Tty: o.Tty, Interactive: o.Interactive, Debug: o.Debug,
	}
	if o.Tty {
		spec.Rows, spec.Cols = procIO{}.termSize()
	}
	if spec.Security, err = execGuards(ctr, o.Privileged); err != nil {
		return 0, err
	}
	cg, err := cgroups.Load(st.Cgroup)
	if err != nil {
		return 0, err
	}
	sc := ns.StartConfig{Args: []string{"exec-init"}, Config: spec, Stdout: os.Stdout, Stderr: os.Stderr}
	if o.Interactive {
		sc.Stdin = os.Stdin
	}
	console, err := consoleSocket(&sc, o.Tty)
	if err != nil {
		return 0, err
	}
	if console != nil {
		defer console.Close()
	}
	p, err := startInCgroup(sc, cg, nil) // the helper is born in the container's cgroup
	if err != nil {
		return 0, err
	}
	stop := ns.ForwardSignals(p)
	defer stop()
	if err := p.Continue(); err != nil {
		p.Wait()
		return helperError(err)
	}
	// exec output is not logged, as in docker: only the terminal
	code, err := waitProcess(p, console, procIO{term: os.Stdout, interactive: o.Interactive})
	if err != nil {
		return helperError(err)
	}
	return code, nil
}

// helperError turns the helper's report (a *ns.ChildError: it could not
// join, or the command could not be run) into its message and docker's
// exit code 125, 126 or 127.
func helperError(err error) (int, error) {
	if ce, ok := err.(*ns.ChildError); ok {
		fmt.Fprintln(os.Stderr, "minictr: "+ce.Msg)
		return ce.Code, nil
	}
	return 0, err
}

// ExecInit is the helper's end, `minictr exec-init`: it joins the
// container, forks the command there and waits for it. It returns the exit
// code of the helper, which is the command's, docker's way (128+N for
// signal N). The caller runs it on the main thread, locked (see main.go).
func ExecInit() int {
	var s execSpec
	if err := ns.ReadConfig(&s); err != nil {
		return ns.ReportError("config", err, ns.CodeSetup)
	}
	SetTracing(s.Debug)
	if err := ns.WaitContinue(); err != nil { // cgroup v1: we are in the cgroup now
		return ns.ReportError("sync", err, ns.CodeSetup)
	}
	// Nobody may open /proc/PID/exe or /proc/PID/fd of this process or of
	// the command before its execve, unless allowed to ptrace them.
	if err := ns.Undumpable(); err != nil {
		return ns.ReportError("prctl", err, ns.CodeSetup)
	}
	if err := ns.Join(s.Pid, s.PidStart); err != nil {
		return ns.ReportError("setns", err, ns.CodeSetup)
	}
	// From here on this thread sees the container's files: /etc/passwd,
	// /dev/null and /dev/ptmx below are the container's.
	sp, closeStdio, err := spawnConfig(s)
	if err != nil {
		return ns.ReportError("process", err, ns.CodeSetup)
	}
	// The guards go on this thread, which forks the command: fork(2)
	// copies the thread's capabilities, seccomp filter and no_new_privs,
	// and its user, so the command starts with them (sp.User is done).
	if err := applyGuards(s.Security, sp.User); err != nil {
		closeStdio()
		return ns.ReportError("security", err, ns.CodeSetup)
	}
	sp.User = nil
	cmd, err := ns.Spawn(sp)
	closeStdio()
	if err != nil {
		return ns.ReportError("exec", err, ns.CodeCannotExec)
	}
	stop := ns.Relay(cmd.Process.Pid)
	cmd.Wait()
	stop()
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}

// spawnConfig builds the command's process: user and $HOME from the
// container's /etc/passwd, stdin from the container's /dev/null unless -i,
// and with -t a pty from the container's devpts whose master goes to
// `minictr exec` over the console socket. closeStdio closes our copies.
func spawnConfig(s execSpec) (ns.SpawnConfig, func(), error) {
	sp := ns.SpawnConfig{Args: s.Args, Dir: s.Cwd, Stdio: [3]*os.File{os.Stdin, os.Stdout, os.Stderr}}
	u, err := lookupUser(s.User)
	if err != nil {
		return sp, nil, err
	}
	sp.User, sp.Env = u, withHome(s.Env, u)
	switch {
	case s.Tty:
		slave, err := execConsole(s.Rows, s.Cols)
		if err != nil {
			return sp, nil, err
		}
		sp.Stdio, sp.Setctty = [3]*os.File{slave, slave, slave}, true
		return sp, func() { slave.Close() }, nil
	case !s.Interactive:
		null, err := os.Open("/dev/null")
		if err != nil {
			return sp, nil, err
		}
		sp.Stdio[0] = null
		return sp, func() { null.Close() }, nil
	}
	return sp, func() {}, nil
}

// execConsole makes a pty in the container's devpts, of the given size,
// sends its master to `minictr exec` and returns the slave, the command's
// terminal.
func execConsole(rows, cols uint16) (*os.File, error) {
	master, slavePath, err := tty.NewPty()
	if err != nil {
		return nil, err
	}
	if rows > 0 && cols > 0 {
		if err := tty.SetSize(int(master.Fd()), &unix.Winsize{Row: rows, Col: cols}); err != nil {
			master.Close()
			return nil, err
		}
	}
	err = tty.SendFd(os.NewFile(ns.ExtraFD, "console-socket"), master)
	master.Close() // `minictr exec` has its own copy now
	if err != nil {
		return nil, err
	}
	return tty.OpenSlave(slavePath)
}

func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
