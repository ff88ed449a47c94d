package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"syscall"

	"github.com/minictr/minictr/cgroups"
	"github.com/minictr/minictr/container"
	"github.com/minictr/minictr/ns"
	"github.com/minictr/minictr/tty"
)

// ExecCmd is `minictr exec`: run one more process in a running container.
//
// The process must end up in every namespace of the container and in its
// cgroup. Three processes take part (docs/07-lifecycle.md):
//
//	minictr exec       (host)  re-execs itself from a sealed copy, finds the
//	  |                        container, starts the helper, relays signals,
//	  |                        the terminal and the exit code
//	  +- minictr exec-init     born in the container's cgroup; joins its
//	       |                   namespaces on one locked thread (setns(2)),
//	       |                   stays in the HOST's PID namespace
//	       +- CMD              forked from that thread: born in the
//	                           container's PID namespace, not PID 1
type ExecCmd struct {
	Interactive bool     `short:"i" help:"Keep stdin open and connect it to the process."`
	Tty         bool     `short:"t" help:"Give the process a terminal (a pty from the container's /dev/pts)."`
	Env         []string `short:"e" sep:"none" help:"Set an environment variable (K=V, or K to copy it from here)." placeholder:"K=V"`
	Workdir     string   `short:"w" help:"Working directory inside the container (default: the container's)." placeholder:"DIR"`
	User        string   `short:"u" help:"User to run as: name, uid, name:group or uid:gid (names from the container's /etc/passwd)." placeholder:"USER[:GROUP]"`
	// As with run, everything from the container on is the command's.
	ContainerAndCommand []string `arg:"" passthrough:"" name:"container command" help:"Container (name, ID or unique ID prefix), then the command and its arguments."`
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
	Interactive bool     `json:"interactive"`
	Debug       bool     `json:"debug"`
}

func (c *ExecCmd) Run(g *Globals) error {
	// First of all: from now on /proc/self/exe, of this process and of the
	// helper, is a sealed copy of minictr (see ns.SealedExe): CVE-2019-5736.
	setTracing(g.Debug)
	if err := ns.ReexecSealed(); err != nil {
		return err
	}
	if len(c.ContainerAndCommand) < 2 {
		return fmt.Errorf("exec needs a container and a command: minictr exec CONTAINER CMD [ARG...]")
	}
	spec, st, err := c.spec(g)
	if err != nil {
		return err
	}
	cg, err := cgroups.Load(st.Cgroup, cgroupVersion(st.Cgroup))
	if err != nil {
		return err
	}
	sc := ns.StartConfig{Args: []string{"exec-init"}, Config: spec, Stdout: os.Stdout, Stderr: os.Stderr}
	if c.Interactive {
		sc.Stdin = os.Stdin
	}
	if fd, ok := cg.FD(); ok {
		sc.CgroupFD = fd // cgroup v2: the helper is born in the container's cgroup
	}
	var console *os.File
	if c.Tty {
		var child *os.File
		if console, child, err = tty.Socketpair(); err != nil {
			return err
		}
		defer console.Close()
		sc.ExtraFiles = []*os.File{child}
		sc.Stdin, sc.Stdout, sc.Stderr = nil, nil, nil
	}
	return c.start(sc, cg, console)
}

// start runs the helper and returns the command's exit code as exitCode.
func (c *ExecCmd) start(sc ns.StartConfig, cg cgroups.Cgroup, console *os.File) error {
	p, err := ns.Start(sc)
	for _, f := range sc.ExtraFiles {
		f.Close()
	}
	if err != nil {
		return err
	}
	if _, ok := cg.FD(); !ok {
		if err := cg.AddProcess(p.Pid()); err != nil { // cgroup v1: before it forks the command
			_, err = kill(p, err)
			return err
		}
	}
	stop := ns.ForwardSignals(p)
	defer stop()
	if err := p.Continue(); err != nil {
		p.Wait()
		return helperError(err)
	}
	var copied chan error
	if console != nil {
		// exec output is not logged, as in docker: only the terminal
		term := &RunCmd{Interactive: c.Interactive, io: procIO{term: os.Stdout}}
		if copied, err = term.attachTerminal(console); err != nil {
			_, err = kill(p, err)
			return err
		}
	}
	status, err := p.Wait()
	if copied != nil {
		<-copied
	}
	if err != nil {
		return helperError(err)
	}
	return codeOrErr(status.ExitCode(), nil)
}

