package testutil

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"runtime"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/minictr/minictr/image"
)

// decompress undoes a layer blob's compression according to its media type.
func decompress(t *testing.T, b Blob) []byte {
	t.Helper()
	var r io.Reader = bytes.NewReader(b.Data)
	var err error
	switch b.MediaType {
	case image.MediaTypeOCILayerGz, image.MediaTypeDockerLayer:
		r, err = gzip.NewReader(r)
	case image.MediaTypeOCILayerZst:
		var zr *zstd.Decoder
		zr, err = zstd.NewReader(r)
		if err == nil {
			defer zr.Close()
			r = zr
		}
	case image.MediaTypeOCILayer:
	default:
		t.Fatalf("layer %s has media type %q", b.Digest, b.MediaType)
	}
	if err != nil {
		t.Fatalf("decompress %s: %v", b.Digest, err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decompress %s: %v", b.Digest, err)
	}
	return out
}

func blobByDigest(t *testing.T, enc Encoded, d string) Blob {
	t.Helper()
	for _, b := range append(append([]Blob{}, enc.Blobs...), enc.Manifests...) {
		if b.Digest == d {
			if digest(b.Data) != d || int64(len(b.Data)) != b.Size {
				t.Fatalf("blob %s: bytes have digest %s, size %d (descriptor says %d)", d, digest(b.Data), len(b.Data), b.Size)
			}
			return b
		}
	}
	t.Fatalf("no blob %s in the encoded image", d)
	return Blob{}
}

// checkManifest follows one manifest to its config and layers and checks
// that they hang together: media types of one family, diff_ids that are
// the digests of the decompressed layers, one history entry per step.
func checkManifest(t *testing.T, img TestImage, enc Encoded, m Blob, wantManifest, wantConfig, wantLayer, arch string) {
	t.Helper()
	var man image.Manifest
	if err := json.Unmarshal(m.Data, &man); err != nil {
		t.Fatal(err)
	}
	if m.MediaType != wantManifest || man.MediaType != wantManifest || man.Config.MediaType != wantConfig {
		t.Errorf("manifest %s (config %s), want %s (config %s)", man.MediaType, man.Config.MediaType, wantManifest, wantConfig)
	}
	var cfg image.Config
	if err := json.Unmarshal(blobByDigest(t, enc, man.Config.Digest).Data, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Architecture != arch || cfg.OS != "linux" || cfg.RootFS.Type != "layers" {
		t.Errorf("config is %s/%s rootfs %q, want linux/%s layers", cfg.OS, cfg.Architecture, cfg.RootFS.Type, arch)
	}
	if len(man.Layers) != len(cfg.RootFS.DiffIDs) || len(cfg.History) != len(img.Layers) {
		t.Fatalf("%d layers, %d diff_ids, %d history entries for %d steps", len(man.Layers), len(cfg.RootFS.DiffIDs), len(cfg.History), len(img.Layers))
	}
	for i, l := range man.Layers {
		if l.MediaType != wantLayer {
			t.Errorf("layer %d media type %s, want %s", i, l.MediaType, wantLayer)
		}
		if got := digest(decompress(t, blobByDigest(t, enc, l.Digest))); got != cfg.RootFS.DiffIDs[i] {
			t.Errorf("layer %d decompresses to %s, config diff_id %s", i, got, cfg.RootFS.DiffIDs[i])
		}
	}
	empty := 0
	for _, h := range cfg.History {
		if h.EmptyLayer {
			empty++
		}
	}
	if len(img.Layers)-empty != len(man.Layers) {
		t.Errorf("%d history entries with empty_layer, %d layers, %d steps", empty, len(man.Layers), len(img.Layers))
	}
}

func TestEncode(t *testing.T) {
	img := MultiLayerImage(t)
	host, other := runtime.GOARCH, otherArch()
	for _, tc := range []struct {
		f                       Format
		manifest, config, layer string
	}{
		{OCI, image.MediaTypeOCIManifest, image.MediaTypeOCIConfig, image.MediaTypeOCILayerGz},
		{OCIZstd, image.MediaTypeOCIManifest, image.MediaTypeOCIConfig, image.MediaTypeOCILayerZst},
		{OCIUncompressed, image.MediaTypeOCIManifest, image.MediaTypeOCIConfig, image.MediaTypeOCILayer},
		{Docker, image.MediaTypeDockerManifest, image.MediaTypeDockerConfig, image.MediaTypeDockerLayer},
		{OCIIndex, image.MediaTypeOCIManifest, image.MediaTypeOCIConfig, image.MediaTypeOCILayerGz},
		{DockerList, image.MediaTypeDockerManifest, image.MediaTypeDockerConfig, image.MediaTypeDockerLayer},
	} {
		t.Run(tc.f.String(), func(t *testing.T) {
			enc := img.Encode(t, tc.f)
			if again := img.Encode(t, tc.f); again.Top.Digest != enc.Top.Digest {
				t.Errorf("not deterministic: %s then %s", enc.Top.Digest, again.Top.Digest)
			}
			if tc.f != OCIIndex && tc.f != DockerList {
				checkManifest(t, img, enc, enc.Top, tc.manifest, tc.config, tc.layer, host)
				return
			}
			var idx image.Index
			if err := json.Unmarshal(enc.Top.Data, &idx); err != nil {
				t.Fatal(err)
			}
			if len(idx.Manifests) != 2 || idx.Manifests[0].Platform == nil || idx.Manifests[1].Platform == nil {
				t.Fatalf("index lists %+v, want two manifests with platforms", idx.Manifests)
			}
			for i, arch := range []string{host, other} {
				d := idx.Manifests[i]
				if d.Platform.OS != "linux" || d.Platform.Architecture != arch {
					t.Errorf("index entry %d is %+v, want linux/%s", i, *d.Platform, arch)
				}
				checkManifest(t, img, enc, blobByDigest(t, enc, d.Digest), tc.manifest, tc.config, tc.layer, arch)
			}
		})
	}
}
