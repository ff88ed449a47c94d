package cli

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/minictr/minictr/container"
	"github.com/minictr/minictr/image"
	"github.com/minictr/minictr/tty"
)

// The prune commands give disk space back, and `system df` says how much
// there is to give. What is kept and why:
//
//	a running container        its process uses its writable layer
//	a created container        its `run` may be starting it right now
//	an image a container uses  the container stands on its layers (`rmi -f` aside)
//	a layer an image uses      layers are shared: one goes with its last user

// ContainerCmd groups `minictr container ...`.
type ContainerCmd struct {
	Prune ContainerPruneCmd `cmd:"" help:"Remove all stopped containers."`
}

// ContainerPruneCmd is `minictr container prune`.
type ContainerPruneCmd struct {
	Force bool `short:"f" help:"Do not ask for confirmation."`
}

func (c *ContainerPruneCmd) Run(g *Globals) error {
	if !mayPrune(c.Force, "WARNING! This will remove all stopped containers.") {
		return nil
	}
	fmt.Println("Deleted Containers:")
	_, err := pruneContainers(g.Root, func(id string) { fmt.Println(id) })
	return err
}

// pruneContainers removes every exited container (lost ones too) and
// returns the size of the writable layers that went with them.
func pruneContainers(root string, deleted func(id string)) (int64, error) {
	all, err := container.List(root)
	if err != nil {
		return 0, err
	}
	var freed int64
	for _, ctr := range all {
		if st, err := ctr.State(); err != nil || st.Status != container.Exited {
			continue
		}
		size := dirSize(ctr.Upper())
		if err := ctr.Delete(ctr.ID, false); err != nil {
			return freed, err
		}
		freed += size
		deleted(ctr.ID)
	}
	return freed, nil
}

// ImageCmd groups `minictr image ...`.
type ImageCmd struct {
	Prune ImagePruneCmd `cmd:"" help:"Remove dangling images (-a: every image no container uses)."`
}

// ImagePruneCmd is `minictr image prune`.
type ImagePruneCmd struct {
	All   bool `short:"a" help:"Remove every image no container uses, not only dangling ones."`
	Force bool `short:"f" help:"Do not ask for confirmation."`
}

func (c *ImagePruneCmd) Run(g *Globals) error {
	warning := "WARNING! This will remove all dangling images."
	if c.All {
		warning = "WARNING! This will remove all images without at least one container associated to them."
	}
	if !mayPrune(c.Force, warning) {
		return nil
	}
	lines, freed, err := pruneImages(g, c.All)
	printPruned("Deleted Images:", lines)
	fmt.Println("Total reclaimed space: " + HumanSize(freed))
	return err
}

// pruneImages removes dangling images (all: every image) that no container
// was made from, and with each the layers nobody else uses. freed is what
// the layer store shrank by.
func pruneImages(g *Globals, all bool) (lines []string, freed int64, err error) {
	store, err := g.openStore()
	if err != nil {
		return nil, 0, err
	}
	ctrs, err := container.List(g.Root)
	if err != nil {
		return nil, 0, err
	}
	imgs, err := store.List()
	if err != nil {
		return nil, 0, err
	}
	before := layerSizes(store)
	// Force: an image named in two repositories goes too. No container uses
	// these images; LayersInUse keeps the layers of any that stands on them
	// after an `rmi -f`.
	opt := image.RemoveOptions{Force: true, LayersInUse: layersInUse(g.Root)}
	for _, img := range imgs {
		if (!all && !img.Dangling()) || len(usedBy(ctrs)(img.ID)) > 0 {
			continue
		}
		out, rerr := store.Remove(img.ID, opt)
		lines = append(lines, out...)
		if rerr != nil {
			err = rerr
			break
		}
	}
	return lines, shrunk(before, layerSizes(store)), err
}

// SystemCmd groups `minictr system ...`.
type SystemCmd struct {
	Prune SystemPruneCmd `cmd:"" help:"Remove stopped containers, dangling images and unused layers (--volumes: unused anonymous volumes)."`
	Df    SystemDfCmd    `cmd:"" help:"Show disk usage of images, containers, volumes and layers."`
}

