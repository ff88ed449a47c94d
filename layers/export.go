package layers

import (
	"archive/tar"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Writing a layer is unpacking run backwards. The container's upper
// directory holds overlayfs's form of a change set (whiteout.go); a layer
// tar must hold the OCI form (image-spec layer.md, "Whiteouts"):
//
//	upper directory                          layer tar
//	etc/motd   char device 0:0               etc/.wh.motd        empty 0600 regular file
//	opt/tree/  trusted.overlay.opaque=y      opt/tree/ + opt/tree/.wh..wh..opq
//
// layer.md also asks that a layer have no duplicate paths and that
// whiteouts come before their siblings ("implementations SHOULD generate
// layers such that the whiteout files appear before sibling directory
// entries"), so a naive unpacker that applies entries in order never
// deletes a file the same layer just added. WriteLayer writes each
// directory as: the directory, its opaque marker, its whiteouts, then its
// other entries, each group sorted by name, depth first. The same upper
// directory always gives the same tar bytes.
//
// Everything else overlayfs keeps in trusted.overlay.* xattrs is its own
// bookkeeping (origin, impure, nlink, ...) and never goes into the tar. Two
// of them would make the tar WRONG, not just noisy: trusted.overlay.redirect
// (a renamed directory whose contents still live in a lower layer under
// its old name) and trusted.overlay.metacopy (a file copied up without its
// data). minictr mounts overlays without redirect_dir and metacopy
// (mount/overlay.go passes neither, and they are off by default in the
// kernel), so they should never appear; if they do, WriteLayer stops with
// an error instead of writing a layer that silently lacks data.

// LayerOptions changes how WriteLayer writes a layer.
type LayerOptions struct {
	// ClampMtime, when not zero, replaces every modification time later
	// than it with it: with SOURCE_DATE_EPOCH, the same files written at
	// different times give the same tar, hence the same digest.
	ClampMtime time.Time
	// Skip, when not nil, is asked about every path ("/etc/hostname") and
	// a true answer leaves that entry, and everything under it, out of the
	// tar: the mount points HideMountPoints hides from diff.
	Skip func(path string) bool
}

// LayerStats describes a tar WriteLayer wrote.
type LayerStats struct {
	// Entries is the number of tar entries. 0 means the container changed
	// nothing: docker writes no layer for that, only a history entry
	// marked empty_layer.
	Entries int
	// Bytes is the size of the regular file data in the tar.
	Bytes int64
}

// Empty reports whether the tar has no entries.
func (s LayerStats) Empty() bool { return s.Entries == 0 }

// xattrAction is what WriteLayer does with one extended attribute of a
// file in the upper directory.
type xattrAction int

const (
	xattrDrop   xattrAction = iota // host or overlay bookkeeping: not part of the layer
	xattrKeep                      // user.*, security.capability: a PAX record
	xattrOpaque                    // trusted.overlay.opaque=y: the .wh..wh..opq marker
	xattrRefuse                    // redirect or metacopy: the upper directory is not a whole change set
)

// classifyXattr decides about one xattr name and value: the pure half of
// reading a file's xattrs. What is kept is what UnpackTar applies
// (keepXattr), so a layer round-trips.
func classifyXattr(name, value string) xattrAction {
	switch {
	case keepXattr(name):
		return xattrKeep
	case name == opaqueXattr:
		if value == "y" {
			return xattrOpaque
		}
		return xattrDrop
	case name == "trusted.overlay.redirect", name == "trusted.overlay.metacopy":
		return xattrRefuse
	}
	return xattrDrop
}

// checkName refuses a base name that the tar would misread. A file the
// container itself named ".wh.NAME" would be read back by every unpacker
// as "delete NAME": refuse it rather than commit a deletion nobody made.
// The AUFS names (".wh..wh.*") and the opaque marker fall under the same
// rule.
func checkName(rel, base string) error {
	if strings.HasPrefix(base, whiteoutPrefix) {
		return fmt.Errorf("%s: a file named %s* would be read as a whiteout in the layer tar: rename or remove it before committing",
			"/"+rel, whiteoutPrefix)
	}
	return nil
}

// upperKind is what one entry of the upper directory is, for ordering.
type upperKind int

const (
	kindWhiteout upperKind = iota // a 0:0 char device: a .wh. entry
	kindOther                     // anything the tar carries as itself
)

type childName struct {
	Name string
	Kind upperKind
}

// orderChildren sorts a directory's entries as the layer lists them:
// whiteouts first, then everything else, each group by name (bytewise).
func orderChildren(cs []childName) {
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].Kind != cs[j].Kind {
			return cs[i].Kind < cs[j].Kind
		}
		return cs[i].Name < cs[j].Name
	})
}

// layerTime is the mtime a tar entry gets: whole seconds (as docker
// writes them, and as a plain ustar header can hold), clamped.
func layerTime(mtime time.Time, opts LayerOptions) time.Time {
	t := mtime.Truncate(time.Second)
	if !opts.ClampMtime.IsZero() && t.After(opts.ClampMtime) {
		t = opts.ClampMtime.Truncate(time.Second)
	}
	return t.UTC()
}

// whiteoutHeader is the OCI whiteout for rel ("etc/motd"): an empty,
// root-owned 0600 regular file "etc/.wh.motd" (layer.md: "Whiteout files
// MUST only be regular files, empty, and have a name ...").
func whiteoutHeader(rel string, mtime time.Time) *tar.Header {
	dir, base := splitPath(rel)
	name := whiteoutPrefix + base
	if dir != "" {
		name = dir + "/" + name
	}
	return &tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o600, ModTime: mtime}
}

// opaqueHeader is the marker that makes directory rel ("opt/tree") opaque.
func opaqueHeader(rel string, mtime time.Time) *tar.Header {
	return &tar.Header{Typeflag: tar.TypeReg, Name: rel + "/" + whiteoutOpaque, Mode: 0o600, ModTime: mtime}
}

// withXattrs stores xattrs as PAX records "SCHILY.xattr.NAME", the form
// GNU tar, docker and UnpackTar use.
func withXattrs(hdr *tar.Header, xattrs map[string]string) {
	if len(xattrs) == 0 {
		return
	}
	hdr.Format = tar.FormatPAX
	hdr.PAXRecords = make(map[string]string, len(xattrs))
	for k, v := range xattrs {
		hdr.PAXRecords["SCHILY.xattr."+k] = v
	}
}
