package ns

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// Environment variables that tell the re-exec'd child which inherited fds
// are its pipes (runc does the same with _LIBCONTAINER_INITPIPE).
const (
	envConfigFD = "_MINICTR_CONFIG_FD"
	envSyncFD   = "_MINICTR_SYNC_FD"
)

// Start re-executes this binary (/proc/self/exe) with c.Args in new
// namespaces, hands it c.Config over a pipe and returns while the child waits
// for Continue.
//
// The namespaces are made by the kernel inside clone(2) itself (Go's
// SysProcAttr.Cloneflags), before the child runs a single instruction: no
// Go code ever runs on a thread that straddles two namespaces. See doc.go for
// why a Go runtime must not fork without exec.
func Start(c StartConfig) (*Proc, error) {
	config, err := json.Marshal(c.Config)
	if err != nil {
		return nil, fmt.Errorf("encode init config: %w", err)
	}
	configR, configW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("pipe for init config: %w", err)
	}
	parentSync, childSync, err := socketpair()
	if err != nil {
		configR.Close()
		configW.Close()
		return nil, err
	}
	cmd, unshareCgroup := command(c, configR, childSync)
	trace("clone", FlagNames(cmd.SysProcAttr.Cloneflags), cmd.Path, cmd.Args[1:])
	err = cmd.Start()
	configR.Close() // the child has its copies now
	childSync.Close()
	if err != nil {
		configW.Close()
		parentSync.Close()
		return nil, fmt.Errorf("clone %s: %w", FlagNames(cmd.SysProcAttr.Cloneflags), err)
	}
	p := &Proc{Cmd: cmd, sync: parentSync, unshareCgroup: unshareCgroup}
	_, err = configW.Write(config)
	if cerr := configW.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		// The child died before reading its config; do not leave it behind.
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		parentSync.Close()
		return nil, fmt.Errorf("send config to container init %d: %w", cmd.Process.Pid, err)
	}
	return p, nil
}

// command builds the exec.Cmd for Start. It reports whether the cgroup
// namespace must wait for Continue: without CLONE_INTO_CGROUP the child is
// born in our cgroup and moved later, and a cgroup namespace made at clone
// time would have our cgroup as its root, so the child makes it after the
// move with unshare(2) instead (runc does the same).
func command(c StartConfig, configR, childSync *os.File) (*exec.Cmd, bool) {
	cmd := exec.Command("/proc/self/exe", c.Args...)
	cmd.Args[0] = os.Args[0] // `ps` shows "minictr init", not "/proc/self/exe init"
	cmd.Stdin, cmd.Stdout, cmd.Stderr = c.Stdin, c.Stdout, c.Stderr
	cmd.ExtraFiles = append([]*os.File{configR, childSync}, c.ExtraFiles...)
	cmd.Env = append(os.Environ(), envConfigFD+"=3", envSyncFD+"=4")
	cmd.Env = append(cmd.Env, c.ExtraEnv...)

	flags := c.Options.CloneFlags()
	intoCgroup := c.CgroupFD > 0
	unshareCgroup := c.Options.Cgroup && !intoCgroup
	if unshareCgroup {
		flags &^= unix.CLONE_NEWCGROUP
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  flags,
		UseCgroupFD: intoCgroup,
		CgroupFD:    c.CgroupFD,
		Setsid:      c.Setsid,
		Setctty:     c.Setctty,
		Ctty:        c.Ctty,
	}
	return cmd, unshareCgroup
}

// Continue tells the child to go on: to finish its setup and exec the
// container's command. If the child has already died of a setup error, that
// error (a *ChildError) is returned, and again by Wait.
func (p *Proc) Continue() error {
	err := send(p.sync, message{Type: "continue", UnshareCgroup: p.unshareCgroup})
	if err == nil {
		return nil
	}
	if errors.Is(err, unix.EPIPE) || errors.Is(err, unix.ECONNRESET) {
		if ce := p.readChildError(); ce != nil {
			return ce
		}
		return fmt.Errorf("continue container init %d: it exited before it was told to go on", p.Pid())
	}
	return fmt.Errorf("continue container init %d: %w", p.Pid(), err)
}

// WaitExec blocks until the child has either exec'd the container's command
// or given up. The child's end of the sync pipe is close-on-exec, so a
// successful execve(2) reads here as end-of-file; a failed one (command not
// found, a mount that went wrong) arrives as its *ChildError, which is
// returned, and again by Wait. Until WaitExec returns nil, "the container
// runs" is not yet true: `run -d nothere` must fail with 127, as docker's does.
func (p *Proc) WaitExec() error {
	m, err := recv(p.sync, 0)
	switch {
	case errors.Is(err, io.EOF):
		return nil // exec'd (or killed before it could say anything: Wait tells)
	case err != nil:
		return fmt.Errorf("wait for container init %d to exec: %w", p.Pid(), err)
	case m.Type == "error" && m.Error != nil:
		p.childErr = m.Error
		return m.Error
	}
	return fmt.Errorf("wait for container init %d to exec: unexpected message %q", p.Pid(), m.Type)
}

// Wait waits for the child to exit and returns how it ended. If the child
// reported a setup or exec failure, the error is that *ChildError (with
// Code 125, 126 or 127); the ExitStatus is then the init's own exit.
func (p *Proc) Wait() (ExitStatus, error) {
	err := p.Cmd.Wait()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return ExitStatus{}, fmt.Errorf("wait for container init %d: %w", p.Pid(), err)
	}
	status := exitStatusOf(p.Cmd.ProcessState.Sys().(syscall.WaitStatus))
	if sig := syscall.Signal(p.stoppedBy.Load()); sig != 0 && status.Signal == syscall.SIGKILL {
		status.Signal = sig
	}
	ce := p.readChildError()
	p.sync.Close()
	if ce != nil {
		return status, ce
	}
	return status, nil
}

// readChildError returns the child's error report if one is waiting on the
// sync pipe. It never blocks: it is called only once the child is gone or
// known to be going, so a report, if any, is already there.
func (p *Proc) readChildError() *ChildError {
	if p.childErr != nil {
		return p.childErr
	}
	m, err := recv(p.sync, unix.MSG_DONTWAIT)
	if err == nil && m.Type == "error" && m.Error != nil {
		p.childErr = m.Error
	}
	return p.childErr
}
