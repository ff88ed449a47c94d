package testutil

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"runtime"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/minictr/minictr/image"
)

// Format is how Encode lays an image out: which manifest schema, which
// media types, which layer compression, one platform or an index of two.
type Format int

const (
	OCI             Format = iota // OCI image manifest, gzip layers
	OCIZstd                       // OCI image manifest, zstd layers
	OCIUncompressed               // OCI image manifest, plain tar layers
	Docker                        // Docker image manifest schema 2, gzip layers
	OCIIndex                      // OCI index of two OCI manifests: linux/amd64 and linux/arm64
	DockerList                    // Docker manifest list of two schema 2 manifests, same platforms
)

func (f Format) String() string {
	return [...]string{"oci", "oci+zstd", "oci+tar", "docker", "oci-index", "docker-list"}[f]
}

// Blob is one piece of an encoded image: its descriptor and its bytes.
type Blob struct {
	image.Descriptor
	Data []byte
}

// Encoded is an image as a registry or an OCI layout stores it.
type Encoded struct {
	Top       Blob   // what a tag points at: an image manifest, or an index / manifest list
	Manifests []Blob // for an index: the image manifests it lists; nil otherwise
	Blobs     []Blob // configs and layers, each digest once
	// DiffIDs are the sha256 of each uncompressed layer tar, bottom
	// first: the config's rootfs.diff_ids, what a layer store checks.
	DiffIDs []string
}

// Encode turns the image into blobs and manifests in format f. A single
// manifest describes the host's architecture (runtime.GOARCH), since the
// busybox in it is the host's; an index adds the other of amd64/arm64 with
// its own config over the same layers (never run, only chosen or skipped).
func (img TestImage) Encode(t testing.TB, f Format) Encoded {
	t.Helper()
	var enc Encoded
	add := func(b Blob) {
		for _, have := range enc.Blobs {
			if have.Digest == b.Digest {
				return
			}
		}
		enc.Blobs = append(enc.Blobs, b)
	}
	var layerDescs []image.Descriptor
	for _, l := range img.Layers {
		if l.Tar == nil {
			continue
		}
		enc.DiffIDs = append(enc.DiffIDs, digest(l.Tar))
		b := layerBlob(t, l.Tar, f)
		add(b)
		layerDescs = append(layerDescs, b.Descriptor)
	}
	if f != OCIIndex && f != DockerList {
		cfg := configBlob(t, img, enc.DiffIDs, runtime.GOARCH, f)
		add(cfg)
		enc.Top = manifestBlob(t, cfg.Descriptor, layerDescs, f)
		return enc
	}
	img.encodeIndex(t, &enc, layerDescs, f, add)
	return enc
}

// encodeIndex makes one config and one manifest per platform over the
// same layers, and the index (or manifest list) naming them.
func (img TestImage) encodeIndex(t testing.TB, enc *Encoded, layerDescs []image.Descriptor, f Format, add func(Blob)) {
	t.Helper()
	child, idx := OCI, image.Index{SchemaVersion: 2, MediaType: image.MediaTypeOCIIndex}
	if f == DockerList {
		child, idx.MediaType = Docker, image.MediaTypeDockerManifestList
	}
	for _, arch := range []string{runtime.GOARCH, otherArch()} {
		cfg := configBlob(t, img, enc.DiffIDs, arch, child)
		add(cfg)
		m := manifestBlob(t, cfg.Descriptor, layerDescs, child)
		m.Platform = platform(arch)
		enc.Manifests = append(enc.Manifests, m)
		idx.Manifests = append(idx.Manifests, m.Descriptor)
	}
	enc.Top = jsonBlob(t, idx.MediaType, idx)
}

// layerBlob compresses one layer tar as format f wants it. gzip and zstd
// write no timestamps or names here, so equal tars give equal digests.
func layerBlob(t testing.TB, tar []byte, f Format) Blob {
	t.Helper()
	var buf bytes.Buffer
	mt := image.MediaTypeOCILayerGz
	switch f {
	case OCIUncompressed:
		return Blob{image.Descriptor{MediaType: image.MediaTypeOCILayer, Digest: digest(tar), Size: int64(len(tar))}, tar}
	case OCIZstd:
		mt = image.MediaTypeOCILayerZst
		zw, err := zstd.NewWriter(&buf, zstd.WithEncoderConcurrency(1))
		if err != nil {
			t.Fatalf("zstd writer: %v", err)
		}
		zw.Write(tar)
		if err := zw.Close(); err != nil {
			t.Fatalf("zstd layer: %v", err)
		}
	default:
		if f == Docker || f == DockerList {
			mt = image.MediaTypeDockerLayer
		}
		zw := gzip.NewWriter(&buf)
		zw.Write(tar)
		if err := zw.Close(); err != nil {
			t.Fatalf("gzip layer: %v", err)
		}
	}
	return Blob{image.Descriptor{MediaType: mt, Digest: digest(buf.Bytes()), Size: int64(buf.Len())}, buf.Bytes()}
}

// configBlob is the image config for one architecture: the test's settings
// plus what a builder records — rootfs.diff_ids (digests of the
// UNcompressed layers, bottom first) and one history entry per step.
func configBlob(t testing.TB, img TestImage, diffIDs []string, arch string, f Format) Blob {
	t.Helper()
	cfg := img.Config
	created := Epoch
	cfg.Created = &created
	cfg.OS, cfg.Architecture, cfg.Variant = "linux", arch, platform(arch).Variant
	cfg.RootFS = image.RootFS{Type: "layers", DiffIDs: diffIDs}
	cfg.History = nil
	for _, l := range img.Layers {
		cfg.History = append(cfg.History, image.History{
			Created: &created, CreatedBy: l.CreatedBy, Comment: "minictr testutil", EmptyLayer: l.Tar == nil,
		})
	}
	mt := image.MediaTypeOCIConfig
	if f == Docker || f == DockerList {
		mt = image.MediaTypeDockerConfig
	}
	return jsonBlob(t, mt, cfg)
}

func manifestBlob(t testing.TB, config image.Descriptor, layers []image.Descriptor, f Format) Blob {
	t.Helper()
	m := image.Manifest{SchemaVersion: 2, MediaType: image.MediaTypeOCIManifest, Config: config, Layers: layers}
	if f == Docker || f == DockerList {
		m.MediaType = image.MediaTypeDockerManifest
	}
	return jsonBlob(t, m.MediaType, m)
}

func jsonBlob(t testing.TB, mediaType string, v any) Blob {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode %s: %v", mediaType, err)
	}
	return Blob{image.Descriptor{MediaType: mediaType, Digest: digest(b), Size: int64(len(b))}, b}
}

func digest(b []byte) string { return fmt.Sprintf("sha256:%x", sha256.Sum256(b)) }

// platform is the index entry's platform; arm64 names its variant v8 as
// docker and the official images do.
func platform(arch string) *image.Platform {
	p := &image.Platform{OS: "linux", Architecture: arch}
	if arch == "arm64" {
		p.Variant = "v8"
	}
	return p
}

// otherArch is the second platform of an index: the one this host is not.
func otherArch() string {
	if runtime.GOARCH == "arm64" {
		return "amd64"
	}
	return "arm64"
}
