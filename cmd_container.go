package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/minictr/minictr/cgroups"
	"github.com/minictr/minictr/container"
	"golang.org/x/sys/unix"
)

// PsCmd is `minictr ps`.
type PsCmd struct {
	All   bool `short:"a" help:"Show all containers (default: only running ones)."`
	Quiet bool `short:"q" help:"Print only container IDs."`
	JSON  bool `name:"json" help:"Print a JSON array."`
}

// psRow is one container as `ps` shows it.
type psRow struct {
	ID      string          `json:"id"`
	Name    string          `json:"name,omitempty"`
	Image   string          `json:"image"`
	Command string          `json:"command"`
	Created time.Time       `json:"created"`
	State   container.State `json:"state"`
}

func (c *PsCmd) Run(g *Globals) error {
	all, err := container.List(g.Root)
	if err != nil {
		return err
	}
	rows := []psRow{}
	for _, ctr := range all {
		st, err := ctr.State()
		if err != nil {
			return err
		}
		if c.All || st.Status == container.Running {
			rows = append(rows, psRow{ctr.ID, ctr.Name, ctr.Image, strings.Join(ctr.Args, " "), ctr.Created, st})
		}
	}
	switch {
	case c.JSON:
		return printJSON(rows)
	case c.Quiet:
		for _, r := range rows {
			fmt.Println(short(r.ID))
		}
		return nil
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 8, 3, ' ', 0)
	fmt.Fprintln(w, "CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tNAMES")
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t%s\t%q\t%s\t%s\t%s\n", short(r.ID), r.Image, ellipsis(r.Command, 20), ago(r.Created), status(r.State), r.Name)
	}
	return w.Flush()
}

// status is docker's STATUS column.
func status(st container.State) string {
	switch {
	case st.Status == container.Running:
		return "Up " + humanDuration(time.Since(st.StartedAt))
	case st.Lost:
		return "Exited (unknown): its process died unrecorded"
	case st.Status == container.Exited:
		return fmt.Sprintf("Exited (%d) %s ago", st.ExitCode, humanDuration(time.Since(st.FinishedAt)))
	}
	return "Created"
}

func ellipsis(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// RmCmd is `minictr rm`.
type RmCmd struct {
	Force      bool     `short:"f" help:"Kill a running container first."`
	Containers []string `arg:"" name:"container" help:"Container names or IDs (a unique prefix will do)."`
}

func (c *RmCmd) Run(g *Globals) error {
	return eachContainer(c.Containers, func(arg string) error { return removeByName(g.Root, arg, c.Force) })
}

// eachContainer runs fn on every argument as docker does: the argument is
// printed when fn succeeds, the error when it fails, and the others are
// still tried; any failure makes the exit status 1.
func eachContainer(args []string, fn func(arg string) error) error {
	var failed error
	for _, arg := range args {
		if err := fn(arg); err != nil {
			fmt.Fprintln(os.Stderr, "minictr: "+err.Error())
			failed = exitCode(1)
			continue
		}
		fmt.Println(arg)
	}
	return failed
}

// removeByName removes one container: its process (with force), its cgroup
// and its directory with the writable layer. Nothing of it is mounted on the
// host: its overlay lived in its own mount namespace.
func removeByName(root, arg string, force bool) error {
	ctr, err := container.Find(root, arg)
	if err != nil {
		return err
	}
	st, err := ctr.State()
	if err != nil {
		return err
	}
	if st.Status == container.Running {
		if !force {
			return fmt.Errorf("container %s is running: stop it first, or use rm -f", arg)
		}
		if err := killAndWait(st); err != nil {
			return err
		}
	}
	if len(st.Cgroup) > 0 { // left behind if the minictr that ran it was killed
		version := 1
		if _, ok := st.Cgroup[""]; ok {
			version = 2
		}
		if cg, err := cgroups.Load(st.Cgroup, version); err == nil {
			if err := cg.Delete(); err != nil {
				return err
			}
		}
	}
	return ctr.Remove()
}

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

// waitGone waits up to timeout for the container's PID 1 to exit. It is
// not our child, so we cannot wait(2) for it: we watch /proc, where a
// zombie (exited, not yet reaped by its parent) already counts as gone.
func waitGone(st container.State, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for container.Alive(st.Pid, st.PidStart) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// StopCmd is `minictr stop`.
type StopCmd struct {
	Time       int      `short:"t" default:"10" help:"Seconds to wait after SIGTERM before SIGKILL."`
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

// inspectContainer is `inspect`'s JSON for a container: docker's field names
// where docker has the same fact, and where its files are on disk.
type inspectContainer struct {
	ID          string            `json:"Id"`
	Name        string            `json:"Name"`
	Created     time.Time         `json:"Created"`
	Path        string            `json:"Path"`
	Args        []string          `json:"Args"`
	State       container.State   `json:"State"`
	Image       string            `json:"Image"`
	ImageName   string            `json:"ImageName"`
	Config      container.Config  `json:"Config"`
	GraphDriver graphDriver       `json:"GraphDriver"`
	Cgroup      map[string]string `json:"Cgroup,omitempty"`
	Dir         string            `json:"Dir"`
}

// graphDriver says where the container's root filesystem comes from: the
// image layers (LowerDir, top first, as overlayfs takes them) and its own
// writable layer.
type graphDriver struct {
	Name string            `json:"Name"`
	Data map[string]string `json:"Data"`
}

func newInspectContainer(ctr *container.Container) (inspectContainer, error) {
	st, err := ctr.State()
	if err != nil {
		return inspectContainer{}, err
	}
	lower := make([]string, len(ctr.Layers))
	for i, l := range ctr.Layers {
		lower[len(lower)-1-i] = l
	}
	v := inspectContainer{ID: ctr.ID, Name: ctr.Name, Created: ctr.Created, State: st,
		Image: ctr.ImageID, ImageName: ctr.Image, Config: ctr.Config, Cgroup: st.Cgroup, Dir: ctr.Dir,
		GraphDriver: graphDriver{Name: "overlay", Data: map[string]string{
			"LowerDir": strings.Join(lower, ":"), "UpperDir": ctr.Upper(),
			"WorkDir": ctr.Work(), "MergedDir": ctr.Rootfs() + " (inside the container's mount namespace only)",
		}}}
	if len(ctr.Args) > 0 {
		v.Path, v.Args = ctr.Args[0], ctr.Args[1:]
	}
	return v, nil
}
