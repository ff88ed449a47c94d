package layers

import (
	"archive/tar"
	"errors"
	"path"
	"strings"
	"time"
)

// This file holds the pure, portable half of unpacking: turning tar names
// into paths relative to the layer root, choosing which xattrs to keep, and
// converting times. The syscalls are in unpack_linux.go.

// copyBufSize is the chunk in which file data is read and written: large
// enough that a typical file is one read and one write, and a multiple of
// the 4 KiB hole granularity used for sparse files.
const copyBufSize = 256 << 10

// errEscapes is the answer for any name that climbs above the layer root.
var errEscapes = errors.New("path escapes the layer directory")

// cleanName turns a tar entry name into a slash-separated path relative to
// the layer root ("" is the root itself), or refuses it.
//
// Absolute names ("/etc/passwd", as `tar -P` writes them) are read relative
// to the layer root, as if the layer were chroot(2)ed: the leading slashes
// are dropped. Names whose ".." components climb above the root
// ("../x", "a/../../x") are refused outright: no honest layer contains one.
// This is only the first line of defence; symlinks inside the layer are
// handled when each parent is resolved with openat2(RESOLVE_IN_ROOT).
func cleanName(name string) (string, error) {
	if strings.IndexByte(name, 0) >= 0 {
		return "", errors.New("name contains a NUL byte")
	}
	rel := path.Clean(strings.TrimLeft(name, "/"))
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return "", errEscapes
	}
	if rel == "." {
		rel = ""
	}
	return rel, nil
}

// splitPath splits a cleaned relative path into its parent directory and
// base name. The layer root itself is ("", ".") so that "*at" syscalls
// relative to the root's fd address it.
func splitPath(rel string) (dir, base string) {
	if rel == "" {
		return "", "."
	}
	i := strings.LastIndexByte(rel, '/')
	if i < 0 {
		return "", rel
	}
	return rel[:i], rel[i+1:]
}

// inAufsMeta reports whether dir lies inside an AUFS bookkeeping directory
// (".wh..wh.plnk/..."); like Docker we skip such entries entirely.
func inAufsMeta(dir string) bool {
	return strings.HasPrefix(dir, whiteoutMeta) || strings.Contains(dir, "/"+whiteoutMeta)
}

// keepXattr says which extended attributes from a tar (PAX records named
// "SCHILY.xattr.NAME", as GNU tar and Docker write them) are applied:
//
//   - user.*: ordinary metadata any file owner may set.
//   - security.capability: file capabilities, e.g. ping's cap_net_raw;
//     images rely on it instead of setuid.
//
// Everything else is dropped on purpose. trusted.* would let an image plant
// overlayfs's own control xattrs (trusted.overlay.opaque, .redirect, ...)
// behind the unpacker's back; security.selinux and system.* (ACLs) describe
// the machine the image was built on, not this one.
func keepXattr(name string) bool {
	return strings.HasPrefix(name, "user.") || name == "security.capability"
}

// xattrsOf returns the xattrs of hdr that keepXattr allows.
func xattrsOf(hdr *tar.Header) map[string]string {
	var out map[string]string
	for k, v := range hdr.PAXRecords {
		name, ok := strings.CutPrefix(k, "SCHILY.xattr.")
		if !ok || !keepXattr(name) {
			continue
		}
		if out == nil {
			out = make(map[string]string)
		}
		out[name] = v
	}
	return out
}

// fileTimes returns the access and modification time to set on an entry.
// Most tars carry only mtime; then atime is set to mtime too, so unpacking
// the same tar twice gives identical trees.
func fileTimes(hdr *tar.Header) (atime, mtime time.Time) {
	atime = hdr.AccessTime
	if atime.IsZero() {
		atime = hdr.ModTime
	}
	return atime, hdr.ModTime
}
