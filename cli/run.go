package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/minictr/minictr/container"
	"github.com/minictr/minictr/image"
	"github.com/minictr/minictr/tty"
)

// RunCmd is `minictr run`. Flags are docker's.
type RunCmd struct {
	Detach      bool     `short:"d" help:"Run in the background: print the container ID and return (output: 'minictr logs')."`
	Interactive bool     `short:"i" help:"Keep stdin open and connect it to the container."`
	Tty         bool     `short:"t" help:"Give the container a terminal (a pty from its own /dev/pts)."`
	Rm          bool     `help:"Remove the container when it exits."`
	Name        string   `help:"Name for the container."`
	Env         []string `short:"e" sep:"none" help:"Set an environment variable (K=V, or K to copy it from here)." placeholder:"K=V"`
	EnvFile     []string `name:"env-file" sep:"none" type:"existingfile" help:"Read environment variables from a file, one K=V per line."`
	Workdir     string   `short:"w" help:"Working directory inside the container." placeholder:"DIR"`
	User        string   `short:"u" help:"User to run as: name, uid, name:group or uid:gid (names from the image's /etc/passwd)." placeholder:"USER[:GROUP]"`
	Entrypoint  *string  `help:"Override the image's entry point." placeholder:"CMD"`
	Hostname    string   `short:"h" help:"Container hostname (default: the short container ID)."`
	Volume      []string `short:"v" sep:"none" help:"Mount a host path (/HOST:CTR), a named volume (NAME:CTR, created if missing) or a new anonymous volume (CTR); :ro for read-only." placeholder:"[HOST:|NAME:]CTR[:ro]"`
	ReadOnly    bool     `name:"read-only" help:"Mount the container's root filesystem read-only."`
	Memory      string   `short:"m" help:"Memory limit, e.g. 64m, 1g." placeholder:"BYTES"`
	Cpus        string   `help:"CPU limit in CPUs, e.g. 0.5." placeholder:"N"`
	PidsLimit   int64    `name:"pids-limit" help:"Maximum number of processes (0: no limit)."`
	DetachKeys  string   `name:"detach-keys" default:"ctrl-p,ctrl-q" help:"With -it at a terminal: keys that detach and leave the container running (docker's syntax)."`

	SecurityFlags `embed:""` // --cap-add, --cap-drop, --privileged, --device, --security-opt (run_security.go)
	NetworkFlags  `embed:""` // --net, -p (run_network.go)

	// Everything from the image name on belongs to the container, flags
	// too (`run alpine ls -l`), as in docker: kong stops parsing there.
	// "partial": flags before the image are still minictr's, and an
	// unknown one is an error, not an image name.
	ImageAndCommand []string `arg:"" passthrough:"partial" name:"image [command]" help:"Image to run (pulled if missing; 'hello' is built in), then the command and its arguments (default: the image's)."`
}

// Run is the whole pipeline of a container, one stage per docs chapter
// (container.Stage): the image and its layers (1, 2), the container's
// directory (3), then its life (container.Run: cgroup 5, namespaces 4,
// process 6), in the foreground or through a monitor (-d).
func (c *RunCmd) Run(g *Globals) error {
	ctx, cancel := signalContext()
	defer cancel()
	container.SetTracing(g.Debug)
	if err := absRoot(g); err != nil {
		return err
	}
	secOpts, sec, err := c.SecurityFlags.resolve() // bad flags: nothing pulled or made
	if err != nil {
		return err
	}
	store, err := g.openStore()
	if err != nil {
		return err
	}
	imageName, command := c.ImageAndCommand[0], c.ImageAndCommand[1:]
	img, err := runImage(ctx, g, store, imageName)
	if err != nil {
		return err
	}
	cfg, err := c.config(g, store, img, imageName, command)
	if err != nil {
		return err
	}
	cfg.SecurityOptions, cfg.Security = secOpts, sec
	ctr, err := container.CreateWithVolumes(g.Root, cfg)
	if err != nil {
		return err
	}
	container.Stage(g.Debug, 3, "overlay", "created %s (upper/, work/, rootfs/)", ctr.Dir)
	o := container.Options{Root: g.Root, Debug: g.Debug, Interactive: c.Interactive}
	if c.Detach { // the same life, lived by a monitor process (container/monitor.go)
		return detach(ctr, o)
	}
	if c.Tty && c.Interactive && isTerminal(os.Stdin) { // docker's run -it: attached to a monitor
		return c.runAttached(ctr, o)
	}
	code, err := container.Run(ctr, o)
	if err != nil {
		return err
	}
	return codeOrNil(code)
}

