// Command minictr is a small container runtime to learn container internals
// from. Each stage of a container is one package and one chapter of docs/:
//
//	image/      references, registries, manifests, the image store   docs/01-images.md
//	layers/     layer tarballs, whiteouts, chain IDs, the layer store docs/02-layers.md
//	mount/      overlay, the rootfs sequence, pivot_root, /proc /dev  docs/03-overlay.md, 04-namespaces-mounts.md
//	ns/         namespaces, re-exec, setns, users, exit codes         docs/04-namespaces.md
//	cgroups/    limits, cgroup v1 and v2                             docs/05-cgroups.md
//	container/  a container's directory, config, state and its life  docs/06-run.md, 07-lifecycle.md
//	tty/        ptys, raw mode, passing a terminal over a socket      docs/06-run.md
//	volume/     -v parsing, the volume store, populate               docs/08-volumes.md
//	cli/        the command line: one file per docker verb           docs/README.md
//
// Read a container's life from cli/run.go (flags -> container.Config) to
// container/life.go (cgroup, re-exec, wait) and container/init.go (the
// child's side: mount.SetupRootfs, then execve).
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"

	"github.com/minictr/minictr/cli"
	"github.com/minictr/minictr/container"
)

// minictr re-executes itself (/proc/self/exe) as three hidden children, and
// this is where each begins. Go cannot fork without exec (the runtime is
// multi-threaded before main), so a child process that must run Go code in
// new namespaces is this same binary started again with a hidden argument
// (docs/04-namespaces.md):
//
//	init       the container's PID 1: builds the rootfs, then execs the command
//	exec-init  `minictr exec`'s helper: joins a running container, forks the command
//	monitor    the parent of a detached container: waits, keeps its log
//
// The switch runs in init(), before main and before the CLI parser: a
// goroutine in an init function is still on the process's main thread, and
// LockOSThread keeps it there for good. exec-init needs that: every setns(2)
// and the fork of the command happen on this one thread (see ns.Join), as
// runc dispatches `runc init` before its Go code runs. For init and monitor
// it spares every container start the CLI parser's cost.
func init() {
	if len(os.Args) < 2 {
		return
	}
	switch os.Args[1] {
	case "init":
		if len(os.Args) == 2 {
			os.Exit(container.Init())
		}
	case "exec-init":
		if len(os.Args) == 2 {
			runtime.LockOSThread()
			os.Exit(container.ExecInit())
		}
	case "monitor":
		os.Exit(monitor(os.Args[2:]))
	}
}

func main() {
	cli.Main(os.Args[1:])
}

// monitor runs `minictr monitor --root ROOT [--debug] [--attached] ID` (container.MonitorArgs).
func monitor(args []string) int {
	fs := flag.NewFlagSet("monitor", flag.ContinueOnError)
	var o container.Options
	fs.StringVar(&o.Root, "root", "", "the store")
	fs.BoolVar(&o.Debug, "debug", false, "print every step")
	fs.BoolVar(&o.Attached, "attached", false, "wait for a terminal to attach first (run -it)")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "minictr monitor: started by 'minictr run -d' and 'minictr start', not by hand")
		return 125
	}
	if err := container.Monitor(o, fs.Arg(0)); err != nil {
		fmt.Fprintln(os.Stderr, "minictr: "+err.Error())
		return 125
	}
	return 0
}
