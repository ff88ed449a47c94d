package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/minictr/minictr/cgroups"
	"github.com/minictr/minictr/container"
	"github.com/minictr/minictr/image"
	"github.com/minictr/minictr/mount"
	"github.com/minictr/minictr/ns"
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
	Net         string   `default:"none" enum:"none,host" help:"Network: none (own network namespace with lo up) or host."`
	// Everything from the image name on belongs to the container, flags
	// too (`run alpine ls -l`), as in docker: kong stops parsing there.
	ImageAndCommand []string `arg:"" passthrough:"" name:"image [command]" help:"Image to run (pulled if missing; 'hello' is built in), then the command and its arguments (default: the image's)."`

	Image   string   `kong:"-"`
	Command []string `kong:"-"`
	io      procIO   `kong:"-"` // where the container's stdio goes (run_process.go)
}

// AfterApply splits the passthrough argument into the image and command.
func (c *RunCmd) AfterApply() error {
	c.Image, c.Command = c.ImageAndCommand[0], c.ImageAndCommand[1:]
	return nil
}

// Run is the whole pipeline of a container, one stage per docs chapter:
//
//	[1/5] image      resolve (or pull) the image: its layers, bottom first  docs/01, 02
//	[2/5] container  a directory with upper/, work/, rootfs/                 docs/03
//	[3/5] cgroup     a cgroup with the limits                                docs/05
//	[4/5] namespaces re-exec as `minictr init` in new namespaces; it mounts
//	                 the overlay, pivots into it and execs the command       docs/04
//	[5/5] process    wire stdio, forward signals, wait, report the exit      docs/06
func (c *RunCmd) Run(g *Globals) error {
	ctx, cancel := signalContext()
	defer cancel()
	setTracing(g.Debug)
	if err := absRoot(g); err != nil {
		return err
	}
	store, err := g.openStore()
	if err != nil {
		return err
	}
	img, err := c.image(ctx, g, store)
	if err != nil {
		return err
	}
	cfg, err := c.containerConfig(store, img)
	if err != nil {
		return err
	}
	limits, err := c.limits()
	if err != nil {
		return err
	}
	binds, err := c.binds()
	if err != nil {
		return err
	}
	if cfg.Volumes, err = c.volumes(img); err != nil {
		return err
	}
	cfg.Limits = container.Limits{MemoryBytes: limits.MemoryBytes, CPUQuota: limits.CPUQuota,
		CPUPeriod: limits.CPUPeriod, PidsMax: limits.PidsMax}
	stage(g, 2, "container", "create %s", g.Root+"/containers/")
	ctr, err := createWithVolumes(g.Root, cfg)
	if err != nil {
		return err
	}
	if c.Detach { // the same life, lived by a monitor process (monitor.go)
		return detach(ctr, g)
	}
	code, err := c.lifecycle(g, ctr, limits, binds)
	if err != nil {
		return err
	}
	if code != 0 {
		return exitCode(code)
	}
	return nil
}

// lifecycle is one life of a created container, the same whether `run`
// lives it in the foreground, the monitor of `run -d` in the background,
// or `start` again later: a cgroup with the limits, the process started
// and waited for, its end recorded in state.json, the cgroup removed, and
// with --rm the whole container.
func (c *RunCmd) lifecycle(g *Globals, ctr *container.Container, limits cgroups.Limits, binds []mount.Bind) (int, error) {
	if c.Rm {
		defer removeContainer(g.Root, ctr)
	}
	if c.io.msgs == nil { // in the foreground: this terminal, and the log
		log, err := ctr.OpenLog()
		if err != nil {
			return 0, err
		}
		defer log.Close()
		started := c.io.started
		if c.io, err = foregroundIO(c.Tty, log); err != nil {
			return 0, err
		}
		c.io.started = started
	}
	stage(g, 3, "cgroup", "create minictr/%s", ctr.ID)
	cg, err := cgroups.New(ctr.ID, limits)
	if err != nil {
		return 0, err
	}
	defer cg.Delete() // if start fails (twice is harmless: a gone cgroup counts as removed)
	code, err := c.start(g, ctr, cg, binds)
	if err != nil {
		return 0, err
	}
	// The OOM killer picks the biggest process of the cgroup. If that was
	// PID 1 the container is over (137, as docker); if it was another one,
	// PID 1 carried on and its exit code stands, as in docker.
	oom, _ := cg.OOMKilled()
	switch {
	case oom && code == 137:
		fmt.Fprintln(c.io.msgs, "minictr: container killed: out of memory (limit --memory "+c.Memory+")")
	case oom:
		fmt.Fprintln(c.io.msgs, "minictr: a process in the container was killed: out of memory (limit --memory "+c.Memory+")")
	}
	stage(g, 5, "process", "exited with %d; removing cgroup%s", code, map[bool]string{true: " and container", false: ""}[c.Rm])
	// The cgroup goes before the exit is recorded: whoever waits for
	// "exited" (stop, restart, start) finds nothing of this run left.
	cg.Delete()
	if st, err := ctr.State(); err == nil && !c.Rm {
		st.Status, st.ExitCode, st.OOMKilled, st.FinishedAt = container.Exited, code, oom, time.Now().UTC()
		st.Lost = false
		ctr.SaveState(st)
	}
	return code, nil
}

