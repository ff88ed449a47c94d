package image

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"strings"
	"time"
)

// An image, as a registry serves it, is a small tree of JSON documents and
// tarballs, each fetched by its digest:
//
//	index (optional) ── one entry per platform ──> manifest
//	manifest ── config ──> config (JSON: env, cmd, diff_ids, history)
//	         └─ layers ──> layer tarballs, bottom first
//
// Two vocabularies describe the same tree: Docker's "schema 2" (2016) and
// the OCI image spec (2017), which copied it nearly field for field. The
// media type (Content-Type, and the mediaType field) says which one a
// document is; minictr reads both. These types are written by hand, not
// imported, so that a student can read the whole format on one page.
// Specs: https://github.com/opencontainers/image-spec (manifest.md,
// image-index.md, config.md, descriptor.md, layer.md, media-types.md).

// Media types of OCI images (image-spec media-types.md).
const (
	MediaTypeOCIManifest = "application/vnd.oci.image.manifest.v1+json"
	MediaTypeOCIIndex    = "application/vnd.oci.image.index.v1+json"
	MediaTypeOCIConfig   = "application/vnd.oci.image.config.v1+json"
	MediaTypeOCILayer    = "application/vnd.oci.image.layer.v1.tar"      // uncompressed tar
	MediaTypeOCILayerGz  = "application/vnd.oci.image.layer.v1.tar+gzip" // the common case
	MediaTypeOCILayerZst = "application/vnd.oci.image.layer.v1.tar+zstd"

	// Non-distributable layers may not be pushed to other registries (licensed
	// Windows base layers); their descriptors carry urls to fetch them from.
	// Deprecated by image-spec 1.1, refused by minictr.
	MediaTypeOCIForeign    = "application/vnd.oci.image.layer.nondistributable.v1.tar"
	MediaTypeOCIForeignGz  = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
	MediaTypeOCIForeignZst = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"
)

// Media types of Docker images (Docker Image Manifest V2, Schema 2).
const (
	MediaTypeDockerManifest     = "application/vnd.docker.distribution.manifest.v2+json"
	MediaTypeDockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
	MediaTypeDockerConfig       = "application/vnd.docker.container.image.v1+json"
	MediaTypeDockerLayer        = "application/vnd.docker.image.rootfs.diff.tar.gzip"
	MediaTypeDockerForeign      = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

	// Schema 1 (2015-2016) signed each manifest with a JWS and had no config
	// blob and no content-addressable image ID. Registries stopped accepting
	// it; minictr asks for it only to name it in an error.
	MediaTypeDockerSchema1       = "application/vnd.docker.distribution.manifest.v1+json"
	MediaTypeDockerSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws"
)

