package container

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
	"time"
)

// A detached container (`run -d`, `start`) needs a parent that waits for
// it: only the parent of a process learns its exit status (wait(2)), and
// someone must read its stdout and stderr, or the container blocks once
// the pipe is full. minictr has no daemon. Instead each detached container
// gets its own small monitor: minictr re-executed as `minictr monitor ID`,
// in a new session (setsid(2)), so it has no controlling terminal and no
// SIGHUP reaches it when the terminal that ran `run -d` closes. The
// monitor lives the container's life exactly as a foreground `run` does
// (live), with the container's stdio going to its log.
//
//	minictr run -d ──fork/exec, setsid──> minictr monitor ID ──clone──> init ──exec──> CMD
//	      │  <──── report pipe (fd 3): started, or why not ────┘          stdout/stderr
//	      └─ prints the ID, exits                                  pipes ─> log.json

// monitorReport is what the monitor tells the command that started it,
// once: the container runs, or why it does not (with docker's exit code:
// 125, or 126/127 when the command cannot be run).
type monitorReport struct {
	Started bool   `json:"started"`
	Exited  bool   `json:"exited,omitempty"` // run -it: the second report, at the end
	Error   string `json:"error,omitempty"`
	Code    int    `json:"code,omitempty"`
}

// reportFD is the write end of the report pipe in the monitor.
const reportFD = 3

// MonitorArgs are the arguments of the hidden `minictr monitor`: what
// StartDetached passes, what main hands to Monitor.
func MonitorArgs(o Options, id string) []string {
	args := []string{"monitor", "--root", o.Root}
	if o.Debug {
		args = append(args, "--debug")
	}
	if o.Attached {
		args = append(args, "--attached")
	}
	return append(args, id)
}

// Monitor is the child's end: `minictr monitor --root ROOT [--debug]
// [--attached] ID`, started by StartDetached or RunAttached, never by hand.
// It lives the container's life and reports on fd 3 whether the command
// started; with --attached (run -it) it first waits for the terminal to
// attach, and reports the exit code at the end too.
func Monitor(o Options, id string) error {
	// Inherited fds are not close-on-exec: set it, or the container's
	// init would inherit the report pipe and `run -d` would wait for EOF
	// until the container ends.
	syscall.CloseOnExec(reportFD)
	report := os.NewFile(reportFD, "report")
	failed := func(err error) error { return sendReport(report, monitorReport{Error: err.Error(), Code: 125}) }
	ctr, err := Load(o.Root, id)
	if err != nil {
		return failed(err)
	}
	log, err := ctr.OpenLog()
	if err != nil {
		return failed(err)
	}
	defer log.Close()
	attach, err := listenAttach(ctr.Dir)
	if err != nil {
		return failed(err)
	}
	// Closed last: attach clients hang up after the exit is recorded.
	defer attach.Close()
	if o.Attached && !attach.waitClient(attachWait) {
		return failed(fmt.Errorf("no terminal attached to container %s within %v", ctr.ShortID(), attachWait))
	}
	return monitorLife(ctr, o, report, log, attach)
}

// monitorLife is the monitor's part of the container's life: the stdio to
// the log and the attach socket, live, and the reports.
func monitorLife(ctr *Container, o Options, report *os.File, log *LogWriter, attach *attachServer) error {
	failed := func(err error) error { return sendReport(report, monitorReport{Error: err.Error(), Code: 125}) }
	// minictr's own messages ("exec: x: not found") go to monitor.log, to
	// the report, and to the log, where `minictr logs` shows them.
	var msgs strings.Builder
	pio, err := detachedIO(ctr.Config, log, io.MultiWriter(os.Stderr, &msgs, logStream{log, "stderr"}), attach)
	if err != nil {
		return failed(err)
	}
	if pio.stdinKeep != nil {
		defer pio.stdinKeep.Close()
	}
	pio.size = attach.lastSize() // run -it: the attached terminal's
	started := false
	pio.monitor = os.Getpid()
	pio.started = func() {
		started = true
		if o.Attached {
			writeReport(report, monitorReport{Started: true})
			msgs.Reset() // from here on, what the exit report carries (an OOM kill)
			return
		}
		sendReport(report, monitorReport{Started: true})
	}
	code, err := live(ctr, o, pio)
	if started && o.Attached {
		// The terminal's minictr waits for this: run -it exits with it,
		// even when --rm has already removed the container.
		sendReport(report, monitorReport{Exited: true, Code: code, Error: msgs.String()})
	}
	if started {
		return err // goes to monitor.log
	}
	msg := strings.TrimPrefix(strings.TrimSpace(msgs.String()), "minictr: ")
	if err != nil {
		msg, code = err.Error(), 125
	}
	return sendReport(report, monitorReport{Error: msg, Code: code})
}

