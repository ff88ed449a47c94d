package image

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/minictr/minictr/layers"
)

// Import makes a one-layer image from a plain root filesystem tarball, as
// `docker import` does: the whole tarball becomes the image's only layer, and
// a config is written for it (architecture and OS of this host, a history
// entry naming the source). The tarball may be plain, gzip, xz or zstd
// compressed; layers.Unpack tells them apart by their first bytes, not by
// the file name. The layer's diff ID, and so its chain ID, is known only
// once it is unpacked; Unpack then finds out whether the store had it.
func (s *Store) Import(ctx context.Context, r io.Reader, source string, names []Reference) (Image, error) {
	l, err := s.Layers.Unpack(ctx, "", "", r)
	if err != nil {
		return Image{}, fmt.Errorf("import %s: %w", source, err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	host := HostPlatform()
	cfg := Config{
		Created:      &now,
		Architecture: host.Architecture,
		OS:           host.OS,
		Variant:      host.Variant,
		RootFS:       RootFS{Type: "layers", DiffIDs: []string{l.DiffID}},
		History:      []History{{Created: &now, CreatedBy: "minictr import " + source, Comment: "Imported from " + source}},
	}
	return s.addConfig(cfg, names)
}

// addConfig stores a config this program wrote and records the image.
func (s *Store) addConfig(cfg Config, names []Reference) (Image, error) {
	b, err := json.Marshal(cfg)
	if err != nil {
		return Image{}, err
	}
	id := fmt.Sprintf("sha256:%x", sha256.Sum256(b))
	if err := s.putBlob(id, b); err != nil {
		return Image{}, err
	}
	if _, err := s.commit(id, "", nil, layers.ChainIDs(cfg.RootFS.DiffIDs), qualified(names)); err != nil {
		return Image{}, err
	}
	return s.Get(id)
}

func qualified(refs []Reference) []string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = r.String()
	}
	return out
}
