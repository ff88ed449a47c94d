package cli

import (
	"fmt"
	"os"

	"github.com/minictr/minictr/container"
	"github.com/minictr/minictr/image"
)

// RmiCmd is `minictr rmi`.
type RmiCmd struct {
	Force  bool     `short:"f" help:"Remove the image even if it has several names or a container uses it."`
	Images []string `arg:"" name:"image" help:"Image names or IDs."`
}

func (c *RmiCmd) Run(g *Globals) error {
	store, err := g.openStore()
	if err != nil {
		return err
	}
	ctrs, err := container.List(g.Root)
	if err != nil {
		return err
	}
	opt := image.RemoveOptions{Force: c.Force, UsedBy: usedBy(ctrs), LayersInUse: layersInUse(g.Root)}
	var failed error
	for _, name := range c.Images {
		lines, err := store.Remove(name, opt)
		for _, l := range lines {
			fmt.Println(l)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "minictr: "+err.Error())
			failed = exitCode(1)
		}
	}
	return failed
}

// usedBy lists the containers (running or stopped) made from an image.
func usedBy(ctrs []*container.Container) func(id string) []string {
	return func(id string) []string {
		var out []string
		for _, c := range ctrs {
			if c.ImageID == id {
				out = append(out, c.ShortID())
			}
		}
		return out
	}
}

// layersInUse is every layer some container stands on: rmi -f of its image
// must not pull them from under it.
//
// It lists the containers when called, not before: Store.Prune calls it
// under the store lock, under which container.Create also checks that its
// layers are there and records the new container, so no container can
// appear between this list and the removal of a layer it needs.
func layersInUse(root string) func() (map[string]bool, error) {
	return func() (map[string]bool, error) {
		ctrs, err := container.List(root)
		if err != nil {
			return nil, err
		}
		return chainIDsOf(ctrs), nil
	}
}

// chainIDsOf is the set of layers the containers stand on.
func chainIDsOf(ctrs []*container.Container) map[string]bool {
	in := map[string]bool{}
	for _, c := range ctrs {
		for _, l := range c.ChainIDs {
			in[l] = true
		}
	}
	return in
}
