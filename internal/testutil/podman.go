package testutil

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// Podman returns a runner of podman, a peer that prints `docker diff`'s
// format, commits, saves and loads images from the same kind of overlay
// layers as minictr, with the flags that make it work on the project's
// machines (MACHINE-NOTES.md): its own storage in a temporary directory (a
// short one: podman refuses a runroot path over 50 characters), cgroupfs,
// file events. A test's `podman run` adds PodmanRunFlags and
// --cgroup-parent cgroupParent. Everything podman made, its cgroups under
// cgroupParent included, is removed when the test ends.
func Podman(t testing.TB, cgroupParent string) func(args ...string) string {
	RequireTool(t, "podman", "podman")
	root, err := os.MkdirTemp("", "pm")
	if err != nil {
		t.Fatal(err)
	}
	global := []string{"--root", filepath.Join(root, "storage"), "--runroot", filepath.Join(root, "run"),
		"--storage-driver", "overlay", "--cgroup-manager=cgroupfs", "--events-backend=file"}
	t.Cleanup(func() {
		out, err := exec.Command("podman", append(slices.Clone(global), "system", "reset", "-f")...).CombinedOutput()
		if err != nil {
			t.Errorf("podman system reset: %v\n%s", err, out)
		}
		removeCgroups(t, cgroupParent)
		if err := os.RemoveAll(root); err != nil {
			t.Errorf("remove podman's storage: %v", err)
		}
	})
	return func(args ...string) string {
		t.Helper()
		return Run(t, "podman", append(slices.Clone(global), args...)...)
	}
}

// PodmanRunFlags are what `podman run` needs here: runc (crun refuses the
// hybrid cgroup host), no network, and rlimits it may set without
// CAP_SYS_RESOURCE.
var PodmanRunFlags = []string{"--runtime", "runc", "--network=none",
	"--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"}

// removeCgroups removes parent and the groups below it from every cgroup
// hierarchy, deepest first. rmdir(2) refuses a group that still holds a
// process, so nothing running is touched.
func removeCgroups(t testing.TB, parent string) {
	dirs, _ := filepath.Glob("/sys/fs/cgroup/*" + parent)
	more, _ := filepath.Glob("/sys/fs/cgroup" + parent)
	for _, top := range append(dirs, more...) {
		var all []string
		filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				all = append(all, p)
			}
			return nil
		})
		slices.Reverse(all)
		for _, d := range all {
			if err := os.Remove(d); err != nil {
				t.Errorf("remove podman's cgroup: %v", err)
			}
		}
	}
}
