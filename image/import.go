package image

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// Import makes a one-layer image from a plain root filesystem tarball, as
// `docker import` does: the whole tarball becomes the image's only layer, and
// a config is written for it (architecture and OS of this host, a history
// entry naming the source). The tarball may be plain, gzip, xz or zstd
// compressed; layers.Unpack tells them apart by their first bytes, not by
// the file name. The layer's diff ID, and so its chain ID, is known only
// once it is unpacked; Unpack then finds out whether the store had it. The
// layer is kept gzipped (gzipLayer), whatever compression it came in, so
// that save and push send it with one digest ever after.
func (s *Store) Import(ctx context.Context, r io.Reader, source string, names []Reference) (Image, error) {
	img, err := s.addOneLayer(ctx, r, names, func(diffID string) Config {
		now := time.Now().UTC().Truncate(time.Second)
		host := HostPlatform()
		return Config{
			Created:      &now,
			Architecture: host.Architecture,
			OS:           host.OS,
			Variant:      host.Variant,
			RootFS:       RootFS{Type: "layers", DiffIDs: []string{diffID}},
			History:      []History{{Created: &now, CreatedBy: "minictr import " + source, Comment: "Imported from " + source}},
		}
	})
	if err != nil {
		return Image{}, fmt.Errorf("import %s: %w", source, err)
	}
	return img, nil
}

// addOneLayer makes a one-layer image from a layer tar: gzipLayer keeps
// and unpacks the layer in one pass, its lock is taken once its chain ID
// is known, and config(diffID) is the image's config.
func (s *Store) addOneLayer(ctx context.Context, r io.Reader, names []Reference, config func(diffID string) Config) (Image, error) {
	st, err := s.newStage()
	if err != nil {
		return Image{}, err
	}
	defer st.close()
	l, blob, err := s.gzipLayer(ctx, st, "", "", "", MediaTypeDockerLayer, r)
	if err != nil {
		return Image{}, err
	}
	txn, err := s.beginLayers(ctx, []string{l.ChainID})
	if err != nil {
		return Image{}, err
	}
	img, err := func() (Image, error) {
		if err := s.ensureLayer(ctx, txn, st, l, blob); err != nil {
			return Image{}, err
		}
		b, err := json.Marshal(config(l.DiffID))
		if err != nil {
			return Image{}, err
		}
		return s.addMade(st, dockerTypes, b, []Descriptor{blob}, []string{l.ChainID}, names)
	}()
	return img, txn.end(err)
}

func qualified(refs []Reference) []string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = r.String()
	}
	return out
}