// Descriptor points at one blob: what it is (MediaType), which bytes
// exactly (Digest) and how many (Size). The size comes before the content,
// so a client can refuse an oversized blob and know when a download is
// short; the digest lets it prove the content after. Every arrow in the
// tree above is a Descriptor.
type Descriptor struct {
	MediaType string `json:"mediaType"`
	Digest    string `json:"digest"`
	Size      int64  `json:"size"`
	// URLs are other places to fetch the blob from (foreign layers only).
	URLs        []string          `json:"urls,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	// Platform is set on the entries of an index: which OS and CPU the
	// manifest it points at was built for.
	Platform *Platform `json:"platform,omitempty"`
}

// Platform is an OS and CPU architecture, in Go's GOOS/GOARCH names
// (linux, amd64, arm64), plus a CPU Variant for ARM (v6, v7, v8).
type Platform struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
	Variant      string `json:"variant,omitempty"`
	OSVersion    string `json:"os.version,omitempty"` // Windows builds only
}

// Manifest describes one image for one platform: its config blob and its
// layers, bottom layer first. Its digest is the image's "repo digest"
// (alpine@sha256:...), which pins exactly these bytes.
type Manifest struct {
	SchemaVersion int               `json:"schemaVersion"` // always 2
	MediaType     string            `json:"mediaType,omitempty"`
	Config        Descriptor        `json:"config"`
	Layers        []Descriptor      `json:"layers"`
	Annotations   map[string]string `json:"annotations,omitempty"`
}

// Index (OCI) or manifest list (Docker) is what a multi-platform tag points
// at: one manifest descriptor per platform. The client picks its own
// (ChoosePlatform) and fetches that manifest by digest.
type Index struct {
	SchemaVersion int               `json:"schemaVersion"` // always 2
	MediaType     string            `json:"mediaType,omitempty"`
	Manifests     []Descriptor      `json:"manifests"`
	Annotations   map[string]string `json:"annotations,omitempty"`
}

// Config is the image config blob: how to run the image and what its
// layers must contain. Its digest is the image ID (docker's IMAGE ID
// column), so two pulls of the same image from different registries, or a
// pull and a `docker load`, give the same ID.
type Config struct {
	Created      *time.Time      `json:"created,omitempty"`
	Author       string          `json:"author,omitempty"`
	Architecture string          `json:"architecture"`
	OS           string          `json:"os"`
	Variant      string          `json:"variant,omitempty"`
	Config       ContainerConfig `json:"config"`
	RootFS       RootFS          `json:"rootfs"`
	History      []History       `json:"history,omitempty"`
}

// ContainerConfig is the default runtime configuration of a container made
// from the image: what `docker run IMAGE` runs when given nothing else.
// The capitalised JSON names are Docker's and the OCI spec kept them.
type ContainerConfig struct {
	User         string              `json:"User,omitempty"`
	ExposedPorts map[string]struct{} `json:"ExposedPorts,omitempty"` // "80/tcp"
	Env          []string            `json:"Env,omitempty"`          // "PATH=/usr/bin:/bin"
	// The process is Entrypoint + Cmd; `run IMAGE ARGS...` replaces Cmd.
	Entrypoint []string            `json:"Entrypoint,omitempty"`
	Cmd        []string            `json:"Cmd,omitempty"`
	Volumes    map[string]struct{} `json:"Volumes,omitempty"`
	WorkingDir string              `json:"WorkingDir,omitempty"`
	Labels     map[string]string   `json:"Labels,omitempty"`
	StopSignal string              `json:"StopSignal,omitempty"` // "SIGTERM" or "15"
}

// RootFS lists the layers' diff IDs: the sha256 of each layer's
// *uncompressed* tar, bottom first. A manifest's layer digests name the
// compressed bytes a registry stores; diff IDs name the content, which does
// not change when a layer is recompressed. Chain IDs (package layers) are
// built from them.
type RootFS struct {
	Type    string   `json:"type"` // always "layers"
	DiffIDs []string `json:"diff_ids"`
}

// History is one step of the image's build, as `docker history` shows it.
// Steps that changed no files (ENV, CMD) have EmptyLayer set and no layer.
type History struct {
	Created    *time.Time `json:"created,omitempty"`
	CreatedBy  string     `json:"created_by,omitempty"` // the Dockerfile line
	Author     string     `json:"author,omitempty"`
	Comment    string     `json:"comment,omitempty"`
	EmptyLayer bool       `json:"empty_layer,omitempty"`
}

// DecodeManifest parses a manifest or an index and returns exactly one of
// them. mediaType is the Content-Type the registry sent; when it is empty or
// generic (application/json, as some servers and files give), the
// document's own mediaType field decides, and a document with neither is
// classified by shape (an OCI 1.0 manifest may omit the field). When both
// are present they must agree: a document must not be readable as one kind
// under its digest and as another kind by its label.
func DecodeManifest(mediaType string, body []byte) (m *Manifest, idx *Index, err error) {
	mt, err := manifestMediaType(mediaType, body)
	if err != nil {
		return nil, nil, err
	}
	switch mt {
	case MediaTypeDockerSchema1, MediaTypeDockerSchema1Signed:
		return nil, nil, fmt.Errorf("manifest is Docker schema 1 (%s): not supported, re-push with a newer docker", mt)
	case MediaTypeOCIManifest, MediaTypeDockerManifest:
		m = new(Manifest)
		if err := decodeStrictly(body, m); err != nil {
			return nil, nil, err
		}
		if err := checkManifest(mt, m); err != nil {
			return nil, nil, err
		}
		return m, nil, nil
	case MediaTypeOCIIndex, MediaTypeDockerManifestList:
		idx = new(Index)
		if err := decodeStrictly(body, idx); err != nil {
			return nil, nil, err
		}
		if err := checkIndex(mt, idx); err != nil {
			return nil, nil, err
		}
		return nil, idx, nil
	}
	return nil, nil, fmt.Errorf("unsupported manifest media type %q", mt)
}

// manifestMediaType decides what kind of document body is.
func manifestMediaType(contentType string, body []byte) (string, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(contentType))
	}
	switch mt {
	case "", "application/json", "text/plain", "application/octet-stream":
	default:
		return mt, nil
	}
	var probe struct {
		SchemaVersion int              `json:"schemaVersion"`
		MediaType     string           `json:"mediaType"`
		Config        *json.RawMessage `json:"config"`
		Manifests     *json.RawMessage `json:"manifests"`
	}
	if err := json.Unmarshal(body, &probe); err != nil {
		return "", fmt.Errorf("decode manifest: %w", err)
	}
	switch {
	case probe.MediaType != "":
		return probe.MediaType, nil
	case probe.SchemaVersion == 1:
		return MediaTypeDockerSchema1, nil
	case probe.Manifests != nil:
		return MediaTypeOCIIndex, nil
	case probe.Config != nil:
		return MediaTypeOCIManifest, nil
	}
	return "", fmt.Errorf("decode manifest: no mediaType and neither config nor manifests: not an image manifest")
}

func decodeStrictly(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("decode manifest: %w", err)
	}
	if dec.More() {
		return fmt.Errorf("decode manifest: data after the JSON document")
	}
	return nil
}

func checkManifest(mt string, m *Manifest) error {
	if err := checkHeader(mt, m.SchemaVersion, m.MediaType); err != nil {
		return err
	}
	switch m.Config.MediaType {
	case MediaTypeOCIConfig, MediaTypeDockerConfig:
	default:
		return fmt.Errorf("manifest config has media type %q: not a container image (an OCI artifact?)", m.Config.MediaType)
	}
	if err := checkDescriptor("config", m.Config); err != nil {
		return err
	}
	for i, l := range m.Layers {
		if err := checkDescriptor(fmt.Sprintf("layer %d", i), l); err != nil {
			return err
		}
	}
	return nil
}

func checkIndex(mt string, idx *Index) error {
	if err := checkHeader(mt, idx.SchemaVersion, idx.MediaType); err != nil {
		return err
	}
	for i, d := range idx.Manifests {
		if err := checkDescriptor(fmt.Sprintf("index entry %d", i), d); err != nil {
			return err
		}
	}
	return nil
}

func checkHeader(mt string, version int, bodyType string) error {
	if version != 2 {
		return fmt.Errorf("manifest has schemaVersion %d, want 2", version)
	}
	if bodyType != "" && bodyType != mt {
		return fmt.Errorf("manifest says mediaType %q but was served as %q", bodyType, mt)
	}
	return nil
}

func checkDescriptor(what string, d Descriptor) error {
	if err := ValidDigest(d.Digest); err != nil {
		return fmt.Errorf("manifest %s: %w", what, err)
	}
	if d.Size < 0 {
		return fmt.Errorf("manifest %s %s: negative size %d", what, d.Digest, d.Size)
	}
	return nil
}

// CheckLayer says whether minictr can fetch and unpack a layer. Layers are
// tar archives, plain or compressed with gzip or zstd (the layers package
// recognises which by the first bytes). Foreign and non-distributable
// layers are not in the registry at all: their descriptors point at URLs
// of their publisher (Windows base images), so they are refused, as is any
// media type that is not a layer (an artifact's blob, say).
func CheckLayer(d Descriptor) error {
	switch d.MediaType {
	case MediaTypeOCILayer, MediaTypeOCILayerGz, MediaTypeOCILayerZst, MediaTypeDockerLayer:
		return nil
	case MediaTypeDockerForeign, MediaTypeOCIForeign, MediaTypeOCIForeignGz, MediaTypeOCIForeignZst:
		return fmt.Errorf("layer %s is a foreign (non-distributable) layer, %s: its content is not in the registry and minictr does not fetch from its urls", d.Digest, d.MediaType)
	}
	return fmt.Errorf("layer %s has unsupported media type %q", d.Digest, d.MediaType)
}
