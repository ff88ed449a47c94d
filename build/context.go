package build

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Context is a build context read in place: a directory and its
// .dockerignore. Nothing outside Dir is ever read through it: source
// paths are resolved inside Dir with symlinks followed as if Dir were "/"
// (a link to /etc means Dir/etc), and symlinks met while walking a
// directory are recorded as symlinks, never followed.
type Context struct {
	Dir    string
	Ignore *Ignore // nil when there is no .dockerignore
}

// ErrOutsideContext marks a source path that leaves the context (`COPY ../x`).
var ErrOutsideContext = errors.New("path outside the build context")

// OpenContext opens the context directory dir and reads its .dockerignore.
func OpenContext(dir string) (*Context, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("open build context: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("open build context %s: not a directory", dir)
	}
	c := &Context{Dir: dir}
	f, err := os.Open(filepath.Join(dir, ".dockerignore"))
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open build context: %w", err)
	}
	defer f.Close()
	if c.Ignore, err = ParseIgnore(f); err != nil {
		return nil, fmt.Errorf("open build context %s: %w", dir, err)
	}
	return c, nil
}

// CleanSource turns a COPY/ADD source into a slash path relative to the
// context root. A leading "/" means the context root, as in docker; a path
// that climbs out ("../x", "a/../../x") is an error naming it.
func CleanSource(src string) (string, error) {
	p := path.Clean("/" + filepath.ToSlash(src))
	raw := path.Clean(filepath.ToSlash(src))
	if raw == ".." || strings.HasPrefix(raw, "../") {
		return "", fmt.Errorf("copy %s: %w", src, ErrOutsideContext)
	}
	if p == "/" {
		return ".", nil
	}
	return p[1:], nil
}

// maxLinks bounds symlink resolution, as the kernel's ELOOP does (40).
const maxLinks = 40

// resolve follows the symlinks in rel's components inside the context,
// treating the context directory as the root: ".." never climbs above it
// and an absolute link target starts again at it. The result is a clean
// relative path whose every component but the last is a real directory.
func (c *Context) resolve(rel string) (string, error) {
	var done []string
	todo := strings.Split(rel, "/")
	for links := 0; len(todo) > 0; {
		part := todo[0]
		todo = todo[1:]
		switch part {
		case "", ".":
			continue
		case "..":
			if len(done) > 0 {
				done = done[:len(done)-1]
			}
			continue
		}
		cur := path.Join(append(done, part)...)
		fi, err := os.Lstat(filepath.Join(c.Dir, filepath.FromSlash(cur)))
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			done = append(done, part) // missing paths fail later, in Lstat
			continue
		}
		if links++; links > maxLinks {
			return "", fmt.Errorf("resolve %s: too many levels of symbolic links", rel)
		}
		target, err := os.Readlink(filepath.Join(c.Dir, filepath.FromSlash(cur)))
		if err != nil {
			return "", fmt.Errorf("resolve %s: %w", rel, err)
		}
		if strings.HasPrefix(target, "/") {
			done = nil
		}
		todo = append(strings.Split(filepath.ToSlash(target), "/"), todo...)
	}
	if len(done) == 0 {
		return ".", nil
	}
	return path.Join(done...), nil
}

// hasMeta reports whether a source is a wildcard pattern (filepath.Match
// syntax, as COPY sources are).
func hasMeta(p string) bool { return strings.ContainsAny(p, `*?[\`) }
