package layers

import (
	"fmt"
	"testing"
)

func TestClassifyWhiteout(t *testing.T) {
	tests := []struct {
		name   string
		kind   WhiteoutKind
		target string
	}{
		{"motd", NotWhiteout, ""},
		{".bashrc", NotWhiteout, ""},
		{".wh", NotWhiteout, ""},
		{"x.wh.y", NotWhiteout, ""},
		{".wh.motd", Whiteout, "motd"},
		{".wh..bashrc", Whiteout, ".bashrc"},
		{".wh.a.wh.b", Whiteout, "a.wh.b"},
		{".wh..wh..opq", Opaque, ""},
		{".wh..wh.plnk", AufsMeta, ""},
		{".wh..wh.aufs", AufsMeta, ""},
		{".wh..wh.", AufsMeta, ""},
		{".wh.", BadWhiteout, ""},
		{".wh..", BadWhiteout, ""},  // would whiteout the directory itself
		{".wh...", BadWhiteout, ""}, // would whiteout the parent
		{".wh.a/b", BadWhiteout, ""},
		{".wh.a\x00b", BadWhiteout, ""},
	}
	for _, tt := range tests {
		kind, target := ClassifyWhiteout(tt.name)
		if kind != tt.kind || target != tt.target {
			t.Errorf("ClassifyWhiteout(%q) = %v, %q; want %v, %q", tt.name, kind, target, tt.kind, tt.target)
		}
	}
}

func ExampleClassifyWhiteout() {
	for _, name := range []string{"motd", ".wh.motd", ".wh..wh..opq", ".wh..."} {
		kind, target := ClassifyWhiteout(name)
		fmt.Printf("%-14s %-13s %q\n", name, kind, target)
	}
	// Output:
	// motd           not-whiteout  ""
	// .wh.motd       whiteout      "motd"
	// .wh..wh..opq   opaque        ""
	// .wh...         bad-whiteout  ""
}
