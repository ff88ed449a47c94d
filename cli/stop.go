package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/minictr/minictr/container"
	"golang.org/x/sys/unix"
)

// killAndWait sends SIGKILL to the container's PID 1 (from outside its PID
// namespace SIGKILL always reaches it; the kernel then kills every process
// of the namespace) and waits until it is gone.
func killAndWait(st container.State) error {
	if err := signalContainer(st, unix.SIGKILL); err != nil {
		return err
	}
	if !waitGone(st, 10*time.Second) {
		return fmt.Errorf("container process %d did not die after SIGKILL", st.Pid)
	}
	return nil
}

// signalContainer sends sig to the container's PID 1, if that PID still
// is the process st recorded (PIDs are reused; start times are not).
func signalContainer(st container.State, sig unix.Signal) error {
	if !container.Alive(st.Pid, st.PidStart) {
		return nil // it is gone already: nothing to signal
	}
	if err := unix.Kill(st.Pid, sig); err != nil && !errors.Is(err, unix.ESRCH) {
		return fmt.Errorf("kill -%d %d: %w", int(sig), st.Pid, err)
	}
	return nil
}

// waitGone waits up to timeout (a negative one: for ever) for the
// container's PID 1 to exit. It is not our child, so we cannot wait(2) for
// it: we watch /proc, where a zombie (exited, not yet reaped by its parent)
// already counts as gone.
func waitGone(st container.State, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for container.Alive(st.Pid, st.PidStart) {
		if timeout >= 0 && time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// StopCmd is `minictr stop`.
type StopCmd struct {
	Time       int      `short:"t" default:"10" help:"Seconds to wait after SIGTERM before SIGKILL (--time=-1: wait for ever)."`
	Containers []string `arg:"" name:"container" help:"Container names or IDs (a unique prefix will do)."`
}

func (c *StopCmd) Run(g *Globals) error {
	timeout := time.Duration(c.Time) * time.Second
	return eachContainer(c.Containers, func(arg string) error { return stopContainer(g.Root, arg, timeout) })
}

// stopContainer is docker's stop: SIGTERM to the container's PID 1, then,
// if it is still there after timeout, SIGKILL. The signals come from the
// host, an ancestor PID namespace, so the kernel delivers SIGTERM to the
// container's init only if that init installed a handler for it
// (pid_namespaces(7)); a shell or `sleep` as PID 1 has none, ignores it,
// and is killed at the timeout (exit 137). It returns once the exit is
// recorded, so `ps -a` right after shows the exit code. A container that
// is not running is not an error, as in docker.
func stopContainer(root, arg string, timeout time.Duration) error {
	ctr, st, err := findState(root, arg)
	if err != nil || st.Status != container.Running {
		return err
	}
	rec := recorderOf(st.Pid)
	if err := signalContainer(st, unix.SIGTERM); err != nil {
		return err
	}
	if !waitGone(st, timeout) {
		if err := killAndWait(st); err != nil {
			return err
		}
	}
	rec.waitRecorded(ctr)
	return nil
}

// KillCmd is `minictr kill`.
type KillCmd struct {
	Signal     string   `short:"s" default:"KILL" help:"Signal to send: a name (TERM, SIGHUP) or a number."`
	Containers []string `arg:"" name:"container" help:"Container names or IDs (a unique prefix will do)."`
}

func (c *KillCmd) Run(g *Globals) error {
	sig, err := parseSignal(c.Signal)
	if err != nil {
		return err
	}
	return eachContainer(c.Containers, func(arg string) error { return killContainer(g.Root, arg, sig) })
}

// killContainer sends sig to the container's PID 1, and nothing else: a
// PID 1 without a handler for it ignores it (SIGKILL and SIGSTOP excepted).
// With SIGKILL it waits for the end and its record, as docker does.
func killContainer(root, arg string, sig unix.Signal) error {
	ctr, st, err := findState(root, arg)
	if err != nil {
		return err
	}
	if st.Status != container.Running {
		return fmt.Errorf("container %s is not running", arg)
	}
	rec := recorderOf(st.Pid)
	if sig != unix.SIGKILL {
		return signalContainer(st, sig)
	}
	if err := killAndWait(st); err != nil {
		return err
	}
	rec.waitRecorded(ctr)
	return nil
}

// parseSignal reads docker's signal syntax: KILL, SIGKILL, kill or 9.
func parseSignal(s string) (unix.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 || n > 64 {
			return 0, fmt.Errorf("invalid signal %q: numbers go from 1 to 64", s)
		}
		return unix.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if sig := unix.SignalNum(name); sig != 0 {
		return sig, nil
	}
	return 0, fmt.Errorf("invalid signal %q: use a name (TERM, HUP, KILL) or a number", s)
}

func findState(root, arg string) (*container.Container, container.State, error) {
	ctr, err := container.Find(root, arg)
	if err != nil {
		return nil, container.State{}, err
	}
	st, err := ctr.State()
	return ctr, st, err
}

// recorder is the minictr process that waits for a container's PID 1 and
// writes its exit to state.json: the foreground `run`, or the monitor of
// `run -d`. It is PID 1's parent on the host.
type recorder struct {
	pid   int
	start uint64
}

// recorderOf finds pid's parent if it runs this same minictr binary; nil
// if it does not (its minictr was killed: the orphan was adopted by the
// host's init, which records nothing).
func recorderOf(pid int) *recorder {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil
	}
	s := string(b) // pid (comm) state ppid ...: comm may hold spaces
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 2 {
		return nil
	}
	ppid, _ := strconv.Atoi(f[1])
	exe, err1 := os.Stat("/proc/" + f[1] + "/exe")
	self, err2 := os.Stat("/proc/self/exe")
	start, err3 := container.StartTime(ppid)
	if err1 != nil || err2 != nil || err3 != nil || !os.SameFile(exe, self) {
		return nil
	}
	return &recorder{ppid, start}
}

// waitRecorded waits (5 s at most) while the recorder lives and the state
// still says running: it is about to write the exit code.
func (r *recorder) waitRecorded(ctr *container.Container) {
	for i := 0; r != nil && i < 500 && container.Alive(r.pid, r.start); i++ {
		if st, err := ctr.State(); err != nil || !st.Lost {
			return // recorded, or removed by run --rm
		}
		time.Sleep(10 * time.Millisecond)
	}
}
