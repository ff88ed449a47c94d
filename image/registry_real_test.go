package image_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/minictr/minictr/image"
	"github.com/minictr/minictr/internal/testutil"
)

// These tests run against a real registry (Debian's docker-registry, the
// CNCF distribution registry) on a loopback port. They need no root.

// countingTransport counts requests by method, to see what a push skipped.
type countingTransport struct {
	mu     sync.Mutex
	counts map[string]int
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.counts[r.Method]++
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

func (c *countingTransport) reset() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.counts
	c.counts = map[string]int{}
	return old
}

// docker turns the test image's amd64 variant into a Docker schema 2
// manifest with Docker media types. The blobs are the same bytes; only
// the descriptors' media types differ.
func (img *testImage) docker(t *testing.T) (manifest []byte, blobs []image.Descriptor) {
	cfg := img.config["amd64"]
	cfg.MediaType = image.MediaTypeDockerConfig
	layer := img.layer
	layer.MediaType = image.MediaTypeDockerLayer
	m := image.Manifest{SchemaVersion: 2, MediaType: image.MediaTypeDockerManifest,
		Config: cfg, Layers: []image.Descriptor{layer}}
	return mustJSON(t, m), []image.Descriptor{layer, cfg}
}

// pushAll pushes blobs, then the platform manifests by digest, then top
// under ref's tag.
func pushAll(t *testing.T, reg *image.Registry, ref image.Reference, img *testImage, blobs []image.Descriptor, children []string, mt string, top []byte) {
	t.Helper()
	for _, d := range blobs {
		if err := reg.PushBlob(t.Context(), ref, d, bytes.NewReader(img.blobs[d.Digest])); err != nil {
			t.Fatal(err)
		}
	}
	for _, dg := range children {
		if err := reg.PushManifest(t.Context(), ref.WithDigest(dg), img.types[dg], img.blobs[dg]); err != nil {
			t.Fatal(err)
		}
	}
	if err := reg.PushManifest(t.Context(), ref, mt, top); err != nil {
		t.Fatal(err)
	}
}

// readBack checks that the registry serves ref's manifest and every blob
// byte for byte as pushed.
func readBack(t *testing.T, reg *image.Registry, ref image.Reference, img *testImage, wantType string, want []byte, blobs []image.Descriptor) {
	t.Helper()
	body, mt, dg, err := reg.Manifest(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(body, want) || mt != wantType || dg != digestOf(want) {
		t.Fatalf("%s: got %s %s (%d bytes), want %s %s", ref, mt, dg, len(body), wantType, digestOf(want))
	}
	for _, d := range blobs {
		rc, err := reg.Blob(t.Context(), ref, d)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(b, img.blobs[d.Digest]) {
			t.Fatalf("blob %s: %d bytes, %v", d.Digest, len(b), err)
		}
	}
}

func TestRealRegistryPushPull(t *testing.T) {
	host := testutil.StartRegistry(t)
	img := newTestImage(t)
	counter := &countingTransport{counts: map[string]int{}}
	reg := &image.Registry{Client: &http.Client{Transport: counter}}
	oci := []image.Descriptor{img.layer, img.config["amd64"]}
	dockerManifest, dockerBlobs := img.docker(t)
	arm64 := img.manifests["arm64"]
	ociBlobs := append(oci, img.config["arm64"])
	cases := []struct {
		repo, mt string
		top      []byte
		blobs    []image.Descriptor
		children []string
	}{
		{"minictr/oci", image.MediaTypeOCIManifest, img.blobs[img.manifests["amd64"]], oci, nil},
		{"minictr/docker", image.MediaTypeDockerManifest, dockerManifest, dockerBlobs, nil},
		{"minictr/index", image.MediaTypeOCIIndex, img.blobs[img.index], ociBlobs, []string{img.manifests["amd64"], arm64}},
	}
	for _, c := range cases {
		t.Run(c.repo, func(t *testing.T) {
			ref := busybox(t, host+"/"+c.repo+":v1")
			pushAll(t, reg, ref, img, c.blobs, c.children, c.mt, c.top)
			readBack(t, reg, ref, img, c.mt, c.top, c.blobs)
			counter.reset()

			// Again: every blob is found by HEAD, nothing is uploaded.
			pushAll(t, reg, ref, img, c.blobs, c.children, c.mt, c.top)
			if n := counter.reset(); n["POST"] != 0 || n["HEAD"] != len(c.blobs) {
				t.Errorf("second push made %v requests, want only HEADs for the %d blobs and PUTs for manifests", n, len(c.blobs))
			}
			readBack(t, reg, ref, img, c.mt, c.top, c.blobs)
		})
	}

	// The index leads to the arm64 manifest, fetched by digest.
	ref := busybox(t, host+"/minictr/index:v1")
	body, mt, _, err := reg.Manifest(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	_, idx, err := image.DecodeManifest(mt, body)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := image.ParsePlatform("linux/arm64")
	d, err := image.ChoosePlatform(idx, want)
	if err != nil || d.Digest != arm64 {
		t.Fatalf("ChoosePlatform(arm64) = %s, %v; want %s", d.Digest, err, arm64)
	}
	readBack(t, reg, ref.WithDigest(arm64), img, image.MediaTypeOCIManifest, img.blobs[arm64], []image.Descriptor{img.config["arm64"]})
}

// TestRealRegistryErrors: what the real registry says when things are
// missing or wrong, as minictr words it.
func TestRealRegistryErrors(t *testing.T) {
	host := testutil.StartRegistry(t)
	img := newTestImage(t)
	reg := &image.Registry{}
	ctx := t.Context()
	ref := busybox(t, host+"/minictr/errors:v1")

	_, _, _, err := reg.Manifest(ctx, busybox(t, host+"/minictr/errors:nope"))
	if want := "manifest for " + host + "/minictr/errors:nope not found: manifest unknown"; err == nil || err.Error() != want {
		t.Errorf("unknown tag:\n got %v\nwant %s", err, want)
	}
	_, err = reg.Blob(ctx, ref, img.layer)
	if want := "blob " + img.layer.Digest + " not found in " + host + "/minictr/errors: blob unknown to registry"; err == nil || err.Error() != want {
		t.Errorf("unknown blob:\n got %v\nwant %s", err, want)
	}

	// A manifest whose blobs were never pushed is refused by the registry.
	err = reg.PushManifest(ctx, ref, image.MediaTypeOCIManifest, img.blobs[img.manifests["amd64"]])
	if err == nil || !strings.Contains(err.Error(), "push manifest "+host+"/minictr/errors:v1: manifest blob unknown") {
		t.Errorf("manifest before its blobs: %v", err)
	}
	t.Logf("manifest before its blobs: %v", err)

	// Bytes that do not match the digest: the registry checks and refuses.
	evil := bytes.Clone(img.blobs[img.layer.Digest])
	evil[0] ^= 0xff
	err = reg.PushBlob(ctx, ref, img.layer, bytes.NewReader(evil))
	if err == nil || !strings.Contains(err.Error(), "digest invalid") {
		t.Errorf("push of wrong bytes: %v", err)
	}
	t.Logf("push of wrong bytes: %v", err)

	// Pinned to a digest, a manifest must hash to it before it is sent.
	err = reg.PushManifest(ctx, ref.WithDigest(img.index), image.MediaTypeOCIManifest, img.blobs[img.manifests["amd64"]])
	if !errors.Is(err, image.ErrDigestMismatch) {
		t.Errorf("push under another digest: %v", err)
	}
}
