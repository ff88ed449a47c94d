package layers

import (
	"archive/tar"
	"errors"
	"testing"
)

func TestCleanName(t *testing.T) {
	tests := []struct {
		in, want string
		err      error
	}{
		{"etc/passwd", "etc/passwd", nil},
		{"./etc/passwd", "etc/passwd", nil},
		{"etc/", "etc", nil},
		{"./", "", nil},
		{".", "", nil},
		{"/", "", nil},
		{"/etc/passwd", "etc/passwd", nil}, // absolute: relative to the layer root
		{"//etc//passwd", "etc/passwd", nil},
		{"a/../b", "b", nil},
		{"a/./b/", "a/b", nil},
		{".wh.../../x", "x", nil}, // not a whiteout once cleaned
		{"..", "", errEscapes},
		{"../escape", "", errEscapes},
		{"a/../../escape", "", errEscapes},
		{"/../escape", "", errEscapes},
		{"a/b/../../../c", "", errEscapes},
		{"...", "...", nil}, // a legal (if odd) file name
	}
	for _, tt := range tests {
		got, err := cleanName(tt.in)
		if !errors.Is(err, tt.err) || got != tt.want {
			t.Errorf("cleanName(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
	if _, err := cleanName("a\x00b"); err == nil {
		t.Error("cleanName accepted a NUL byte")
	}
}

func TestSplitPath(t *testing.T) {
	for _, tt := range []struct{ in, dir, base string }{
		{"", "", "."},
		{"a", "", "a"},
		{"a/b", "a", "b"},
		{"a/b/c", "a/b", "c"},
	} {
		if d, b := splitPath(tt.in); d != tt.dir || b != tt.base {
			t.Errorf("splitPath(%q) = %q, %q; want %q, %q", tt.in, d, b, tt.dir, tt.base)
		}
	}
}

func TestInAufsMeta(t *testing.T) {
	for in, want := range map[string]bool{
		"":                 false,
		"usr":              false,
		".wh..wh.plnk":     true,
		"a/.wh..wh.plnk/b": true,
		"a/.wh.x":          false,
		"a/x.wh..wh.plnk":  false,
	} {
		if got := inAufsMeta(in); got != want {
			t.Errorf("inAufsMeta(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestXattrsOf(t *testing.T) {
	hdr := &tar.Header{PAXRecords: map[string]string{
		"SCHILY.xattr.user.comment":            "hi",
		"SCHILY.xattr.security.capability":     "\x01\x00\x00\x02",
		"SCHILY.xattr.trusted.overlay.opaque":  "y", // an image must not plant overlay xattrs
		"SCHILY.xattr.security.selinux":        "system_u:object_r:bin_t:s0",
		"SCHILY.xattr.system.posix_acl_access": "x",
		"mtime":                                "1.5",
	}}
	got := xattrsOf(hdr)
	want := map[string]string{"user.comment": "hi", "security.capability": "\x01\x00\x00\x02"}
	if len(got) != len(want) {
		t.Fatalf("xattrsOf = %q, want %q", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("xattrsOf[%q] = %q, want %q", k, got[k], v)
		}
	}
}

func TestFileTimes(t *testing.T) {
	a, m := fileTimes(&tar.Header{ModTime: testTime})
	if !a.Equal(testTime) || !m.Equal(testTime) {
		t.Errorf("no atime in tar: got %v, %v; want mtime for both", a, m)
	}
	at := testTime.Add(-1e9)
	a, _ = fileTimes(&tar.Header{ModTime: testTime, AccessTime: at})
	if !a.Equal(at) {
		t.Errorf("atime = %v, want %v", a, at)
	}
}
