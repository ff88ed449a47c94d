package image

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/minictr/minictr/layers"
)

// Store is the image half of minictr's store. Images are named by their ID,
// the sha256 digest of their config blob, exactly as Docker names them: two
// pulls of the same image from different registries give the same ID.
//
// On disk, under the minictr root (see docs/02-layers.md for the full tree):
//
//	blobs/sha256/<hex>          manifests, configs and compressed layer
//	                            blobs, byte for byte as fetched
//	images/repositories.json    names -> image IDs, image IDs -> manifest + chain
//	layers/sha256/<chainhex>/   one unpacked layer each (package layers)
//
// repositories.json is the only file that says "this image exists". It is
// rewritten whole (temp file + rename) under the store lock and only after
// every layer and blob it points at is in place, so a pull killed at any
// moment never leaves an image that looks complete and is not. Blobs enter
// blobs/ in that same critical section (stage.go), so the garbage
// collector never deletes one that a command is about to record.
type Store struct {
	root   string
	Layers *layers.Store
}

// Image is what the store knows of one image: its config and the layer
// chain that makes up its root filesystem, bottom layer first.
type Image struct {
	ID       string // sha256 of the config blob
	Manifest string // digest of the manifest (or index) it was pulled by; "" for import/load of docker archives
	// ImageManifest is the digest of the image manifest (one platform) kept
	// in blobs/, whose layers are the exact compressed blobs the store
	// keeps: what save and push send. "" when the store cannot reproduce
	// the image's layers exactly (an image kept by an older minictr).
	ImageManifest string
	RepoTags      []string // fully qualified: docker.io/library/alpine:latest
	Digests       []string // fully qualified: docker.io/library/alpine@sha256:...
	ChainIDs      []string // bottom layer first
	Config        Config
	Added         time.Time
}

// record is one image's entry in repositories.json.
type record struct {
	// Manifest is the digest the image was pulled by: its repo digest.
	Manifest string `json:"manifest,omitempty"`
	// ImageManifest is Image.ImageManifest.
	ImageManifest string `json:"imageManifest,omitempty"`
	// Blobs are what it keeps in blobs/: manifests (index and platform
	// manifest) and, since minictr keeps them, the compressed layer blobs.
	// The config, named by the image ID, is kept whether listed or not.
	Blobs    []string  `json:"blobs,omitempty"`
	ChainIDs []string  `json:"chainIDs"`
	Added    time.Time `json:"added"`
}

// index is the whole of repositories.json.
type index struct {
	// Refs maps a fully qualified tag or digest reference to an image ID.
	Refs map[string]string `json:"refs"`
	// Images maps an image ID to what the store keeps of it.
	Images map[string]record `json:"images"`
	// Sources maps a blob digest to the repositories known to hold it
	// ("127.0.0.1:5000/race/busybox"): where it was pulled from or pushed
	// to. Push asks the registry to mount a blob from one of them instead
	// of uploading it again.
	Sources map[string][]string `json:"sources,omitempty"`
}

// OpenStore opens (creating it if needed) the store under root.
func OpenStore(root string) (*Store, error) {
	ls, err := layers.OpenStore(root)
	if err != nil {
		return nil, err
	}
	for _, d := range []string{"blobs/sha256", "images"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o700); err != nil {
			return nil, fmt.Errorf("open image store: %w", err)
		}
	}
	return &Store{root: root, Layers: ls}, nil
}

// Root is the directory the store lives in.
func (s *Store) Root() string { return s.root }

func (s *Store) indexPath() string { return filepath.Join(s.root, "images", "repositories.json") }

func (s *Store) readIndex() (index, error) {
	idx := index{Refs: map[string]string{}, Images: map[string]record{}}
	b, err := os.ReadFile(s.indexPath())
	if errors.Is(err, fs.ErrNotExist) {
		return idx, nil
	}
	if err != nil {
		return idx, fmt.Errorf("read image index: %w", err)
	}
	if err := json.Unmarshal(b, &idx); err != nil {
		return idx, fmt.Errorf("read image index %s: %w", s.indexPath(), err)
	}
	if idx.Refs == nil {
		idx.Refs = map[string]string{}
	}
	if idx.Images == nil {
		idx.Images = map[string]record{}
	}
	return idx, nil
}

func (s *Store) writeIndex(idx index) error {
	b, err := json.MarshalIndent(idx, "", "  ")
	if err != nil {
		return err
	}
	return layers.WriteFileAtomic(s.root, s.indexPath(), append(b, '\n'), 0o600)
}

// update runs fn on the index under the store lock and writes the result.
func (s *Store) update(fn func(*index) error) error {
	lock, err := layers.LockStore(s.root)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	idx, err := s.readIndex()
	if err != nil {
		return err
	}
	if err := fn(&idx); err != nil {
		return err
	}
	return s.writeIndex(idx)
}

// blobPath is where a manifest or config blob with digest d is kept.
func (s *Store) blobPath(d string) string {
	return filepath.Join(s.root, "blobs", "sha256", strings.TrimPrefix(d, "sha256:"))
}

// Blob returns a stored manifest or config blob.
func (s *Store) Blob(d string) ([]byte, error) {
	if err := ValidDigest(d); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(s.blobPath(d))
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", d, err)
	}
	return b, nil
}

// List returns every image, newest first (by the config's created time).
func (s *Store) List() ([]Image, error) {
	idx, err := s.readIndex()
	if err != nil {
		return nil, err
	}
	var out []Image
	for id := range idx.Images {
		img, err := s.image(idx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, img)
	}
	sort.Slice(out, func(i, j int) bool {
		ti, tj := out[i].Created(), out[j].Created()
		if !ti.Equal(tj) {
			return ti.After(tj)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// image assembles the Image for id from the index and its config blob.
func (s *Store) image(idx index, id string) (Image, error) {
	rec := idx.Images[id]
	img := Image{ID: id, Manifest: rec.Manifest, ImageManifest: rec.ImageManifest, ChainIDs: rec.ChainIDs, Added: rec.Added}
	b, err := s.Blob(id)
	if err != nil {
		return img, err
	}
	if err := json.Unmarshal(b, &img.Config); err != nil {
		return img, fmt.Errorf("image %s: config: %w", shortID(id), err)
	}
	for ref, target := range idx.Refs {
		if target != id {
			continue
		}
		if strings.Contains(ref, "@") {
			img.Digests = append(img.Digests, ref)
		} else {
			img.RepoTags = append(img.RepoTags, ref)
		}
	}
	sort.Strings(img.RepoTags)
	sort.Strings(img.Digests)
	return img, nil
}

// Created is when the image says it was built (zero if it does not say).
func (img Image) Created() time.Time {
	if img.Config.Created == nil {
		return time.Time{}
	}
	return *img.Config.Created
}

// shortID is the 12 hex digits docker shows for an ID or digest.
func shortID(d string) string {
	h := strings.TrimPrefix(d, "sha256:")
	if len(h) > 12 {
		h = h[:12]
	}
	return h
}

// ShortID is the 12 hex digits docker shows for an image ID.
func (img Image) ShortID() string { return shortID(img.ID) }

func union(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range append(append([]string{}, a...), b...) {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}
