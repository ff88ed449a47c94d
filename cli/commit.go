package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/minictr/minictr/cgroups"
	"github.com/minictr/minictr/container"
	"github.com/minictr/minictr/image"
	"github.com/minictr/minictr/layers"
)

// CommitCmd is `minictr commit`.
type CommitCmd struct {
	Message   string   `short:"m" help:"Commit message (the history entry's comment)."`
	Author    string   `short:"a" help:"Author, e.g. \"Jane <jane@example.com>\"."`
	Change    []string `short:"c" sep:"none" help:"Apply a Dockerfile instruction to the image's config: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR, STOPSIGNAL." placeholder:"INSTRUCTION"`
	Pause     bool     `default:"true" help:"Freeze the container while its files are read (--pause=false to not)."`
	Container string   `arg:"" name:"container"`
	Ref       string   `arg:"" optional:"" name:"repository[:tag]"`
}

// Run turns the container's upper directory into the next layer of its
// image (docs/09-commit-diff.md): checks every input first, so bad input
// leaves the store as it was, then freezes the container, writes the layer
// tar into the store's Commit as it reads the upper directory, thaws, and
// prints the new image ID.
func (c *CommitCmd) Run(g *Globals) error {
	names, err := commitNames(c.Ref)
	if err != nil {
		return err
	}
	ctr, err := container.Find(g.Root, c.Container)
	if err != nil {
		return err
	}
	store, err := g.openStore()
	if err != nil {
		return err
	}
	base, err := store.Get(ctr.ImageID)
	if err != nil {
		return fmt.Errorf("commit %s: its image: %w", ctr.Name, err)
	}
	cfg, err := image.ApplyChanges(committedConfig(base.Config.Config, ctr.Config), c.Change)
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	opt := image.CommitOptions{Base: base, Config: &cfg, Names: names,
		History: image.History{CreatedBy: strings.Join(ctr.Args, " "), Comment: c.Message, Author: c.Author}}
	thaw, err := c.freeze(ctr)
	if err != nil {
		return err
	}
	defer thaw()
	img, err := commitLayer(store, ctr, opt, thaw)
	if err != nil {
		return err
	}
	if note := mountNote(ctr.Config); note != "" {
		fmt.Fprintln(os.Stderr, note)
	}
	fmt.Println(img.ID)
	return nil
}

// commitNames is the new image's name: none (a dangling image, as docker)
// or REPO[:TAG], which must be a tag and not a digest.
func commitNames(raw string) ([]image.Reference, error) {
	if raw == "" {
		return nil, nil
	}
	ref, err := image.ParseReference(raw)
	if err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	if ref.Digest != "" {
		return nil, fmt.Errorf("commit: %s: refusing to create a tag with a digest reference", raw)
	}
	return []image.Reference{ref}, nil
}

// committedConfig is what `docker commit` keeps of a container: the image's
// config with the container's own environment (run -e included), user,
// working directory and command (run IMAGE ARGS... replaced Cmd).
func committedConfig(base image.ContainerConfig, ctr container.Config) image.ContainerConfig {
	cc := base
	cc.Env, cc.User = slices.Clone(ctr.Env), ctr.User
	if ctr.Cwd != "/" || base.WorkingDir != "" { // "/" is run's default, not a choice
		cc.WorkingDir = ctr.Cwd
	}
	if len(ctr.Args) == 0 {
		return cc
	}
	if len(ctr.Args) >= len(base.Entrypoint) && slices.Equal(ctr.Args[:len(base.Entrypoint)], base.Entrypoint) {
		cc.Cmd = slices.Clone(ctr.Args[len(base.Entrypoint):])
	} else { // --entrypoint replaced it
		cc.Entrypoint, cc.Cmd = slices.Clone(ctr.Args[:1]), slices.Clone(ctr.Args[1:])
	}
	if len(cc.Cmd) == 0 {
		cc.Cmd = nil
	}
	return cc
}

// freeze stops a running container's processes (cgroups Freeze), so the
// layer is one moment's files, and returns what thaws them: safe to call
// more than once, and called on every path out of Run.
func (c *CommitCmd) freeze(ctr *container.Container) (func(), error) {
	st, err := ctr.State()
	if err != nil {
		return nil, err
	}
	if !c.Pause || st.Status != container.Running || len(st.Cgroup) == 0 {
		return func() {}, nil
	}
	cg, err := cgroups.Load(st.Cgroup)
	if err != nil {
		return nil, fmt.Errorf("commit %s: pause: %w", ctr.Name, err)
	}
	if err := cg.Freeze(); err != nil {
		return nil, fmt.Errorf("commit %s: pause: %w", ctr.Name, err)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			if err := cg.Thaw(); err != nil {
				fmt.Fprintf(os.Stderr, "minictr: commit %s: unpause: %v\n", ctr.Name, err)
			}
		})
	}, nil
}

// commitLayer streams the upper directory as a tar (layers.WriteLayer)
// into store.Commit through a pipe: no copy of the layer on disk but the
// one the store keeps. done is called as soon as the upper directory has
// been read. A container that changed nothing gets no layer, only an
// empty_layer history entry.
func commitLayer(store *image.Store, ctr *container.Container, opt image.CommitOptions, done func()) (image.Image, error) {
	changes, hidden, err := containerChanges(ctr)
	if err != nil {
		done()
		return image.Image{}, err
	}
	ctx, cancel := signalContext()
	defer cancel()
	if len(changes) == 0 {
		done()
		opt.History.EmptyLayer = true
		return store.Commit(ctx, opt)
	}
	pr, pw := io.Pipe()
	written := make(chan error, 1)
	go func() {
		_, err := layers.WriteLayer(pw, ctr.Upper(), layers.LayerOptions{Skip: func(p string) bool { return hidden[p] }})
		done()
		pw.CloseWithError(err)
		written <- err
	}()
	opt.Layer = pr
	img, err := store.Commit(ctx, opt)
	pr.CloseWithError(io.ErrClosedPipe) // let the writer end if Commit stopped early
	// The writer's own error (a file named .wh.x, an unreadable file) says
	// more than the reader's "read layer tar: ..." wrapping of it.
	if werr := <-written; werr != nil && err != nil && !errors.Is(werr, io.ErrClosedPipe) {
		return image.Image{}, fmt.Errorf("commit %s: %w", ctr.Name, werr)
	}
	return img, err
}

// mountNote tells the user what the layer lacks: files in volumes and bind
// mounts live outside the container's upper directory.
func mountNote(cfg container.Config) string {
	var ps []string
	for _, v := range cfg.Volumes {
		ps = append(ps, v.Target)
	}
	for _, b := range cfg.Binds {
		if parts := strings.Split(b, ":"); len(parts) >= 2 {
			ps = append(ps, parts[1])
		}
	}
	if len(ps) == 0 {
		return ""
	}
	return "volumes and bind mounts are not part of the committed layer: " + strings.Join(ps, ", ")
}
