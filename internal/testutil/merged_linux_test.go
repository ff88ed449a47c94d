package testutil

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// Two layer directories in the form overlayfs reads (a whiteout is a 0/0
// character device, an opaque directory has trusted.overlay.opaque=y):
// MergedTree must show the kernel's merged view, not the raw layers, and
// leave no mount behind.
func TestMergedTree(t *testing.T) {
	RequireRoot(t)
	base, top := t.TempDir(), t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"keep", "opaque", "gone-dir"} {
		must(os.Mkdir(filepath.Join(base, d), 0o755))
	}
	for _, f := range []string{"keep/a", "opaque/old", "gone-dir/x", "gone-file"} {
		must(os.WriteFile(filepath.Join(base, f), []byte(f), 0o644))
	}
	must(unix.Mknod(filepath.Join(top, "gone-file"), unix.S_IFCHR|0o600, 0))
	must(unix.Mknod(filepath.Join(top, "gone-dir"), unix.S_IFCHR|0o600, 0))
	must(os.Mkdir(filepath.Join(top, "opaque"), 0o755))
	must(unix.Setxattr(filepath.Join(top, "opaque"), "trusted.overlay.opaque", []byte("y"), 0))
	must(os.WriteFile(filepath.Join(top, "opaque/new"), []byte("new"), 0o644))
	must(os.Mkdir(filepath.Join(top, "keep"), 0o755))
	must(os.WriteFile(filepath.Join(top, "keep/b"), []byte("b"), 0o644))

	before := overlayMounts(t)
	tree := MergedTree(t, []string{base, top})
	var got []string
	for p := range tree {
		got = append(got, p)
	}
	sort.Strings(got)
	want := []string{"keep", "keep/a", "keep/b", "opaque", "opaque/new"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("merged tree = %q, want %q", got, want)
	}
	if e := tree["opaque"]; e.Xattrs != "" {
		t.Errorf("merged opaque dir shows xattrs %q; overlay should hide trusted.overlay.*", e.Xattrs)
	}
	if after := overlayMounts(t); after != before {
		t.Errorf("%d overlay mounts before MergedTree, %d after: it left one mounted", before, after)
	}

	// The raw top layer, walked directly, still shows the whiteouts.
	if e := Tree(t, top)["gone-file"]; e.Type != "char" || e.Dev != 0 {
		t.Errorf("raw top layer gone-file = %v, want a 0/0 char device", e)
	}
}

func overlayMounts(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "overlay ")
}
