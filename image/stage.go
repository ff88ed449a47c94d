package image

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/minictr/minictr/layers"
)

// Blobs (manifests, configs, and the compressed layer blobs save and push
// send) obey one rule, the same for pull, load, import and commit:
//
//	A blob enters blobs/ only under the store lock, in the same critical
//	section that writes the index entry naming it.
//
// Until then it lives in the writer's own stage, tmp/<pid>-stage-<rand>/,
// which the store's garbage collector (Prune, under the store lock too)
// never looks at. So the collector sees every blob in blobs/ either named
// by the index or left over from an image already removed, never one a
// command has written but not yet recorded, and it may delete whatever the
// index does not name. (The first version wrote blobs straight into blobs/
// and recorded the image a moment later: a prune in between deleted the
// new config, and the store listed an image it could not read.)
//
// A blob a command needs but did not write, because the store already had
// it, is hard-linked into the stage first (link(2) is atomic: either the
// blob was there and the stage now holds it too, or it was gone and the
// command fetches it). A prune that deletes blobs/<hex> meanwhile removes
// one name of the file; the stage's name keeps its bytes, and recording puts
// it back. The stage is a directory of tmp/, so it disappears with its
// process (CleanTemp) and a killed command leaves nothing behind.
//
// This is the same guarantee layers get from their locks (txn.go), by a
// cheaper means: a blob is one file, so "my own name for it" is enough,
// where a layer is a directory tree that cannot be hard-linked.

// stage is one command's private blob directory.
type stage struct {
	s     *Store
	dir   string
	mu    sync.Mutex      // a pull stages several layers at once
	blobs map[string]bool // digests present in dir
}

func (s *Store) newStage() (*stage, error) {
	dir, err := layers.TempDir(s.root, "stage")
	if err != nil {
		return nil, fmt.Errorf("stage blobs: %w", err)
	}
	return &stage{s: s, dir: dir, blobs: map[string]bool{}}, nil
}

// close removes what was not published.
func (st *stage) close() { os.RemoveAll(st.dir) }

func (st *stage) path(d string) string {
	return filepath.Join(st.dir, strings.TrimPrefix(d, "sha256:"))
}

func (st *stage) has(d string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.blobs[d]
}

func (st *stage) mark(d string) {
	st.mu.Lock()
	st.blobs[d] = true
	st.mu.Unlock()
}

// open reads a staged blob.
func (st *stage) open(d string) (*os.File, error) {
	f, err := os.Open(st.path(d))
	if err != nil {
		return nil, fmt.Errorf("staged blob %s: %w", d, err)
	}
	return f, nil
}

// put stages a small blob (manifest, config) whose digest the caller
// verified or computed.
func (st *stage) put(d string, b []byte) error {
	if st.has(d) {
		return nil
	}
	if err := writeSynced(st.path(d), b); err != nil {
		return fmt.Errorf("stage blob %s: %w", d, err)
	}
	st.mark(d)
	return nil
}

// pin hard-links the store's copy of d into the stage. It reports false
// when the store does not have d (then the caller must fetch it).
func (st *stage) pin(d string) (bool, error) {
	if st.has(d) {
		return true, nil
	}
	err := os.Link(st.s.blobPath(d), st.path(d))
	switch {
	case err == nil, errors.Is(err, fs.ErrExist): // ErrExist: another goroutine pinned it
		st.mark(d)
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	}
	return false, fmt.Errorf("pin blob %s: %w", d, err)
}

// blobWriter is a blob being streamed into the stage: a file plus the
// sha256 and size of what went in, so the digest is known when it ends.
type blobWriter struct {
	st *stage
	f  *os.File
	h  hash.Hash
	n  int64
}

// create starts a streamed blob whose digest is known only at the end.
func (st *stage) create() (*blobWriter, error) {
	f, err := os.CreateTemp(st.dir, "partial-")
	if err != nil {
		return nil, fmt.Errorf("stage blob: %w", err)
	}
	return &blobWriter{st: st, f: f, h: sha256.New()}, nil
}

func (w *blobWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.h.Write(p[:n])
	w.n += int64(n)
	return n, err
}

// digest is the sha256 of what was written so far.
func (w *blobWriter) digest() string { return "sha256:" + hex.EncodeToString(w.h.Sum(nil)) }

// finish syncs the file and files it under its digest: a power cut after
// the image is recorded must not leave a blob whose bytes never reached the
// disk under a name that promises them.
func (w *blobWriter) finish() (Descriptor, error) {
	d := Descriptor{Digest: w.digest(), Size: w.n}
	err := w.f.Sync()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(w.f.Name(), w.st.path(d.Digest))
	}
	if err != nil {
		os.Remove(w.f.Name())
		return d, fmt.Errorf("stage blob %s: %w", d.Digest, err)
	}
	w.st.mark(d.Digest)
	return d, nil
}

// abort throws a partial blob away.
func (w *blobWriter) abort() {
	w.f.Close()
	os.Remove(w.f.Name())
}

// publish moves every staged blob into blobs/. The caller holds the store
// lock and writes the index entry naming them before releasing it. A blob
// blobs/ already has is left as it is: same digest, same bytes.
func (st *stage) publish() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	for d := range st.blobs {
		final := st.s.blobPath(d)
		if _, err := os.Lstat(final); err == nil {
			continue
		}
		if err := os.Rename(st.path(d), final); err != nil {
			return fmt.Errorf("publish blob %s: %w", d, err)
		}
	}
	return syncDir(filepath.Dir(st.s.blobPath("sha256:")))
}

// writeSynced writes a new file and fsyncs it.
func writeSynced(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir fsyncs a directory, making renames into it durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", dir, err)
	}
	return nil
}
