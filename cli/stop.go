package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/minictr/minictr/container"
	"golang.org/x/sys/unix"
)

// StopCmd is `minictr stop` (container.Container.Stop).
type StopCmd struct {
	Time       int      `short:"t" default:"10" help:"Seconds to wait after SIGTERM before SIGKILL (--time=-1: wait for ever)."`
	Containers []string `arg:"" name:"container" help:"Container names or IDs (a unique prefix will do)."`
}

func (c *StopCmd) Run(g *Globals) error {
	timeout := time.Duration(c.Time) * time.Second
	return eachContainer(c.Containers, func(arg string) error { return stopContainer(g.Root, arg, timeout) })
}

func stopContainer(root, arg string, timeout time.Duration) error {
	ctr, err := container.Find(root, arg)
	if err != nil {
		return err
	}
	return ctr.Stop(timeout)
}

// KillCmd is `minictr kill` (container.Container.Kill).
type KillCmd struct {
	Signal     string   `short:"s" default:"KILL" help:"Signal to send: a name (TERM, SIGHUP) or a number."`
	Containers []string `arg:"" name:"container" help:"Container names or IDs (a unique prefix will do)."`
}

func (c *KillCmd) Run(g *Globals) error {
	sig, err := parseSignal(c.Signal)
	if err != nil {
		return err
	}
	return eachContainer(c.Containers, func(arg string) error {
		ctr, err := container.Find(g.Root, arg)
		if err != nil {
			return err
		}
		return ctr.Kill(arg, sig)
	})
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
