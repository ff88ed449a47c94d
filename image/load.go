package image

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"

	"github.com/minictr/minictr/layers"
)

// Loaded is one image a `load` brought in, with the names it was given.
type Loaded struct {
	Image Image
	Names []string // familiar names, e.g. busybox:latest; empty for an untagged image
}

// Load reads an image archive: either what `docker save` writes
// (manifest.json, one config and one tar per layer) or an OCI image layout
// (oci-layout, index.json, blobs/sha256/...), as a .tar or compressed tar.
// Every tagged image in it is loaded. The archive is first spread into a
// temp directory because both formats may put their table of contents
// (manifest.json, index.json) after the blobs it describes.
func (s *Store) Load(ctx context.Context, r io.Reader, source string) ([]Loaded, error) {
	dir, err := layers.TempDir(s.root, "load")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	a, err := spread(r, dir)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", source, err)
	}
	var out []Loaded
	switch {
	// An OCI layout first: docker 25+ (and minictr's save) write one beside
	// manifest.json, and only it carries the layers' blob digests, which
	// the store keeps so that the image goes out again unchanged.
	case a.has("index.json") && a.has("oci-layout"):
		out, err = s.loadOCI(ctx, a)
	case a.has("manifest.json"): // docker save before docker 25
		out, err = s.loadDocker(ctx, a)
	default:
		return nil, fmt.Errorf("load %s: not an image archive: it has neither manifest.json (docker save) nor oci-layout and index.json (OCI layout)", source)
	}
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", source, err)
	}
	return out, nil
}

// archive is an image archive spread out in a directory. Symlinks (docker
// save links repeated layers) are kept as a table, never on disk, and
// resolved only inside the archive.
type archive struct {
	dir   string
	links map[string]string
}

func (a archive) has(name string) bool {
	f, err := a.open(name)
	if err == nil {
		f.Close()
	}
	return err == nil
}

// open opens the archive member name, following the archive's own symlinks.
func (a archive) open(name string) (*os.File, error) {
	name = path.Clean(name)
	for hops := 0; hops < 16; hops++ {
		if !filepath.IsLocal(name) {
			return nil, fmt.Errorf("archive member %q points outside the archive", name)
		}
		target, ok := a.links[name]
		if !ok {
			return os.Open(filepath.Join(a.dir, filepath.FromSlash(name)))
		}
		if path.IsAbs(target) {
			return nil, fmt.Errorf("archive member %q is an absolute symlink", name)
		}
		name = path.Join(path.Dir(name), target)
	}
	return nil, fmt.Errorf("archive member %q: too many symlinks", name)
}

func (a archive) readJSON(name string, v any) ([]byte, error) {
	f, err := a.open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxConfigSize))
	if err != nil {
		return nil, err
	}
	return b, jsonUnmarshal(b, v, name)
}

// spread writes the regular files of a (possibly compressed) tar into dir.
// Names are checked to stay inside dir; anything but files, directories and
// symlinks is ignored.
func spread(r io.Reader, dir string) (archive, error) {
	a := archive{dir: dir, links: map[string]string{}}
	plain, _, err := layers.Decompress(r)
	if err != nil {
		return a, err
	}
	defer plain.Close()
	tr := tar.NewReader(plain)
	for n := 0; ; n++ {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) && n > 0 {
			return a, nil
		}
		if err != nil {
			return a, fmt.Errorf("not a tar archive: %w", err)
		}
		name := path.Clean(h.Name)
		if !filepath.IsLocal(name) {
			return a, fmt.Errorf("archive member %q points outside the archive", h.Name)
		}
		dst := filepath.Join(dir, filepath.FromSlash(name))
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(dst, 0o700)
		case tar.TypeReg:
			err = writeMember(dst, tr)
		case tar.TypeSymlink:
			a.links[name] = h.Linkname
		}
		if err != nil {
			return a, fmt.Errorf("archive member %s: %w", h.Name, err)
		}
	}
}

func writeMember(dst string, r io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// digestOf is the sha256 digest of b, in the "sha256:<hex>" form.
func digestOf(b []byte) string { return fmt.Sprintf("sha256:%x", sha256.Sum256(b)) }

func jsonUnmarshal(b []byte, v any, what string) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s is not valid JSON: %w", what, err)
	}
	return nil
}
