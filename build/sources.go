package build

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// Source is one matched COPY/ADD source: its resolved path in the context
// and the files it contributes (the file itself, or a directory and
// everything below it that .dockerignore does not exclude).
type Source struct {
	Path string // resolved, relative to the context root
	// Given is the path as matched, before symlinks were resolved
	// ("link/app.py" when Path is "real/app.py"): the name a copy takes.
	Given string
	Files []SourceFile
}

// Sources resolves one COPY/ADD source (a path or a wildcard) and reads
// what the cache key needs of each file. It is an error when nothing
// matches, when the path leaves the context, or when it is excluded.
func (c *Context) Sources(src string) ([]Source, error) {
	rel, err := CleanSource(src)
	if err != nil {
		return nil, err
	}
	var paths, given []string
	if hasMeta(rel) {
		if paths, err = c.glob(rel); err != nil {
			return nil, err
		}
		if len(paths) == 0 {
			return nil, fmt.Errorf("copy %s: no source files were specified (nothing in the context matches)", src)
		}
	} else {
		r, err := c.resolve(rel)
		if err != nil {
			return nil, err
		}
		if c.excludedSource(r) {
			return nil, fmt.Errorf("copy %s: file not found in build context or excluded by .dockerignore", src)
		}
		paths, given = []string{r}, []string{rel}
	}
	out := make([]Source, 0, len(paths))
	if given == nil {
		given = paths // a glob matches real paths: nothing to resolve
	}
	for i, p := range paths {
		files, err := c.walk(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("copy %s: file not found in build context or excluded by .dockerignore: %w", src, err)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, Source{Path: p, Given: given[i], Files: files})
	}
	return out, nil
}

// excludedSource: an excluded path cannot be a source, except the root
// and a directory holding a path a "!" pattern re-includes (docker sends
// that path, so the directory exists in what the builder sees).
func (c *Context) excludedSource(rel string) bool {
	if rel == "." || !c.Ignore.Excluded(rel) {
		return false
	}
	fi, err := os.Lstat(filepath.Join(c.Dir, filepath.FromSlash(rel)))
	return err != nil || !fi.IsDir() || !c.Ignore.MayIncludeUnder(rel)
}

// glob matches pattern against every non-excluded path of the context.
func (c *Context) glob(pattern string) ([]string, error) {
	if _, err := path.Match(pattern, ""); err != nil {
		return nil, fmt.Errorf("copy %s: %w", pattern, err)
	}
	var out []string
	err := c.walkFunc(".", func(rel string, _ fs.FileInfo) error {
		if ok, _ := path.Match(pattern, rel); ok {
			out = append(out, rel)
		}
		return nil
	})
	return out, err
}

// walk lists rel and, for a directory, everything below it.
func (c *Context) walk(rel string) ([]SourceFile, error) {
	var files []SourceFile
	err := c.walkFunc(rel, func(p string, fi fs.FileInfo) error {
		f, err := c.fileMeta(p, fi)
		if err != nil {
			return err
		}
		files = append(files, f)
		return nil
	})
	SortSources(files)
	return files, err
}

// walkFunc visits rel and what lies below it, without following symlinks
// and skipping what .dockerignore excludes (the root of the walk is the
// caller's choice and always visited).
func (c *Context) walkFunc(rel string, fn func(rel string, fi fs.FileInfo) error) error {
	root := filepath.Join(c.Dir, filepath.FromSlash(rel))
	return filepath.WalkDir(root, func(abs string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("walk build context: %w", err)
		}
		r, err := filepath.Rel(c.Dir, abs)
		if err != nil {
			return fmt.Errorf("walk build context: %w", err)
		}
		r = filepath.ToSlash(r)
		if abs != root && c.Ignore.Excluded(r) {
			if d.IsDir() && !c.Ignore.MayIncludeUnder(r) {
				return filepath.SkipDir
			}
			return nil
		}
		if abs == root && r == "." && rel == "." {
			return nil // the context root itself is not a source file of a glob
		}
		fi, err := d.Info()
		if err != nil {
			return fmt.Errorf("walk build context: %w", err)
		}
		return fn(r, fi)
	})
}

// fileMeta reads one file's cache-relevant facts; times are left out on
// purpose: touching a file must not miss the cache.
func (c *Context) fileMeta(rel string, fi fs.FileInfo) (SourceFile, error) {
	abs := filepath.Join(c.Dir, filepath.FromSlash(rel))
	f := SourceFile{Path: rel, Type: fileType(fi.Mode()), Mode: unixMode(fi.Mode())}
	var err error
	if f.UID, f.GID, err = owner(fi); err != nil {
		return SourceFile{}, fmt.Errorf("stat %s: %w", abs, err)
	}
	if f.Xattrs, err = xattrs(abs); err != nil {
		return SourceFile{}, err
	}
	switch f.Type {
	case "symlink":
		if f.Link, err = os.Readlink(abs); err != nil {
			return SourceFile{}, fmt.Errorf("readlink %s: %w", abs, err)
		}
	case "file":
		if f.Digest, err = fileDigest(abs); err != nil {
			return SourceFile{}, err
		}
	}
	return f, nil
}

func fileDigest(abs string) (string, error) {
	fh, err := openNoFollow(abs)
	if err != nil {
		return "", err
	}
	defer fh.Close()
	h := sha256.New()
	if _, err := io.Copy(h, fh); err != nil {
		return "", fmt.Errorf("read %s: %w", abs, err)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

func fileType(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "file"
	case m.IsDir():
		return "dir"
	case m&fs.ModeSymlink != 0:
		return "symlink"
	case m&fs.ModeNamedPipe != 0:
		return "fifo"
	case m&fs.ModeCharDevice != 0:
		return "char"
	case m&fs.ModeDevice != 0:
		return "block"
	default:
		return "socket"
	}
}

// unixMode turns Go's FileMode back into the 07777 bits of st_mode.
func unixMode(m fs.FileMode) uint32 {
	u := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		u |= 04000
	}
	if m&fs.ModeSetgid != 0 {
		u |= 02000
	}
	if m&fs.ModeSticky != 0 {
		u |= 01000
	}
	return u
}
