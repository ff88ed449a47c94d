package container

import (
	"fmt"
	"os"
	"time"

	"github.com/minictr/minictr/cgroups"
)

// A container's life, the same whether `run` lives it in the foreground,
// the monitor of `run -d` in the background, or `start` again later:
//
//	Create (container.go)   a directory: config.json, upper/, work/, rootfs/
//	Run or StartDetached    a cgroup with the limits, init re-executed in new
//	                        namespaces, the command exec'd, waited for, its
//	                        end recorded in state.json, the cgroup removed
//	Exec (exec_linux.go)    one more process in its namespaces and cgroup
//	Stop, Kill, Delete      signals from the host; the directory removed
//
// What the container IS (image layers, command, limits, volumes, terminal)
// is its Config, written once by `run` from the command line. What one life
// adds is only Options: plain values, never a parsed flag struct.

// Options is how one life of a container is lived.
type Options struct {
	Root        string // the store, an absolute path: init and the monitor resolve paths from elsewhere
	Debug       bool   // print every stage and syscall (--debug)
	Interactive bool   // connect this process's stdin (run -i, start -i)
	Started     func() // called once the command runs (start: release the container's lock)
	Attached    bool   // run -it: a terminal attaches to the monitor before the command starts
}

// Run lives one life of ctr in the foreground: its output goes to this
// terminal and to its log, its input comes from here with Interactive, and
// Run returns when it ends, with docker's exit code for it: the command's
// own, 126/127 when it cannot be run, 128+N when signal N killed it.
// Errors are minictr's own failures (125).
func Run(ctr *Container, o Options) (int, error) {
	log, err := ctr.OpenLog()
	if err != nil {
		return 0, err
	}
	defer log.Close()
	pio, err := foregroundIO(ctr.Tty, log)
	if err != nil {
		return 0, err
	}
	pio.started, pio.interactive = o.Started, o.Interactive
	return live(ctr, o, pio)
}

// live is one life of a created container, wherever its stdio goes: a
// cgroup with the limits, the process started and waited for, its end
// recorded in state.json, the cgroup removed, and with --rm the whole
// container.
func live(ctr *Container, o Options, pio procIO) (int, error) {
	if ctr.AutoClean {
		defer RemoveWithVolumes(o.Root, ctr)
	}
	Stage(o.Debug, 5, "cgroup", "create minictr/%s", ctr.ID)
	cg, err := cgroups.New(ctr.ID, ctr.Limits)
	if err != nil {
		return 0, err
	}
	if err := setDeviceRules(ctr, cg, o.Debug); err != nil {
		cg.Delete()
		return 0, err
	}
	code, err := startProcess(ctr, o, cg, pio)
	if err != nil {
		cg.Delete()
		releaseNetwork(ctr)
		return 0, err
	}
	oom := reportOOM(cg, code, ctr.Limits.MemoryBytes, pio)
	Stage(o.Debug, 6, "process", "exited with %d; removing cgroup%s", code, map[bool]string{true: " and container", false: ""}[ctr.AutoClean])
	// The cgroup goes before the exit is recorded: whoever waits for
	// "exited" (stop, restart, start) finds nothing of this run left --
	// and never after it, or it would remove the cgroup of the next run,
	// which has the same name (a `start` right after the exit). The
	// bridge's address and rules go at the same moment, for the same reason.
	cg.Delete()
	releaseNetwork(ctr)
	if st, err := ctr.State(); err == nil && !ctr.AutoClean {
		st.Status, st.ExitCode, st.OOMKilled, st.FinishedAt = Exited, code, oom, time.Now().UTC()
		st.Lost = false
		ctr.SaveState(st)
	}
	return code, nil
}

// releaseNetwork gives back a bridged container's address and rules.
func releaseNetwork(ctr *Container) {
	if IsBridge(ctr.Net) {
		if err := ReleaseNetwork(ctr.ID); err != nil {
			fmt.Fprintln(os.Stderr, "minictr: "+err.Error())
		}
	}
}

// reportOOM says whether the kernel's OOM killer struck in the cgroup. It
// picks the biggest process of the group: if that was PID 1 the container
// is over (137, as docker); if it was another one, PID 1 carried on and
// its exit code stands, as in docker.
func reportOOM(cg cgroups.Cgroup, code int, limit int64, pio procIO) bool {
	oom, _ := cg.OOMKilled()
	flag := "(limit --memory " + cgroups.FormatMemory(limit) + ")"
	switch {
	case oom && code == 137:
		fmt.Fprintln(pio.msgs, "minictr: container killed: out of memory "+flag)
	case oom:
		fmt.Fprintln(pio.msgs, "minictr: a process in the container was killed: out of memory "+flag)
	}
	return oom
}

// RemoveWithVolumes is --rm: the container goes, and its anonymous volumes
// with it (docker does the same; named volumes stay).
func RemoveWithVolumes(root string, ctr *Container) {
	if err := ctr.Remove(); err != nil {
		fmt.Fprintln(os.Stderr, "minictr: "+err.Error())
		return
	}
	if err := RemoveAnonymousVolumes(root, ctr.Volumes); err != nil {
		fmt.Fprintln(os.Stderr, "minictr: "+err.Error())
	}
}
