package container

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// RunAttached is `run -it` at a terminal, lived docker's way: the container
// has a monitor of its own, as with `run -d`, and this terminal attaches to
// it before the command starts (the monitor waits for it), so nothing the
// command prints is missed. Typing keys (docker's Ctrl-P Ctrl-Q) detaches:
// ErrDetached, and the container runs on, as docker's does; `minictr
// attach` joins it again. Otherwise RunAttached returns the container's
// exit code, which the monitor reports at the end (--rm may already have
// removed the container by then), or a *NotStarted.
func RunAttached(ctr *Container, o Options, keys []byte) (int, error) {
	o.Attached = true
	m, err := launchMonitor(ctr, o)
	if err != nil {
		if ctr.AutoClean {
			RemoveWithVolumes(o.Root, ctr)
		}
		return 0, err
	}
	defer m.report.Close()
	reports := readReports(m.report)
	conn, err := dialMonitor(ctr.Dir, reports, m.log)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	m.cmd.Process.Release()
	if attachConn(conn, true, keys, false) {
		return 0, ErrDetached
	}
	return exitReport(reports, m.log)
}

// readReports decodes the monitor's reports, one JSON line each, until it
// closes the pipe.
func readReports(r *os.File) <-chan monitorReport {
	ch := make(chan monitorReport, 2)
	go func() {
		defer close(ch)
		dec := json.NewDecoder(r)
		for {
			var rep monitorReport
			if dec.Decode(&rep) != nil {
				return
			}
			ch <- rep
		}
	}()
	return ch
}

// dialMonitor connects to the monitor's attach socket as soon as it is
// there. A report before that is a failure (a bad volume, say).
func dialMonitor(dir string, reports <-chan monitorReport, log string) (*net.UnixConn, error) {
	for deadline := time.Now().Add(attachWait); time.Now().Before(deadline); {
		select {
		case rep, ok := <-reports:
			if !ok {
				return nil, fmt.Errorf("the container's monitor ended before the container started: see %s", log)
			}
			return nil, &NotStarted{rep.Error, max(rep.Code, 1)}
		default:
		}
		conn, err := dialAttach(dir)
		if err == nil {
			return conn, nil
		}
		if !errors.Is(err, unix.ENOENT) && !errors.Is(err, unix.ECONNREFUSED) {
			return nil, fmt.Errorf("attach to the container's monitor: %w", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return nil, fmt.Errorf("the container's monitor did not open its attach socket within %v: see %s", attachWait, log)
}

// exitReport waits for the monitor's last report: the exit code (and its
// messages, such as an OOM kill), or why the command did not start.
func exitReport(reports <-chan monitorReport, log string) (int, error) {
	for rep := range reports {
		switch {
		case rep.Exited:
			fmt.Fprint(os.Stderr, rep.Error)
			return rep.Code, nil
		case !rep.Started:
			return 0, &NotStarted{rep.Error, max(rep.Code, 1)}
		}
	}
	return 0, fmt.Errorf("the container's monitor ended without its exit code: see %s", log)
}