// sendReport writes the last report and closes the pipe.
func sendReport(w *os.File, r monitorReport) error {
	defer w.Close()
	return writeReport(w, r)
}

// writeReport writes one report, a line of JSON. A reader that went away
// (run -it after Ctrl-P Ctrl-Q) is no error of the container's: the write
// fails with EPIPE, and the container goes on.
func writeReport(w *os.File, r monitorReport) error {
	b, _ := json.Marshal(r)
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("report to minictr run: %w", err)
	}
	return nil
}

// attachWait is how long the monitor of `run -it` waits for its terminal.
const attachWait = 30 * time.Second

// NotStarted is the monitor's report that the container did not start,
// with docker's exit code for it: a detached `run -d busybox nothere`
// exits 127 as a foreground one does.
type NotStarted struct {
	Msg  string
	Code int
}

func (e *NotStarted) Error() string { return e.Msg }

// StartDetached lives ctr's life through a monitor of its own (run -d,
// start) and returns once the container's command runs: nil, a
// *NotStarted when the monitor reports that it could not start, or
// minictr's own failure.
func StartDetached(ctr *Container, o Options) error {
	rep, err := startMonitor(ctr, o)
	if err != nil {
		if ctr.AutoClean {
			RemoveWithVolumes(o.Root, ctr)
		}
		return err
	}
	if !rep.Started {
		return &NotStarted{rep.Error, max(rep.Code, 1)}
	}
	return nil
}

// startMonitor runs `minictr monitor` detached (launchMonitor) and waits
// for its one report.
func startMonitor(ctr *Container, o Options) (monitorReport, error) {
	var rep monitorReport
	m, err := launchMonitor(ctr, o)
	if err != nil {
		return rep, err
	}
	defer m.report.Close()
	b, err := io.ReadAll(m.report)
	if err != nil || len(b) == 0 {
		state := m.cmd.Wait() // it died before it could say anything
		return rep, fmt.Errorf("the container's monitor ended before the container started (%v): see %s", errors.Join(err, state), m.log)
	}
	m.cmd.Process.Release()
	if err := json.Unmarshal(b, &rep); err != nil {
		return rep, fmt.Errorf("report of the container's monitor %q: %w", b, err)
	}
	return rep, nil
}

// launched is a monitor just started: its process, the read end of its
// report pipe, and its own log.
type launched struct {
	cmd    *exec.Cmd
	report *os.File
	log    string
}

// launchMonitor runs `minictr monitor` detached: setsid, stdin /dev/null,
// its own messages to monitor.log in the container's directory, and the
// write end of the report pipe as its fd 3.
func launchMonitor(ctr *Container, o Options) (launched, error) {
	out, err := os.OpenFile(filepath.Join(ctr.Dir, "monitor.log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return launched{}, fmt.Errorf("start monitor: %w", err)
	}
	defer out.Close()
	r, w, err := os.Pipe()
	if err != nil {
		return launched{}, fmt.Errorf("start monitor: %w", err)
	}
	cmd := exec.Command("/proc/self/exe", MonitorArgs(o, ctr.ID)...)
	cmd.Args[0] = "minictr" // what ps shows; the kernel runs /proc/self/exe
	cmd.Stdout, cmd.Stderr, cmd.ExtraFiles = out, out, []*os.File{w}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	// As any long-lived background process, it keeps no directory of the
	// caller busy (an umount(2) of it would fail with EBUSY).
	cmd.Dir = "/"
	err = cmd.Start()
	w.Close() // EOF on r once the monitor has closed its copy too
	if err != nil {
		r.Close()
		return launched{}, fmt.Errorf("start monitor: %w", err)
	}
	return launched{cmd, r, out.Name()}, nil
}
