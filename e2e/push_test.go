package e2e

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/minictr/minictr/internal/testutil"
)

var pushedDigest = regexp.MustCompile(`(?m)^1: digest: (sha256:[0-9a-f]{64}) size: [0-9]+$`)

// pushDigest runs `push ref` and returns the digest it printed and its output.
func (c *harness) pushDigest(ref string) (string, string) {
	c.t.Helper()
	out := c.ok("push", ref)
	m := pushedDigest.FindStringSubmatch(out)
	if m == nil {
		c.t.Fatalf("push %s printed no \"1: digest: sha256:... size: N\" line:\n%s", ref, out)
	}
	return m[1], out
}

// pulledDigest pulls ref and returns the "Digest:" line's digest.
func (c *harness) pulledDigest(ref string) string {
	c.t.Helper()
	m := regexp.MustCompile(`Digest: (sha256:[0-9a-f]{64})`).FindStringSubmatch(c.ok("pull", ref))
	if m == nil {
		c.t.Fatalf("pull %s printed no digest", ref)
	}
	return m[1]
}

// TestPushSaveLoadRoundTrip: pull → save → rmi → load → push to a second
// repository → pull into an empty store gives the same manifest, config
// and layer digests at every step, all through the CLI. A second push
// finds every layer already there.
func TestPushSaveLoadRoundTrip(t *testing.T) {
	host := testutil.StartRegistry(t)
	seed := newCLI(t)
	seed.diffImage()
	src, dst := host+"/src:1", host+"/dst:1"
	seed.ok("tag", "localhost/diff:test", src)
	first, _ := seed.pushDigest(src)
	again, out := seed.pushDigest(src)
	if again != first || strings.Contains(out, ": Pushed") || !strings.Contains(out, "Layer already exists") {
		t.Errorf("second push: digest %s (first %s), output:\n%s", again, first, out)
	}
	seed.ok("tag", src, host+"/mnt:1")
	if d, out := seed.pushDigest(host + "/mnt:1"); d != first || strings.Contains(out, ": Pushed") || !strings.Contains(out, "Mounted from src") {
		t.Errorf("push to another repository of the registry: digest %s, output:\n%s", d, out)
	}

	c := newCLI(t)
	if d := c.pulledDigest(src); d != first {
		t.Fatalf("pulled %s, pushed %s", d, first)
	}
	want := c.inspect(src)
	archive := filepath.Join(t.TempDir(), "saved.tar")
	c.ok("save", "-o", archive, src)
	c.ok("rmi", src)
	c.ok("load", "-i", archive)
	if got := c.inspect(src); got.ID != want.ID || strings.Join(got.RootFS.DiffIDs, " ") != strings.Join(want.RootFS.DiffIDs, " ") {
		t.Fatalf("after save, rmi, load: %s %v, want %s %v", got.ID, got.RootFS.DiffIDs, want.ID, want.RootFS.DiffIDs)
	}
	c.ok("tag", src, dst)
	if d, _ := c.pushDigest(dst); d != first {
		t.Errorf("push of the loaded image: %s, want the pulled %s", d, first)
	}
	empty := newCLI(t)
	if d := empty.pulledDigest(dst); d != first {
		t.Errorf("pull into an empty store: %s, want %s", d, first)
	}
	if got := empty.inspect(dst); got.ID != want.ID {
		t.Errorf("config digest %s, want %s", got.ID, want.ID)
	}
}

// TestCommitSaveBadInput: one line, exit 125, store unchanged.
func TestCommitSaveBadInput(t *testing.T) {
	c := newCLI(t)
	bb := c.busybox()
	c.ok("run", "--name", "c1", bb, "true")
	c.ok("tag", bb, "127.0.0.1:1/bb:test")
	before := c.snapshot()
	c.fails("no such container", "commit", "nope", "x:1")
	c.fails("invalid reference", "commit", "c1", "Bad::Ref")
	c.fails("no such image", "save", "-o", filepath.Join(t.TempDir(), "x.tar"), "nope:1")
	c.fails("no such image", "push", "127.0.0.1:1/nope:1")
	c.fails("connection refused", "push", "127.0.0.1:1/bb:test")
	c.fails("name a tag", "push", "127.0.0.1:1/bb@sha256:"+strings.Repeat("0", 64))
	if after := c.snapshot(); after != before {
		t.Errorf("bad input changed the store:\nbefore\n%s\nafter\n%s", before, after)
	}
}

// TestPushWithoutCredentials: a registry that wants a password and gets
// none refuses the push (401); one line, exit 125, store unchanged.
func TestPushWithoutCredentials(t *testing.T) {
	c := newCLI(t)
	bb := c.busybox()
	auth := testutil.StartRegistryWithAuth(t)
	c.ok("tag", bb, auth+"/bb:test")
	before := c.snapshot()
	c.fails("authentication required", "push", auth+"/bb:test")
	if after := c.snapshot(); after != before {
		t.Errorf("a refused push changed the store:\nbefore\n%s\nafter\n%s", before, after)
	}
}
