package cli

import (
	"fmt"
	"os"

	"github.com/minictr/minictr/image"
)

// LoadCmd is `minictr load`.
type LoadCmd struct {
	Input string `short:"i" required:"" type:"existingfile" help:"Archive to read: docker save output or an OCI layout, .tar or compressed." placeholder:"FILE"`
	Quiet bool   `short:"q" help:"Suppress progress."`
}

func (c *LoadCmd) Run(g *Globals) error {
	store, err := g.openStore()
	if err != nil {
		return err
	}
	f, err := os.Open(c.Input)
	if err != nil {
		return err
	}
	defer f.Close()
	ctx, cancel := signalContext()
	defer cancel()
	loaded, err := store.Load(ctx, f, c.Input)
	if err != nil {
		return err
	}
	for _, l := range loaded {
		if len(l.Names) == 0 {
			fmt.Println("Loaded image ID: " + l.Image.ID)
		}
		for _, n := range l.Names {
			fmt.Println("Loaded image: " + n)
		}
	}
	return nil
}

// ImportCmd is `minictr import`.
type ImportCmd struct {
	File string `arg:"" type:"existingfile" help:"Root filesystem tarball (.tar, .tar.gz, .tar.xz, .tar.zst: the format is read from its content)."`
	Ref  string `arg:"" optional:"" name:"repository[:tag]" help:"Name for the new image."`
}

func (c *ImportCmd) Run(g *Globals) error {
	var names []image.Reference
	if c.Ref != "" {
		ref, err := image.ParseReference(c.Ref)
		if err != nil {
			return err
		}
		names = append(names, ref)
	}
	store, err := g.openStore()
	if err != nil {
		return err
	}
	f, err := os.Open(c.File)
	if err != nil {
		return err
	}
	defer f.Close()
	ctx, cancel := signalContext()
	defer cancel()
	img, err := store.Import(ctx, f, c.File, names)
	if err != nil {
		return err
	}
	fmt.Println(img.ID)
	return nil
}
