package cli

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/minictr/minictr/image"
)

// PullCmd is `minictr pull`.
type PullCmd struct {
	Platform string `help:"Platform to pull from a multi-platform image, os/arch[/variant]." placeholder:"OS/ARCH"`
	Insecure bool   `help:"Allow plain HTTP and unverified TLS for this registry (loopback registries always allow HTTP)."`
	Quiet    bool   `short:"q" help:"Print only the image name."`
	Ref      string `arg:"" name:"image" help:"Image reference, e.g. alpine, alpine:3.19, host:5000/app@sha256:..."`
}

func (c *PullCmd) Run(g *Globals) error {
	ref, err := image.ParseReference(c.Ref)
	if err != nil {
		return err
	}
	platform := image.HostPlatform()
	if c.Platform != "" {
		if platform, err = image.ParsePlatform(c.Platform); err != nil {
			return err
		}
	}
	store, err := g.openStore()
	if err != nil {
		return err
	}
	ctx, cancel := signalContext()
	defer cancel()
	opt := image.PullOptions{Registry: image.NewRegistry(c.Insecure), Platform: platform, RequirePlatform: c.Platform != ""}
	_, err = pull(ctx, store, c.Ref, ref, opt, c.Quiet, os.Stdout)
	return err
}

// pull runs a pull with docker's output on out (progress unless quiet),
// then prints the fully qualified name. `pull` writes to stdout, `run` to
// stderr, as docker does.
func pull(ctx context.Context, store *image.Store, raw string, ref image.Reference, opt image.PullOptions, quiet bool, out *os.File) (image.PullResult, error) {
	if !quiet {
		if last := raw[strings.LastIndex(raw, "/")+1:]; !strings.ContainsAny(last, ":@") {
			fmt.Fprintln(out, "Using default tag: latest")
		}
		tagOrDigest := ref.Tag
		if ref.Digest != "" {
			tagOrDigest = ref.Digest
		}
		fmt.Fprintf(out, "%s: Pulling from %s\n", tagOrDigest, ref.Path)
		opt.Progress = newProgress(out).update
	}
	res, err := store.Pull(ctx, ref, opt)
	if err != nil {
		return res, err
	}
	if !quiet {
		fmt.Fprintln(out, "Digest: "+res.Digest)
		if res.Fresh {
			fmt.Fprintln(out, "Status: Downloaded newer image for "+ref.Familiar())
		} else {
			fmt.Fprintln(out, "Status: Image is up to date for "+ref.Familiar())
		}
	}
	fmt.Fprintln(out, ref.String())
	return res, nil
}
