package cli

import (
	"fmt"
	"os"
	"time"

	"github.com/minictr/minictr/container"
)

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
	o := container.Options{Root: g.Root, Debug: g.Debug, Interactive: c.Interactive}
	attach := c.Attach || c.Interactive
	if attach && len(c.Containers) > 1 {
		return fmt.Errorf("start -a/-i attaches to one container, not %d: start them without -a, then 'minictr logs'", len(c.Containers))
	}
	if !attach { // each through its own monitor, as run -d
		return eachContainer(c.Containers, func(arg string) error { return startDetached(g.Root, arg, o) })
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
	if err := ctr.ClearLastRun(); err != nil {
		return err
	}
	o.Started = unlock // state.json says running: another start now sees it
	code, err := container.Run(ctr, o)
	if err != nil {
		return err
	}
	return codeOrNil(code)
}

// startDetached starts one container through its monitor, under its lock
// until the monitor reports it running. One that runs already is no
// error, as in docker.
func startDetached(root, arg string, o container.Options) error {
	ctr, err := container.Find(root, arg)
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
	if err := ctr.ClearLastRun(); err != nil {
		return err
	}
	return container.StartDetached(ctr, o)
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