// SystemPruneCmd is `minictr system prune`.
type SystemPruneCmd struct {
	All     bool `short:"a" help:"Remove every image no container uses, not only dangling ones."`
	Volumes bool `help:"Remove anonymous volumes no container uses, too."`
	Force   bool `short:"f" help:"Do not ask for confirmation."`
}

// warning is docker's list of what system prune removes.
func (c *SystemPruneCmd) warning() string {
	w := "WARNING! This will remove:\n  - all stopped containers\n"
	if c.Volumes {
		w += "  - all anonymous volumes not used by at least one container\n"
	}
	if c.All {
		w += "  - all images without at least one container associated to them\n"
	} else {
		w += "  - all dangling images\n"
	}
	return w + "  - all layers no image or container uses\n"
}

// Run prunes in the order that frees most: containers first (their images
// become unused), then images (their layers become unused), then any layer
// and blob no image or container refers to (left by `rmi -f`, say).
func (c *SystemPruneCmd) Run(g *Globals) error {
	if !mayPrune(c.Force, c.warning()) {
		return nil
	}
	var ids []string
	freed, err := pruneContainers(g.Root, func(id string) { ids = append(ids, id) })
	printPruned("Deleted Containers:", ids)
	if err != nil {
		return err
	}
	if c.Volumes { // after the containers: their anonymous volumes became unused
		names, n, err := pruneVolumes(g.Root, false)
		printPruned("Deleted Volumes:", names)
		freed += n
		if err != nil {
			return err
		}
	}
	lines, n, err := pruneImages(g, c.All)
	printPruned("Deleted Images:", lines)
	freed += n
	if err != nil {
		return err
	}
	store, err := g.openStore()
	if err != nil {
		return err
	}
	before := layerSizes(store)
	lines, err = store.Prune(layersInUse(g.Root))
	printPruned("Deleted Layers:", lines)
	if err == nil {
		err = pruneNetwork(g.Root)
	}
	fmt.Println("Total reclaimed space: " + HumanSize(freed+shrunk(before, layerSizes(store))))
	return err
}

// pruneNetwork removes the bridge minictr0 and minictr's firewall rules
// when no running container is on them (docker's "Deleted Networks").
func pruneNetwork(root string) error {
	m, err := container.OpenNetwork()
	if err != nil {
		return err
	}
	removed, err := m.Prune(container.NetworkAlive)
	if removed {
		printPruned("Deleted Networks:", []string{m.Config().Bridge})
	}
	return err
}

// printPruned prints one section of a prune report, as docker does: a
// title, the lines, a blank line; nothing when there are no lines.
func printPruned(title string, lines []string) {
	if len(lines) == 0 {
		return
	}
	fmt.Println(title)
	for _, l := range lines {
		fmt.Println(strings.Replace(strings.Replace(l, "Untagged: ", "untagged: ", 1), "Deleted: ", "deleted: ", 1))
	}
	fmt.Println()
}

// layerSizes maps every layer in the store to its size.
func layerSizes(store *image.Store) map[string]int64 {
	out := map[string]int64{}
	ls, _ := store.Layers.List()
	for _, l := range ls {
		out[l.ChainID] = l.Size
	}
	return out
}

// shrunk is the size of the layers in before that are not in after.
func shrunk(before, after map[string]int64) int64 {
	var n int64
	for id, size := range before {
		if _, ok := after[id]; !ok {
			n += size
		}
	}
	return n
}

// dirSize is the bytes of regular file data under dir, counted as layer
// sizes are: a container's writable layer holds what it wrote.
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// mayPrune asks docker's question before a prune, when someone is there to
// answer it: stdin is a terminal and -f was not given. A script (stdin not
// a terminal) prunes, as it always has with minictr.
func mayPrune(force bool, warning string) bool {
	if force {
		return true
	}
	if _, err := tty.GetSize(int(os.Stdin.Fd())); err != nil {
		return true // not a terminal
	}
	return confirm(warning)
}
