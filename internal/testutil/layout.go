package testutil

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minictr/minictr/image"
)

// An image does not need a registry to travel. Two file formats carry one:
//
//   - the OCI image layout (image-spec image-layout.md): a file oci-layout,
//     an index.json listing the images by descriptor, and every blob under
//     blobs/sha256/<hex>, addressed by its digest. skopeo, buildah, podman
//     and docker 25+ read and write it.
//   - the `docker save` archive: manifest.json, a list of
//     {Config, RepoTags, Layers} naming a config file and one uncompressed
//     layer tar per layer, bottom first. Layers carry no digest of their
//     own; the config's rootfs.diff_ids vouch for them.
//
// Both are what `minictr load` reads.

// RefNameAnnotation is the index.json annotation naming an image of a
// layout; skopeo's oci:DIR:NAME finds images by it.
const RefNameAnnotation = "org.opencontainers.image.ref.name"

// WriteOCILayout writes the image as an OCI layout in dir (created if
// missing), OCI media types and gzip layers, listed in index.json under
// the ref name tag. skopeo finds it as oci:DIR:TAG; `minictr load` tags
// the image only when tag is a full name ("minictr.test/app:v1"), as
// docker does with a bare "v1".
func (img TestImage) WriteOCILayout(t testing.TB, dir, tag string) {
	t.Helper()
	img.WriteOCILayoutAs(t, dir, tag, OCI)
}

// WriteOCILayoutAs is WriteOCILayout in any Format; with OCIIndex the
// index.json entry points at a nested index, as `skopeo copy --all` writes.
func (img TestImage) WriteOCILayoutAs(t testing.TB, dir, tag string, f Format) {
	t.Helper()
	for _, a := range img.ociLayoutFiles(t, tag, f) {
		if a.Mode.IsDir() {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(a.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatalf("oci layout: %v", err)
		}
		if err := os.WriteFile(p, a.Data, 0o644); err != nil {
			t.Fatalf("oci layout: %v", err)
		}
	}
}

// WriteOCIArchive writes the OCI layout as one tar file at path, gzipped
// when gz is set: what `docker save` (25+) or `skopeo copy ... oci-archive:`
// produce.
func (img TestImage) WriteOCIArchive(t testing.TB, path, tag string, gz bool) {
	t.Helper()
	writeArchive(t, path, img.ociLayoutFiles(t, tag, OCI), gz)
}

// ociLayoutFiles lists the members of the layout, blobs first and
// index.json last, the order skopeo writes.
func (img TestImage) ociLayoutFiles(t testing.TB, tag string, f Format) []File {
	t.Helper()
	enc := img.Encode(t, f)
	files := []File{
		Reg("oci-layout", 0o644, `{"imageLayoutVersion":"1.0.0"}`),
		Dir("blobs", 0o755),
		Dir("blobs/sha256", 0o755),
	}
	all := append(append(append([]Blob{}, enc.Blobs...), enc.Manifests...), enc.Top)
	for _, b := range all {
		files = append(files, File{Name: blobPath(b.Digest), Mode: 0o644, Data: b.Data})
	}
	top := enc.Top.Descriptor
	top.Annotations = map[string]string{RefNameAnnotation: tag}
	idx := image.Index{SchemaVersion: 2, MediaType: image.MediaTypeOCIIndex, Manifests: []image.Descriptor{top}}
	files = append(files, File{Name: "index.json", Mode: 0o644, Data: mustJSON(t, idx)})
	return files
}

// dockerSaveEntry is one element of manifest.json in a `docker save` archive.
type dockerSaveEntry struct {
	Config   string
	RepoTags []string
	Layers   []string
}

// WriteDockerArchive writes the image as `docker save` does (before docker
// 25): <layer id>/layer.tar for each layer, <config hex>.json, then
// manifest.json naming them and the tags repoTags (e.g. "busybox:latest").
// With gz the whole archive is gzipped, like `docker save | gzip`.
func (img TestImage) WriteDockerArchive(t testing.TB, path string, repoTags []string, gz bool) {
	t.Helper()
	enc := img.Encode(t, Docker)
	var files []File
	entry := dockerSaveEntry{RepoTags: repoTags}
	seen := map[string]bool{}
	for _, l := range img.Layers {
		if l.Tar == nil {
			continue
		}
		id := strings.TrimPrefix(digest(l.Tar), "sha256:")
		entry.Layers = append(entry.Layers, id+"/layer.tar")
		if !seen[id] {
			seen[id] = true
			files = append(files, Dir(id, 0o755), File{Name: id + "/layer.tar", Mode: 0o644, Data: l.Tar})
		}
	}
	for _, b := range enc.Blobs {
		if b.MediaType == image.MediaTypeDockerConfig {
			entry.Config = strings.TrimPrefix(b.Digest, "sha256:") + ".json"
			files = append(files, File{Name: entry.Config, Mode: 0o644, Data: b.Data})
		}
	}
	files = append(files, File{Name: "manifest.json", Mode: 0o644, Data: mustJSON(t, []dockerSaveEntry{entry})})
	writeArchive(t, path, files, gz)
}

// writeArchive writes files as a tar (gzipped if gz) at path.
func writeArchive(t testing.TB, path string, files []File, gz bool) {
	t.Helper()
	data := TarLayer(t, files)
	if gz {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(data)
		if err := zw.Close(); err != nil {
			t.Fatalf("gzip %s: %v", path, err)
		}
		data = buf.Bytes()
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatalf("write archive: %v", err)
	}
}

func blobPath(digest string) string {
	return "blobs/" + strings.Replace(digest, ":", "/", 1)
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("json: %v", err)
	}
	return b
}
