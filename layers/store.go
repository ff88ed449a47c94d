package layers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Layer describes one unpacked layer in the store.
type Layer struct {
	ChainID string `json:"chainID"`          // names the directory: this layer on its parents
	DiffID  string `json:"diffID"`           // sha256 of the uncompressed tar
	Parent  string `json:"parent,omitempty"` // chain ID of the layer below; "" for a base layer
	Size    int64  `json:"size"`             // bytes of regular file data
	Dir     string `json:"dir"`              // <root>/layers/sha256/<hex>/diff: an overlay lowerdir
}

// Store is the content-addressed layer store under one root directory
// (minictr's --root). See doc.go for the layout.
type Store struct {
	root string
}

// OpenStore opens (creating if needed) the layer store under root.
func OpenStore(root string) (*Store, error) {
	abs, err := filepath.Abs(root) // overlay mount options need absolute paths
	if err != nil {
		return nil, err
	}
	for _, d := range []string{"layers/sha256", "tmp", "locks"} {
		if err := os.MkdirAll(filepath.Join(abs, d), 0o700); err != nil {
			return nil, err
		}
	}
	return &Store{root: abs}, nil
}

// Root returns the store's root directory.
func (s *Store) Root() string { return s.root }

func (s *Store) layerDir(hex string) string {
	return filepath.Join(s.root, "layers", "sha256", hex)
}

// Get returns the layer named chainID. A missing layer gives an error that
// wraps fs.ErrNotExist.
func (s *Store) Get(chainID string) (Layer, error) {
	hex, err := digestHex(chainID)
	if err != nil {
		return Layer{}, err
	}
	dir := s.layerDir(hex)
	if _, err := os.Stat(dir); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Layer{}, fmt.Errorf("layer %s not in store %s: %w", chainID, s.root, fs.ErrNotExist)
		}
		return Layer{}, err
	}
	l := Layer{ChainID: chainID, Dir: filepath.Join(dir, "diff")}
	diffID, err := os.ReadFile(filepath.Join(dir, "diffid"))
	if err != nil {
		return Layer{}, fmt.Errorf("layer %s is damaged: %w", chainID, err)
	}
	l.DiffID = string(diffID)
	parent, err := os.ReadFile(filepath.Join(dir, "parent"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Layer{}, fmt.Errorf("layer %s is damaged: %w", chainID, err)
	}
	l.Parent = string(parent)
	size, err := os.ReadFile(filepath.Join(dir, "size"))
	if err == nil {
		l.Size, err = strconv.ParseInt(string(size), 10, 64)
	}
	if err != nil {
		return Layer{}, fmt.Errorf("layer %s is damaged: size: %w", chainID, err)
	}
	return l, nil
}

// Has reports whether the layer named chainID is in the store.
func (s *Store) Has(chainID string) bool {
	hex, err := digestHex(chainID)
	if err != nil {
		return false
	}
	_, err = os.Stat(s.layerDir(hex))
	return err == nil
}

// List returns every layer in the store, ordered by chain ID.
func (s *Store) List() ([]Layer, error) {
	entries, err := os.ReadDir(filepath.Join(s.root, "layers", "sha256"))
	if err != nil {
		return nil, err
	}
	var out []Layer
	for _, e := range entries {
		id := "sha256:" + e.Name()
		if _, err := digestHex(id); err != nil {
			continue // not a layer directory; not ours to judge
		}
		l, err := s.Get(id)
		if errors.Is(err, fs.ErrNotExist) && !s.Has(id) {
			continue // removed (renamed away) while we looked: gone, not damaged
		}
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// Remove deletes a layer. The directory is first renamed into tmp/ (one
// atomic step), then deleted there, so a crash mid-way never leaves a
// half-deleted layer under its real name: Has would say yes and overlay
// would mount a broken lowerdir. It also removes the layer's lock file.
// Callers make sure no image or container still uses the layer, and hold
// LockLayer(chainID) around the call, so that it cannot delete a layer a
// concurrent pull has just unpacked but not yet recorded.
func (s *Store) Remove(chainID string) error {
	hex, err := digestHex(chainID)
	if err != nil {
		return err
	}
	tmp, err := TempDir(s.root, "remove")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := os.Rename(s.layerDir(hex), filepath.Join(tmp, "layer")); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove layer %s: %w", chainID, fs.ErrNotExist)
		}
		return fmt.Errorf("remove layer %s: %w", chainID, err)
	}
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("remove layer %s: %w", chainID, err)
	}
	// The layer's lock file is not removed here: the caller holds the lock,
	// and its unlock removes the file (LockLayer). Removing it here, while
	// the lock is still held, would let a newcomer create and lock a new
	// file of that name at once: two holders of one lock.
	return nil
}

