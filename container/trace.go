package container

import (
	"fmt"
	"os"

	"github.com/minictr/minictr/mount"
	"github.com/minictr/minictr/ns"
)

// Stages of `run` with --debug are numbered by the docs chapter that
// explains them, so a student can go from a line to its chapter:
//
//	[1/6] image       docs/01-images.md     resolve or pull the image
//	[2/6] layers      docs/02-layers.md     its layer directories, bottom first
//	[3/6] overlay     docs/03-overlay.md    the container's directory: upper/, work/, rootfs/
//	[5/6] cgroup      docs/05-cgroups.md    a cgroup with the limits
//	[4/6] namespaces  docs/04-namespaces.md re-exec as init in new namespaces, inside the cgroup
//	[6/6] process     docs/06-run.md        stdio, signals, wait, the exit code
//
// The cgroup (5) is made before the namespaces (4): on cgroup v2 the
// child is born in it (CLONE_INTO_CGROUP), so it must exist first.
const stages = 6

// Stage prints one stage of a container's start on stderr, when on.
func Stage(on bool, chapter int, name, format string, args ...any) {
	if on {
		fmt.Fprintf(os.Stderr, "[%d/%d] %-10s "+format+"\n", append([]any{chapter, stages, name}, args...)...)
	}
}

// SetTracing makes every stage package print the syscalls it makes, with
// their real arguments, on stderr (--debug).
func SetTracing(on bool) {
	if !on {
		return
	}
	pr := func(pkg string) func(string, ...any) {
		return func(call string, args ...any) {
			fmt.Fprintf(os.Stderr, "        %-7s %s\n", pkg, mount.FormatCall(call, args...))
		}
	}
	mount.Trace = pr("mount")
	ns.Trace = pr("ns")
}
