package image

import (
	"fmt"
	"io"
)

// exactImage is what save and push send of one image: its manifest,
// exactly as kept (so its digest is the one it was pulled or loaded by),
// and the config and layer blobs the manifest names, byte for byte.
type exactImage struct {
	img      Image
	manifest []byte
	m        *Manifest
	mt       string // the manifest's media type
}

// digest is the manifest's digest.
func (x exactImage) digest() string { return digestOf(x.manifest) }

// blobs are the blobs the manifest names: layers, bottom first, then the config.
func (x exactImage) blobs() []Descriptor {
	return append(append([]Descriptor{}, x.m.Layers...), x.m.Config)
}

// pinExact gathers what save and push send of img, pinning every blob in
// st (a hard link, stage.go) so that an rmi and prune running meanwhile
// cannot take them away half-way. An image whose blobs the store does not
// keep is refused: sending it would mean recompressing its layers, which
// gives new digests, a different image under the same name.
func (s *Store) pinExact(st *stage, img Image) (exactImage, error) {
	x := exactImage{img: img}
	if img.ImageManifest == "" {
		return x, fmt.Errorf("image %s: the store keeps its unpacked layers but not their blobs (it was stored by an older minictr), so it cannot send them unchanged: pull or load it again", img.ShortID())
	}
	if err := s.pinAll(st, img, img.ImageManifest); err != nil {
		return x, err
	}
	f, err := st.open(img.ImageManifest)
	if err != nil {
		return x, err
	}
	x.manifest, err = io.ReadAll(io.LimitReader(f, maxManifestSize+1))
	f.Close()
	if err != nil {
		return x, err
	}
	if x.m, _, err = DecodeManifest("", x.manifest); err != nil || x.m == nil {
		return x, fmt.Errorf("image %s: kept manifest %s: %v", img.ShortID(), img.ImageManifest, err)
	}
	x.mt = x.m.MediaType
	if x.mt == "" {
		x.mt = MediaTypeOCIManifest
	}
	if x.m.Config.Digest != img.ID {
		return x, fmt.Errorf("image %s: kept manifest %s names config %s", img.ShortID(), img.ImageManifest, x.m.Config.Digest)
	}
	for _, d := range x.blobs() {
		if err := s.pinAll(st, img, d.Digest); err != nil {
			return x, err
		}
	}
	return x, nil
}

func (s *Store) pinAll(st *stage, img Image, digests ...string) error {
	for _, d := range digests {
		ok, err := st.pin(d)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("image %s: blob %s is not in the store", img.ShortID(), d)
		}
	}
	return nil
}
