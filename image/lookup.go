package image

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/minictr/minictr/layers"
)

// ErrNotFound is wrapped by every "no such image" error, so that `run` can
// tell "pull it first" apart from a broken store.
var ErrNotFound = errors.New("no such image")

// Get finds an image the way docker resolves IMAGE arguments: a name
// (alpine, alpine:3.19, host:5000/a/b@sha256:...), a full image ID
// (sha256:<64 hex>), or a unique prefix of at least 4 hex digits of an ID
// (the IMAGE ID column of `images`).
func (s *Store) Get(name string) (Image, error) {
	idx, err := s.readIndex()
	if err != nil {
		return Image{}, err
	}
	id, err := resolve(idx, name)
	if err != nil {
		return Image{}, err
	}
	return s.image(idx, id)
}

// resolve maps name to an image ID using only the index (a pure function,
// tested in lookup_test.go).
func resolve(idx index, name string) (string, error) {
	hex := strings.TrimPrefix(name, "sha256:")
	if isHex(hex) && len(hex) >= 4 {
		var found []string
		for id := range idx.Images {
			if strings.HasPrefix(strings.TrimPrefix(id, "sha256:"), hex) {
				found = append(found, id)
			}
		}
		sort.Strings(found)
		switch {
		case len(found) == 1:
			return found[0], nil
		case len(found) > 1:
			return "", fmt.Errorf("image ID prefix %s is ambiguous: it matches %s", name, strings.Join(short(found), ", "))
		case strings.HasPrefix(name, "sha256:") || len(hex) == 64:
			return "", fmt.Errorf("image %s: %w", name, ErrNotFound)
		}
	}
	ref, err := ParseReference(name)
	if err != nil {
		return "", err
	}
	if id, ok := idx.Refs[ref.String()]; ok {
		return id, nil
	}
	return "", fmt.Errorf("image %s: %w", ref.Familiar(), ErrNotFound)
}

func isHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return s != ""
}

func short(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = shortID(id)
	}
	return out
}

// LayersOf returns the image's layers from the layer store, bottom first.
// An image's root filesystem is these directories stacked by overlayfs.
func (s *Store) LayersOf(img Image) ([]layers.Layer, error) {
	out := make([]layers.Layer, 0, len(img.ChainIDs))
	for _, c := range img.ChainIDs {
		l, err := s.Layers.Get(c)
		if err != nil {
			return nil, fmt.Errorf("image %s: %w", img.ShortID(), err)
		}
		out = append(out, l)
	}
	return out, nil
}

// Size is the unpacked size of all the image's layers, what docker's
// `images` shows in its SIZE column.
func (s *Store) Size(img Image) int64 {
	var n int64
	for _, c := range img.ChainIDs {
		if l, err := s.Layers.Get(c); err == nil {
			n += l.Size
		}
	}
	return n
}
