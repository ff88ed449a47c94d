package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/minictr/minictr/container"
	"github.com/minictr/minictr/image"
	"github.com/minictr/minictr/layers"
)

// DiffCmd is `minictr diff`.
type DiffCmd struct {
	Layers    bool   `help:"For each changed (C) or deleted (D) path, show which image layer held the original: its index, chain ID and the history line that made it."`
	Container string `arg:"" name:"container"`
}

// Run prints what the container changed, read from its upper directory
// against the image's layers (layers.Changes; docs/09-commit-diff.md).
func (c *DiffCmd) Run(g *Globals) error {
	ctr, err := container.Find(g.Root, c.Container)
	if err != nil {
		return err
	}
	changes, _, err := containerChanges(ctr)
	if err != nil {
		return err
	}
	if !c.Layers {
		for _, ch := range changes {
			fmt.Println(ch)
		}
		return nil
	}
	origins := layerOrigins(g, ctr.Config)
	w := tabwriter.NewWriter(os.Stdout, 0, 8, 3, ' ', 0)
	for _, ch := range changes {
		if ch.LowerIndex < 0 || ch.LowerIndex >= len(origins) {
			fmt.Fprintf(w, "%s\n", ch) // no origin: no cell, no padding
			continue
		}
		fmt.Fprintf(w, "%s\t%s\n", ch, origins[ch.LowerIndex])
	}
	return w.Flush()
}

// containerChanges is `docker diff` of ctr: its upper directory against its
// layers, without the mount points minictr made there (the paths hidden
// are returned too, so commit leaves them out of the layer as well).
func containerChanges(ctr *container.Container) ([]layers.Change, map[string]bool, error) {
	upper := ctr.Upper()
	if _, err := os.Lstat(upper); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, fmt.Errorf("container %s: its writable layer %s is gone: nothing to compare", ctr.Name, upper)
		}
		return nil, nil, fmt.Errorf("container %s: %w", ctr.Name, err)
	}
	all, err := layers.Changes(upper, ctr.Layers)
	if err != nil {
		return nil, nil, fmt.Errorf("container %s: %w", ctr.Name, err)
	}
	kept, hidden := layers.HideMountPoints(all, container.MountPoints(ctr.Config), layers.EmptyIn(upper))
	return kept, hidden, nil
}

// layerOrigins describes each of the container's layers, bottom first:
// "layer 1 8f0e5b3a2c1d  /bin/sh -c apk add curl". The history line is the
// image's history entry that made the layer (entries marked empty_layer
// made none); it is empty when the image is no longer in the store.
func layerOrigins(g *Globals, cfg container.Config) []string {
	var made []image.History
	if store, err := g.openStore(); err == nil {
		if img, err := store.Get(cfg.ImageID); err == nil {
			made = layerHistories(img.Config)
		}
	}
	out := make([]string, len(cfg.ChainIDs))
	for i, chain := range cfg.ChainIDs {
		by := ""
		if i < len(made) {
			by = ellipsis(strings.Join(strings.Fields(made[i].CreatedBy), " "), 60)
		}
		out[i] = fmt.Sprintf("<- layer %d %s  %s", i, short(chain), by)
	}
	return out
}

// layerHistories are the history entries that made a layer, bottom first:
// the i-th is the i-th layer's.
func layerHistories(cfg image.Config) []image.History {
	var out []image.History
	for _, h := range cfg.History {
		if !h.EmptyLayer {
			out = append(out, h)
		}
	}
	return out
}
