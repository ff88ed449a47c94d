package layers

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestClassifyXattr(t *testing.T) {
	tests := []struct {
		name, value string
		want        xattrAction
	}{
		{"user.mime_type", "text/plain", xattrKeep},
		{"security.capability", "\x01\x00\x00\x02", xattrKeep},
		{"trusted.overlay.opaque", "y", xattrOpaque},
		{"trusted.overlay.opaque", "x", xattrDrop}, // overlayfs reads only "y"
		{"trusted.overlay.redirect", "/old/name", xattrRefuse},
		{"trusted.overlay.metacopy", "", xattrRefuse},
		{"trusted.overlay.origin", "\x00\xfb", xattrDrop},
		{"trusted.overlay.impure", "y", xattrDrop},
		{"trusted.overlay.nlink", "U+1", xattrDrop},
		{"trusted.other", "v", xattrDrop},
		{"security.selinux", "system_u:object_r:container_file_t:s0", xattrDrop},
		{"system.posix_acl_access", "\x02", xattrDrop},
	}
	for _, tt := range tests {
		if got := classifyXattr(tt.name, tt.value); got != tt.want {
			t.Errorf("classifyXattr(%q, %q) = %d, want %d", tt.name, tt.value, got, tt.want)
		}
	}
}

func TestCheckName(t *testing.T) {
	tests := []struct {
		base string
		ok   bool
	}{
		{"motd", true},
		{"a.wh.b", true},
		{".whx", true},
		{".wh", true},
		{"...", true},
		{"new\nline", true},
		{"\xff\xfe", true},
		{".wh.motd", false},
		{".wh..wh..opq", false},
		{".wh..wh.plnk", false},
		{".wh.", false},
	}
	for _, tt := range tests {
		err := checkName("etc/"+tt.base, tt.base)
		if (err == nil) != tt.ok {
			t.Errorf("checkName(%q) = %v, want ok=%v", tt.base, err, tt.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "/etc/"+tt.base) {
			t.Errorf("checkName(%q) = %q: does not name the path", tt.base, err)
		}
	}
}

func TestOrderChildren(t *testing.T) {
	cs := []childName{{"b", kindOther}, {"zz", kindWhiteout}, {"-dash", kindOther}, {"a", kindWhiteout}, {".hidden", kindOther}}
	orderChildren(cs)
	var got []string
	for _, c := range cs {
		got = append(got, c.Name)
	}
	want := []string{"a", "zz", "-dash", ".hidden", "b"}
	if !slices.Equal(got, want) {
		t.Errorf("order = %q, want %q (whiteouts first, then bytewise)", got, want)
	}
}

func TestLayerTime(t *testing.T) {
	clamp := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		mtime time.Time
		opts  LayerOptions
		want  time.Time
	}{
		{time.Date(2025, 5, 5, 1, 2, 3, 999999999, time.UTC), LayerOptions{}, time.Date(2025, 5, 5, 1, 2, 3, 0, time.UTC)},
		{time.Date(2025, 5, 5, 1, 2, 3, 5, time.UTC), LayerOptions{ClampMtime: clamp}, clamp},
		{time.Date(2020, 5, 5, 1, 2, 3, 5, time.UTC), LayerOptions{ClampMtime: clamp}, time.Date(2020, 5, 5, 1, 2, 3, 0, time.UTC)},
		{clamp.Add(500 * time.Millisecond), LayerOptions{ClampMtime: clamp}, clamp}, // same second: not later
	}
	for _, tt := range tests {
		if got := layerTime(tt.mtime, tt.opts); !got.Equal(tt.want) {
			t.Errorf("layerTime(%v, clamp %v) = %v, want %v", tt.mtime, tt.opts.ClampMtime, got, tt.want)
		}
	}
}

func TestWhiteoutHeaders(t *testing.T) {
	for _, tt := range []struct{ rel, want string }{
		{"motd", ".wh.motd"},
		{"etc/motd", "etc/.wh.motd"},
		{"a/b/.bashrc", "a/b/.wh..bashrc"},
	} {
		h := whiteoutHeader(tt.rel, testTime)
		if h.Name != tt.want || h.Mode != 0o600 || h.Size != 0 || h.Typeflag != '0' || h.Uid != 0 {
			t.Errorf("whiteoutHeader(%q) = %+v, want an empty 0600 root-owned file %q", tt.rel, h, tt.want)
		}
		if kind, target := ClassifyWhiteout(h.Name[strings.LastIndex(h.Name, "/")+1:]); kind != Whiteout || !strings.HasSuffix(tt.rel, target) {
			t.Errorf("whiteoutHeader(%q) = %q, which ClassifyWhiteout reads as %v %q", tt.rel, h.Name, kind, target)
		}
	}
	if h := opaqueHeader("opt/tree", testTime); h.Name != "opt/tree/.wh..wh..opq" || h.Mode != 0o600 {
		t.Errorf("opaqueHeader = %+v", h)
	}
}

// What a deleted /etc/motd becomes in a layer tar.
func Example_whiteoutHeader() {
	h := whiteoutHeader("etc/motd", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	fmt.Printf("%s size=%d mode=%#o type=%q\n", h.Name, h.Size, h.Mode, h.Typeflag)
	h = opaqueHeader("opt/tree", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	fmt.Printf("%s size=%d mode=%#o type=%q\n", h.Name, h.Size, h.Mode, h.Typeflag)
	// Output:
	// etc/.wh.motd size=0 mode=0600 type='0'
	// opt/tree/.wh..wh..opq size=0 mode=0600 type='0'
}
