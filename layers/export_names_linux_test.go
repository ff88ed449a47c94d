package layers_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minictr/minictr/internal/testutil"
	"github.com/minictr/minictr/layers"
)

// TestWriteLayerNames: names a container may give its files, and what the
// layer does with them. A name that a tar reader would take for a whiteout
// is refused with its path; every other name, however odd, goes through
// unchanged, and symlinks are stored, never followed.
func TestWriteLayerNames(t *testing.T) {
	testutil.RequireRoot(t) // directories: see TestNeedsCapSysAdmin
	long := strings.Repeat("n", 255)
	deep := strings.Repeat(strings.Repeat("d", 50)+"/", 30) + "leaf"
	tests := []struct {
		name    string
		files   []string // "path" a file, "path/" a directory, "path -> target" a symlink
		wantErr string   // "" when the layer must be written
	}{
		{"whiteout-named file", []string{"etc/", "etc/.wh.passwd"}, "/etc/.wh.passwd: a file named .wh.*"},
		{"opaque-marker-named file", []string{"d/", "d/.wh..wh..opq"}, "/d/.wh..wh..opq"},
		{"aufs-named file", []string{".wh..wh.plnk"}, "/.wh..wh.plnk"},
		{"whiteout-named directory", []string{".wh.dir/", ".wh.dir/x"}, "/.wh.dir"},
		{"whiteout-named symlink", []string{".wh.x -> y"}, "/.wh.x"},
		{"names that only look alike", []string{"a.wh.b", ".whx", ".wh", "x.wh."}, ""},
		{"dots, dashes, spaces, backslashes", []string{"...", "-rf", " lead", "trail ", `back\slash`, "a:b,c"}, ""},
		{"newline and non-UTF-8", []string{"new\nline", "\xff\xfe", "tab\there"}, ""},
		{"longest name, deep path", []string{long, deep}, ""},
		{"symlinks out of the root are stored, not followed",
			[]string{"up -> ../../../../etc/shadow", "abs -> /etc/shadow", "self -> self", "dir/", "dir/in -> ../up"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			upper := t.TempDir()
			for _, f := range tt.files {
				makeEntry(t, upper, f)
			}
			var buf bytes.Buffer
			_, err := layers.WriteLayer(&buf, upper, layers.LayerOptions{})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("WriteLayer = %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			out := t.TempDir()
			if _, err := layers.UnpackTar(context.Background(), out, &buf); err != nil {
				t.Fatalf("unpack: %v", err)
			}
			for _, d := range testutil.DiffTrees(testutil.Tree(t, upper), testutil.Tree(t, out)) {
				t.Error(d)
			}
		})
	}
}

// makeEntry creates one entry of a test upper directory: "p" a file,
// "p/" a directory, "p -> target" a symlink. Parents are created.
func makeEntry(t *testing.T, root, spec string) {
	t.Helper()
	name, target, isLink := strings.Cut(spec, " -> ")
	p := filepath.Join(root, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	var err error
	switch {
	case isLink:
		err = os.Symlink(target, p)
	case strings.HasSuffix(name, "/"):
		err = os.Mkdir(p, 0o755)
	default:
		err = os.WriteFile(p, []byte(name), 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}
