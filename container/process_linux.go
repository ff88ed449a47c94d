package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/minictr/minictr/cgroups"
	"github.com/minictr/minictr/container"
	"github.com/minictr/minictr/mount"
	"github.com/minictr/minictr/ns"
	"github.com/minictr/minictr/tty"
	"golang.org/x/sys/unix"
)

// start runs the container's process and returns its exit code, docker's
// way: the command's own code, 126/127 when it cannot be run, 128+N when a
// signal killed it. Errors are minictr's own failures (125).
func (c *RunCmd) start(g *Globals, ctr *container.Container, cg cgroups.Cgroup, binds []mount.Bind) (int, error) {
	spec, err := c.initSpec(g, ctr, binds)
	if err != nil {
		return 0, err
	}
	sc, console, err := c.startConfig(spec, cg)
	if err != nil {
		return 0, err
	}
	if console != nil {
		defer console.Close()
	}
	stage(g, 4, "namespaces", "re-exec %s init with %s", "/proc/self/exe", ns.FlagNames(sc.Options.CloneFlags()))
	p, err := ns.Start(sc)
	for _, f := range append(sc.ExtraFiles, c.io.childEnds...) {
		f.Close() // the child has its copy
	}
	if err != nil {
		return 0, err
	}
	if _, ok := cg.FD(); !ok {
		if err := cg.AddProcess(p.Pid()); err != nil { // cgroup v1: moved before it goes on
			return kill(p, err)
		}
	}
	stopSignals := ns.ForwardSignals(p)
	defer stopSignals()
	if err := p.Continue(); err != nil {
		p.Wait()
		return childError(c.io.msgs, err)
	}
	// The container runs once its command is exec'd: not before, or a
	// detached `run -d nothere` would report "started" and exit 0.
	if err := p.WaitExec(); err != nil {
		p.Wait()
		return childError(c.io.msgs, err)
	}
	stage(g, 5, "process", "container init is PID %d on the host, PID 1 inside", p.Pid())
	start, _ := container.StartTime(p.Pid())
	ctr.SaveState(container.State{Status: container.Running, Pid: p.Pid(), PidStart: start,
		StartedAt: time.Now().UTC(), Cgroup: cg.Paths(), Monitor: c.io.monitor})
	if c.io.started != nil {
		c.io.started()
	}
	var copied chan error
	if console != nil {
		if copied, err = c.attachTerminal(console); err != nil {
			return kill(p, err)
		}
	}
	st, err := p.Wait()
	if copied != nil {
		<-copied // the last output, after the container's end
	}
	if c.io.drain != nil {
		c.io.drain()
	}
	if err != nil {
		return childError(c.io.msgs, err)
	}
	return st.ExitCode(), nil
}

// startConfig says how to start init: its namespaces, its stdio, and with
// -t the socket over which init will send the pty master it makes.
func (c *RunCmd) startConfig(spec initSpec, cg cgroups.Cgroup) (ns.StartConfig, *os.File, error) {
	sc := ns.StartConfig{Args: []string{"init"}, Options: c.namespaces(), Config: spec,
		Stdout: c.io.stdout, Stderr: c.io.stderr}
	if c.Interactive {
		sc.Stdin = c.io.stdin
	}
	if fd, ok := cg.FD(); ok {
		sc.CgroupFD = fd // cgroup v2: born in its cgroup (CLONE_INTO_CGROUP)
	}
	if !c.Tty {
		return sc, nil, nil
	}
	console, child, err := tty.Socketpair()
	if err != nil {
		return sc, nil, err
	}
	sc.ExtraFiles = []*os.File{child}
	sc.Stdout, sc.Stderr, sc.Stdin = nil, nil, nil
	return sc, console, nil
}

// kill ends a container whose start failed half way, and returns err.
func kill(p *ns.Proc, err error) (int, error) {
	p.Cmd.Process.Kill()
	p.Wait()
	return 0, err
}

// childError turns the init's report into docker's exit code: the message
// is printed, and 125, 126 or 127 returned.
func childError(msgs io.Writer, err error) (int, error) {
	var ce *ns.ChildError
	if errors.As(err, &ce) {
		fmt.Fprintln(msgs, "minictr: "+ce.Error())
		return ce.Code, nil
	}
	return 0, err
}