// fromConfig is the RunCmd that lives a container's life again from its
// config.json (for its monitor, and `start`): the flags that matter after
// creation are all recorded there.
func fromConfig(cfg container.Config) (*RunCmd, cgroups.Limits, []mount.Bind, error) {
	c := &RunCmd{Tty: cfg.Tty, Interactive: cfg.OpenStdin, Rm: cfg.AutoClean, Net: cfg.Net, Volume: cfg.Binds}
	if cfg.Limits.MemoryBytes > 0 {
		c.Memory = strconv.FormatInt(cfg.Limits.MemoryBytes, 10)
	}
	l := cfg.Limits
	limits := cgroups.Limits{MemoryBytes: l.MemoryBytes, CPUQuota: l.CPUQuota, CPUPeriod: l.CPUPeriod, PidsMax: l.PidsMax}
	binds, err := c.binds()
	return c, limits, binds, err
}

// absRoot makes --root absolute: the container's paths are handed to its
// init, which resolves them after it changed its root, and to a monitor
// that runs in /.
func absRoot(g *Globals) error {
	abs, err := filepath.Abs(g.Root)
	if err != nil {
		return fmt.Errorf("--root %s: %w", g.Root, err)
	}
	g.Root = abs
	return nil
}

// image finds the image to run: the built-in hello, one in the store, or
// one pulled now (with docker's "Unable to find image" line, on stderr).
func (c *RunCmd) image(ctx context.Context, g *Globals, store *image.Store) (image.Image, error) {
	if c.Image == "hello" || c.Image == image.HelloName {
		exe, err := os.Executable()
		if err != nil {
			return image.Image{}, err
		}
		stage(g, 1, "image", "built-in hello image from %s", exe)
		return store.Hello(ctx, exe)
	}
	img, err := store.Get(c.Image)
	if err == nil || !errors.Is(err, image.ErrNotFound) {
		stage(g, 1, "image", "%s is %s", c.Image, img.ID)
		return img, err
	}
	ref, perr := image.ParseReference(c.Image)
	if perr != nil {
		return img, perr
	}
	fmt.Fprintf(os.Stderr, "Unable to find image '%s' locally\n", ref.Familiar())
	res, err := pull(ctx, store, c.Image, ref, image.PullOptions{Platform: image.HostPlatform()}, false, os.Stderr)
	return res.Image, err
}

// limits turns -m, --cpus and --pids-limit into cgroup values.
func (c *RunCmd) limits() (cgroups.Limits, error) {
	var l cgroups.Limits
	var err error
	if c.Memory != "" {
		if l.MemoryBytes, err = cgroups.ParseMemory(c.Memory); err != nil {
			return l, fmt.Errorf("invalid --memory %q: %w", c.Memory, err)
		}
	}
	if c.Cpus != "" {
		if l.CPUQuota, l.CPUPeriod, err = cgroups.ParseCPUs(c.Cpus); err != nil {
			return l, fmt.Errorf("invalid --cpus %q: %w", c.Cpus, err)
		}
	}
	if c.PidsLimit < 0 {
		return l, fmt.Errorf("invalid --pids-limit %d: must be 0 (no limit) or more", c.PidsLimit)
	}
	l.PidsMax = c.PidsLimit
	return l, nil
}

// removeContainer is --rm: the container goes, and its anonymous volumes
// with it (docker does the same; named volumes stay).
func removeContainer(root string, ctr *container.Container) {
	if err := ctr.Remove(); err != nil {
		fmt.Fprintln(os.Stderr, "minictr: "+err.Error())
		return
	}
	if err := removeAnonymousVolumes(root, ctr.Volumes); err != nil {
		fmt.Fprintln(os.Stderr, "minictr: "+err.Error())
	}
}

// namespaces is which namespaces a container gets: all of them, but the
// network one with --net host.
func (c *RunCmd) namespaces() ns.Options {
	o := ns.AllNew()
	o.Net = c.Net != "host"
	return o
}
