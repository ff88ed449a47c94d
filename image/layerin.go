package image

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/minictr/minictr/layers"
)

// A layer comes into the store in one of two ways, and both keep what
// save and push need to send it out again with the same digest
// (docs/02-layers.md, "Keeping layers exactly"):
//
//   - keepLayer: the layer arrives as a compressed blob with a digest of
//     its own (a registry's, an OCI layout's). The blob is kept byte for
//     byte; recompressing would give other bytes and another digest.
//   - gzipLayer: the layer arrives as a tar with no blob digest to keep (a
//     `docker save` layer.tar, an `import`ed rootfs, a `commit`ted upper
//     directory). It is gzipped once, as it is unpacked, and that blob is
//     kept: from then on it is the layer's blob, the digest every save and
//     push repeats.

// keepLayer stages the blob d (read from blob, which verifies it) and
// unpacks it as the layer chain on parent, unless the layer store has that
// layer already; then it only checks that the blob holds the tar diffID
// names. It returns the layer it created, or nil. The caller holds the
// layer's lock.
func (s *Store) keepLayer(ctx context.Context, st *stage, d Descriptor, parent, diffID, chain string, blob io.Reader) (*layers.Layer, error) {
	w, err := st.create()
	if err != nil {
		return nil, err
	}
	tee := io.TeeReader(blob, w)
	var created *layers.Layer
	if s.Layers.Has(chain) {
		err = checkDiffID(tee, diffID)
	} else {
		var l layers.Layer
		if l, err = s.Layers.Unpack(ctx, parent, diffID, tee); err == nil {
			created = &l
		}
	}
	if err != nil {
		w.abort()
		return nil, err
	}
	if got := w.digest(); got != d.Digest {
		w.abort() // the verifying reader has said so already; never file bytes under another name
		return nil, fmt.Errorf("layer %s: %w: kept bytes hash to %s", d.Digest, ErrDigestMismatch, got)
	}
	if _, err := w.finish(); err != nil {
		return nil, err
	}
	return created, nil
}

// checkDiffID reads a (compressed) layer blob to its end and checks that
// its uncompressed tar hashes to want.
func checkDiffID(blob io.Reader, want string) error {
	dec, _, err := layers.Decompress(blob)
	if err != nil {
		return err
	}
	h := sha256.New()
	_, err = io.Copy(h, dec)
	dec.Close()
	if err == nil {
		_, err = io.Copy(io.Discard, blob) // to the end, where the digest is checked
	}
	if err != nil {
		return err
	}
	if got := "sha256:" + hex.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("diff ID mismatch: the tar hashes to %s, the image config says %s", got, want)
	}
	return nil
}

// gzipLayer reads a layer tar (plain or compressed: layers.Decompress
// tells), and in one pass hashes it (the diff ID), gzips it into the stage
// (hashing the gzip: the blob digest) and, unless chain is known and in the
// store, unpacks it on parent. wantDiffID and chain may be "" (an import
// knows neither before the end). It returns the layer (created or found)
// and the kept blob's descriptor, with the media type gzipType.
func (s *Store) gzipLayer(ctx context.Context, st *stage, parent, wantDiffID, chain, gzipType string, r io.Reader) (layers.Layer, Descriptor, error) {
	plain, _, err := layers.Decompress(r)
	if err != nil {
		return layers.Layer{}, Descriptor{}, err
	}
	defer plain.Close()
	w, err := st.create()
	if err != nil {
		return layers.Layer{}, Descriptor{}, err
	}
	zw := gzip.NewWriter(w)
	tee := io.TeeReader(plain, zw)
	var l layers.Layer
	if chain != "" && s.Layers.Has(chain) {
		if err = checkDiffID(tee, wantDiffID); err == nil {
			l, err = s.Layers.Get(chain)
		}
	} else {
		l, err = s.Layers.Unpack(ctx, parent, wantDiffID, tee)
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		w.abort()
		return layers.Layer{}, Descriptor{}, err
	}
	d, err := w.finish()
	d.MediaType = gzipType
	return l, d, err
}

// ensureLayer is for a layer unpacked before its chain ID was known
// (import, commit), and so before its lock could be taken: the caller has
// taken it since (beginLayers). A prune may have removed the layer in
// between, as nothing named it yet; then it is unpacked again, under the
// lock, from the blob the stage kept.
func (s *Store) ensureLayer(ctx context.Context, txn *layerTxn, st *stage, l layers.Layer, blob Descriptor) error {
	if s.Layers.Has(l.ChainID) {
		return nil
	}
	f, err := st.open(blob.Digest)
	if err != nil {
		return err
	}
	defer f.Close()
	again, err := s.Layers.Unpack(ctx, l.Parent, l.DiffID, NewVerifyingReader(f, blob))
	if err != nil {
		return fmt.Errorf("layer %s: %w", l.ChainID, err)
	}
	txn.add(again)
	return nil
}
