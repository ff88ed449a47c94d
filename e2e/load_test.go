package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/minictr/minictr/internal/testutil"
	"github.com/ulikunitz/xz"
)

// `load` reads docker save archives (plain and gzipped) and OCI layouts,
// and gives the same root filesystem as a pull of the same image.
func TestLoad(t *testing.T) {
	host := testutil.StartRegistry(t)
	img := testutil.MultiLayerImage(t)
	img.Push(t, host, "load/multi", "v1", testutil.OCI)
	puller := newCLI(t)
	puller.ok("pull", host+"/load/multi:v1")
	want := puller.merged(host + "/load/multi:v1")

	dir := t.TempDir()
	cases := []struct {
		name, file, loaded string
		write              func(path string)
	}{
		{"docker save", "save.tar", "Loaded image: multi:v1", func(p string) { img.WriteDockerArchive(t, p, []string{"multi:v1"}, false) }},
		{"docker save | gzip", "save.tar.gz", "Loaded image: example.com/multi:v2", func(p string) { img.WriteDockerArchive(t, p, []string{"example.com/multi:v2"}, true) }},
		{"OCI archive with a full name", "oci.tar", "Loaded image: example.com/oci/multi:v3", func(p string) { img.WriteOCIArchive(t, p, "example.com/oci/multi:v3", false) }},
		{"OCI archive with a bare tag", "oci-tag.tar.gz", "Loaded image ID: sha256:", func(p string) { img.WriteOCIArchive(t, p, "latest", true) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newCLI(t)
			path := filepath.Join(dir, tc.file)
			tc.write(path)
			out := c.ok("load", "-i", path)
			if !strings.Contains(out, tc.loaded) {
				t.Fatalf("load said %q, want %q", out, tc.loaded)
			}
			name := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(out, "Loaded image: "), "Loaded image ID: "))
			if diff := testutil.DiffTrees(want, c.merged(name)); len(diff) > 0 {
				t.Errorf("loaded image differs from the pulled one:\n%s", strings.Join(diff, "\n"))
			}
		})
	}
}

// `import` makes a one-layer image from a rootfs tarball whatever its
// compression, told apart by content: the files are named .img on purpose.
func TestImport(t *testing.T) {
	c := newCLI(t)
	tarball := testutil.TarLayer(t, testutil.BusyboxRoot(t))
	dir := t.TempDir()
	var gz, xzb bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(tarball)
	zw.Close()
	xw, err := xz.NewWriter(&xzb)
	if err != nil {
		t.Fatal(err)
	}
	xw.Write(tarball)
	xw.Close()
	var want map[string]testutil.Entry
	for _, f := range []struct {
		name string
		data []byte
	}{{"plain.img", tarball}, {"gzip.img", gz.Bytes()}, {"xz.img", xzb.Bytes()}} {
		path := filepath.Join(dir, f.name)
		os.WriteFile(path, f.data, 0o644)
		id := strings.TrimSpace(c.ok("import", path, "imported/"+strings.TrimSuffix(f.name, ".img")+":v1"))
		if !strings.HasPrefix(id, "sha256:") {
			t.Fatalf("import printed %q, want an image ID", id)
		}
		got := c.merged(id)
		if want == nil {
			want = got
		} else if diff := testutil.DiffTrees(want, got); len(diff) > 0 {
			t.Errorf("%s imports differently:\n%s", f.name, strings.Join(diff, "\n"))
		}
		if _, ok := got["bin/busybox"]; !ok {
			t.Errorf("%s: imported tree has no bin/busybox", f.name)
		}
		if h := c.ok("history", "--no-trunc", id); !strings.Contains(h, "minictr import "+path) {
			t.Errorf("history does not name the import:\n%s", h)
		}
	}
	if n := len(c.layerDirs()); n != 1 {
		t.Errorf("three imports of one tar: %d layer directories, want 1", n)
	}
}

// history shows one row per instruction, newest first, the config-only
// ones with 0B; inspect shows every layer's directory on disk.
func TestHistoryAndInspect(t *testing.T) {
	c := newCLI(t)
	host := testutil.StartRegistry(t)
	img := testutil.MultiLayerImage(t)
	img.Push(t, host, "hist/multi", "v1", testutil.Docker)
	ref := host + "/hist/multi:v1"
	c.ok("pull", ref)
	lines := strings.Split(strings.TrimSpace(c.ok("history", "--no-trunc", ref)), "\n")
	if len(lines) != 1+len(img.Layers) {
		t.Fatalf("history has %d lines, want a header and %d rows:\n%s", len(lines), len(img.Layers), strings.Join(lines, "\n"))
	}
	for i, l := range img.Layers {
		row := lines[len(lines)-1-i]
		if !strings.Contains(row, l.CreatedBy) {
			t.Errorf("row %q does not show %q", row, l.CreatedBy)
		}
		if l.Tar == nil && !strings.Contains(row, " 0B ") {
			t.Errorf("config-only step should be 0B: %q", row)
		}
		if (i == len(img.Layers)-1) == strings.HasPrefix(row, "<missing>") {
			t.Errorf("only the top row names the image: %q", row)
		}
	}
	v := c.inspect(ref)
	if len(v.Layers) != len(v.RootFS.DiffIDs) || len(v.RootFS.ChainIDs) != len(v.Layers) {
		t.Fatalf("inspect: %d layers, %d diff IDs, %d chain IDs", len(v.Layers), len(v.RootFS.DiffIDs), len(v.RootFS.ChainIDs))
	}
	for i, l := range v.Layers {
		if l.DiffID != v.RootFS.DiffIDs[i] || l.ChainID != v.RootFS.ChainIDs[i] {
			t.Errorf("layer %d: %+v does not match the config", i, l)
		}
		if fi, err := os.Stat(l.Dir); err != nil || !fi.IsDir() {
			t.Errorf("layer %d: directory %s: %v", i, l.Dir, err)
		}
	}
	if v.RootFS.ChainIDs[0] != v.RootFS.DiffIDs[0] {
		t.Errorf("the base layer's chain ID is its diff ID")
	}
}
