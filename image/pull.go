package image

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/minictr/minictr/layers"
)

// PullOptions are `pull`'s knobs.
type PullOptions struct {
	Registry *Registry
	Platform Platform
	// RequirePlatform (set by --platform) makes a single-platform image
	// that is not of Platform an error, as in docker; without it such an
	// image is pulled whatever its platform.
	RequirePlatform bool
	// Progress, when set, is told how each layer is doing. Pull serialises
	// the calls, so it need not be safe for concurrent use.
	Progress func(Progress)
	// Jobs is how many layers are fetched and unpacked at once (default 3,
	// as docker's max-concurrent-downloads).
	Jobs int
}

// Progress is one line of `pull`'s output: a layer, named as docker names it
// by the first 12 hex digits of its blob digest, and what is happening to it.
type Progress struct {
	ID             string
	Status         string // Waiting, Downloading, Already exists, Download complete, Pull complete
	Current, Total int64  // bytes of the compressed blob, while Downloading
}

// PullResult says what a pull found and did.
type PullResult struct {
	Image  Image
	Digest string // the repo digest: of the manifest or index the tag pointed at
	Fresh  bool   // false: the store already had this image under this name
}

// Pull fetches ref into the store. The steps are the chapters of
// docs/01-images.md: resolve the tag to a manifest (choosing a platform from
// an index), fetch the config (its digest is the image ID, its diff_ids name
// the layers' uncompressed contents), then for every layer not yet stored:
// download -> verify digest -> decompress -> verify diff ID -> unpack, in one
// streaming pass, several layers at once. The image is recorded last.
func (s *Store) Pull(ctx context.Context, ref Reference, opt PullOptions) (PullResult, error) {
	reg := opt.Registry
	if reg == nil {
		reg = NewRegistry(false)
	}
	m, repoDigest, blobs, err := resolveManifest(ctx, reg, ref, opt.Platform)
	if err != nil {
		return PullResult{}, err
	}
	cfgBytes, cfg, err := fetchConfig(ctx, reg, ref, m)
	if err != nil {
		return PullResult{}, err
	}
	got := Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant}
	if opt.RequirePlatform && (got.OS != opt.Platform.OS || got.Architecture != opt.Platform.Architecture) {
		return PullResult{}, fmt.Errorf("%s was found but does not match the specified platform: wanted %s, actual: %s", ref.Familiar(), opt.Platform, got)
	}
	st, err := s.newStage()
	if err != nil {
		return PullResult{}, err
	}
	defer st.close()
	for _, b := range append(blobs, fetched{m.Config.Digest, cfgBytes}) {
		if err := st.put(b.digest, b.body); err != nil {
			return PullResult{}, err
		}
	}
	chain := layers.ChainIDs(cfg.RootFS.DiffIDs)
	txn, err := s.beginLayers(ctx, chain)
	if err != nil {
		return PullResult{}, err
	}
	res, err := s.pullLayers(ctx, txn, st, reg, ref, m, cfg, repoDigest, blobs, opt)
	return res, txn.end(err)
}

// pullLayers fetches the missing layers and records the image.
func (s *Store) pullLayers(ctx context.Context, txn *layerTxn, st *stage, reg *Registry, ref Reference, m *Manifest, cfg Config, repoDigest string, blobs []fetched, opt PullOptions) (PullResult, error) {
	chain := layers.ChainIDs(cfg.RootFS.DiffIDs)
	if err := s.fetchLayers(ctx, txn, st, reg, ref, m, cfg.RootFS.DiffIDs, chain, opt); err != nil {
		return PullResult{}, err
	}
	id := m.Config.Digest
	e := entry{
		id: id, repoDigest: repoDigest, target: blobs[len(blobs)-1].digest,
		blobs: append(blobDigests(blobs), layerDigests(m)...), chain: chain,
		names:  []string{ref.String(), ref.WithDigest(repoDigest).String()},
		source: ref.Domain + "/" + ref.Path,
	}
	img, fresh, err := s.record(e, st)
	return PullResult{Image: img, Digest: repoDigest, Fresh: fresh}, err
}

// layerDigests lists the blob digests of m's layers.
func layerDigests(m *Manifest) []string {
	var out []string
	for _, l := range m.Layers {
		out = append(out, l.Digest)
	}
	return out
}

type fetched struct {
	digest string
	body   []byte
}

func blobDigests(bs []fetched) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.digest
	}
	return out
}

// resolveManifest turns a tag or digest into an image manifest. A tag may
// point at an index (one manifest per platform); then the host's platform,
// or the one asked for, is chosen and its manifest fetched by digest.
func resolveManifest(ctx context.Context, reg *Registry, ref Reference, want Platform) (*Manifest, string, []fetched, error) {
	body, mt, dgst, err := reg.Manifest(ctx, ref)
	if err != nil {
		return nil, "", nil, err
	}
	m, idx, err := DecodeManifest(mt, body)
	if err != nil {
		return nil, "", nil, fmt.Errorf("%s: %w", ref.Familiar(), err)
	}
	got := []fetched{{dgst, body}}
	if idx != nil {
		d, err := ChoosePlatform(idx, want)
		if err != nil {
			return nil, "", nil, fmt.Errorf("%s: %w", ref.Familiar(), err)
		}
		body, mt, pd, err := reg.Manifest(ctx, ref.WithDigest(d.Digest))
		if err != nil {
			return nil, "", nil, err
		}
		if m, _, err = DecodeManifest(mt, body); err != nil {
			return nil, "", nil, fmt.Errorf("%s: platform manifest: %w", ref.Familiar(), err)
		}
		if m == nil {
			return nil, "", nil, fmt.Errorf("%s: index entry %s is not an image manifest", ref.Familiar(), d.Digest)
		}
		got = append(got, fetched{pd, body})
	}
	for _, l := range m.Layers {
		if err := CheckLayer(l); err != nil {
			return nil, "", nil, fmt.Errorf("%s: %w", ref.Familiar(), err)
		}
	}
	return m, dgst, got, nil
}

