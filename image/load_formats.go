package image

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/minictr/minictr/layers"
)

// dockerSaveEntry is one element of a `docker save` manifest.json.
type dockerSaveEntry struct {
	Config   string
	RepoTags []string
	Layers   []string // uncompressed layer tars, bottom first
}

// loadDocker loads the images of a `docker save` archive. Its layers carry
// no digest of their own: they are checked against the config's diff_ids.
func (s *Store) loadDocker(ctx context.Context, a archive) ([]Loaded, error) {
	var entries []dockerSaveEntry
	if _, err := a.readJSON("manifest.json", &entries); err != nil {
		return nil, err
	}
	var out []Loaded
	for _, e := range entries {
		var cfg Config
		cfgBytes, err := a.readJSON(e.Config, &cfg)
		if err != nil {
			return out, err
		}
		names, err := parseNames(e.RepoTags)
		if err != nil {
			return out, err
		}
		open := func(i int) (io.ReadCloser, error) { return a.open(e.Layers[i]) }
		img, err := s.addLoaded(ctx, cfgBytes, cfg, len(e.Layers), open, nil, nil, names)
		if err != nil {
			return out, err
		}
		out = append(out, Loaded{Image: img, Names: familiar(names)})
	}
	return out, nil
}

// loadOCI loads the images an OCI layout's index.json lists. Every blob is
// verified against its descriptor's digest as it is read.
func (s *Store) loadOCI(ctx context.Context, a archive) ([]Loaded, error) {
	var top Index
	if _, err := a.readJSON("index.json", &top); err != nil {
		return nil, err
	}
	var out []Loaded
	for _, d := range top.Manifests {
		m, blobs, err := a.manifestFor(d)
		if err != nil {
			return out, err
		}
		var cfg Config
		cfgBytes, err := a.blob(m.Config, &cfg)
		if err != nil {
			return out, err
		}
		names, err := parseNames(layoutNames(d))
		if err != nil {
			return out, err
		}
		open := func(i int) (io.ReadCloser, error) {
			if err := CheckLayer(m.Layers[i]); err != nil {
				return nil, err
			}
			f, err := a.open(blobName(m.Layers[i].Digest))
			if err != nil {
				return nil, err
			}
			return NewVerifyingReader(f, m.Layers[i]), nil
		}
		img, err := s.addLoaded(ctx, cfgBytes, cfg, len(m.Layers), open, m, blobs, names)
		if err != nil {
			return out, err
		}
		out = append(out, Loaded{Image: img, Names: familiar(names)})
	}
	return out, nil
}

// manifestFor follows a descriptor of index.json to an image manifest,
// choosing this host's platform when it points at a nested index.
func (a archive) manifestFor(d Descriptor) (*Manifest, []fetched, error) {
	body, err := a.blob(d, nil)
	if err != nil {
		return nil, nil, err
	}
	m, idx, err := DecodeManifest(d.MediaType, body)
	if err != nil {
		return nil, nil, err
	}
	got := []fetched{{d.Digest, body}}
	if idx != nil {
		pd, err := ChoosePlatform(idx, HostPlatform())
		if err != nil {
			return nil, nil, err
		}
		m2, more, err := a.manifestFor(pd)
		if err != nil {
			return nil, nil, err
		}
		return m2, append(got, more...), nil
	}
	return m, got, nil
}

// blob reads a small blob (manifest, config), checks its digest and, when v
// is not nil, decodes it as JSON into v.
func (a archive) blob(d Descriptor, v any) ([]byte, error) {
	if err := ValidDigest(d.Digest); err != nil {
		return nil, err
	}
	if d.Size > maxConfigSize {
		return nil, fmt.Errorf("blob %s is %d bytes, more than the %d minictr reads", d.Digest, d.Size, maxConfigSize)
	}
	f, err := a.open(blobName(d.Digest))
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(NewVerifyingReader(f, d))
	f.Close()
	if err != nil {
		return nil, err
	}
	if v != nil {
		return b, jsonUnmarshal(b, v, d.Digest)
	}
	return b, nil
}

func blobName(d string) string { return "blobs/sha256/" + strings.TrimPrefix(d, "sha256:") }

