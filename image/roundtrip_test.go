package image_test

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/minictr/minictr/image"
	"github.com/minictr/minictr/internal/testutil"
)

// digests is what must not change while an image travels: the manifest
// digest, the image ID (the config's digest) and the layer blob digests.
type digests struct {
	Manifest, Config string
	Layers           []string
}

// registryDigests asks the registry what ref is.
func registryDigests(t *testing.T, ref image.Reference) digests {
	t.Helper()
	body, mt, dg, err := image.NewRegistry(false).Manifest(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := image.DecodeManifest(mt, body)
	if err != nil {
		t.Fatal(err)
	}
	return manifestDigests(dg, m)
}

func manifestDigests(dg string, m *image.Manifest) digests {
	d := digests{Manifest: dg, Config: m.Config.Digest}
	for _, l := range m.Layers {
		d.Layers = append(d.Layers, l.Digest)
	}
	return d
}

// storeDigests is what the store keeps of img.
func storeDigests(t *testing.T, s *image.Store, img image.Image) digests {
	t.Helper()
	b, err := s.Blob(img.ImageManifest)
	if err != nil {
		t.Fatalf("image %s: %v", img.ShortID(), err)
	}
	m, _, err := image.DecodeManifest("", b)
	if err != nil {
		t.Fatal(err)
	}
	if m.Config.Digest != img.ID {
		t.Fatalf("image %s: kept manifest names config %s", img.ID, m.Config.Digest)
	}
	return manifestDigests(img.ImageManifest, m)
}

func sameDigests(t *testing.T, step string, got, want digests) {
	t.Helper()
	if got.Manifest != want.Manifest || got.Config != want.Config || !slices.Equal(got.Layers, want.Layers) {
		t.Fatalf("%s changed the digests:\n got  %+v\n want %+v", step, got, want)
	}
}

func openStore(t *testing.T) *image.Store {
	t.Helper()
	s, err := image.OpenStore(filepath.Join(t.TempDir(), "store"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// progressLog collects push progress lines as "<id> <status>".
type progressLog struct {
	mu    sync.Mutex
	lines []string
}

func (p *progressLog) add(pr image.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !strings.HasPrefix(pr.Status, "Pushing") && pr.Status != "Preparing" {
		p.lines = append(p.lines, pr.Status)
	}
}

// all says whether every final line of the push is status.
func (p *progressLog) all(status string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range p.lines {
		if !strings.HasPrefix(l, status) {
			return false
		}
	}
	return len(p.lines) > 0
}

// pushedImages are two images sharing their base layer, in a registry.
type pushedImages struct {
	host        string
	base, multi image.Reference
}

func pushTwo(t *testing.T) pushedImages {
	t.Helper()
	p := pushedImages{host: testutil.StartRegistry(t)}
	testutil.BusyboxImage(t).Push(t, p.host, "rt/base", "b1", testutil.OCI)
	testutil.MultiLayerImage(t).Push(t, p.host, "rt/multi", "v1", testutil.Docker)
	p.base, p.multi = mustRef(t, p.host+"/rt/base:b1"), mustRef(t, p.host+"/rt/multi:v1")
	return p
}

// TestRoundTrip: pull -> save -> rmi -> load -> push to a second
// repository -> pull into an empty store gives the same manifest, config
// and layer digests at every step; a second push finds every layer there;
// a push to a third repository of the same registry mounts every layer.
func TestRoundTrip(t *testing.T) {
	testutil.RequireRoot(t)
	p := pushTwo(t)
	want := registryDigests(t, p.multi)
	s := openStore(t)
	for _, ref := range []image.Reference{p.base, p.multi} {
		if _, err := s.Pull(t.Context(), ref, image.PullOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	img, err := s.Get(p.multi.String())
	if err != nil {
		t.Fatal(err)
	}
	sameDigests(t, "pull", storeDigests(t, s, img), want)

	var archive bytes.Buffer
	if err := s.Save(&archive, []string{p.base.String(), p.multi.String()}, image.SaveDocker); err != nil {
		t.Fatal(err)
	}
	checkSharedOnce(t, archive.Bytes())
	for _, ref := range []image.Reference{p.base, p.multi} {
		if _, err := s.Remove(ref.String(), image.RemoveOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if left, _ := os.ReadDir(filepath.Join(s.Root(), "blobs", "sha256")); len(left) != 0 {
		t.Fatalf("rmi of every image left %d blobs", len(left))
	}
	loaded, err := s.Load(t.Context(), bytes.NewReader(archive.Bytes()), "archive")
	if err != nil || len(loaded) != 2 {
		t.Fatalf("load: %v, %d images", err, len(loaded))
	}
	img, err = s.Get(p.multi.String())
	if err != nil {
		t.Fatal(err)
	}
	sameDigests(t, "save and load", storeDigests(t, s, img), want)

	pushAndCheck(t, s, p, want)
}

// pushAndCheck pushes the loaded image to a second repository (uploads),
// again (already exists), to a third (mounts), and pulls it into an empty
// store.
func pushAndCheck(t *testing.T, s *image.Store, p pushedImages, want digests) {
	copyRef := mustRef(t, p.host+"/rt/copy:v1")
	if _, err := s.Tag(p.multi.String(), copyRef.String()); err != nil {
		t.Fatal(err)
	}
	var first, second, third progressLog
	counter := &countingTransport{counts: map[string]int{}}
	chunked := &image.Registry{Client: &http.Client{Transport: counter}}
	res, err := s.Push(t.Context(), copyRef, image.PushOptions{Registry: chunked, Progress: first.add, Chunk: 256 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if n := counter.reset(); n["PATCH"] < 2 {
		t.Errorf("a push in 256 KiB chunks sent %d PATCH requests: %v", n["PATCH"], n)
	}
	if !first.all("Pushed") {
		t.Errorf("first push to a new repository said %q, want only \"Pushed\"", first.lines)
	}
	if res.Digest != want.Manifest {
		t.Fatalf("push gave manifest %s, the pull had %s", res.Digest, want.Manifest)
	}
	sameDigests(t, "push", registryDigests(t, copyRef), want)
	if _, err := s.Push(t.Context(), copyRef, image.PushOptions{Progress: second.add}); err != nil {
		t.Fatal(err)
	}
	if !second.all("Layer already exists") {
		t.Errorf("second push said %q, want only \"Layer already exists\"", second.lines)
	}
	thirdRef := mustRef(t, p.host+"/rt/third:v1")
	if _, err := s.Tag(copyRef.String(), thirdRef.String()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Push(t.Context(), thirdRef, image.PushOptions{Progress: third.add}); err != nil {
		t.Fatal(err)
	}
	if !third.all("Mounted from rt/copy") {
		t.Errorf("push to a third repository said %q, want only \"Mounted from rt/copy\"", third.lines)
	}
	sameDigests(t, "mount", registryDigests(t, thirdRef), want)
	t.Logf("first push: %q; second: %q; third: %q", first.lines, second.lines, third.lines)

	empty := openStore(t)
	res2, err := empty.Pull(t.Context(), copyRef, image.PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sameDigests(t, "pull into an empty store", storeDigests(t, empty, res2.Image), want)
}

// checkSharedOnce checks that the archive holds each blob once, and that
// manifest.json and index.json list both images.
func checkSharedOnce(t *testing.T, archive []byte) {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(archive))
	seen := map[string]bool{}
	var manifest []struct{ Config string }
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if seen[h.Name] {
			t.Errorf("archive member %s written twice", h.Name)
		}
		seen[h.Name] = true
		if h.Name == "manifest.json" {
			if err := json.NewDecoder(tr).Decode(&manifest); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, want := range []string{"oci-layout", "index.json", "repositories"} {
		if !seen[want] {
			t.Errorf("archive has no %s", want)
		}
	}
	if len(manifest) != 2 {
		t.Errorf("manifest.json lists %d images, want 2", len(manifest))
	}
}