// Unpack reads one layer blob, unpacks it as the layer on top of parent
// (a chain ID, or "" for a base layer) and commits it to the store.
//
// The compression (gzip, zstd, xz or none) is detected from the blob's magic
// bytes. The diff ID is computed from the uncompressed stream while it is
// unpacked; when wantDiffID is not empty (it comes from the image config's
// rootfs.diff_ids) a mismatch is an error naming both. Unpacking happens in
// a fresh directory under tmp/, which is renamed to layers/sha256/<chain>
// only when everything succeeded; on any error it is removed and the store
// is unchanged. If another process committed the same layer meanwhile, our
// copy is discarded and the existing layer returned.
//
// Unpack does not take LockLayer; callers hold it around "Has? else
// download and Unpack", so each layer is downloaded once.
func (s *Store) Unpack(ctx context.Context, parent, wantDiffID string, blob io.Reader) (l Layer, err error) {
	if parent != "" {
		if _, err := digestHex(parent); err != nil {
			return Layer{}, fmt.Errorf("parent chain ID: %w", err)
		}
	}
	if wantDiffID != "" {
		if _, err := digestHex(wantDiffID); err != nil {
			return Layer{}, fmt.Errorf("wanted diff ID: %w", err)
		}
	}
	tmp, err := TempDir(s.root, "unpack")
	if err != nil {
		return Layer{}, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	diff := filepath.Join(tmp, "diff")
	if err := os.Mkdir(diff, 0o755); err != nil {
		return Layer{}, err
	}
	diffID, size, err := unpackBlob(ctx, diff, blob)
	if err != nil {
		return Layer{}, fmt.Errorf("unpack layer: %w", err)
	}
	if wantDiffID != "" && diffID != wantDiffID {
		return Layer{}, fmt.Errorf("unpack layer: diff ID mismatch: the tar hashes to %s, the image config says %s", diffID, wantDiffID)
	}
	chain := ChainID(parent, diffID)
	if err := writeMeta(tmp, diffID, parent, size); err != nil {
		return Layer{}, err
	}
	return s.commit(tmp, Layer{ChainID: chain, DiffID: diffID, Parent: parent, Size: size})
}

// unpackBlob is the pipeline blob -> decompress -> sha256 -> tar -> files.
// Decompressing and hashing run ahead in their own goroutine (readahead.go).
func unpackBlob(ctx context.Context, dir string, blob io.Reader) (diffID string, size int64, err error) {
	dec, _, err := Decompress(blob)
	if err != nil {
		return "", 0, err
	}
	h := sha256.New()
	ra := newReadahead(io.TeeReader(dec, h), 4, copyBufSize)
	size, err = UnpackTar(ctx, dir, ra)
	if err == nil {
		// A tar ends with two zero blocks, but writers pad to a record
		// size after them; those bytes are part of the diff ID too.
		_, err = io.Copy(io.Discard, ra)
	}
	ra.Close()
	dec.Close()
	if err == nil {
		// Read the blob to its end, so that a digest-verifying reader
		// wrapped around it gets to compare (and to fail).
		_, err = io.Copy(io.Discard, blob)
	}
	if err != nil {
		return "", 0, err
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), size, nil
}

// writeMeta writes the small files next to diff/. They live in the temp
// directory, which becomes visible only as a whole, so plain writes suffice.
func writeMeta(tmp, diffID, parent string, size int64) error {
	files := map[string]string{"diffid": diffID, "size": strconv.FormatInt(size, 10)}
	if parent != "" {
		files["parent"] = parent
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(tmp, name), []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// commit renames the finished temp directory to its final name. rename(2)
// of a directory onto an existing non-empty one fails (EEXIST or
// ENOTEMPTY): then another process won the race, and its layer, which has
// the same content by construction, is the one we return.
func (s *Store) commit(tmp string, l Layer) (Layer, error) {
	hex := strings.TrimPrefix(l.ChainID, "sha256:")
	final := s.layerDir(hex)
	if err := os.Chmod(tmp, 0o755); err != nil {
		return Layer{}, err
	}
	// A caller that holds no lock (an import, whose chain ID was unknown
	// until now) may see the winner's layer removed by a garbage collector
	// between our rename and our Get: then ours takes its place.
	for range 3 {
		err := os.Rename(tmp, final)
		if err == nil {
			l.Dir = filepath.Join(final, "diff")
			return l, nil
		}
		if won, gerr := s.Get(l.ChainID); gerr == nil {
			os.RemoveAll(tmp)
			return won, nil
		} else if s.Has(l.ChainID) {
			return Layer{}, gerr
		}
		if !errors.Is(err, fs.ErrExist) && !errors.Is(err, syscall.ENOTEMPTY) {
			return Layer{}, fmt.Errorf("commit layer %s: %w", l.ChainID, err)
		}
	}
	return Layer{}, fmt.Errorf("commit layer %s: removed as fast as it was committed", l.ChainID)
}
