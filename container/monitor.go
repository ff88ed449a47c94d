package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/minictr/minictr/container"
)

// A detached container (`run -d`, `start`) needs a parent that waits for
// it: only the parent of a process learns its exit status (wait(2)), and
// someone must read its stdout and stderr, or the container blocks once
// the pipe is full. minictr has no daemon. Instead each detached container
// gets its own small monitor: minictr re-executed as `minictr monitor ID`,
// in a new session (setsid(2)), so it has no controlling terminal and no
// SIGHUP reaches it when the terminal that ran `run -d` closes. The
// monitor lives the container's life exactly as a foreground `run` does
// (RunCmd.lifecycle), with the container's stdio going to its log.
//
//	minictr run -d ──fork/exec, setsid──> minictr monitor ID ──clone──> init ──exec──> CMD
//	      │  <──── report pipe (fd 3): started, or why not ────┘          stdout/stderr
//	      └─ prints the ID, exits                                  pipes ─> log.json

// MonitorCmd is the hidden `minictr monitor ID`, started by `run -d` and
// `start`, never by hand.
type MonitorCmd struct {
	ID string `arg:"" help:"Full ID of a created container."`
}

// monitorReport is what the monitor tells the command that started it,
// once: the container runs, or why it does not (with docker's exit code:
// 125, or 126/127 when the command cannot be run).
type monitorReport struct {
	Started bool   `json:"started"`
	Error   string `json:"error,omitempty"`
	Code    int    `json:"code,omitempty"`
}

// reportFD is the write end of the report pipe in the monitor.
const reportFD = 3

func (m *MonitorCmd) Run(g *Globals) error {
	// Inherited fds are not close-on-exec: set it, or the container's
	// init would inherit the report pipe and `run -d` would wait for EOF
	// until the container ends.
	syscall.CloseOnExec(reportFD)
	report := os.NewFile(reportFD, "report")
	ctr, err := container.Load(g.Root, m.ID)
	if err != nil {
		return sendReport(report, monitorReport{Error: err.Error(), Code: 125})
	}
	c, limits, binds, err := fromConfig(ctr.Config)
	if err != nil {
		return sendReport(report, monitorReport{Error: err.Error(), Code: 125})
	}
	log, err := ctr.OpenLog()
	if err != nil {
		return sendReport(report, monitorReport{Error: err.Error(), Code: 125})
	}
	defer log.Close()
	// minictr's own messages ("exec: x: not found") go to monitor.log, to
	// the report, and to the log, where `minictr logs` shows them.
	attach, err := listenAttach(ctr.Dir)
	if err != nil {
		return sendReport(report, monitorReport{Error: err.Error(), Code: 125})
	}
	// Closed last: attach clients hang up after the exit is recorded.
	defer attach.Close()
	var msgs strings.Builder
	if c.io, err = detachedIO(ctr.Config, log, io.MultiWriter(os.Stderr, &msgs, logStream{log, "stderr"}), attach); err != nil {
		return sendReport(report, monitorReport{Error: err.Error(), Code: 125})
	}
	if c.io.stdinKeep != nil {
		defer c.io.stdinKeep.Close()
	}
	started := false
	c.io.monitor = os.Getpid()
	c.io.started = func() {
		started = true
		sendReport(report, monitorReport{Started: true})
	}
	code, err := c.lifecycle(g, ctr, limits, binds)
	if started {
		return err // goes to monitor.log
	}
	msg := strings.TrimPrefix(strings.TrimSpace(msgs.String()), "minictr: ")
	if err != nil {
		msg, code = err.Error(), 125
	}
	return sendReport(report, monitorReport{Error: msg, Code: code})
}

func sendReport(w *os.File, r monitorReport) error {
	defer w.Close()
	b, _ := json.Marshal(r)
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("report to minictr run: %w", err)
	}
	return nil
}

// detach is `run -d`: it starts the monitor of ctr, prints the full ID
// once the container runs, and returns; the monitor lives on alone. If
// the command could not be started, it exits as a foreground run would
// (127 for a command not found).
func detach(ctr *container.Container, g *Globals) error {
	err := startDetached(ctr, g)
	var ne *notStarted
	if errors.As(err, &ne) {
		fmt.Fprintln(os.Stderr, "minictr: "+ne.msg)
		return exitCode(ne.code)
	}
	if err != nil {
		return err
	}
	fmt.Println(ctr.ID)
	return nil
}

// notStarted is the monitor's report that the container did not start,
// with docker's exit code for it.
type notStarted struct {
	msg  string
	code int
}

func (e *notStarted) Error() string { return e.msg }

// startDetached starts the monitor of ctr and waits only for its report:
// nil once the container's command runs.
func startDetached(ctr *container.Container, g *Globals) error {
	rep, err := startMonitor(g, ctr)
	if err != nil {
		if ctr.AutoClean {
			removeContainer(g.Root, ctr)
		}
		return err
	}
	if !rep.Started {
		return &notStarted{rep.Error, max(rep.Code, 1)}
	}
	return nil
}

// startMonitor runs `minictr monitor ID` detached: setsid, stdin
// /dev/null, its own messages to monitor.log in the container's directory,
// and the write end of the report pipe as its fd 3.
func startMonitor(g *Globals, ctr *container.Container) (monitorReport, error) {
	var rep monitorReport
	out, err := os.OpenFile(filepath.Join(ctr.Dir, "monitor.log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return rep, fmt.Errorf("start monitor: %w", err)
	}
	defer out.Close()
	r, w, err := os.Pipe()
	if err != nil {
		return rep, fmt.Errorf("start monitor: %w", err)
	}
	defer r.Close()
	args := []string{"--root", g.Root, "monitor", ctr.ID}
	if g.Debug {
		args = append([]string{"--debug"}, args...)
	}
	cmd := exec.Command("/proc/self/exe", args...)
	cmd.Args[0] = "minictr" // what ps shows; the kernel runs /proc/self/exe
	cmd.Stdout, cmd.Stderr, cmd.ExtraFiles = out, out, []*os.File{w}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	// As any long-lived background process, it keeps no directory of the
	// caller busy (an umount(2) of it would fail with EBUSY).
	cmd.Dir = "/"
	err = cmd.Start()
	w.Close() // EOF on r once the monitor has closed its copy too
	if err != nil {
		return rep, fmt.Errorf("start monitor: %w", err)
	}
	b, err := io.ReadAll(r)
	if err != nil || len(b) == 0 {
		state := cmd.Wait() // it died before it could say anything
		return rep, fmt.Errorf("the container's monitor ended before the container started (%v): see %s", errors.Join(err, state), out.Name())
	}
	cmd.Process.Release()
	if err := json.Unmarshal(b, &rep); err != nil {
		return rep, fmt.Errorf("report of the container's monitor %q: %w", b, err)
	}
	return rep, nil
}
