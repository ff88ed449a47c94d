// Command minictr is a small container runtime to learn container internals
// from. Each command is a struct whose Run method tells one story in a few
// calls into the stage packages:
//
//	image/   references, registries, manifests, the image store  (docs/01-images.md)
//	layers/  layer tarballs, whiteouts, chain IDs, the layer store (docs/02-layers.md)
//	mount/   overlay, pivot_root, /proc /dev /sys                  (docs/03-overlay.md)
//	ns/      namespaces, the re-exec'd init, exec                   (docs/04-namespaces.md)
//	cgroups/ limits, v1 and v2                                     (docs/05-cgroups.md)
//	main     `run` puts them together (cmd_run.go)                 (docs/06-run.md)
//	volume/  volumes: -v parsing, the volume store, populate       (docs/08-volumes.md)
//
// Errors are printed as one line and exit with 125, as docker does for its
// own failures.
package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/alecthomas/kong"
)

// Globals are the flags every command takes.
type Globals struct {
	Root  string `default:"/var/lib/minictr" env:"MINICTR_ROOT" placeholder:"DIR" help:"Where images, layers and containers are stored."`
	Debug bool   `help:"Print every step and syscall minictr makes."`
}

// CLI is the command line. Command and flag names follow docker's.
type CLI struct {
	Globals

	Pull    PullCmd    `cmd:"" help:"Download an image from a registry."`
	Load    LoadCmd    `cmd:"" help:"Load images from a 'docker save' archive or an OCI image layout."`
	Import  ImportCmd  `cmd:"" help:"Make a one-layer image from a root filesystem tarball."`
	Images  ImagesCmd  `cmd:"" help:"List images."`
	Rmi     RmiCmd     `cmd:"" help:"Remove images, and the layers no other image uses."`
	Inspect InspectCmd `cmd:"" help:"Show an image's config, layers and where they are on disk."`
	History HistoryCmd `cmd:"" help:"Show which instruction made which layer of an image."`
	Run     RunCmd     `cmd:"" help:"Run a command in a new container."`

	DetachedCmds `embed:""` // logs, start, the hidden monitor (cmd_start.go)

	Ps        PsCmd        `cmd:"" help:"List containers."`
	Rm        RmCmd        `cmd:"" help:"Remove containers and their writable layers."`
	Container ContainerCmd `cmd:"" help:"Manage containers."`
	Stop      StopCmd      `cmd:"" help:"Stop running containers: SIGTERM, then SIGKILL after a timeout."`
	Kill      KillCmd      `cmd:"" help:"Send a signal (default SIGKILL) to containers' first process."`
	Image     ImageCmd     `cmd:"" help:"Manage images (image prune)."`
	System    SystemCmd    `cmd:"" help:"Disk usage and cleanup of the whole store (system df, system prune)."`
	Exec      ExecCmd      `cmd:"" help:"Run a command in a running container."`
	Volume    VolumeCmd    `cmd:"" help:"Manage volumes: data kept outside containers (create, ls, inspect, rm, prune)."`

	Init InitCmd `cmd:"" hidden:"" help:"The container's first process (run by 'minictr run', not by hand)."`
	Tour TourCmd `cmd:"" hidden:"" help:"Entry point of the hello image: what a container sees."`
}

// exitCode is returned by a command that wants a particular exit status.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func main() {
	// The container's init is started by `minictr run`, never by hand, with
	// exactly this argument: go straight to it. Building the CLI parser
	// (kong reflects over every command struct) would only add to the
	// start-up time of every container.
	if len(os.Args) == 2 && os.Args[1] == "init" {
		if err := (InitCmd{}).Run(); err != nil {
			fail(err)
		}
		return
	}
	var cli CLI
	parser, err := kong.New(&cli,
		kong.Name("minictr"),
		kong.Description("A mini container runtime to learn how containers work. Docs: docs/README.md"),
		kong.UsageOnError(),
		// -h is docker's --hostname for run; help stays --help.
		kong.PostBuild(func(k *kong.Kong) error { k.Model.HelpFlag.Short = 0; return nil }),
	)
	if err != nil {
		fail(err)
	}
	ctx, err := parser.Parse(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "minictr: %v (see 'minictr --help')\n", err)
		os.Exit(125)
	}
	err = ctx.Run(&cli.Globals)
	var code exitCode
	if errors.As(err, &code) {
		os.Exit(int(code))
	}
	if err != nil {
		fail(err)
	}
}

// fail prints err as docker does for its own failures and exits 125. A
// permission error from a normal user gets the hint that matters.
func fail(err error) {
	msg := err.Error()
	if errors.Is(err, fs.ErrPermission) && os.Geteuid() != 0 && !strings.Contains(msg, "root") {
		msg += " (minictr needs root: run it with sudo)"
	}
	fmt.Fprintln(os.Stderr, "minictr: "+msg)
	os.Exit(125)
}