// maxConfigSize bounds the config blob read into memory.
const maxConfigSize = 8 << 20

// fetchConfig downloads and checks the image config. Its diff IDs must be
// one per layer of the manifest: they are what each layer's uncompressed
// tar must hash to.
func fetchConfig(ctx context.Context, reg *Registry, ref Reference, m *Manifest) ([]byte, Config, error) {
	var cfg Config
	if m.Config.Size > maxConfigSize {
		return nil, cfg, fmt.Errorf("%s: config is %d bytes, more than the %d minictr reads", ref.Familiar(), m.Config.Size, maxConfigSize)
	}
	rc, err := reg.Blob(ctx, ref, m.Config)
	if err != nil {
		return nil, cfg, err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return nil, cfg, fmt.Errorf("%s: config %s: %w", ref.Familiar(), m.Config.Digest, err)
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return nil, cfg, fmt.Errorf("%s: config %s is not valid JSON: %w", ref.Familiar(), m.Config.Digest, err)
	}
	if len(cfg.RootFS.DiffIDs) != len(m.Layers) {
		return nil, cfg, fmt.Errorf("%s: manifest lists %d layers but the config has %d diff_ids", ref.Familiar(), len(m.Layers), len(cfg.RootFS.DiffIDs))
	}
	for _, d := range cfg.RootFS.DiffIDs {
		if err := ValidDigest(d); err != nil {
			return nil, cfg, fmt.Errorf("%s: config diff_id: %w", ref.Familiar(), err)
		}
	}
	return b, cfg, nil
}

// fetchLayers runs fetchLayer for every layer, opt.Jobs at a time. The first
// error cancels the others; whatever they had written stays in tmp/ only.
func (s *Store) fetchLayers(ctx context.Context, txn *layerTxn, st *stage, reg *Registry, ref Reference, m *Manifest, diffIDs, chain []string, opt PullOptions) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := opt.Jobs
	if jobs <= 0 {
		jobs = 3
	}
	var mu sync.Mutex // guards opt.Progress and txn
	report := func(p Progress) {
		if opt.Progress != nil {
			mu.Lock()
			opt.Progress(p)
			mu.Unlock()
		}
	}
	for i, d := range m.Layers {
		if !s.Layers.Has(chain[i]) {
			report(Progress{ID: shortID(d.Digest), Status: "Waiting", Total: d.Size})
		}
	}
	sem := make(chan struct{}, jobs)
	errs := make([]error, len(m.Layers))
	var wg sync.WaitGroup
	for i, d := range m.Layers {
		parent := ""
		if i > 0 {
			parent = chain[i-1]
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			l, err := s.fetchLayer(ctx, st, reg, ref, d, parent, diffIDs[i], chain[i], report)
			if errs[i] = err; err != nil {
				cancel()
			} else if l != nil {
				mu.Lock()
				txn.add(*l)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return firstCause(errs)
}

// firstCause is the error that caused the cancel, not the cancels it caused.
func firstCause(errs []error) error {
	var first error
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
		if first == nil {
			first = err
		}
	}
	return first
}

// fetchLayer makes sure the layer with this chain ID is in the store, and
// its blob d in the stage, downloading them if they are not. It returns the
// layer it created, or nil if the layer was there already. The caller holds
// the layer's lock (beginLayers).
func (s *Store) fetchLayer(ctx context.Context, st *stage, reg *Registry, ref Reference, d Descriptor, parent, diffID, chain string, report func(Progress)) (*layers.Layer, error) {
	id := shortID(d.Digest)
	if s.Layers.Has(chain) {
		if pinned, err := st.pin(d.Digest); err != nil || pinned {
			report(Progress{ID: id, Status: "Already exists"})
			return nil, err
		}
		// The layer is here but not as this blob (it came in another
		// compression, or from a docker save archive): fetch the blob.
	}
	rc, err := reg.Blob(ctx, ref, d)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	pr := &progressReader{r: rc, p: Progress{ID: id, Status: "Downloading", Total: d.Size}, report: report}
	l, err := s.keepLayer(ctx, st, d, parent, diffID, chain, pr)
	if err != nil {
		// A corrupted blob usually breaks the decompressor or the tar
		// reader before its end, where its digest is checked. Read the rest:
		// if the digest is wrong, that is the error to report.
		if _, derr := io.Copy(io.Discard, pr); derr != nil && ctx.Err() == nil {
			err = derr
		}
		return nil, fmt.Errorf("layer %s: %w", d.Digest, err)
	}
	status := "Pull complete"
	if l == nil {
		status = "Download complete" // the blob is kept; the layer was unpacked before
	}
	report(Progress{ID: id, Status: status, Current: d.Size, Total: d.Size})
	return l, nil
}

// progressReader reports bytes read every 512 KiB.
type progressReader struct {
	r      io.Reader
	p      Progress
	last   int64
	report func(Progress)
}

func (pr *progressReader) Read(b []byte) (int, error) {
	n, err := pr.r.Read(b)
	pr.p.Current += int64(n)
	if pr.p.Current-pr.last >= 512<<10 {
		pr.last = pr.p.Current
		pr.report(pr.p)
	}
	return n, err
}
