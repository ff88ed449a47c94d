package testutil

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The OCI layout writer checked by the reference unpacker: umoci reads the
// layout, applies the five steps' layers with their whiteouts, and the
// result must have the semantics MultiLayerImage promises.
func TestOCILayoutUnpacksWithUmoci(t *testing.T) {
	img := MultiLayerImage(t)
	for _, f := range []Format{OCI, OCIUncompressed} {
		t.Run(f.String(), func(t *testing.T) {
			dir := t.TempDir()
			img.WriteOCILayoutAs(t, dir, "v1", f)
			RequireTool(t, "skopeo", "skopeo")
			Run(t, "skopeo", "inspect", "oci:"+dir+":v1")
			CheckMultiLayerTree(t, UmociUnpack(t, dir, "v1"))
		})
	}
}

// A `docker save` archive, plain and gzipped, must convert with skopeo to
// the same rootfs as the OCI layout of the same image.
func TestDockerArchiveMatchesOCILayout(t *testing.T) {
	RequireTool(t, "skopeo", "skopeo")
	img := MultiLayerImage(t)
	dir := t.TempDir()
	img.WriteOCILayout(t, filepath.Join(dir, "oci"), "v1")
	want := UmociUnpack(t, filepath.Join(dir, "oci"), "v1")
	for _, gz := range []bool{false, true} {
		archive := filepath.Join(dir, "save.tar")
		if gz {
			archive += ".gz"
		}
		img.WriteDockerArchive(t, archive, []string{"minictr.test/multi:v1"}, gz)
		if gz { // docker load takes `docker save | gzip`; skopeo 1.9 does not
			archive = gunzipFile(t, archive)
		}
		layout := filepath.Join(dir, "from-archive")
		Run(t, "skopeo", "copy", "--quiet", "docker-archive:"+archive, "oci:"+layout+":v1")
		for _, d := range DiffTrees(want, UmociUnpack(t, layout, "v1")) {
			t.Errorf("gz=%v: %s", gz, d)
		}
	}
}

// An OCI archive is the same layout in one tar; skopeo reads it as
// oci-archive:.
func TestOCIArchive(t *testing.T) {
	RequireTool(t, "skopeo", "skopeo")
	img := BusyboxImage(t)
	path := filepath.Join(t.TempDir(), "busybox.tar")
	img.WriteOCIArchive(t, path, "v1", false)
	out := Run(t, "skopeo", "inspect", "--config", "oci-archive:"+path+":v1")
	if !strings.Contains(out, `"/bin/sh"`) {
		t.Errorf("skopeo inspect --config oci-archive: %s; want Cmd /bin/sh", out)
	}
}

func gunzipFile(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	out := strings.TrimSuffix(path, ".gz")
	if err := os.WriteFile(out, plain, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}
