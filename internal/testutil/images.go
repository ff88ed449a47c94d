package testutil

import (
	"archive/tar"
	"bytes"
	"io/fs"
	"sort"
	"strings"
	"testing"
	"time"
)

// An image layer is nothing but a tar archive of the files that changed
// (image-spec layer.md, "Image Layer Filesystem Changeset"). The test images
// are therefore built the way `docker build` builds them: one tar per step,
// written here entry by entry so each test knows exactly which headers,
// modes, owners, links and whiteouts a layer holds.

// Epoch is the modification time of every entry that does not set one, and
// the creation time of every test image: fixed, so the same files always
// give the same tar bytes and therefore the same digests.
var Epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// File is one tar entry of a test layer.
//
// Mode carries both the permission bits (with setuid, setgid, sticky) and
// the type bits: fs.ModeDir, fs.ModeSymlink, fs.ModeNamedPipe, fs.ModeDevice
// (block) or fs.ModeDevice|fs.ModeCharDevice (char). Hardlink makes the entry
// a hard link (tar typeflag '1') to Linkname, a path inside the same layer.
// Whiteouts are plain files named .wh.NAME or .wh..wh..opq (see Whiteout).
type File struct {
	Name               string // slash path relative to the layer root, e.g. "opt/tree/a"
	Mode               fs.FileMode
	Uid, Gid           int
	Data               []byte
	Linkname           string // symlink target or hard link target
	Hardlink           bool
	Devmajor, Devminor int64
	ModTime            time.Time         // zero means Epoch
	Xattrs             map[string]string // stored as PAX SCHILY.xattr.* records
}

// Dir, Reg, Symlink, Hardlink and Whiteout build the common kinds of entries
// so fixtures read like a file listing.
func Dir(name string, perm fs.FileMode) File {
	return File{Name: name, Mode: fs.ModeDir | perm}
}

// Reg is a regular file with the given permissions and content.
func Reg(name string, perm fs.FileMode, data string) File {
	return File{Name: name, Mode: perm, Data: []byte(data)}
}

// Symlink is a symbolic link name -> target (target may be absolute).
func Symlink(name, target string) File {
	return File{Name: name, Mode: fs.ModeSymlink | 0o777, Linkname: target}
}

// Hardlink is a hard link name -> target; target must come earlier in the
// same layer, as tar(5) requires.
func Hardlink(name, target string) File {
	return File{Name: name, Linkname: target, Hardlink: true, Mode: 0o644}
}

// Whiteout deletes path from the layers below: an empty file whose base
// name is ".wh." + the base name of path (image-spec layer.md, "Whiteouts").
// Whiteout("opt/tree/") with a trailing slash gives the opaque marker
// opt/tree/.wh..wh..opq, which hides everything the lower layers had in
// opt/tree but keeps the directory itself.
func Whiteout(path string) File {
	if strings.HasSuffix(path, "/") {
		return File{Name: path + ".wh..wh..opq", Mode: 0o644}
	}
	dir, base := "", path
	if i := strings.LastIndex(path, "/"); i >= 0 {
		dir, base = path[:i+1], path[i+1:]
	}
	return File{Name: dir + ".wh." + base, Mode: 0o644}
}

// TarLayer writes files, in the order given, as one uncompressed layer tar.
// Directories get a trailing slash as docker writes them. The output is
// deterministic: same files, same bytes, same digest.
func TarLayer(t testing.TB, files []File) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		hdr := tarHeader(f)
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatalf("tar header %s: %v", f.Name, err)
		}
		if hdr.Typeflag == tar.TypeReg {
			if _, err := tw.Write(f.Data); err != nil {
				t.Fatalf("tar write %s: %v", f.Name, err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatalf("tar close: %v", err)
	}
	return buf.Bytes()
}

// tarHeader translates a File into the tar header a layer carries: the type
// from the mode's type bits, the Unix mode word (perm | 04000 setuid |
// 02000 setgid | 01000 sticky), numeric owners and no user names, as image
// builders write them.
func tarHeader(f File) *tar.Header {
	h := &tar.Header{
		Name:     strings.TrimPrefix(f.Name, "/"),
		Mode:     unixMode(f.Mode),
		Uid:      f.Uid,
		Gid:      f.Gid,
		ModTime:  f.ModTime,
		Linkname: f.Linkname,
		Devmajor: f.Devmajor,
		Devminor: f.Devminor,
	}
	if h.ModTime.IsZero() {
		h.ModTime = Epoch
	}
	h.Typeflag = typeflag(f)
	switch h.Typeflag {
	case tar.TypeDir:
		if !strings.HasSuffix(h.Name, "/") {
			h.Name += "/"
		}
	case tar.TypeReg:
		h.Size = int64(len(f.Data))
	}
	if len(f.Xattrs) > 0 {
		h.Format = tar.FormatPAX
		h.PAXRecords = map[string]string{}
		keys := make([]string, 0, len(f.Xattrs))
		for k := range f.Xattrs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			h.PAXRecords["SCHILY.xattr."+k] = f.Xattrs[k]
		}
	}
	return h
}

// typeflag is the tar entry type (tar(5)) for a File's type bits.
func typeflag(f File) byte {
	switch {
	case f.Hardlink:
		return tar.TypeLink
	case f.Mode&fs.ModeDir != 0:
		return tar.TypeDir
	case f.Mode&fs.ModeSymlink != 0:
		return tar.TypeSymlink
	case f.Mode&fs.ModeNamedPipe != 0:
		return tar.TypeFifo
	case f.Mode&fs.ModeCharDevice != 0:
		return tar.TypeChar
	case f.Mode&fs.ModeDevice != 0:
		return tar.TypeBlock
	}
	return tar.TypeReg
}

// unixMode turns Go's fs.FileMode bits into the st_mode permission word
// stored in tar headers (Go keeps setuid/setgid/sticky in high bits).
func unixMode(m fs.FileMode) int64 {
	mode := int64(m.Perm())
	if m&fs.ModeSetuid != 0 {
		mode |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		mode |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		mode |= 0o1000
	}
	return mode
}
