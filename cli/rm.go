package cli

import (
	"fmt"
	"os"

	"github.com/minictr/minictr/container"
)

// RmCmd is `minictr rm` (container.Container.Delete).
type RmCmd struct {
	Force      bool     `short:"f" help:"Kill a running container first."`
	Volumes    bool     `short:"v" help:"Remove the container's anonymous volumes too (named volumes stay)."`
	Containers []string `arg:"" name:"container" help:"Container names or IDs (a unique prefix will do)."`
}

func (c *RmCmd) Run(g *Globals) error {
	return eachContainer(c.Containers, func(arg string) error {
		ctr, err := container.Find(g.Root, arg)
		if err != nil {
			return err
		}
		if err := ctr.Delete(arg, c.Force); err != nil {
			return err
		}
		if c.Volumes {
			return container.RemoveAnonymousVolumes(g.Root, ctr.Volumes)
		}
		return nil
	})
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
