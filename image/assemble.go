package image

import (
	"encoding/json"
	"fmt"
)

// vocabulary is one of the two sets of media types an image is written in
// (spec.go). Images minictr makes itself (import, a docker save archive's
// plain layers, commit) are written in Docker's, as docker writes them:
// every registry and engine reads those.
type vocabulary struct{ manifest, config, layer string }

var (
	dockerTypes = vocabulary{MediaTypeDockerManifest, MediaTypeDockerConfig, MediaTypeDockerLayer}
	ociTypes    = vocabulary{MediaTypeOCIManifest, MediaTypeOCIConfig, MediaTypeOCILayerGz}
)

// vocabularyOf is the vocabulary of a manifest's media type.
func vocabularyOf(manifestType string) vocabulary {
	if manifestType == MediaTypeOCIManifest {
		return ociTypes
	}
	return dockerTypes
}

// addMade records an image whose config this store wrote (or a docker save
// archive carried without a manifest): it writes the manifest naming the
// config and the layer blobs (staged or kept already), stages both, and
// records the image with its layers, which the caller holds locked.
func (s *Store) addMade(st *stage, v vocabulary, cfgBytes []byte, layerBlobs []Descriptor, chain []string, names []Reference) (Image, error) {
	id := digestOf(cfgBytes)
	m := Manifest{
		SchemaVersion: 2, MediaType: v.manifest,
		Config: Descriptor{MediaType: v.config, Digest: id, Size: int64(len(cfgBytes))},
		Layers: layerBlobs,
	}
	if m.Layers == nil {
		m.Layers = []Descriptor{} // an image of no layers still lists them: "layers": []
	}
	mb, err := json.Marshal(m)
	if err != nil {
		return Image{}, fmt.Errorf("image manifest: %w", err)
	}
	md := digestOf(mb)
	if err := st.put(id, cfgBytes); err != nil {
		return Image{}, err
	}
	if err := st.put(md, mb); err != nil {
		return Image{}, err
	}
	e := entry{id: id, target: md, blobs: append([]string{md}, layerDigests(&m)...), chain: chain, names: qualified(names)}
	img, _, err := s.record(e, st)
	return img, err
}
