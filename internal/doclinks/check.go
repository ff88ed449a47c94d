package doclinks

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A Problem is one broken reference: File (slash path from the root) and
// Line say where it is written, Link is the reference as written, Msg what
// is wrong and, where the checker can tell, where the thing is now.
type Problem struct {
	File string
	Line int
	Link string
	Msg  string
}

func (p Problem) String() string {
	return fmt.Sprintf("%s:%d: %s: %s", p.File, p.Line, p.Link, p.Msg)
}

// Pages returns the markdown files the checker reads, as slash paths from
// root: README.md, docs/*.md and every .md under examples/.
func Pages(root string) ([]string, error) {
	pages := []string{"README.md"}
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		pages = append(pages, "docs/"+filepath.Base(d))
	}
	err = filepath.WalkDir(filepath.Join(root, "examples"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".md") {
			rel, _ := filepath.Rel(root, path)
			pages = append(pages, filepath.ToSlash(rel))
		}
		return err
	})
	return pages, err
}

// Check reads every page of Pages(root) and returns its broken references
// (the rules are in doc.go), sorted by file and line.
func Check(root string) ([]Problem, error) {
	idx, err := indexGo(root)
	if err != nil {
		return nil, err
	}
	names, err := Pages(root)
	if err != nil {
		return nil, err
	}
	c := &checker{root: root, idx: idx, pages: map[string]*page{}}
	for _, name := range names {
		p, err := c.page(name)
		if err != nil {
			return nil, err
		}
		for _, l := range p.Links {
			c.link(name, l)
		}
		for _, s := range p.Spans {
			c.prose(name, s)
		}
	}
	sort.SliceStable(c.problems, func(i, j int) bool {
		a, b := c.problems[i], c.problems[j]
		return a.File < b.File || a.File == b.File && a.Line < b.Line
	})
	return c.problems, nil
}

type checker struct {
	root     string
	idx      goIndex
	pages    map[string]*page
	problems []Problem
}

func (c *checker) page(name string) (*page, error) {
	if p, ok := c.pages[name]; ok {
		return p, nil
	}
	src, err := os.ReadFile(filepath.Join(c.root, filepath.FromSlash(name)))
	if err != nil {
		return nil, err
	}
	p := parsePage(string(src))
	c.pages[name] = &p
	return &p, nil
}

func (c *checker) report(file string, line int, ref, format string, args ...any) {
	c.problems = append(c.problems, Problem{File: file, Line: line, Link: ref, Msg: fmt.Sprintf(format, args...)})
}

var schemeRe = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)

// link checks one link of page name: the target exists, an anchor exists,
// and the Go names in its text are declared in the Go file it points to.
func (c *checker) link(name string, l link) {
	ref := "[" + shorten(l.Text) + "](" + l.Target + ")"
	if l.Target == "" || schemeRe.MatchString(l.Target) || strings.HasPrefix(l.Target, "//") {
		return // a URL: not ours to check
	}
	if strings.HasPrefix(l.Target, "/") {
		c.report(name, l.Line, ref, "absolute path: write the link relative to %s", name)
		return
	}
	target, frag, _ := strings.Cut(l.Target, "#")
	rel := name // an anchor alone points into this page
	if target != "" {
		rel = filepath.ToSlash(filepath.Join(filepath.Dir(name), target))
		if rel == ".." || strings.HasPrefix(rel, "../") {
			c.report(name, l.Line, ref, "points outside the repository")
			return
		}
		if _, err := os.Stat(filepath.Join(c.root, rel)); err != nil {
			c.report(name, l.Line, ref, "no such file %s%s", rel, c.movedHint(rel, l))
			return
		}
	}
	switch {
	case strings.HasSuffix(rel, ".md") && frag != "":
		p, err := c.page(rel)
		if err == nil && !p.Anchors[frag] {
			c.report(name, l.Line, ref, "%s has no heading with anchor #%s", rel, frag)
		}
	case strings.HasSuffix(rel, ".go"):
		c.goLink(name, rel, frag, l, ref)
	}
}