// layoutNames is what an OCI layout says an image is called. Docker and
// containerd put the full name in io.containerd.image.name; the OCI spec's
// org.opencontainers.image.ref.name is often a bare tag ("latest"), which
// names no repository, so such an image is loaded untagged, as docker does.
func layoutNames(d Descriptor) []string {
	if n := d.Annotations["io.containerd.image.name"]; n != "" {
		return []string{n}
	}
	n := d.Annotations["org.opencontainers.image.ref.name"]
	if strings.ContainsAny(n, "/:@") {
		return []string{n}
	}
	return nil
}

func parseNames(in []string) ([]Reference, error) {
	var out []Reference
	for _, n := range in {
		r, err := ParseReference(n)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func familiar(refs []Reference) []string {
	var out []string
	for _, r := range refs {
		out = append(out, r.Familiar())
	}
	return out
}

// addLoaded unpacks an archive's layers (skipping those already stored),
// keeps their blobs and records the image, as a pull would. m is the
// image's manifest when the archive has one (an OCI layout): its layer
// blobs are kept as they are, so the image goes out again with the same
// digests. Without one (docker save's plain layer tars) each layer is
// gzipped once (gzipLayer) and a manifest is made for them.
func (s *Store) addLoaded(ctx context.Context, cfgBytes []byte, cfg Config, n int, open func(int) (io.ReadCloser, error), m *Manifest, blobs []fetched, names []Reference) (Image, error) {
	if len(cfg.RootFS.DiffIDs) != n {
		return Image{}, fmt.Errorf("image has %d layers but its config has %d diff_ids", n, len(cfg.RootFS.DiffIDs))
	}
	st, err := s.newStage()
	if err != nil {
		return Image{}, err
	}
	defer st.close()
	chain := layers.ChainIDs(cfg.RootFS.DiffIDs)
	txn, err := s.beginLayers(ctx, chain)
	if err != nil {
		return Image{}, err
	}
	img, err := s.addLoadedLayers(ctx, txn, st, chain, cfgBytes, cfg, open, m, blobs, names)
	return img, txn.end(err)
}

func (s *Store) addLoadedLayers(ctx context.Context, txn *layerTxn, st *stage, chain []string, cfgBytes []byte, cfg Config, open func(int) (io.ReadCloser, error), m *Manifest, blobs []fetched, names []Reference) (Image, error) {
	var kept []Descriptor
	for i, diffID := range cfg.RootFS.DiffIDs {
		d, err := s.loadLayer(ctx, txn, st, chain, i, diffID, open, m)
		if err != nil {
			return Image{}, fmt.Errorf("layer %d (%s): %w", i+1, diffID, err)
		}
		kept = append(kept, d)
	}
	if m == nil {
		return s.addMade(st, dockerTypes, cfgBytes, kept, chain, names)
	}
	id := digestOf(cfgBytes)
	for _, b := range append(blobs, fetched{id, cfgBytes}) {
		if err := st.put(b.digest, b.body); err != nil {
			return Image{}, err
		}
	}
	e := entry{
		id: id, repoDigest: blobs[0].digest, target: blobs[len(blobs)-1].digest,
		blobs: append(blobDigests(blobs), layerDigests(m)...), chain: chain, names: qualified(names),
	}
	img, _, err := s.record(e, st)
	return img, err
}

// loadLayer brings layer i into the store and its blob into the stage,
// and returns the blob's descriptor.
func (s *Store) loadLayer(ctx context.Context, txn *layerTxn, st *stage, chain []string, i int, diffID string, open func(int) (io.ReadCloser, error), m *Manifest) (Descriptor, error) {
	parent := ""
	if i > 0 {
		parent = chain[i-1]
	}
	had := s.Layers.Has(chain[i])
	if m != nil && had {
		if pinned, err := st.pin(m.Layers[i].Digest); err != nil || pinned {
			return m.Layers[i], err
		}
	}
	r, err := open(i)
	if err != nil {
		return Descriptor{}, err
	}
	defer r.Close()
	if m != nil {
		l, err := s.keepLayer(ctx, st, m.Layers[i], parent, diffID, chain[i], r)
		if l != nil {
			txn.add(*l)
		}
		return m.Layers[i], err
	}
	l, d, err := s.gzipLayer(ctx, st, parent, diffID, chain[i], MediaTypeDockerLayer, r)
	if err == nil && !had {
		txn.add(l)
	}
	return d, err
}
