package mount

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minictr/minictr/internal/testutil"
	"golang.org/x/sys/unix"
)

// writeTree creates files (path -> content; a trailing "/" makes a directory) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// mountForTest applies m and unmounts it when the test ends, pass or fail.
// The unmount is registered before the mount, so it also runs if Apply
// half-succeeds; t.TempDir's removal, registered earlier, runs after it.
func mountForTest(t *testing.T, m Mount) error {
	t.Helper()
	t.Cleanup(func() {
		if err := unix.Unmount(m.Target, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) {
			t.Errorf("clean-up: umount %s: %v", m.Target, err)
		}
	})
	return m.Apply()
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestOverlayMergeCopyUpWhiteout(t *testing.T) {
	testutil.RequireRoot(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"base/a.txt": "base", "base/shared.txt": "base", "base/dir/x": "x", "base/gone.txt": "bye",
		"mid/shared.txt": "mid", "mid/b.txt": "b",
		"top/c.txt": "c", "top/dir/y": "y",
		"upper/": "", "work/": "", "merged/": "",
	})
	lowers := []string{dir + "/top", dir + "/mid", dir + "/base"} // top-first
	m, cleanup, err := Overlay(lowers, dir+"/upper", dir+"/work", dir+"/merged")
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if err := mountForTest(t, m); err != nil {
		t.Fatal(err)
	}

	// The merged view: the upper-most layer wins, directories merge.
	for name, want := range map[string]string{"a.txt": "base", "shared.txt": "mid", "b.txt": "b", "c.txt": "c", "dir/x": "x", "dir/y": "y"} {
		if got := readFile(t, dir+"/merged/"+name); got != want {
			t.Errorf("merged/%s = %q, want %q", name, got, want)
		}
	}

	// Copy-up: writing a lower file copies it to upper first; the layer is untouched.
	if err := os.WriteFile(dir+"/merged/a.txt", []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, dir+"/upper/a.txt"); got != "changed" {
		t.Errorf("upper/a.txt = %q after write, want the copy-up", got)
	}
	if got := readFile(t, dir+"/base/a.txt"); got != "base" {
		t.Errorf("lower base/a.txt changed to %q", got)
	}

	// Delete: a whiteout, a character device 0/0, hides the lower file.
	if err := os.Remove(dir + "/merged/gone.txt"); err != nil {
		t.Fatal(err)
	}
	var st unix.Stat_t
	if err := unix.Lstat(dir+"/upper/gone.txt", &st); err != nil {
		t.Fatalf("no whiteout in upper: %v", err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != 0 {
		t.Errorf("upper/gone.txt mode %o rdev %d, want a 0/0 character device (whiteout)", st.Mode, st.Rdev)
	}
	if _, err := os.Stat(dir + "/base/gone.txt"); err != nil {
		t.Errorf("lower file removed: %v", err)
	}

	// Replace a merged directory: the new one in upper is opaque.
	if err := os.RemoveAll(dir + "/merged/dir"); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dir+"/merged/dir", 0o755); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 8)
	n, err := unix.Lgetxattr(dir+"/upper/dir", "trusted.overlay.opaque", buf)
	if err != nil || string(buf[:n]) != "y" {
		t.Errorf("upper/dir opaque xattr = %q, %v; want \"y\"", buf[:n], err)
	}
	if entries, _ := os.ReadDir(dir + "/merged/dir"); len(entries) != 0 {
		t.Errorf("opaque dir still shows lower entries: %v", entries)
	}

	mounts, err := ReadMountInfo()
	if err != nil {
		t.Fatal(err)
	}
	got := MountsUnder(mounts, dir)
	if len(got) != 1 || got[0].FSType != "overlay" || !strings.Contains(got[0].SuperOptions, "lowerdir="+dir+"/top:") {
		t.Errorf("mountinfo under %s: %+v", dir, got)
	}
	t.Logf("mountinfo: %d %d %s %s %s - %s %s %s", got[0].ID, got[0].ParentID, got[0].Root, got[0].Target, got[0].Options, got[0].FSType, got[0].Source, got[0].SuperOptions)
}

