package main

import (
	"fmt"
	"os"
	"time"

	"github.com/minictr/minictr/cgroups"
	"github.com/minictr/minictr/container"
)

// DetachedCmds are the commands of detached containers, embedded in the
// CLI as one group: run -d's hidden monitor, logs, start.
type DetachedCmds struct {
	Logs    LogsCmd    `cmd:"" help:"Print a detached container's output."`
	Start   StartCmd   `cmd:"" help:"Start a stopped container again, with its writable layer as it was."`
	Restart RestartCmd `cmd:"" help:"Stop a container (SIGTERM, then SIGKILL after the timeout) and start it again."`
	Attach  AttachCmd  `cmd:"" help:"Connect this terminal to a detached container (Ctrl-P Ctrl-Q detaches)."`
	Monitor MonitorCmd `cmd:"" hidden:"" help:"Wait for a detached container and keep its log (run by 'minictr run -d', not by hand)."`
}

// StartCmd is `minictr start`: a container that exited runs again from its
// config.json, on its own writable layer, so every file it wrote is still
// there. Without -a it runs detached, through a monitor, as `run -d` does.
type StartCmd struct {
	Attach      bool     `short:"a" help:"Attach stdout and stderr and wait for the container, like a foreground run."`
	Interactive bool     `short:"i" help:"Attach stdin too (implies -a)."`
	Containers  []string `arg:"" name:"container" help:"Container names or IDs (a unique prefix will do)."`
}

func (c *StartCmd) Run(g *Globals) error {
	if err := absRoot(g); err != nil {
		return err
	}
	attach := c.Attach || c.Interactive
	if attach && len(c.Containers) > 1 {
		return fmt.Errorf("start -a/-i attaches to one container, not %d: start them without -a, then 'minictr logs'", len(c.Containers))
	}
	if !attach { // each through its own monitor, as run -d
		return eachContainer(c.Containers, func(arg string) error {
			ctr, err := container.Find(g.Root, arg)
			if err != nil {
				return err
			}
			unlock, err := ctr.Lock() // until the monitor reports it running
			if err != nil {
				return err
			}
			defer unlock()
			if st, err := ctr.State(); err != nil || st.Status == container.Running {
				return err // running already: nothing to do, as in docker
			}
			if err := clearLastRun(ctr); err != nil {
				return err
			}
			return startDetached(ctr, g)
		})
	}
	ctr, err := container.Find(g.Root, c.Containers[0])
	if err != nil {
		return err
	}
	unlock, err := ctr.Lock()
	if err != nil {
		return err
	}
	defer unlock()
	if err := clearLastRun(ctr); err != nil {
		return err
	}
	run, limits, binds, err := fromConfig(ctr.Config)
	if err != nil {
		return err
	}
	run.Interactive = c.Interactive
	run.io.started = unlock // state.json says running: another start now sees it
	code, err := run.lifecycle(g, ctr, limits, binds)
	if err != nil {
		return err
	}
	if code != 0 {
		return exitCode(code)
	}
	return nil
}

// RestartCmd is `minictr restart`: stop (a no-op for a container that is
// not running), then start detached, as docker does.
type RestartCmd struct {
	Time       int      `short:"t" default:"10" help:"Seconds to wait after SIGTERM before SIGKILL (--time=-1: wait for ever)."`
	Containers []string `arg:"" name:"container" help:"Container names or IDs (a unique prefix will do)."`
}

func (c *RestartCmd) Run(g *Globals) error {
	var failed error
	for _, arg := range c.Containers {
		err := stopContainer(g.Root, arg, time.Duration(c.Time)*time.Second)
		if err == nil {
			err = (&StartCmd{Containers: []string{arg}}).Run(g)
		}
		if err != nil {
			if _, ok := err.(exitCode); !ok {
				fmt.Fprintln(os.Stderr, "minictr: "+err.Error())
			}
			failed = exitCode(1)
		}
	}
	return failed
}

// clearLastRun checks that ctr is not running, and removes the cgroup of
// its last run if that run's minictr died before it could (a Lost
// container): the new run makes a cgroup of the same name.
func clearLastRun(ctr *container.Container) error {
	st, err := ctr.State()
	if err != nil {
		return err
	}
	if st.Status == container.Running {
		return fmt.Errorf("container %s is already running: 'minictr logs -f %s' follows its output", ctr.ShortID(), ctr.ShortID())
	}
	if len(st.Cgroup) == 0 {
		return nil
	}
	version := 1
	if _, ok := st.Cgroup[""]; ok { // v2 paths are keyed by "" (cgroups.Cgroup.Paths)
		version = 2
	}
	cg, err := cgroups.Load(st.Cgroup, version)
	if err != nil {
		return nil // nothing left to remove
	}
	return cg.Delete()
}
