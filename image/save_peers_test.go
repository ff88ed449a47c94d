package image_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minictr/minictr/image"
	"github.com/minictr/minictr/internal/testutil"
)

// saveFile saves names into a file in format f and returns its path.
func saveFile(t *testing.T, s *image.Store, f image.SaveFormat, names ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "save-"+string(f)+".tar")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Save(out, names, f); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSaveReadByPeers: what Save writes, other tools read. skopeo inspects
// the docker archive and copies it to an OCI layout that umoci unpacks
// into the image's tree; umoci unpacks the OCI archive directly; podman
// loads the docker archive and names the image by the same ID.
func TestSaveReadByPeers(t *testing.T) {
	testutil.RequireRoot(t)
	p := pushTwo(t)
	s := openStore(t)
	for _, ref := range []image.Reference{p.base, p.multi} {
		if _, err := s.Pull(t.Context(), ref, image.PullOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	multi, err := s.Get(p.multi.String())
	if err != nil {
		t.Fatal(err)
	}
	docker := saveFile(t, s, image.SaveDocker, p.base.String(), p.multi.String())
	t.Run("skopeo and umoci, docker archive", func(t *testing.T) {
		testutil.RequireTool(t, "skopeo", "skopeo")
		src := "docker-archive:" + docker + ":" + p.multi.Familiar()
		out := testutil.Run(t, "skopeo", "inspect", "--config", src)
		if !strings.Contains(out, `"diff_ids"`) {
			t.Errorf("skopeo inspect --config %s said:\n%s", src, out)
		}
		layout := filepath.Join(t.TempDir(), "layout")
		testutil.Run(t, "skopeo", "copy", "--quiet", src, "oci:"+layout+":v1")
		testutil.CheckMultiLayerTree(t, testutil.UmociUnpack(t, layout, "v1"))
	})
	// umoci 0.4.7 reads only OCI manifests, and Save keeps the media types
	// an image came with (changing them changes its digests): the OCI
	// archive is checked with the image pushed in OCI form.
	t.Run("umoci, OCI archive", func(t *testing.T) {
		testutil.MultiLayerImage(t).Push(t, p.host, "rt/moci", "v2", testutil.OCI)
		moci := mustRef(t, p.host+"/rt/moci:v2")
		if _, err := s.Pull(t.Context(), moci, image.PullOptions{}); err != nil {
			t.Fatal(err)
		}
		layout := filepath.Join(t.TempDir(), "layout")
		if err := os.Mkdir(layout, 0o755); err != nil {
			t.Fatal(err)
		}
		testutil.Run(t, "tar", "-xf", saveFile(t, s, image.SaveOCI, p.base.String(), moci.String()), "-C", layout)
		testutil.CheckMultiLayerTree(t, testutil.UmociUnpack(t, layout, "v2"))
	})
	t.Run("podman load", func(t *testing.T) {
		testutil.RequireTool(t, "podman", "podman")
		dir, err := os.MkdirTemp("", "podman") // podman refuses a runroot of more than 50 characters
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		podman := []string{"--root", filepath.Join(dir, "root"), "--runroot", filepath.Join(dir, "run"),
			"--storage-driver", "vfs", "--cgroup-manager=cgroupfs", "--events-backend=file"}
		testutil.Run(t, "podman", append(podman, "load", "-q", "-i", docker)...)
		ids := testutil.Run(t, "podman", append(podman, "images", "--no-trunc", "--format", "{{.ID}} {{.Repository}}:{{.Tag}}")...)
		want := strings.TrimPrefix(multi.ID, "sha256:") + " " + p.multi.FamiliarName() + ":v1"
		if !strings.Contains(ids, want) {
			t.Errorf("podman images after load:\n%s\nwant a line %q", ids, want)
		}
	})
}
