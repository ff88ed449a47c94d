package container

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"github.com/minictr/minictr/layers"
	"github.com/minictr/minictr/ns"
)

// Status is where a container is in its life.
type Status string

const (
	Created Status = "created" // its directory exists; its process has not started
	Running Status = "running" // its process runs (checked against the kernel, see Load)
	Exited  Status = "exited"  // its process ended; ExitCode says how
)

// State is what happened to a container, kept in state.json beside its
// config. It is rewritten whole (temp file + rename) at each change, so a
// reader never sees half of one.
type State struct {
	Status     Status            `json:"status"`
	Pid        int               `json:"pid,omitempty"`      // host PID of the container's PID 1
	PidStart   uint64            `json:"pidStart,omitempty"` // its start time, to tell a reused PID apart
	ExitCode   int               `json:"exitCode"`
	OOMKilled  bool              `json:"oomKilled,omitempty"`
	Lost       bool              `json:"lost,omitempty"` // it died without minictr seeing how (kill -9, reboot)
	StartedAt  time.Time         `json:"startedAt,omitzero"`
	FinishedAt time.Time         `json:"finishedAt,omitzero"`
	Cgroup     map[string]string `json:"cgroup,omitempty"`     // controller -> directory (cgroups.Cgroup.Paths)
	Monitor    int               `json:"monitorPid,omitempty"` // host PID of the monitor of a detached container
}

func (c *Container) statePath() string { return filepath.Join(c.Dir, "state.json") }

// SaveState records st.
func (c *Container) SaveState(st State) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	tmp := c.statePath() + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("save state of %s: %w", c.ShortID(), err)
	}
	if err := os.Rename(tmp, c.statePath()); err != nil {
		return fmt.Errorf("save state of %s: %w", c.ShortID(), err)
	}
	return nil
}

// State reads the container's state and checks it against the kernel: a
// container recorded as running whose process is gone (or whose PID now
// belongs to another process) died without anyone recording it, and is
// reported as exited and Lost.
func (c *Container) State() (State, error) {
	st := State{Status: Created}
	b, err := os.ReadFile(c.statePath())
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("read state of %s: %w", c.ShortID(), err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, fmt.Errorf("read state of %s: %w", c.ShortID(), err)
	}
	if st.Status == Running && !Alive(st.Pid, st.PidStart) {
		st.Status, st.Lost, st.ExitCode = Exited, true, -1
	}
	return st, nil
}

// Alive reports whether process pid exists, is the one that started at
// start (field 22 of /proc/PID/stat, in clock ticks since boot: PIDs are
// reused, start times are not), and is not a zombie (state Z: it has
// exited and only waits for its parent to collect its exit status).
func Alive(pid int, start uint64) bool {
	if pid <= 0 {
		return false
	}
	st, err := ns.ReadProcStat(pid)
	return err == nil && st.Start == start && st.State != "Z"
}

// StartTime reads when process pid started, from /proc/PID/stat (proc(5)).
func StartTime(pid int) (uint64, error) {
	st, err := ns.ReadProcStat(pid)
	return st.Start, err
}

// Lock serializes the commands that start ctr (`start`, `restart`): two of
// them at once would both find it stopped and both run it, on one writable
// layer. It is flock(2) on the container's directory itself (an open
// directory can be locked like a file), held from "is it running?" until
// state.json says running; unlock releases it. The kernel drops it when the
// process dies, so a crash never leaves it held.
func (c *Container) Lock() (unlock func(), err error) {
	l, err := layers.LockFile(c.Dir, unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return nil, fmt.Errorf("lock container %s: %w", c.ShortID(), err)
	}
	return func() { l.Unlock() }, nil
}