func TestOverlayManyLayersShortLinks(t *testing.T) {
	testutil.RequireRoot(t)
	dir := t.TempDir()
	var lowers []string
	for i := 129; i >= 0; i-- { // top-first: layer 129 is the top
		l := filepath.Join(dir, "layers/sha256", fmt.Sprintf("%064d", i), "diff")
		writeTree(t, l, map[string]string{fmt.Sprintf("file%d", i): "", "which": fmt.Sprint(i)})
		lowers = append(lowers, l)
	}
	writeTree(t, dir, map[string]string{"c1/upper/": "", "c1/work/": "", "c1/rootfs/": ""})
	t.Logf("full option string: %d bytes, page: %d", len(OverlayOptions(lowers, dir+"/c1/upper", dir+"/c1/work")), os.Getpagesize())

	m, cleanup, err := Overlay(lowers, dir+"/c1/upper", dir+"/c1/work", dir+"/c1/rootfs")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("short option string: %d bytes: %.60s...", len(m.Data), m.Data)
	if m.Dir != dir+"/c1" {
		t.Fatalf("want short links in %s/c1, got %v", dir, m)
	}
	err = mountForTest(t, m)
	if cerr := cleanup(); cerr != nil { // the kernel has resolved the links: remove them now
		t.Error(cerr)
	}
	if err != nil {
		t.Fatal(err)
	}
	if cwd, _ := os.Getwd(); cwd == m.Dir {
		t.Errorf("Apply did not chdir back from %s", m.Dir)
	}
	entries, err := os.ReadDir(dir + "/c1/rootfs")
	if err != nil || len(entries) != 131 { // 130 fileN + which
		t.Fatalf("merged view has %d entries (%v), want 131", len(entries), err)
	}
	if got := readFile(t, dir+"/c1/rootfs/which"); got != "129" {
		t.Errorf("which = %q, want the top layer's 129", got)
	}
}

func TestOverlayEscapedPaths(t *testing.T) {
	testutil.RequireRoot(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a:b/f1": "1", "c,d/f2": "2", `e\f/f3`: "3", "u,1/": "", "w:2/": "", "m/": ""})
	m, _, err := Overlay([]string{dir + "/a:b", dir + "/c,d", dir + `/e\f`}, dir+"/u,1", dir+"/w:2", dir+"/m")
	if err != nil {
		t.Fatal(err)
	}
	if err := mountForTest(t, m); err != nil {
		t.Fatalf("%v\n%v", m, err)
	}
	for f, want := range map[string]string{"f1": "1", "f2": "2", "f3": "3"} {
		if got := readFile(t, dir+"/m/"+f); got != want {
			t.Errorf("%s = %q, want %q", f, got, want)
		}
	}
	if err := os.WriteFile(dir+"/m/new", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir + "/u,1/new"); err != nil {
		t.Errorf("write did not land in upper u,1: %v", err)
	}
}

func TestOverlayReadOnly(t *testing.T) {
	testutil.RequireRoot(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"l1/a": "1", "l2/b": "2", "m/": ""})
	m, _, err := Overlay([]string{dir + "/l1", dir + "/l2"}, "", "", dir+"/m")
	if err != nil {
		t.Fatal(err)
	}
	if err := mountForTest(t, m); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, dir+"/m/b"); got != "2" {
		t.Errorf("m/b = %q", got)
	}
	if err := os.WriteFile(dir+"/m/a", []byte("x"), 0o644); !errors.Is(err, unix.EROFS) {
		t.Errorf("write to a read-only overlay: %v, want EROFS", err)
	}
}

// Break it: overlayfs refuses an upper directory that is itself on an
// overlay (it needs features such as O_TMPFILE and trusted.* xattrs that
// overlayfs does not offer as an upper layer).
func TestOverlayUpperOnOverlayFails(t *testing.T) {
	testutil.RequireRoot(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"l/": "", "u/": "", "w/": "", "m/": "", "l2/": "", "m2/": ""})
	outer, _, _ := Overlay([]string{dir + "/l"}, dir+"/u", dir+"/w", dir+"/m")
	if err := mountForTest(t, outer); err != nil {
		t.Fatal(err)
	}
	writeTree(t, dir, map[string]string{"m/upper/": "", "m/work/": ""})
	inner, _, _ := Overlay([]string{dir + "/l2"}, dir+"/m/upper", dir+"/m/work", dir+"/m2")
	err := mountForTest(t, inner)
	if !errors.Is(err, unix.EINVAL) {
		t.Fatalf("upper on overlay: got %v, want EINVAL", err)
	}
	want := "mount overlay on " + dir + "/m2: invalid argument (overlayfs logs the reason: dmesg | tail)"
	if err.Error() != want {
		t.Errorf("error = %q\nwant    %q", err, want)
	}
	t.Log(err)
}
