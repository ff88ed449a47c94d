// Package cli is minictr's command line: one file per docker verb, each a
// kong command struct whose Run parses its flags into plain values, makes
// one or two calls into the stage packages (image, container, volume), and
// prints the result (output.go). Nothing below this package sees a flag.
// Names, flags, output and exit codes follow docker's.
//
// See docs/README.md for the chapter of each command.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/alecthomas/kong"
	"github.com/minictr/minictr/image"
)

// Version is minictr's version, printed by --version.
var Version = "0.4.0"

// Globals are the flags every command takes.
type Globals struct {
	Root    string           `default:"/var/lib/minictr" env:"MINICTR_ROOT" placeholder:"DIR" help:"Where images, layers and containers are stored."`
	Debug   bool             `help:"Print every step and syscall minictr makes."`
	Version kong.VersionFlag `help:"Print minictr's version and exit."`
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
	Logs    LogsCmd    `cmd:"" help:"Print a detached container's output."`
	Start   StartCmd   `cmd:"" help:"Start a stopped container again, with its writable layer as it was."`
	Restart RestartCmd `cmd:"" help:"Stop a container (SIGTERM, then SIGKILL after the timeout) and start it again."`
	Attach  AttachCmd  `cmd:"" help:"Connect this terminal to a detached container (Ctrl-P Ctrl-Q detaches)."`

	Ps        PsCmd        `cmd:"" help:"List containers."`
	Rm        RmCmd        `cmd:"" help:"Remove containers and their writable layers."`
	Container ContainerCmd `cmd:"" help:"Manage containers."`
	Stop      StopCmd      `cmd:"" help:"Stop running containers: SIGTERM, then SIGKILL after a timeout."`
	Kill      KillCmd      `cmd:"" help:"Send a signal (default SIGKILL) to containers' first process."`
	Image     ImageCmd     `cmd:"" help:"Manage images (image prune)."`
	System    SystemCmd    `cmd:"" help:"Disk usage and cleanup of the whole store (system df, system prune)."`
	Exec      ExecCmd      `cmd:"" help:"Run a command in a running container."`
	Volume    VolumeCmd    `cmd:"" help:"Manage volumes: data kept outside containers (create, ls, inspect, rm, prune)."`
	Network   NetworkCmd   `cmd:"" help:"Show the bridge network: subnet, gateway, addresses (network ls, network inspect)."`
	Port      PortCmd      `cmd:"" help:"List a container's published ports."`

	Commit CommitCmd `cmd:"" help:"Make a new image from a container's changes."`
	Diff   DiffCmd   `cmd:"" help:"Show the files a container added (A), changed (C) and deleted (D)."`
	Push   PushCmd   `cmd:"" help:"Upload an image to a registry."`
	Save   SaveCmd   `cmd:"" help:"Write images to a tar archive (docker save's format, or an OCI layout)."`
	Tag    TagCmd    `cmd:"" help:"Give an image another name: TARGET refers to SOURCE."`

	Tour TourCmd `cmd:"" hidden:"" help:"Entry point of the hello image: what a container sees."`
}

// exitCode is returned by a command that wants a particular exit status.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// codeOrNil is the error for a container's exit code: nil for 0.
func codeOrNil(code int) error {
	if code == 0 {
		return nil
	}
	return exitCode(code)
}

// Main parses the command line, runs the command and exits: 0, the
// container's own code, or 125 for minictr's own failures, as docker.
func Main(args []string) {
	var cli CLI
	parser, err := kong.New(&cli,
		kong.Name("minictr"),
		kong.Description("A mini container runtime to learn how containers work. Docs: docs/README.md"),
		kong.UsageOnError(),
		kong.Vars{"version": "minictr version " + Version},
		// -h is docker's --hostname for run; help stays --help.
		kong.PostBuild(func(k *kong.Kong) error { k.Model.HelpFlag.Short = 0; return nil }),
	)
	if err != nil {
		fail(err)
	}
	ctx, err := parser.Parse(args)
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

// openStore opens the image store under --root.
func (g *Globals) openStore() (*image.Store, error) {
	return image.OpenStore(g.Root)
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

// signalContext is cancelled by Ctrl-C or SIGTERM, so a pull stops cleanly:
// whatever it had half written stays in tmp/ and is swept by the next command.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}
