package image

import (
	"fmt"
	"os"
	"time"
)

// entry is what record writes into the index for one image.
type entry struct {
	id         string   // the image ID: the config's digest
	repoDigest string   // what it was pulled by, or ""
	target     string   // its image manifest in blobs/, or ""
	blobs      []string // every blob the image keeps (config included)
	chain      []string // its layers, bottom first
	names      []string // fully qualified references to point at it
	source     string   // "host/path" its blobs came from, or ""
}

// record publishes the staged blobs and records a complete image, in one
// critical section under the store lock (the rule of stage.go). Every layer
// must be in the store (the caller holds their locks) and every blob in
// the stage or in blobs/. It reports whether the first name pointed at
// another image (or none) before: docker's "Downloaded newer image" rather
// than "Image is up to date". It returns the image as recorded.
func (s *Store) record(e entry, st *stage) (img Image, moved bool, err error) {
	err = s.update(func(idx *index) error {
		for _, c := range e.chain {
			if !s.Layers.Has(c) {
				return fmt.Errorf("record image %s: layer %s is missing", shortID(e.id), c)
			}
		}
		if st != nil {
			if err := st.publish(); err != nil {
				return err
			}
		}
		for _, b := range append([]string{e.id}, e.blobs...) {
			if _, err := os.Stat(s.blobPath(b)); err != nil {
				return fmt.Errorf("record image %s: %w", shortID(e.id), err)
			}
		}
		moved = len(e.names) > 0 && idx.Refs[e.names[0]] != e.id
		idx.add(e)
		// The image as recorded: once the lock is released, an rmi may
		// take it away before the caller could Get it.
		img, err = s.image(*idx, e.id)
		return err
	})
	return img, moved, err
}

// add writes e into the index (a pure change of the in-memory value).
func (idx *index) add(e entry) {
	rec, ok := idx.Images[e.id]
	if !ok {
		rec = record{ChainIDs: e.chain, Added: time.Now().UTC()}
	}
	if e.repoDigest != "" {
		rec.Manifest = e.repoDigest
	}
	if e.target != "" {
		rec.ImageManifest = e.target
	}
	rec.Blobs = union(rec.Blobs, e.blobs)
	idx.Images[e.id] = rec
	for _, n := range e.names {
		idx.Refs[n] = e.id
	}
	if e.source != "" {
		idx.addSource(e.source, e.blobs...)
	}
}

// addSource notes that repo ("host/path") holds blobs.
func (idx *index) addSource(repo string, blobs ...string) {
	if idx.Sources == nil {
		idx.Sources = map[string][]string{}
	}
	for _, b := range blobs {
		idx.Sources[b] = union(idx.Sources[b], []string{repo})
	}
}
