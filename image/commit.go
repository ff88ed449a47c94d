package image

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/minictr/minictr/layers"
)

// CommitOptions describe the image `commit` makes from a container.
type CommitOptions struct {
	// Base is the image the container was made from.
	Base Image
	// Layer is the container's upper directory as an uncompressed OCI layer
	// tar (whiteouts as .wh. files). nil, or History.EmptyLayer set, means
	// the container changed no file: the image gets a history entry marked
	// empty_layer and no layer, as docker does.
	Layer io.Reader
	// History is the new step: CreatedBy (the container's command), Comment
	// (-m), Author (-a). Created is set to now when zero.
	History History
	// Config, when not nil, is the new image's runtime config (the base's
	// with --change applied: ApplyChanges); nil keeps the base's.
	Config *ContainerConfig
	// Names are what to call the image (none: a dangling image, as docker).
	Names []Reference
}

// Commit makes a new image of Base plus one layer, as `docker commit`
// does, all or nothing. The layer tar is read once: gzipLayer hashes it
// (the diff ID), gzips and hashes the gzip (the blob digest, kept so save
// and push send it unchanged) and unpacks it as the layer on the base's top
// layer, under its chain ID. The base's layers are not copied: the new
// image's chain starts with the very same chain IDs, the same directories.
// Then the config (the base's, plus the diff ID and the history entry) and a
// manifest (the base's layer blobs plus the new one) are written and the
// image is recorded.
func (s *Store) Commit(ctx context.Context, opt CommitOptions) (Image, error) {
	st, err := s.newStage()
	if err != nil {
		return Image{}, err
	}
	defer st.close()
	base, err := s.pinExact(st, opt.Base)
	if err != nil {
		return Image{}, fmt.Errorf("commit: %w", err)
	}
	chain := append([]string{}, opt.Base.ChainIDs...)
	blobs := append([]Descriptor{}, base.m.Layers...)
	v := vocabularyOf(base.mt)
	var added *layers.Layer
	var blob Descriptor
	if opt.Layer != nil && !opt.History.EmptyLayer {
		parent := ""
		if n := len(chain); n > 0 {
			parent = chain[n-1]
		}
		l, d, err := s.gzipLayer(ctx, st, parent, "", "", v.layer, opt.Layer)
		if err != nil {
			return Image{}, fmt.Errorf("commit: layer: %w", err)
		}
		added, blob = &l, d
		chain, blobs = append(chain, l.ChainID), append(blobs, d)
	}
	txn, err := s.beginLayers(ctx, chain)
	if err != nil {
		return Image{}, err
	}
	img, err := s.commitImage(ctx, txn, st, opt, v, added, blob, chain, blobs)
	return img, txn.end(err)
}

// commitImage writes the config and manifest and records the image, with
// every layer of chain locked.
func (s *Store) commitImage(ctx context.Context, txn *layerTxn, st *stage, opt CommitOptions, v vocabulary, added *layers.Layer, blob Descriptor, chain []string, blobs []Descriptor) (Image, error) {
	h := opt.History
	if h.Created == nil {
		now := time.Now().UTC()
		h.Created = &now
	}
	h.EmptyLayer = added == nil
	diffID := ""
	if added != nil {
		if err := s.ensureLayer(ctx, txn, st, *added, blob); err != nil {
			return Image{}, fmt.Errorf("commit: %w", err)
		}
		diffID = added.DiffID
	}
	f, err := st.open(opt.Base.ID)
	if err != nil {
		return Image{}, fmt.Errorf("commit: %w", err)
	}
	base, err := io.ReadAll(io.LimitReader(f, maxConfigSize))
	f.Close()
	if err != nil {
		return Image{}, fmt.Errorf("commit: base config: %w", err)
	}
	b, err := nextConfig(base, diffID, h, opt.Config)
	if err != nil {
		return Image{}, fmt.Errorf("commit: config: %w", err)
	}
	img, err := s.addMade(st, v, b, blobs, chain, opt.Names)
	if err != nil {
		return Image{}, fmt.Errorf("commit: %w", err)
	}
	return img, nil
}

// nextConfig is the base image's config plus one step: the layer's diff ID
// (none for an empty layer), the history entry, its time and author, and
// the runtime config cc when given. It edits the JSON, so that what
// minictr does not model (Healthcheck, OnBuild, Shell, docker_version...)
// passes through unchanged, as docker keeps it.
func nextConfig(base []byte, diffID string, h History, cc *ContainerConfig) ([]byte, error) {
	var top map[string]json.RawMessage
	var cfg Config
	if err := json.Unmarshal(base, &top); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(base, &cfg); err != nil {
		return nil, err
	}
	if diffID != "" {
		cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, diffID)
	}
	cfg.History = append(cfg.History, h)
	edits := map[string]any{"created": h.Created, "rootfs": cfg.RootFS, "history": cfg.History}
	delete(top, "author")
	if h.Author != "" {
		edits["author"] = h.Author
	}
	if cc != nil {
		merged, err := mergeRuntimeConfig(top["config"], *cc)
		if err != nil {
			return nil, err
		}
		edits["config"] = merged
	}
	for k, v := range edits {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		top[k] = b
	}
	return json.Marshal(top)
}

// mergeRuntimeConfig replaces the fields ContainerConfig models in the
// config's "config" object and keeps the others.
func mergeRuntimeConfig(old json.RawMessage, cc ContainerConfig) (map[string]json.RawMessage, error) {
	out := map[string]json.RawMessage{}
	if len(old) > 0 {
		if err := json.Unmarshal(old, &out); err != nil {
			return nil, err
		}
		if out == nil { // "config": null
			out = map[string]json.RawMessage{}
		}
	}
	for _, k := range []string{"User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes", "WorkingDir", "Labels", "StopSignal"} {
		delete(out, k)
	}
	b, err := json.Marshal(cc)
	if err != nil {
		return nil, err
	}
	var set map[string]json.RawMessage
	if err := json.Unmarshal(b, &set); err != nil {
		return nil, err
	}
	for k, v := range set {
		out[k] = v
	}
	return out, nil
}
