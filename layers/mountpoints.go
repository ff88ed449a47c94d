package layers

import (
	"path"
	"sort"
	"strings"
)

// Mount points are not changes. To mount /proc, the container's
// /etc/hostname or a -v volume, minictr needs a directory or an empty file
// at the target, and when the image lacks one minictr makes it, through
// the overlay, so it lands in the container's upper directory (and its
// parent, e.g. /etc, is copied up to hold it). The container did not make
// those paths: docker keeps them out of `docker diff` and `docker commit`
// by creating them in an "init" layer that sits between the image and the
// container's own layer. minictr instead leaves out of both the exact
// paths it mounts on, when they are still what it made (an empty file or
// directory added by the container's upper), and then the directories
// that were listed only because they hold such a path (docs/09-commit-diff.md).

// HideMountPoints returns changes without the mount points minictr made
// and the directories listed only for them, and the paths it left out.
// points are the container's mount targets (container.MountPoints);
// empty says whether the upper directory's entry at a path is an empty
// regular file or an empty directory, i.e. nothing was written into it.
func HideMountPoints(changes []Change, points []string, empty func(p string) bool) (kept []Change, hidden map[string]bool) {
	isPoint := map[string]bool{}
	for _, p := range points {
		isPoint[path.Clean("/"+p)] = true
	}
	hidden = map[string]bool{}
	for _, c := range changes {
		if c.Kind == Added && isPoint[c.Path] && empty(c.Path) {
			hidden[c.Path] = true
		}
	}
	// Deepest first, so /data is looked at after /data/x was hidden.
	byDepth := append([]Change{}, changes...)
	sort.SliceStable(byDepth, func(i, j int) bool {
		return strings.Count(byDepth[i].Path, "/") > strings.Count(byDepth[j].Path, "/")
	})
	for _, c := range byDepth {
		if c.Kind != Deleted && !hidden[c.Path] && onlyHiddenBelow(c.Path, changes, hidden) {
			hidden[c.Path] = true
		}
	}
	for _, c := range changes {
		if !hidden[c.Path] {
			kept = append(kept, c)
		}
	}
	return kept, hidden
}

// onlyHiddenBelow reports whether dir has changes below it and all of
// them are hidden.
func onlyHiddenBelow(dir string, changes []Change, hidden map[string]bool) bool {
	prefix := dir + "/"
	if dir == "/" {
		prefix = "/"
	}
	any := false
	for _, c := range changes {
		if !strings.HasPrefix(c.Path, prefix) {
			continue
		}
		if !hidden[c.Path] {
			return false
		}
		any = true
	}
	return any
}