// goLink checks the names in the text of a link to the Go file rel, and a
// #L12 or #L12-L20 line anchor.
func (c *checker) goLink(name, rel, frag string, l link, ref string) {
	g := c.idx[rel]
	if g == nil {
		return // a .go file the index skipped (testdata)
	}
	var found []lines
	lastType := ""
	for _, r := range refsOf(l) {
		r = strings.TrimSuffix(r, "()")
		switch {
		case strings.HasSuffix(r, "/"):
			if d := "/" + filepath.ToSlash(filepath.Dir(rel)) + "/"; !strings.HasSuffix(d, "/"+r) {
				c.report(name, l.Line, ref, "%s is not in directory %s", rel, r)
			}
		case strings.HasSuffix(r, ".go"):
			if !strings.HasSuffix("/"+rel, "/"+r) {
				c.report(name, l.Line, ref, "the text names %s but the link goes to %s", r, rel)
			}
		case identPathRe.MatchString(r):
			decl, ok := g.lookup(r, lastType)
			if !ok {
				c.report(name, l.Line, ref, "%s is not declared in %s%s", r, rel, c.declaredHint(r, g, rel))
				continue
			}
			found = append(found, g.Decls[decl])
			if g.Types[decl] {
				lastType = decl
			}
		}
	}
	if frag != "" {
		c.lineAnchor(name, rel, frag, g, found, l, ref)
	}
}

var lineAnchorRe = regexp.MustCompile(`^L(\d+)(?:-L(\d+))?$`)

// lineAnchor checks #L12 or #L12-L20: the lines exist and, when the text
// names a declaration, they lie inside it (so an edit above it that moves
// the declaration makes the anchor fail instead of silently pointing at
// something else).
func (c *checker) lineAnchor(name, rel, frag string, g *goFile, found []lines, l link, ref string) {
	m := lineAnchorRe.FindStringSubmatch(frag)
	if m == nil {
		c.report(name, l.Line, ref, "anchor #%s on a Go file: only #L12 or #L12-L20 line anchors are allowed", frag)
		return
	}
	from, _ := strconv.Atoi(m[1])
	to := from
	if m[2] != "" {
		to, _ = strconv.Atoi(m[2])
	}
	if from < 1 || to < from || to > g.Lines {
		c.report(name, l.Line, ref, "lines %d-%d are not in %s (%d lines)", from, to, rel, g.Lines)
		return
	}
	for _, d := range found {
		if from >= d.From && to <= d.To {
			return
		}
	}
	if len(found) > 0 {
		c.report(name, l.Line, ref, "lines %d-%d of %s are not inside the named declaration (it is at lines %d-%d)", from, to, rel, found[0].From, found[0].To)
	}
}

// prose checks a code span outside links: a Go file name must exist, and
// pkg.Name (pkg one of the repository's packages) must be declared in pkg.
func (c *checker) prose(name string, s codeSpan) {
	code := strings.TrimSuffix(s.Code, "()")
	ref := "`" + s.Code + "`"
	switch {
	case goFileRe.MatchString(code):
		if !c.fileExists(code) {
			c.report(name, s.Line, ref, "no Go file %s in the repository%s", code, c.baseHint(code))
		}
	case identPathRe.MatchString(code):
		parts := strings.SplitN(code, ".", 2)
		dirs := c.idx.packageDirs(parts[0])
		if len(parts) < 2 || len(dirs) == 0 {
			return
		}
		anywhere := false
		for path, g := range c.idx {
			if _, ok := g.Decls[parts[1]]; ok {
				if dirs[filepath.ToSlash(filepath.Dir(path))] {
					return
				}
				anywhere = true
			}
		}
		// `security.capability` is an xattr's name, not package security's:
		// a lower-case name declared nowhere is not taken for Go.
		if r, _ := utf8.DecodeRuneInString(parts[1]); unicode.IsLower(r) && !anywhere {
			return
		}
		c.report(name, s.Line, ref, "%s is not declared in package %s%s", parts[1], parts[0], c.declaredHint(parts[1], nil, ""))
	}
}