func codeOrErr(code int, err error) error {
	if err != nil || code == 0 {
		return err
	}
	return exitCode(code)
}

// helperError turns the helper's report (a *ns.ChildError: it could not
// join, or the command could not be run) into its message and docker's
// exit code 125, 126 or 127.
func helperError(err error) error {
	var ce *ns.ChildError
	if !errors.As(err, &ce) {
		return err
	}
	fmt.Fprintln(os.Stderr, "minictr: "+ce.Msg)
	return exitCode(ce.Code)
}

// spec resolves the container and what to run in it: the container's
// environment with -e on top, its working directory unless -w, its user
// unless -u, as docker exec does.
func (c *ExecCmd) spec(g *Globals) (execSpec, container.State, error) {
	name := c.ContainerAndCommand[0]
	ctr, err := container.Find(g.Root, name)
	if err != nil {
		return execSpec{}, container.State{}, err
	}
	st, err := ctr.State()
	if err != nil {
		return execSpec{}, st, err
	}
	if st.Status != container.Running {
		return execSpec{}, st, fmt.Errorf("container %s is not running (status %s): start it first", name, st.Status)
	}
	extra, err := (&RunCmd{Env: c.Env}).envFromFlags()
	if err != nil {
		return execSpec{}, st, err
	}
	return execSpec{
		Pid: st.Pid, PidStart: st.PidStart, Args: c.ContainerAndCommand[1:],
		Env: withTerm(mergeEnv(ctr.Env, extra), c.Tty, ctr.Hostname),
		Cwd: firstOf(c.Workdir, ctr.Cwd, "/"), User: firstOf(c.User, ctr.User),
		Tty: c.Tty, Interactive: c.Interactive, Debug: g.Debug,
	}, st, nil
}

// cgroupVersion tells v2's single "" path from v1's one per controller.
func cgroupVersion(paths map[string]string) int {
	if _, ok := paths[""]; ok {
		return 2
	}
	return 1
}

// The helper, `minictr exec-init`, is dispatched here, before main and
// before the CLI parser, as runc dispatches `runc init`: in an init
// function the goroutine is still on the process's main thread, and
// LockOSThread keeps it there for good. Every setns(2) and the fork of the
// command then happen on this one thread (see ns.Join).
func init() {
	if len(os.Args) == 2 && os.Args[1] == "exec-init" {
		runtime.LockOSThread()
		os.Exit(execInit())
	}
}

// execInit is the helper: it joins the container, forks the command there
// and waits for it. It returns the exit code of the helper, which is the
// command's, docker's way (128+N for signal N).
func execInit() int {
	var s execSpec
	if err := ns.ReadConfig(&s); err != nil {
		return ns.ReportError("config", err, ns.CodeSetup)
	}
	setTracing(s.Debug)
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
	sp := ns.SpawnConfig{Args: s.Args, Env: s.Env, Dir: s.Cwd,
		Stdio: [3]*os.File{os.Stdin, os.Stdout, os.Stderr}}
	home := "/root"
	if s.User != "" {
		passwd, closeP := openOrEmpty("/etc/passwd")
		group, closeG := openOrEmpty("/etc/group")
		u, err := ns.LookupUser(s.User, passwd, group)
		closeP()
		closeG()
		if err != nil {
			return sp, nil, err
		}
		sp.User, home = &u, u.Home
	}
	if !slices.ContainsFunc(sp.Env, func(kv string) bool { return strings.HasPrefix(kv, "HOME=") }) {
		sp.Env = append(sp.Env, "HOME="+home)
	}
	var opened []*os.File
	closeAll := func() {
		for _, f := range opened {
			f.Close()
		}
	}
	switch {
	case s.Tty:
		master, slavePath, err := tty.NewPty()
		if err != nil {
			return sp, nil, err
		}
		err = tty.SendFd(os.NewFile(ns.ExtraFD, "console-socket"), master)
		master.Close() // `minictr exec` has its own copy now
		if err != nil {
			return sp, nil, err
		}
		slave, err := tty.OpenSlave(slavePath)
		if err != nil {
			return sp, nil, err
		}
		opened = append(opened, slave)
		sp.Stdio, sp.Setctty = [3]*os.File{slave, slave, slave}, true
	case !s.Interactive:
		null, err := os.Open("/dev/null")
		if err != nil {
			return sp, nil, err
		}
		opened = append(opened, null)
		sp.Stdio[0] = null
	}
	return sp, closeAll, nil
}
