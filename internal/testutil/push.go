package testutil

import (
	"bytes"
	"testing"

	"github.com/minictr/minictr/image"
)

// Push uploads the image in format f to the registry at host (a loopback
// registry from StartRegistry, spoken to over plain HTTP) as repo:tag, the
// way `docker push` does: blobs first, then the manifests an index lists
// (by digest), then the manifest or index under the tag. It returns the
// digest the tag now points at.
func (img TestImage) Push(t testing.TB, host, repo, tag string, f Format) string {
	t.Helper()
	ref, err := image.ParseReference(host + "/" + repo + ":" + tag)
	if err != nil {
		t.Fatalf("push: %v", err)
	}
	enc := img.Encode(t, f)
	reg := image.NewRegistry(true)
	ctx := t.Context()
	for _, b := range enc.Blobs {
		if err := reg.PushBlob(ctx, ref, b.Descriptor, bytes.NewReader(b.Data)); err != nil {
			t.Fatalf("push blob %s to %s: %v", b.Digest, ref, err)
		}
	}
	for _, m := range enc.Manifests {
		if err := reg.PushManifest(ctx, ref.WithDigest(m.Digest), m.MediaType, m.Data); err != nil {
			t.Fatalf("push manifest %s to %s: %v", m.Digest, ref, err)
		}
	}
	if err := reg.PushManifest(ctx, ref, enc.Top.MediaType, enc.Top.Data); err != nil {
		t.Fatalf("push %s %s: %v", enc.Top.MediaType, ref, err)
	}
	return enc.Top.Digest
}
