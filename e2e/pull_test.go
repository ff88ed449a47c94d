package e2e

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/minictr/minictr/internal/testutil"
)

// Every manifest format and layer compression minictr accepts, pushed to a
// real registry and pulled back. The busybox layer is the same tar in all of
// them, so however it was compressed it has one diff ID, one chain ID, and
// is stored once.
func TestPullEveryFormat(t *testing.T) {
	c := newCLI(t)
	host := testutil.StartRegistry(t)
	img := testutil.BusyboxImage(t)
	formats := []testutil.Format{testutil.OCI, testutil.OCIZstd, testutil.OCIUncompressed,
		testutil.Docker, testutil.OCIIndex, testutil.DockerList}
	for i, f := range formats {
		repo := "formats/" + strings.ReplaceAll(f.String(), "+", "-")
		digest := img.Push(t, host, repo, "v1", f)
		out := c.ok("pull", host+"/"+repo+":v1")
		if !strings.Contains(out, "Digest: "+digest) || !strings.Contains(out, "Status: Downloaded newer image") {
			t.Errorf("pull %s: output does not name digest %s:\n%s", f, digest, out)
		}
		// A blob seen before (the same gzip of the same tar) is not fetched
		// again. The same tar compressed otherwise (zstd, plain) is: the
		// store keeps every layer blob exactly as it came, so that save and
		// push give back the same digests (docs/02-layers.md, "Keeping
		// layers exactly"), but the layer is not unpacked a second time.
		if want := "Pull complete"; i > 0 {
			want = "Already exists"
			if f == testutil.OCIZstd || f == testutil.OCIUncompressed {
				want = "Download complete"
			}
			if !strings.Contains(out, want) {
				t.Errorf("pull %s: want %q for the busybox layer:\n%s", f, want, out)
			}
		}
		if got := c.layerDirs(); len(got) != 1 {
			t.Fatalf("after pulling %s: %d layer directories, want 1 (shared): %v", f, len(got), got)
		}
		again := c.ok("pull", host+"/"+repo+":v1")
		if !strings.Contains(again, "Status: Image is up to date") {
			t.Errorf("second pull of %s:\n%s", f, again)
		}
	}
	if n := len(strings.Fields(c.ok("images", "-q"))); n == 0 {
		t.Errorf("images -q lists nothing")
	}
}

// The merged tree of a multi-layer image (whiteouts, an opaque directory, a
// directory replaced by a file, hard links, symlinks, setuid and 0600
// files), mounted from minictr's layer directories, equals the tree umoci
// unpacks from the same image fetched by skopeo.
func TestPullMatchesUmoci(t *testing.T) {
	c := newCLI(t)
	host := testutil.StartRegistry(t)
	testutil.MultiLayerImage(t).Push(t, host, "multi/layer", "v1", testutil.OCI)
	c.ok("pull", host+"/multi/layer:v1")
	want := testutil.UmociTree(t, host, "multi/layer", "v1")
	got := c.merged(host + "/multi/layer:v1")
	if diff := testutil.DiffTrees(want, got); len(diff) > 0 {
		t.Errorf("minictr's merged tree differs from umoci's:\n%s", strings.Join(diff, "\n"))
	}
	for _, p := range []string{"opt/gone", "bin/hostname"} {
		if _, ok := got[p]; ok {
			t.Errorf("%s should be deleted by a whiteout", p)
		}
	}
}

// Two images on one base share its layer directory; removing one keeps
// the shared layer, removing the other empties the store.
func TestSharedLayers(t *testing.T) {
	c := newCLI(t)
	host := testutil.StartRegistry(t)
	testutil.BusyboxImage(t).Push(t, host, "shared/busybox", "v1", testutil.OCI)
	testutil.MultiLayerImage(t).Push(t, host, "shared/multi", "v1", testutil.Docker)
	c.ok("pull", host+"/shared/busybox:v1")
	out := c.ok("pull", host+"/shared/multi:v1")
	if !strings.Contains(out, "Already exists") {
		t.Errorf("second image re-downloaded the shared base:\n%s", out)
	}
	a, b := c.inspect(host+"/shared/busybox:v1"), c.inspect(host+"/shared/multi:v1")
	if a.Layers[0].Dir != b.Layers[0].Dir {
		t.Fatalf("base layer stored twice: %s and %s", a.Layers[0].Dir, b.Layers[0].Dir)
	}
	if n := len(c.layerDirs()); n != len(b.Layers) {
		t.Errorf("%d layer directories, want %d", n, len(b.Layers))
	}
	c.ok("rmi", host+"/shared/multi:v1")
	if _, err := os.Stat(a.Layers[0].Dir); err != nil {
		t.Errorf("rmi of one image removed the shared layer: %v", err)
	}
	if n := len(c.layerDirs()); n != 1 {
		t.Errorf("after rmi: %d layer directories, want 1", n)
	}
	c.ok("rmi", host+"/shared/busybox:v1")
	if n := len(c.layerDirs()); n != 0 {
		t.Errorf("after removing every image: %d layer directories left", n)
	}
	if out := c.ok("images", "-q"); out != "" {
		t.Errorf("images after rmi: %q", out)
	}
}