// runImage finds the image to run: the built-in hello, one in the store,
// or one pulled now (with docker's "Unable to find image" line, on stderr).
func runImage(ctx context.Context, g *Globals, store *image.Store, name string) (image.Image, error) {
	if name == "hello" || name == image.HelloName {
		exe, err := os.Executable()
		if err != nil {
			return image.Image{}, err
		}
		container.Stage(g.Debug, 1, "image", "built-in hello image from %s", exe)
		return store.Hello(ctx, exe)
	}
	img, err := store.Get(name)
	if err == nil || !errors.Is(err, image.ErrNotFound) {
		container.Stage(g.Debug, 1, "image", "%s is %s", name, img.ID)
		return img, removedMeanwhile(name, err)
	}
	ref, perr := image.ParseReference(name)
	if perr != nil {
		return img, perr
	}
	fmt.Fprintf(os.Stderr, "Unable to find image '%s' locally\n", ref.Familiar())
	res, err := pull(ctx, store, name, ref, image.PullOptions{Platform: image.HostPlatform()}, false, os.Stderr)
	return res.Image, err
}

// detach is `run -d`: it starts the monitor of ctr, prints the full ID
// once the container runs, and returns; the monitor lives on alone. If
// the command could not be started, it exits as a foreground run would
// (127 for a command not found).
func detach(ctr *container.Container, o container.Options) error {
	err := container.StartDetached(ctr, o)
	var ns *container.NotStarted
	if errors.As(err, &ns) {
		fmt.Fprintln(os.Stderr, "minictr: "+ns.Msg)
		return exitCode(ns.Code)
	}
	if err != nil {
		return err
	}
	fmt.Println(ctr.ID)
	return nil
}

// removedMeanwhile explains a lost race: the image was in the store's
// index when run looked, and its config or a layer was gone when run read
// it, because an `rmi` or a prune removed the image in between. That is
// no damage to the store, and running again pulls or fails cleanly.
func removedMeanwhile(name string, err error) error {
	if err != nil && errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("image %s was removed while run was reading it (by an rmi or prune meanwhile?): run again (%w)", name, err)
	}
	return err
}

// runAttached is `run -it` at a terminal: the container lives through its
// own monitor, with this terminal attached from before its command starts,
// so that Ctrl-P Ctrl-Q can detach and leave it running, as in docker.
func (c *RunCmd) runAttached(ctr *container.Container, o container.Options) error {
	keys, err := parseDetachKeys(c.DetachKeys)
	if err != nil {
		return err
	}
	code, err := container.RunAttached(ctr, o, keys)
	var ns *container.NotStarted
	switch {
	case errors.Is(err, container.ErrDetached):
		fmt.Fprint(os.Stderr, "\r\nread escape sequence\r\n")
		return nil
	case errors.As(err, &ns):
		fmt.Fprintln(os.Stderr, "minictr: "+ns.Msg)
		return exitCode(ns.Code)
	case err != nil:
		return err
	}
	return codeOrNil(code)
}

// isTerminal says whether f is a terminal (it has a window size).
func isTerminal(f *os.File) bool {
	_, err := tty.GetSize(int(f.Fd()))
	return err == nil
}
