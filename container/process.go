package container

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/minictr/minictr/cgroups"
	"github.com/minictr/minictr/network"
	"github.com/minictr/minictr/ns"
)

// startProcess runs the container's process and returns its exit code,
// docker's way: the command's own code, 126/127 when it cannot be run,
// 128+N when a signal killed it. Errors are minictr's own failures (125).
func startProcess(ctr *Container, o Options, cg cgroups.Cgroup, pio procIO) (int, error) {
	ep, err := allocateNetwork(ctr) // given back by live, before the exit is recorded
	if err != nil {
		return 0, err
	}
	sc, console, err := initStart(ctr, o, pio, ep)
	if err != nil {
		return 0, err
	}
	if console != nil {
		defer console.Close()
	}
	Stage(o.Debug, 4, "namespaces", "re-exec %s init with %s", "/proc/self/exe", ns.FlagNames(sc.Options.CloneFlags()))
	p, err := startInCgroup(sc, cg, pio.childEnds)
	if err != nil {
		return 0, err
	}
	if err := connectNetwork(ep, p.Pid()); err != nil { // before init goes on to configure eth0
		return kill(p, err)
	}
	stopSignals := ns.ForwardSignals(p)
	defer stopSignals()
	if err := p.Continue(); err != nil {
		return initFailed(p, cg, ctr.Limits.MemoryBytes, pio, err)
	}
	// The container runs once its command is exec'd: not before, or a
	// detached `run -d nothere` would report "started" and exit 0.
	if err := p.WaitExec(); err != nil {
		return initFailed(p, cg, ctr.Limits.MemoryBytes, pio, err)
	}
	Stage(o.Debug, 6, "process", "container init is PID %d on the host, PID 1 inside", p.Pid())
	start, _ := StartTime(p.Pid())
	ctr.SaveState(State{Status: Running, Pid: p.Pid(), PidStart: start,
		StartedAt: time.Now().UTC(), Cgroup: cg.Paths(), Monitor: pio.monitor})
	if pio.started != nil {
		pio.started()
	}
	code, err := waitProcess(p, console, pio)
	if err != nil {
		return childError(pio.msgs, err)
	}
	return code, nil
}

// initStart says how to start init: its spec (what it will build and run),
// its namespaces, its stdio, and with -t the socket over which it will send
// the terminal it makes.
func initStart(ctr *Container, o Options, pio procIO, ep *network.Endpoint) (ns.StartConfig, *os.File, error) {
	spec, err := newInitSpec(ctr, o, ep)
	if err != nil {
		return ns.StartConfig{}, nil, err
	}
	if err := addGuards(&spec, ctr); err != nil {
		return ns.StartConfig{}, nil, err
	}
	if ctr.Tty {
		spec.Rows, spec.Cols = pio.termSize()
	}
	sc := ns.StartConfig{Args: []string{"init"}, Options: namespaces(ctr.Net), Config: spec,
		Stdout: pio.stdout, Stderr: pio.stderr}
	if pio.interactive {
		sc.Stdin = pio.stdin
	}
	console, err := consoleSocket(&sc, ctr.Tty)
	return sc, console, err
}

// waitProcess waits for a started child (init, or exec's helper) and the
// last of its output, and returns its exit code, or the child's report
// (*ns.ChildError) when it could not run the command.
func waitProcess(p *ns.Proc, console *os.File, pio procIO) (int, error) {
	var copied chan error
	if console != nil {
		var err error
		if copied, err = attachTerminal(console, pio); err != nil {
			return kill(p, err)
		}
	}
	st, err := p.Wait()
	if copied != nil {
		<-copied // the last output, after the container's end
	}
	if pio.drain != nil {
		pio.drain()
	}
	if err != nil {
		return 0, err
	}
	return st.ExitCode(), nil
}

// startInCgroup starts a re-exec'd child (init, or exec's helper) in cg.
// On cgroup v2 the kernel puts it there as it is born (CLONE_INTO_CGROUP:
// sc.CgroupFD); on v1 it is moved there before it may go on. The parent's
// copies of the files handed to the child are closed.
func startInCgroup(sc ns.StartConfig, cg cgroups.Cgroup, childEnds []*os.File) (*ns.Proc, error) {
	if fd, ok := cg.FD(); ok {
		sc.CgroupFD = fd
	}
	p, err := ns.Start(sc)
	for _, f := range append(sc.ExtraFiles, childEnds...) {
		f.Close() // the child has its copy
	}
	if err != nil {
		return nil, err
	}
	if _, ok := cg.FD(); !ok {
		if err := cg.AddProcess(p.Pid()); err != nil { // cgroup v1: before it goes on
			_, err = kill(p, err)
			return nil, err
		}
	}
	return p, nil
}

// initFailed reports an init that died before it could exec the command.
// Its own report says why; but if the OOM killer took it (a memory limit
// too small even for minictr's init), all the parent sees is a closed
// socket, so the cgroup is asked, and that is what the message says.
func initFailed(p *ns.Proc, cg cgroups.Cgroup, limit int64, pio procIO, err error) (int, error) {
	p.Wait()
	if oom, _ := cg.OOMKilled(); oom {
		return 0, fmt.Errorf("container init was killed: out of memory before the command started (limit --memory %s): give it more with -m", cgroups.FormatMemory(limit))
	}
	return childError(pio.msgs, err)
}

// namespaces is which namespaces a container gets: all new, but the
// network one with --net host (the host's) or container:X (X's, joined by
// init).
func namespaces(net string) ns.Options {
	o := ns.AllNew()
	o.Net = net != "host" && joinedContainer(net) == "" // host, container:X: an existing one
	return o
}

// kill ends a child whose start failed half way, and returns err.
func kill(p *ns.Proc, err error) (int, error) {
	p.Cmd.Process.Kill()
	p.Wait()
	return 0, err
}

// childError turns the child's report into docker's exit code: the
// message is printed, and 125, 126 or 127 returned.
func childError(msgs io.Writer, err error) (int, error) {
	var ce *ns.ChildError
	if errors.As(err, &ce) {
		fmt.Fprintln(msgs, "minictr: "+ce.Error())
		return ce.Code, nil
	}
	return 0, err
}