// attachTerminal receives the pty master that init made inside the
// container's devpts, puts this terminal in raw mode (so keys like Ctrl-C
// reach the container's line discipline, not ours), forwards window size
// changes, and copies bytes both ways until the container side closes.
func (c *RunCmd) attachTerminal(sock *os.File) (chan error, error) {
	master, err := tty.RecvFd(sock)
	if err != nil {
		return nil, fmt.Errorf("receive the container's terminal: %w", err)
	}
	done := make(chan error, 1)
	if c.io.detached {
		// Detached (run -dt): the monitor holds the master, so the
		// container's shell has a terminal that stays open, with docker's
		// default size, and what it prints goes to the log.
		tty.SetSize(int(master.Fd()), &unix.Winsize{Row: 24, Col: 80})
		if c.io.onTerminal != nil {
			c.io.onTerminal(master)
		}
		go func() {
			done <- tty.Copy(master, nil, c.io.term)
			master.Close()
		}()
		return done, nil
	}
	in := int(os.Stdin.Fd())
	if ws, err := tty.GetSize(in); err == nil {
		tty.SetSize(int(master.Fd()), ws)
	}
	restore, rawErr := tty.MakeRaw(in)
	stopResize := tty.ForwardResize(in, master)
	go func() {
		var stdin io.Reader
		if c.Interactive {
			stdin = os.Stdin
		}
		err := tty.Copy(master, stdin, c.io.term)
		stopResize()
		if rawErr == nil {
			restore()
		}
		master.Close()
		done <- err
	}()
	return done, nil
}

// initSpec is the part of the container's config that init needs.
func (c *RunCmd) initSpec(g *Globals, ctr *container.Container, binds []mount.Bind) (initSpec, error) {
	files, err := mount.Files(ctr.Dir, ctr.Hostname, resolvConf(c.Net))
	if err != nil {
		return initSpec{}, err
	}
	vols, err := volumeBinds(g.Root, ctr.Volumes)
	if err != nil {
		return initSpec{}, err
	}
	return initSpec{
		Layers: ctr.Layers, Upper: ctr.Upper(), Work: ctr.Work(), Rootfs: ctr.Rootfs(),
		Binds: sortMounts(append(files, append(binds, vols...)...)), Populate: vols,
		ReadOnly: ctr.ReadOnly, Hostname: ctr.Hostname,
		NetNS: c.Net != "host", Tty: c.Tty, Args: ctr.Args, Env: withTerm(ctr.Env, c.Tty, ctr.Hostname),
		Cwd: ctr.Cwd, User: ctr.User, Debug: g.Debug,
	}, nil
}

// resolvConf is the container's /etc/resolv.conf: the host's with --net
// host; with --net none there is no network to ask, so no nameserver.
func resolvConf(net string) []byte {
	if net == "host" {
		if b, err := os.ReadFile("/etc/resolv.conf"); err == nil {
			return b
		}
	}
	return []byte("# no network (--net none): no nameserver\n")
}

// withTerm adds HOSTNAME, and TERM for a terminal, as docker does.
func withTerm(env []string, tty bool, hostname string) []string {
	out := append([]string{}, env...)
	has := func(k string) bool {
		for _, kv := range out {
			if strings.HasPrefix(kv, k+"=") {
				return true
			}
		}
		return false
	}
	if !has("HOSTNAME") {
		out = append(out, "HOSTNAME="+hostname)
	}
	if tty && !has("TERM") {
		out = append(out, "TERM=xterm")
	}
	return out
}

// stage prints one numbered step of `run` with --debug, named as the docs
// chapters are.
func stage(g *Globals, n int, name, format string, args ...any) {
	if g.Debug {
		fmt.Fprintf(os.Stderr, "[%d/5] %-10s "+format+"\n", append([]any{n, name}, args...)...)
	}
}

// setTracing makes every stage package print the syscalls it makes, with
// their real arguments, on stderr.
func setTracing(on bool) {
	if !on {
		return
	}
	pr := func(pkg string) func(string, ...any) {
		return func(call string, args ...any) {
			fmt.Fprintf(os.Stderr, "        %-7s %s\n", pkg, mount.FormatCall(call, args...))
		}
	}
	mount.Trace = pr("mount")
	ns.Trace = pr("ns")
}
