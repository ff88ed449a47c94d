package testutil

import (
	"fmt"
	"io/fs"
	"sort"
)

// Entry is what a test compares about one path of a root filesystem: the
// things an image defines (type, permission and special bits, owner,
// content, link target, device number, extended attributes, which names
// are hard links of each other) and not the things that differ from one
// unpack to the next (inode numbers, timestamps, link counts).
type Entry struct {
	Type     string      // "dir", "file", "symlink", "fifo", "char", "block", "socket"
	Mode     fs.FileMode // permission bits plus fs.ModeSetuid, fs.ModeSetgid, fs.ModeSticky
	Uid, Gid int
	Size     int64  // regular files only
	SHA256   string // hex digest of the content, regular files only
	Linkname string // symlinks only: the target as stored, not resolved
	Dev      uint64 // char and block devices only: major/minor as st_rdev
	Xattrs   string // "name=value" pairs sorted by name, space separated
	// HardlinkOf is, for a regular file with more than one name in this
	// tree, the smallest path (in byte order) that shares its inode;
	// empty for a file with one name. Two names are hard links of each
	// other exactly when they have the same HardlinkOf.
	HardlinkOf string
}

// String prints an entry the way `ls -l` would describe it, compactly.
func (e Entry) String() string {
	s := fmt.Sprintf("%s %s %d:%d", e.Type, e.Mode, e.Uid, e.Gid)
	switch e.Type {
	case "file":
		s += fmt.Sprintf(" size=%d sha256=%.12s", e.Size, e.SHA256)
	case "symlink":
		s += " -> " + e.Linkname
	case "char", "block":
		s += fmt.Sprintf(" dev=%#x", e.Dev)
	}
	if e.Xattrs != "" {
		s += " xattrs[" + e.Xattrs + "]"
	}
	if e.HardlinkOf != "" {
		s += " link-of=" + e.HardlinkOf
	}
	return s
}

// DiffTrees lists, one line per path in sorted order, how tree b differs
// from tree a: "only in a: PATH (...)", "only in b: PATH (...)" or
// "PATH: a=... b=...". An empty result means the trees are the same.
func DiffTrees(a, b map[string]Entry) []string {
	paths := make([]string, 0, len(a)+len(b))
	for p := range a {
		paths = append(paths, p)
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)

	var diffs []string
	for _, p := range paths {
		ea, inA := a[p]
		eb, inB := b[p]
		switch {
		case !inB:
			diffs = append(diffs, fmt.Sprintf("only in a: %s (%s)", p, ea))
		case !inA:
			diffs = append(diffs, fmt.Sprintf("only in b: %s (%s)", p, eb))
		case ea != eb:
			diffs = append(diffs, fmt.Sprintf("%s: a=%s b=%s", p, ea, eb))
		}
	}
	return diffs
}
