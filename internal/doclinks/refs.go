package doclinks

import (
	"path"
	"regexp"
	"sort"
	"strings"
)

var (
	// identPathRe matches Name, pkg.Name, Type.Method, pkg.Type.Method.
	identPathRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}$`)
	goFileRe    = regexp.MustCompile(`^[A-Za-z0-9_./-]+\.go$`)
)

// refsOf returns what a link's text names: its code spans or, when it has
// none, the whole text if that is one dotted Go name (RunCmd.Run) or one
// file name (a single plain word, [here](x.go), is prose).
func refsOf(l link) []string {
	if len(l.Spans) > 0 {
		return l.Spans
	}
	t := strings.TrimSpace(l.Text)
	if identPathRe.MatchString(t) && strings.Contains(t, ".") || goFileRe.MatchString(t) {
		return []string{t}
	}
	return nil
}

// lookup finds r in the file's declarations: a leading package name equal
// to the file's is dropped (`mount.Overlay` in mount/overlay.go), and a bare
// name may be a method or field of the type the same link named before it
// ("`volume.Store`: `Create`, `Get`") or, failing that, the only method or
// field of that name in the file.
func (g *goFile) lookup(r, lastType string) (string, bool) {
	parts := strings.Split(r, ".")
	if len(parts) > 1 && parts[0] == g.Pkg {
		parts = parts[1:]
	}
	name := strings.Join(parts, ".")
	if _, ok := g.Decls[name]; ok {
		return name, true
	}
	if len(parts) > 1 {
		return "", false
	}
	if _, ok := g.Decls[lastType+"."+name]; ok && lastType != "" {
		return lastType + "." + name, true
	}
	var members []string
	for d := range g.Decls {
		if strings.HasSuffix(d, "."+name) {
			members = append(members, d)
		}
	}
	if len(members) == 1 { // the one method or field of that name in the file
		return members[0], true
	}
	return "", false
}

// declaredHint says where else r is declared, for a quick retarget: in the
// package it names, or anywhere in the repository.
func (c *checker) declaredHint(r string, g *goFile, rel string) string {
	parts := strings.Split(r, ".")
	pkg := ""
	if len(parts) > 1 && (g != nil && parts[0] == g.Pkg || len(c.idx.packageDirs(parts[0])) > 0) {
		pkg, parts = parts[0], parts[1:]
	}
	name := strings.Join(parts, ".")
	var in []string
	for _, p := range c.idx.where(name, path.Dir(rel)) {
		if pkg == "" || c.idx[p].Pkg == pkg {
			in = append(in, p)
		}
	}
	if len(in) == 0 {
		return "; it is declared nowhere in the repository"
	}
	if len(in) > 3 {
		in = append(in[:3], "...")
	}
	return "; it is declared in " + strings.Join(in, ", ")
}

// movedHint, for a link to a missing file, says where a file of that name
// and the names the link text gives are now.
func (c *checker) movedHint(rel string, l link) string {
	h := c.baseHint(path.Base(rel))
	for _, r := range refsOf(l) {
		r = strings.TrimSuffix(r, "()")
		if identPathRe.MatchString(r) && !goFileRe.MatchString(r) && strings.HasSuffix(rel, ".go") {
			h += "; " + r + ":" + strings.TrimPrefix(c.declaredHint(r, nil, path.Dir(rel)+"/x"), ";")
		}
	}
	return h
}

// baseHint names the files of the repository whose base name is base.
func (c *checker) baseHint(base string) string {
	var same []string
	for p := range c.idx {
		if path.Base(p) == path.Base(base) {
			same = append(same, p)
		}
	}
	if len(same) == 0 {
		return ""
	}
	sortStrings(same)
	return "; a file of that name is at " + strings.Join(same, ", ")
}

// fileExists: a path with a slash is from the repository root; a bare name
// may be any file of that name in the repository.
func (c *checker) fileExists(name string) bool {
	if _, ok := c.idx[name]; ok {
		return true
	}
	if strings.Contains(name, "/") {
		return false
	}
	for p := range c.idx {
		if path.Base(p) == name {
			return true
		}
	}
	return false
}

func sortStrings(s []string) { sort.Strings(s) }

// shorten gives a link's text on one line, cut to a readable length.
func shorten(t string) string {
	t = strings.Join(strings.Fields(t), " ")
	if len(t) > 70 {
		t = t[:67] + "..."
	}
	return t
}
