package cli

import (
	"fmt"
	"os"

	"github.com/minictr/minictr/image"
)

// PushCmd is `minictr push`.
type PushCmd struct {
	Insecure bool   `help:"Allow plain HTTP and unverified TLS for this registry (loopback registries always allow HTTP)."`
	Quiet    bool   `short:"q" help:"Suppress progress; print only the pushed digest line."`
	Ref      string `arg:"" name:"name[:tag]" help:"The image's name in the store, which says where it goes: host:5000/app:1.0."`
}

// Run pushes the image (image.Store.Push) with pull's progress lines, and
// prints docker's last line: "TAG: digest: sha256:... size: N".
func (c *PushCmd) Run(g *Globals) error {
	ref, err := image.ParseReference(c.Ref)
	if err != nil {
		return err
	}
	store, err := g.openStore()
	if err != nil {
		return err
	}
	ctx, cancel := signalContext()
	defer cancel()
	opt := image.PushOptions{Registry: image.NewRegistry(c.Insecure)}
	if !c.Quiet {
		fmt.Printf("The push refers to repository [%s]\n", ref.Repository())
		opt.Progress = newProgress(os.Stdout).update
	}
	res, err := store.Push(ctx, ref, opt)
	if err != nil {
		return err
	}
	fmt.Printf("%s: digest: %s size: %d\n", ref.Tag, res.Digest, res.Size)
	return nil
}
