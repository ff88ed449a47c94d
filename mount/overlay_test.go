package mount

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOverlayOptions(t *testing.T) {
	for _, c := range []struct {
		name        string
		lowers      []string
		upper, work string
		want        string
	}{
		{"one layer", []string{"/l/a"}, "/c/upper", "/c/work",
			"lowerdir=/l/a,upperdir=/c/upper,workdir=/c/work"},
		{"top first, kept in order", []string{"/l/top", "/l/mid", "/l/base"}, "/c/u", "/c/w",
			"lowerdir=/l/top:/l/mid:/l/base,upperdir=/c/u,workdir=/c/w"},
		{"read-only", []string{"/l/a", "/l/b"}, "", "",
			"lowerdir=/l/a:/l/b"},
		{"colon and comma escaped", []string{"/l/a:b", "/l/c,d"}, "/c/u,1", "/c/w:2",
			`lowerdir=/l/a\:b:/l/c\,d,upperdir=/c/u\,1,workdir=/c/w\:2`},
		{"double colon escaped (not a data-only layer)", []string{"/l/a::b"}, "/u", "/w",
			`lowerdir=/l/a\:\:b,upperdir=/u,workdir=/w`},
		{"backslash escaped", []string{`/l/a\b`}, "/u", "/w",
			`lowerdir=/l/a\\b,upperdir=/u,workdir=/w`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := OverlayOptions(c.lowers, c.upper, c.work); got != c.want {
				t.Errorf("OverlayOptions = %s\n                  want %s", got, c.want)
			}
		})
	}
}

func TestOverlayRejects(t *testing.T) {
	for _, c := range []struct {
		name                string
		lowers              []string
		upper, work, target string
		want                string
	}{
		{"no lowers", nil, "/u", "/w", "/m", "overlay on /m: no lower layers"},
		{"upper without work", []string{"/l"}, "/u", "", "/m", `overlay on /m: upperdir "/u" and workdir "" must both be set or both be empty`},
		{"read-only with one layer", []string{"/l"}, "", "", "/m", "overlay on /m: a read-only overlay (no upperdir) needs at least 2 lower layers, got 1: bind-mount it read-only instead"},
		{"relative lower", []string{"l"}, "/u", "/w", "/m", `overlay on /m: "l" is not an absolute path`},
		{"relative target", []string{"/l"}, "/u", "/w", "m", `overlay on m: "m" is not an absolute path`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := Overlay(c.lowers, c.upper, c.work, c.target)
			if err == nil || err.Error() != c.want {
				t.Errorf("Overlay error = %v, want %s", err, c.want)
			}
		})
	}
}

// layerPaths returns n plausible layer directories, as long as a real store's.
func layerPaths(root string, n int) []string {
	var ls []string
	for i := 0; i < n; i++ {
		ls = append(ls, filepath.Join(root, "layers/sha256", fmt.Sprintf("%064x", i), "diff"))
	}
	return ls
}

func TestOverlayShortLinks(t *testing.T) {
	dir := t.TempDir()
	upper, work := filepath.Join(dir, "c1/upper"), filepath.Join(dir, "c1/work")
	if err := os.MkdirAll(filepath.Dir(upper), 0o755); err != nil {
		t.Fatal(err)
	}

	few := layerPaths(dir, 3)
	m, cleanup, err := Overlay(few, upper, work, filepath.Join(dir, "c1/rootfs"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Dir != "" || m.Data != OverlayOptions(few, upper, work) {
		t.Errorf("3 layers should use full paths, got %v", m)
	}
	cleanup()

	many := layerPaths(dir, 128)
	if n := len(OverlayOptions(many, upper, work)); n <= maxMountData() {
		t.Fatalf("test setup: 128 layers make only %d bytes", n)
	}
	m, cleanup, err = Overlay(many, upper, work, filepath.Join(dir, "c1/rootfs"))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Data) > maxMountData() {
		t.Errorf("short options are %d bytes, more than a page", len(m.Data))
	}
	if m.Dir != filepath.Join(dir, "c1") || !strings.HasPrefix(m.Data, "lowerdir=l/0:l/1:l/2:") {
		t.Errorf("want short links run in %s/c1, got %v", dir, m)
	}
	for i, want := range many {
		got, err := os.Readlink(filepath.Join(m.Dir, "l", fmt.Sprint(i)))
		if err != nil || got != want {
			t.Fatalf("l/%d -> %q (%v), want %q", i, got, err, want)
		}
	}
	if err := cleanup(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(m.Dir, "l")); !os.IsNotExist(err) {
		t.Errorf("cleanup left %s/l behind: %v", m.Dir, err)
	}
}

func TestOverlayTooManyEvenShort(t *testing.T) {
	dir := t.TempDir()
	// ~6 bytes per "l/NNN:" entry: 800 layers need ~4.7 KB, more than a page.
	_, _, err := Overlay(layerPaths(dir, 800), filepath.Join(dir, "u"), filepath.Join(dir, "w"), filepath.Join(dir, "m"))
	if err == nil || !strings.Contains(err.Error(), "even with short links") {
		t.Fatalf("want a one-page error, got %v", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "l")); !os.IsNotExist(err) {
		t.Errorf("failed Overlay left %s/l behind", dir)
	}
}

func ExampleOverlayOptions() {
	// Layers top-first: the manifest lists base, then app; overlayfs wants app first.
	fmt.Println(OverlayOptions(
		[]string{"/var/lib/minictr/layers/app", "/var/lib/minictr/layers/base"},
		"/var/lib/minictr/containers/c1/upper",
		"/var/lib/minictr/containers/c1/work"))
	// Output: lowerdir=/var/lib/minictr/layers/app:/var/lib/minictr/layers/base,upperdir=/var/lib/minictr/containers/c1/upper,workdir=/var/lib/minictr/containers/c1/work
}
