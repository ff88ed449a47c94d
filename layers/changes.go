package layers

import (
	"fmt"
	"path"
	"time"
)

// A running container writes only into its overlay's upper directory: a
// new file is created there, a changed lower file is first copied up
// there, a deleted lower file leaves a whiteout there (a 0:0 character
// device), and a directory that was removed and made again is marked
// opaque there (trusted.overlay.opaque=y). So the upper directory alone,
// read against the lower layers, says what the container changed. That is
// `docker diff`, and it is also the list of what `commit` puts into the
// new layer.
//
// Docker (moby pkg/archive, changes.go and changes_linux.go, the overlay2
// driver) and podman (containers/storage, the same code) read the upper
// directory in one depth-first walk, names sorted within each directory
// (filepath.Walk's order), and decide for each path:
//
//	a whiteout device                          D /path (deleted)
//	an opaque directory that exists below      D /path, and then each entry
//	                                           inside it A /path/name: the
//	                                           old directory is gone, its
//	                                           new contents are all new
//	anything else that exists below            C /path (changed)
//	    ...except a directory whose mode, size and mtime equal the
//	    lower one's: it was only copied up to hold a changed child,
//	    and is not listed for itself
//	anything else                              A /path (added)
//
// and lists, before any A or D, every parent directory not listed yet as
// C: "if /foo/bar/file.txt is added, /foo/bar changed too" (moby PR 13590).
// The output is in walk order, not sorted by full path: /a/b comes before
// /a.txt although '.' sorts before '/'.
//
// Note what this means for a replaced directory: `rm -rf /opt/tree; mkdir
// /opt/tree; touch /opt/tree/new` shows as "D /opt/tree" and "A
// /opt/tree/new", with no line "A /opt/tree" for the new directory itself.
// That is what docker and podman print, and minictr prints the same.

// ChangeKind is what happened to one path: the letter `docker diff` prints.
type ChangeKind int

const (
	Modified ChangeKind = iota // "C": exists below and was changed (or copied up)
	Added                      // "A": new in the container
	Deleted                    // "D": exists below and was removed
)

func (k ChangeKind) String() string {
	switch k {
	case Modified:
		return "C"
	case Added:
		return "A"
	case Deleted:
		return "D"
	}
	return fmt.Sprintf("ChangeKind(%d)", int(k))
}

// Change is one line of `minictr diff`.
type Change struct {
	Kind ChangeKind
	Path string // absolute path inside the container, e.g. "/etc/passwd"
	// LowerIndex is, for Modified and Deleted, the index in the lowers
	// list (bottom first, as a container's config.json "layers" lists
	// them) of the topmost layer that held the original: where a copy-up
	// came from. It is -1 for Added, and for a Deleted path that no lower
	// layer shows (a whiteout left over from a file the container made
	// and removed again).
	LowerIndex int
}

// String is the line `docker diff` prints: "C /etc".
func (c Change) String() string { return c.Kind.String() + " " + c.Path }

// fileMeta is what docker compares to decide that a directory found in
// both the upper directory and a lower layer is unchanged.
type fileMeta struct {
	Mode  uint32 // st_mode: type and permission bits
	Size  int64
	Mtime time.Time
}

// upperEntry is one path of the upper directory, as the walk found it.
type upperEntry struct {
	Path     string // "/etc/passwd"
	Whiteout bool   // a 0:0 character device
	Dir      bool
	Opaque   bool // a directory with trusted.overlay.opaque=y
	Meta     fileMeta
}

// lowerEntry is what the lower layers hold at one path: Index is the
// topmost layer that shows it (bottom-first numbering), -1 for none.
type lowerEntry struct {
	Index int
	Dir   bool
	Meta  fileMeta
}

// changesOf is the pure heart of Changes: it turns the upper directory's
// entries, in walk order, into docker's change list. lower answers what
// the lower layers hold at a path.
func changesOf(entries []upperEntry, lower func(p string) lowerEntry) []Change {
	var out []Change
	listed := map[string]bool{} // directories already printed (docker's changedDirs)
	opaque := map[string]bool{} // opaque directories printed as D
	for _, e := range entries {
		lo := lowerEntry{Index: -1}
		if !underAny(e.Path, opaque) {
			lo = lower(e.Path)
		}
		c := Change{Path: e.Path, LowerIndex: lo.Index}
		switch {
		case e.Whiteout:
			c.Kind = Deleted
		case e.Dir && e.Opaque && lo.Index >= 0:
			c.Kind = Deleted
			opaque[e.Path] = true
		case lo.Index < 0:
			c.Kind = Added
		case e.Dir && lo.Dir && e.Meta == lo.Meta:
			continue // only copied up to hold a child: not a change by itself
		default:
			c.Kind = Modified
		}
		if e.Dir {
			listed[e.Path] = true
		}
		if c.Kind != Modified {
			out = append(out, unlistedParents(e.Path, listed, lower)...)
		}
		out = append(out, c)
	}
	return out
}

// unlistedParents returns, top-down, a Modified change for each ancestor
// directory of p that is not listed yet, and marks them listed.
func unlistedParents(p string, listed map[string]bool, lower func(string) lowerEntry) []Change {
	var parents []Change
	for dir := path.Dir(p); dir != "/"; dir = path.Dir(dir) {
		if listed[dir] {
			continue
		}
		listed[dir] = true
		parents = append([]Change{{Kind: Modified, Path: dir, LowerIndex: lower(dir).Index}}, parents...)
	}
	return parents
}

// underAny reports whether one of p's ancestors is in dirs.
func underAny(p string, dirs map[string]bool) bool {
	if len(dirs) == 0 {
		return false
	}
	for dir := path.Dir(p); dir != "/"; dir = path.Dir(dir) {
		if dirs[dir] {
			return true
		}
	}
	return false
}
