package container

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/minictr/minictr/cgroups"
	"github.com/minictr/minictr/ns"
	"golang.org/x/sys/unix"
)

// Stop is docker's stop: SIGTERM to the container's PID 1, then, if it is
// still there after timeout (negative: wait for ever), SIGKILL. The signals
// come from the host, an ancestor PID namespace, so the kernel delivers
// SIGTERM to the container's init only if that init installed a handler for
// it (pid_namespaces(7)); a shell or `sleep` as PID 1 has none, ignores it,
// and is killed at the timeout (exit 137). It returns once the exit is
// recorded, so `ps -a` right after shows the exit code. A container that
// is not running is not an error, as in docker.
func (c *Container) Stop(timeout time.Duration) error {
	st, err := c.State()
	if err != nil || st.Status != Running {
		return err
	}
	rec := RecorderOf(st.Pid)
	if err := signalPID1(st, unix.SIGTERM); err != nil {
		return err
	}
	if !waitGone(st, timeout) {
		if err := killAndWait(st); err != nil {
			return err
		}
	}
	rec.WaitRecorded(c)
	return nil
}

// Kill sends sig to the container's PID 1, and nothing else: a PID 1
// without a handler for it ignores it (SIGKILL and SIGSTOP excepted). With
// SIGKILL it waits for the end and its record, as docker does. name is the
// container as the user named it, for the message.
func (c *Container) Kill(name string, sig unix.Signal) error {
	st, err := c.State()
	if err != nil {
		return err
	}
	if st.Status != Running {
		return fmt.Errorf("container %s is not running", name)
	}
	rec := RecorderOf(st.Pid)
	if sig != unix.SIGKILL {
		return signalPID1(st, sig)
	}
	if err := killAndWait(st); err != nil {
		return err
	}
	rec.WaitRecorded(c)
	return nil
}

// Delete removes the container: its process (with force; without, a
// running container is refused), its cgroup and its directory with the
// writable layer. Nothing of it is mounted on the host: its overlay lived
// in its own mount namespace. name is the container as the user named it.
func (c *Container) Delete(name string, force bool) error {
	st, err := c.State()
	if err != nil {
		return err
	}
	if st.Status == Running {
		if !force {
			return fmt.Errorf("container %s is running: stop it first, or use rm -f", name)
		}
		if err := killAndWait(st); err != nil {
			return err
		}
	}
	if err := deleteCgroup(st); err != nil {
		return err
	}
	if IsBridge(c.Net) { // left behind if the minictr that ran it was killed
		if err := DetachNetwork(c.ID); err != nil {
			return err
		}
	}
	return c.Remove()
}

// ClearLastRun checks that the container is not running, and removes the
// cgroup and network endpoint of its last run if that run's minictr died
// before it could (a Lost container): the new run makes a cgroup of the
// same name, and takes an address again.
func (c *Container) ClearLastRun() error {
	st, err := c.State()
	if err != nil {
		return err
	}
	if st.Status == Running {
		return fmt.Errorf("container %s is already running: 'minictr logs -f %s' follows its output", c.ShortID(), c.ShortID())
	}
	if err := deleteCgroup(st); err != nil {
		return err
	}
	if IsBridge(c.Net) { // an address its last run died holding
		if err := DetachNetwork(c.ID); err != nil {
			return err
		}
	}
	// Created again until the new run records it running: the network
	// store must not take back the address this start is about to get.
	return c.SaveState(State{Status: Created})
}

// deleteCgroup removes the cgroup st recorded, if it is still there (left
// behind when the minictr that ran the container was killed).
func deleteCgroup(st State) error {
	if len(st.Cgroup) == 0 {
		return nil
	}
	cg, err := cgroups.Load(st.Cgroup)
	if err != nil {
		return nil // nothing left to remove
	}
	return cg.Delete()
}

// killAndWait sends SIGKILL to the container's PID 1 (from outside its PID
// namespace SIGKILL always reaches it; the kernel then kills every process
// of the namespace) and waits until it is gone.
func killAndWait(st State) error {
	if err := signalPID1(st, unix.SIGKILL); err != nil {
		return err
	}
	if !waitGone(st, 10*time.Second) {
		return fmt.Errorf("container process %d did not die after SIGKILL", st.Pid)
	}
	return nil
}

// signalPID1 sends sig to the container's PID 1, if that PID still is the
// process st recorded (PIDs are reused; start times are not).
func signalPID1(st State, sig unix.Signal) error {
	if !Alive(st.Pid, st.PidStart) {
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
func waitGone(st State, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for Alive(st.Pid, st.PidStart) {
		if timeout >= 0 && time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// Recorder is the minictr process that waits for a container's PID 1 and
// writes its exit to state.json: the foreground `run`, or the monitor of
// `run -d`. It is PID 1's parent on the host.
type Recorder struct {
	pid   int
	start uint64
}

// RecorderOf finds pid's parent if it runs this same minictr binary; nil
// if it does not (its minictr was killed: the orphan was adopted by the
// host's init, which records nothing). Call it before the signal: once
// pid is gone, so is the record of its parent.
func RecorderOf(pid int) *Recorder {
	st, err := ns.ReadProcStat(pid)
	if err != nil {
		return nil
	}
	parent, err1 := ns.ReadProcStat(st.PPid)
	exe, err2 := os.Stat("/proc/" + strconv.Itoa(st.PPid) + "/exe")
	self, err3 := os.Stat("/proc/self/exe")
	if err1 != nil || err2 != nil || err3 != nil || !os.SameFile(exe, self) {
		return nil
	}
	return &Recorder{st.PPid, parent.Start}
}

// WaitRecorded waits (5 s at most) while the recorder lives and the state
// still says running: it is about to write the exit code.
func (r *Recorder) WaitRecorded(ctr *Container) {
	for i := 0; r != nil && i < 500 && Alive(r.pid, r.start); i++ {
		if st, err := ctr.State(); err != nil || !st.Lost {
			return // recorded, or removed by run --rm
		}
		time.Sleep(10 * time.Millisecond)
	}
}
