package testutil

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"testing"
)

func TestWhiteout(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"opt/gone", "opt/.wh.gone"},
		{"gone", ".wh.gone"},
		{"a/b/c", "a/b/.wh.c"},
		{"opt/tree/", "opt/tree/.wh..wh..opq"},
	} {
		if got := Whiteout(tc.path).Name; got != tc.want {
			t.Errorf("Whiteout(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}

func ExampleWhiteout() {
	fmt.Println(Whiteout("opt/gone").Name)
	fmt.Println(Whiteout("opt/tree/").Name)
	// Output:
	// opt/.wh.gone
	// opt/tree/.wh..wh..opq
}

// readTar lists the headers (and contents) of a tar, in order.
func readTar(t *testing.T, b []byte) ([]*tar.Header, map[string]string) {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(b))
	var hdrs []*tar.Header
	data := map[string]string{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return hdrs, data
		}
		if err != nil {
			t.Fatalf("read tar: %v", err)
		}
		c, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("read %s: %v", h.Name, err)
		}
		hdrs = append(hdrs, h)
		data[h.Name] = string(c)
	}
}

func TestTarLayerHeaders(t *testing.T) {
	files := []File{
		Dir("opt", 0o755),
		{Name: "opt/suid", Mode: fs.ModeSetuid | 0o755, Uid: 1000, Gid: 100, Data: []byte("x")},
		{Name: "tmp", Mode: fs.ModeDir | fs.ModeSticky | 0o777},
		Hardlink("opt/link", "opt/suid"),
		Symlink("opt/sym", "/etc/passwd"),
		{Name: "opt/fifo", Mode: fs.ModeNamedPipe | 0o600},
		{Name: "opt/null", Mode: fs.ModeDevice | fs.ModeCharDevice | 0o666, Devmajor: 1, Devminor: 3},
		{Name: "opt/loop", Mode: fs.ModeDevice | 0o660, Devmajor: 7},
		{Name: "opt/x", Mode: 0o644, Xattrs: map[string]string{"user.a": "1", "security.capability": "cap"}},
		Whiteout("opt/gone"),
	}
	layer := TarLayer(t, files)
	if !bytes.Equal(layer, TarLayer(t, files)) {
		t.Fatal("TarLayer is not deterministic: two calls gave different bytes")
	}
	hdrs, data := readTar(t, layer)
	type want struct {
		name     string
		typ      byte
		mode     int64
		linkname string
	}
	wants := []want{
		{"opt/", tar.TypeDir, 0o755, ""},
		{"opt/suid", tar.TypeReg, 0o4755, ""},
		{"tmp/", tar.TypeDir, 0o1777, ""},
		{"opt/link", tar.TypeLink, 0o644, "opt/suid"},
		{"opt/sym", tar.TypeSymlink, 0o777, "/etc/passwd"},
		{"opt/fifo", tar.TypeFifo, 0o600, ""},
		{"opt/null", tar.TypeChar, 0o666, ""},
		{"opt/loop", tar.TypeBlock, 0o660, ""},
		{"opt/x", tar.TypeReg, 0o644, ""},
		{"opt/.wh.gone", tar.TypeReg, 0o644, ""},
	}
	if len(hdrs) != len(wants) {
		t.Fatalf("got %d entries, want %d", len(hdrs), len(wants))
	}
	for i, w := range wants {
		h := hdrs[i]
		if h.Name != w.name || h.Typeflag != w.typ || h.Mode != w.mode || h.Linkname != w.linkname {
			t.Errorf("entry %d = %q type %q mode %o link %q, want %q type %q mode %o link %q",
				i, h.Name, h.Typeflag, h.Mode, h.Linkname, w.name, w.typ, w.mode, w.linkname)
		}
		if !h.ModTime.Equal(Epoch) {
			t.Errorf("%s: mtime %v, want %v", h.Name, h.ModTime, Epoch)
		}
	}
	if h := hdrs[1]; h.Uid != 1000 || h.Gid != 100 || data["opt/suid"] != "x" {
		t.Errorf("opt/suid: owner %d:%d content %q, want 1000:100 %q", h.Uid, h.Gid, data["opt/suid"], "x")
	}
	if h := hdrs[6]; h.Devmajor != 1 || h.Devminor != 3 {
		t.Errorf("opt/null: device %d,%d, want 1,3", h.Devmajor, h.Devminor)
	}
	if got := hdrs[8].PAXRecords["SCHILY.xattr.user.a"]; got != "1" {
		t.Errorf("opt/x: xattr user.a = %q, want 1 (PAX records %v)", got, hdrs[8].PAXRecords)
	}
}

// The busybox root must be runnable: a static binary and applet names that
// are hard links to it, parents before children.
func TestBusyboxRoot(t *testing.T) {
	files := BusyboxRoot(t)
	seen := map[string]File{}
	for _, f := range files {
		if parent := parentDir(f.Name); parent != "" {
			if _, ok := seen[parent]; !ok {
				t.Errorf("%s comes before its directory %s", f.Name, parent)
			}
		}
		seen[f.Name] = f
	}
	bb, ok := seen["bin/busybox"]
	if !ok || len(bb.Data) < 500_000 || !bytes.HasPrefix(bb.Data, []byte("\x7fELF")) {
		t.Fatalf("bin/busybox missing or not an ELF binary (%d bytes)", len(bb.Data))
	}
	for _, a := range []string{"sh", "ps", "mount", "hostname", "id"} {
		if f := seen["bin/"+a]; !f.Hardlink || f.Linkname != "bin/busybox" {
			t.Errorf("bin/%s = %+v, want a hard link to bin/busybox", a, f)
		}
	}
	if tmp := seen["tmp"]; tmp.Mode != fs.ModeDir|fs.ModeSticky|0o777 {
		t.Errorf("tmp mode %v, want drwxrwxrwt", tmp.Mode)
	}
	if !bytes.Contains(seen["etc/passwd"].Data, []byte("app:x:1000:1000:")) {
		t.Errorf("etc/passwd has no app user:\n%s", seen["etc/passwd"].Data)
	}
}

func parentDir(name string) string {
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '/' {
			return name[:i]
		}
	}
	return ""
}
