package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/minictr/minictr/internal/testutil"
)

// diffImage loads testutil.DiffImage (busybox and three layers that add,
// delete and replace files) into the store as diff:test, and returns the
// docker archive it came from, for peers to load the same image.
func (c *harness) diffImage() string {
	c.t.Helper()
	archive := filepath.Join(c.t.TempDir(), "diff.tar")
	testutil.DiffImage(c.t).WriteDockerArchive(c.t, archive, []string{"localhost/diff:test"}, false)
	c.ok("load", "-i", archive)
	return archive
}

// nonEmptyLines splits output into its non-empty lines.
func nonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// TestDiffMatchesPodman runs the same script (create, change, delete a
// lower file, replace a directory, a fifo, a hard link) in a minictr and a
// podman container of the same image and compares `diff` line by line.
// minictr's own mount points (/etc/hostname, hosts, resolv.conf, which
// the image lacks) must not show; podman hides its files too but still
// lists the /run it made for /run/.containerenv, dropped before comparing.
func TestDiffMatchesPodman(t *testing.T) {
	c := newCLI(t)
	archive := c.diffImage()
	podman := testutil.Podman(t, "/minictr-e2e-diff")
	podman("load", "-q", "-i", archive)
	c.ok("run", "--name", "d1", "localhost/diff:test", "sh", "-c", testutil.DiffScript)
	ours := nonEmptyLines(c.ok("diff", "d1"))
	podman(append(append([]string{"run", "--name", "d1", "--cgroup-parent", "/minictr-e2e-diff"}, testutil.PodmanRunFlags...),
		"localhost/diff:test", "/bin/sh", "-c", testutil.DiffScript)...)
	var theirs []string
	for _, l := range nonEmptyLines(podman("diff", "d1")) {
		if l != "A /run" {
			theirs = append(theirs, l)
		}
	}
	if !slices.Equal(ours, theirs) {
		t.Errorf("minictr and podman disagree:\nminictr %q\npodman  %q", ours, theirs)
	}
	// --layers: /bin/ls came from the busybox layer (0), /etc/motd from
	// the top one (3), each with the history line that made it.
	withLayers := c.ok("diff", "--layers", "d1")
	for _, want := range []string{"D /bin/ls", "<- layer 0 ", "C /etc/motd", "<- layer 3 "} {
		if !strings.Contains(withLayers, want) {
			t.Errorf("diff --layers lacks %q:\n%s", want, withLayers)
		}
	}
}

// TestDiffRunningAndGone: a running container's diff is read while it
// runs; a container whose upper directory is gone gets a clear error.
func TestDiffRunningAndGone(t *testing.T) {
	c := newCLI(t)
	bb := c.busybox()
	id := c.detached("--name", "r1", bb, "sh", "-c", "echo x > /made; exec sleep 1000")
	waitFile(t, filepath.Join(c.root, "containers", id, "upper", "made"))
	if got := nonEmptyLines(c.ok("diff", "r1")); !slices.Equal(got, []string{"A /made"}) {
		t.Errorf("diff of a running container: %q, want [A /made]", got)
	}
	c.ok("run", "--name", "g1", bb, "true")
	upper := filepath.Join(c.ctrInspect("g1").Dir, "upper")
	if err := os.RemoveAll(upper); err != nil {
		t.Fatal(err)
	}
	c.fails("writable layer "+upper+" is gone", "diff", "g1")
}
