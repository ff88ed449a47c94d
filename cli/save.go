package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/minictr/minictr/image"
)

// SaveCmd is `minictr save`.
type SaveCmd struct {
	Output string   `short:"o" help:"Write to this file instead of stdout." placeholder:"FILE"`
	Format string   `default:"docker" enum:"docker,oci" help:"docker: docker save's archive (also an OCI layout); oci: the OCI image layout alone."`
	Images []string `arg:"" name:"image" help:"Images to save: names, IDs or unique ID prefixes."`
}

// Run writes the images as one tar archive (image.Store.Save), to -o or to
// stdout. A tar on a terminal is noise and can wedge it: refused, as docker.
// With -o the archive is written next to FILE and renamed onto it at the
// end, so a failed save leaves no half archive behind.
func (c *SaveCmd) Run(g *Globals) error {
	store, err := g.openStore()
	if err != nil {
		return err
	}
	if c.Output == "" {
		if fi, err := os.Stdout.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			return errors.New("cowardly refusing to save to a terminal. Use the -o flag or redirect")
		}
		return store.Save(os.Stdout, c.Images, image.SaveFormat(c.Format))
	}
	f, err := os.CreateTemp(filepath.Dir(c.Output), ".minictr-save-*")
	if err != nil {
		return fmt.Errorf("save: %w", err)
	}
	defer os.Remove(f.Name())
	if err := store.Save(f, c.Images, image.SaveFormat(c.Format)); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("save: %w", err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return fmt.Errorf("save: %w", err)
	}
	if err := os.Rename(f.Name(), c.Output); err != nil {
		return fmt.Errorf("save: %w", err)
	}
	return nil
}
