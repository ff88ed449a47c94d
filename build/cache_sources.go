package build

import (
	"bytes"
	"fmt"
	"sort"
)

// sourceChanges names, file by file, what differs between two source
// lists: added, removed, content, type, mode, owner, link target, xattrs.
func sourceChanges(prev, cur []SourceFile) []string {
	p, c := byPath(prev), byPath(cur)
	var out []string
	for _, path := range unionKeys(p, c) {
		a, inP := p[path]
		b, inC := c[path]
		switch {
		case !inP:
			out = append(out, fmt.Sprintf("%s added", path))
		case !inC:
			out = append(out, fmt.Sprintf("%s removed", path))
		default:
			out = append(out, fileChanges(a, b)...)
		}
	}
	return out
}

func fileChanges(a, b SourceFile) []string {
	var out []string
	if a.Type != b.Type {
		return []string{fmt.Sprintf("%s changed from %s to %s", b.Path, a.Type, b.Type)}
	}
	if a.Digest != b.Digest {
		out = append(out, fmt.Sprintf("%s content changed (%s)", b.Path, shortPair(a.Digest, b.Digest)))
	}
	if a.Mode != b.Mode {
		out = append(out, fmt.Sprintf("%s mode %04o → %04o", b.Path, a.Mode, b.Mode))
	}
	if a.UID != b.UID || a.GID != b.GID {
		out = append(out, fmt.Sprintf("%s owner %d:%d → %d:%d", b.Path, a.UID, a.GID, b.UID, b.GID))
	}
	if a.Link != b.Link {
		out = append(out, fmt.Sprintf("%s link target %q → %q", b.Path, a.Link, b.Link))
	}
	for _, name := range unionKeys(a.Xattrs, b.Xattrs) {
		if !bytes.Equal(a.Xattrs[name], b.Xattrs[name]) {
			out = append(out, fmt.Sprintf("%s xattr %s changed", b.Path, name))
		}
	}
	return out
}

func byPath(files []SourceFile) map[string]SourceFile {
	m := make(map[string]SourceFile, len(files))
	for _, f := range files {
		m[f.Path] = f
	}
	return m
}

// SortSources orders files by path, the order Key and the layer use.
func SortSources(files []SourceFile) {
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
}
