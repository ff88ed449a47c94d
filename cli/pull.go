package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/minictr/minictr/container"
	"github.com/minictr/minictr/image"
)

// openStore opens the store under --root.
func (g *Globals) openStore() (*image.Store, error) {
	return image.OpenStore(g.Root)
}

// signalContext is cancelled by Ctrl-C or SIGTERM, so a pull stops cleanly:
// whatever it had half written stays in tmp/ and is swept by the next command.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

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

// InspectCmd is `minictr inspect`.
type InspectCmd struct {
	Names []string `arg:"" name:"name" help:"Image or container names or IDs."`
}

func (c *InspectCmd) Run(g *Globals) error {
	store, err := g.openStore()
	if err != nil {
		return err
	}
	var out []any
	for _, n := range c.Names {
		img, err := store.Get(n)
		if errors.Is(err, image.ErrNotFound) { // not an image: a container?
			ctr, cerr := container.Find(g.Root, n)
			if cerr != nil {
				return fmt.Errorf("no such image or container: %s", n)
			}
			v, err := newInspectContainer(g.Root, ctr)
			if err != nil {
				return err
			}
			out = append(out, v)
			continue
		}
		if err != nil {
			return err
		}
		v, err := newInspectImage(store, img)
		if err != nil {
			return err
		}
		out = append(out, v)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "    ")
	return enc.Encode(out)
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