// Two pulls of one image at the same time both succeed, and each layer is
// unpacked by exactly one of them: the other finds it there.
func TestConcurrentPulls(t *testing.T) {
	c := newCLI(t)
	host := testutil.StartRegistry(t)
	testutil.MultiLayerImage(t).Push(t, host, "conc/multi", "v1", testutil.OCI)
	c.ok("images") // create the store first, so both pulls race on layers only
	var wg sync.WaitGroup
	outs := make([]string, 2)
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i] = c.ok("pull", host+"/conc/multi:v1")
		}()
	}
	wg.Wait()
	layers := len(c.inspect(host + "/conc/multi:v1").Layers)
	complete := strings.Count(outs[0]+outs[1], "Pull complete")
	if complete != layers {
		t.Errorf("%d layers, but %d 'Pull complete' lines across both pulls:\n%s\n---\n%s", layers, complete, outs[0], outs[1])
	}
	if n := len(c.layerDirs()); n != layers {
		t.Errorf("%d layer directories, want %d", n, layers)
	}
	if ents, _ := os.ReadDir(filepath.Join(c.root, "tmp")); len(ents) != 0 {
		t.Errorf("tmp/ not empty after both pulls: %v", ents)
	}
}

// A pull killed with SIGKILL at any point of its output leaves no image,
// layer or blob that looks complete and is not; the next pull finishes the
// job and the next command sweeps the temp files.
func TestPullKilled(t *testing.T) {
	c := newCLI(t)
	host := testutil.StartRegistry(t)
	img := testutil.MultiLayerImage(t)
	img.Layers = append(img.Layers, testutil.Layer{Tar: testutil.TarLayer(t, []testutil.File{
		testutil.Reg("big/random", 0o644, string(randomBytes(t, 16<<20))),
	}), CreatedBy: "COPY big /big"})
	img.Push(t, host, "killed/multi", "v1", testutil.OCI)
	ref := host + "/killed/multi:v1"

	ref0 := newCLI(t) // a clean, complete pull to compare with
	ref0.ok("pull", ref)
	want := ref0.merged(ref)
	for kill := 0; kill < 12; kill++ {
		cmd := c.cmd("pull", ref)
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 1)
		for lines := 0; lines < kill; { // kill after the kill-th line of output
			if _, err := stdout.Read(buf); err != nil {
				break
			}
			if buf[0] == '\n' {
				lines++
			}
		}
		cmd.Process.Kill()
		cmd.Wait()
		checkStoreConsistent(t, c, ref0)
	}
	c.ok("pull", ref)
	if diff := testutil.DiffTrees(want, c.merged(ref)); len(diff) > 0 {
		t.Errorf("after killed pulls, the finished image differs:\n%s", strings.Join(diff, "\n"))
	}
	if ents, _ := os.ReadDir(filepath.Join(c.root, "tmp")); len(ents) != 0 {
		t.Errorf("tmp/ not swept by the next pull: %d entries", len(ents))
	}
}

// checkStoreConsistent: every layer directory present is whole (the same
// tree as in the clean store), and an image is listed only if all of its
// layers are there.
func checkStoreConsistent(t *testing.T, c, clean *harness) {
	t.Helper()
	for _, chain := range c.layerDirs() {
		got := testutil.Tree(t, filepath.Join(c.root, "layers", "sha256", chain))
		want := testutil.Tree(t, filepath.Join(clean.root, "layers", "sha256", chain))
		if diff := testutil.DiffTrees(want, got); len(diff) > 0 {
			t.Fatalf("layer %s looks complete but differs:\n%s", chain, strings.Join(diff, "\n"))
		}
	}
	for _, id := range strings.Fields(c.ok("images", "-q")) {
		c.inspect(id) // fails the test if a layer of a listed image is missing
	}
}

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	f, err := os.Open("/dev/urandom")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := io.ReadFull(f, b); err != nil {
		t.Fatal(err)
	}
	return b
}
