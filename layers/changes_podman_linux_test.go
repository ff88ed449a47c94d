package layers_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/minictr/minictr/internal/testutil"
	"github.com/minictr/minictr/layers"
)

// podmanCgroupParent is where podman puts its container and conmon cgroups
// in these tests (testutil.Podman removes it).
const podmanCgroupParent = "/minictr-layers-test"

// podmanCmd is testutil.Podman for these tests.
func podmanCmd(t *testing.T) func(args ...string) string {
	return testutil.Podman(t, podmanCgroupParent)
}

// TestChangesMatchPodmanDiff runs the same scripts in a minictr-style
// overlay and in a podman container of the same image (loaded from a
// docker save archive of diffImage) and compares the two diffs line by
// line, order included.
//
// podman adds paths of its own: it creates /etc/hosts, /etc/resolv.conf,
// /etc/hostname and /run/.containerenv as mount points in the container's
// upper directory. `podman diff` hides those files (libpod's list of
// container mounts) but not their directories, so podman alone prints
// "A /run" and, for a script that leaves /etc alone, "C /etc". Those two
// lines are podman's bookkeeping, not changes the script made, and are
// dropped before comparing; nothing else is.
func TestChangesMatchPodmanDiff(t *testing.T) {
	testutil.RequireRoot(t)
	img := diffImage(t)
	podman := podmanCmd(t)
	archive := filepath.Join(t.TempDir(), "image.tar")
	img.WriteDockerArchive(t, archive, []string{"localhost/minictr-diff:test"}, false)
	podman("load", "-q", "-i", archive)
	tests := []struct {
		name, script string
		// podmanWrong maps a line podman prints to the line docker's
		// documented meaning asks for, where the two disagree.
		podmanWrong map[string]string
	}{
		{name: "every kind of change", script: diffScript},
		// A copy-up alone: /opt is copied up to hold secret, with its
		// mtime, so it is not listed; /app's mode changed, so it is.
		{name: "copy-up only", script: "echo more >> /opt/secret && chmod 700 /app"},
		// Names the lower layers hide: /opt/gone was whited out by layer
		// 2, and /opt/tree/a hidden by layer 2's opaque /opt/tree, though
		// layer 1 still holds both. Made again, they are new to the
		// container: `docker diff` documents A as "a file or directory was
		// added". podman (4.3, containers/storage) agrees for the whiteout
		// but not for the opaque directory: it finds opt/tree/a in layer 1
		// and prints C. minictr follows overlayfs's own lookup and the
		// documented meaning: A.
		{name: "names hidden below",
			script:      "mkdir /opt/gone && echo x > /opt/gone/x && mkdir /opt/tree/a && echo y > /opt/tree/a/old",
			podmanWrong: map[string]string{"C /opt/tree/a": "A /opt/tree/a", "C /opt/tree/a/old": "A /opt/tree/a/old"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ours := minictrDiff(t, img, tt.script)
			ctr := fmt.Sprintf("minictr-diff-%d", i)
			podman("run", "--name", ctr, "--runtime", "runc", "--network=none",
				"--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "--cgroup-parent", podmanCgroupParent,
				"localhost/minictr-diff:test", "/bin/sh", "-c", tt.script)
			var theirs []string
			for _, line := range strings.Split(strings.TrimSpace(podman("diff", ctr)), "\n") {
				if line == "A /run" || (line == "C /etc" && !slices.Contains(ours, line)) {
					continue
				}
				if right, ok := tt.podmanWrong[line]; ok {
					t.Logf("known difference: podman prints %q, minictr %q", line, right)
					line = right
				}
				theirs = append(theirs, line)
			}
			t.Logf("podman diff (without its own /run and /etc):\n%s", strings.Join(theirs, "\n"))
			if !slices.Equal(ours, theirs) {
				t.Errorf("minictr and podman disagree:\nminictr %q\npodman  %q", ours, theirs)
			}
		})
	}
}

// minictrDiff runs script in a fresh overlay of img and returns the lines
// `minictr diff` would print.
func minictrDiff(t *testing.T, img testutil.TestImage, script string) []string {
	c := newContainer(t, img)
	c.sh(t, script)
	c.unmount(t)
	changes, err := layers.Changes(c.Upper, c.Lowers)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, ch := range changes {
		lines = append(lines, ch.String())
	}
	return lines
}
