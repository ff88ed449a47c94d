package layers_test

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/minictr/minictr/internal/testutil"
	"github.com/minictr/minictr/layers"
	"golang.org/x/sys/unix"
)

// commitScript goes beyond diffScript to touch every kind of entry and
// metadata a layer carries.
const commitScript = diffScript + `
mkdir -p /srv/data && echo one > /srv/data/a && ln /srv/data/a /srv/data/b && ln /srv/data/a /srv/c
ln -s ../etc/passwd /srv/rel && ln -s /does/not/exist /srv/dangling
chown 1000:1000 /srv/data/a && chmod 4750 /srv/data/a && chmod 1777 /srv/data
busybox mknod /srv/null c 1 3
rm /opt/secret /opt/hard2
echo > /opt/setuid
rm -rf /opt/shared && echo now-a-file > /opt/shared
mkdir /opt/gone && echo back > /opt/gone/again
`

// setXattrs adds the xattrs a layer must keep (and one it must not) to
// files of the container, through the merged view as a process would.
func setXattrs(t *testing.T, merged string) {
	t.Helper()
	for _, x := range []struct{ file, name, value string }{
		{"srv/data/a", "user.origin", "minictr test"},
		{"srv/data", "user.dir", "on a directory"},
		// cap_net_raw+ep, as `setcap cap_net_raw+ep` writes it (VFS_CAP_REVISION_2).
		{"etc/new.conf", "security.capability", "\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"},
	} {
		if err := unix.Lsetxattr(filepath.Join(merged, x.file), x.name, []byte(x.value), 0); err != nil {
			t.Fatalf("setxattr %s %s: %v", x.name, x.file, err)
		}
	}
}

// TestWriteLayerRoundTrip is the proof that WriteLayer is right: the
// container's merged view (what a process in it sees) must equal the
// image's layers plus the written layer, unpacked by minictr's unpacker
// and mounted by the kernel, and also unpacked by umoci, the OCI's
// reference unpacker, from an OCI layout holding the same layers.
func TestWriteLayerRoundTrip(t *testing.T) {
	img := diffImage(t)
	c := newContainer(t, img)
	c.sh(t, commitScript)
	setXattrs(t, c.Merged)
	want := testutil.Tree(t, c.Merged)
	if e := want["etc/new.conf"]; !strings.Contains(e.Xattrs, "security.capability") {
		t.Fatalf("merged etc/new.conf xattrs = %q: the test's setup did not take", e.Xattrs)
	}
	// trusted.* xattrs are the host's business: no layer carries them
	// (checkLayerTar looks), so this one is set after the snapshot.
	if err := unix.Lsetxattr(filepath.Join(c.Merged, "etc/new.conf"), "trusted.minictr", []byte("never in a layer"), 0); err != nil {
		t.Fatal(err)
	}
	c.unmount(t)

	var buf bytes.Buffer
	stats, err := layers.WriteLayer(&buf, c.Upper, layers.LayerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkLayerTar(t, buf.Bytes(), stats)

	mine := t.TempDir()
	if _, err := layers.UnpackTar(context.Background(), mine, bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatalf("unpack the written layer: %v", err)
	}
	got := testutil.MergedTree(t, slices.Concat(c.Lowers, []string{mine}))
	for _, d := range testutil.DiffTrees(want, got) {
		t.Errorf("container (a) vs layers + written layer unpacked by minictr (b): %s", d)
	}

	img.Layers = append(img.Layers, testutil.Layer{Tar: buf.Bytes(), CreatedBy: "minictr commit"})
	layout := t.TempDir()
	img.WriteOCILayout(t, layout, "commit")
	for _, d := range testutil.DiffTrees(want, testutil.UmociUnpack(t, layout, "commit")) {
		t.Errorf("container (a) vs umoci raw unpack (b): %s", d)
	}
}

// checkLayerTar checks the rules of image-spec layer.md that a tree
// comparison cannot see: no path twice; in every directory the opaque
// marker and the whiteouts come before any other entry; a hard link
// follows the entry it names; nothing of overlayfs's own leaks; and
// stats counts what is there.
func checkLayerTar(t *testing.T, data []byte, stats layers.LayerStats) {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(data))
	seen := map[string]bool{}
	othersIn := map[string]bool{} // directories where a non-whiteout entry was written
	n := 0
	var size int64
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("read written layer: %v", err)
		}
		n++
		name := strings.TrimSuffix(hdr.Name, "/")
		if seen[name] {
			t.Errorf("%s: twice in the layer", hdr.Name)
		}
		seen[name] = true
		dir, base := path.Dir(name), path.Base(name)
		if strings.HasPrefix(base, ".wh.") {
			if othersIn[dir] {
				t.Errorf("%s: whiteout after a sibling", hdr.Name)
			}
			if hdr.Typeflag != tar.TypeReg || hdr.Size != 0 || hdr.Mode != 0o600 {
				t.Errorf("%s: whiteout is %q mode %o size %d, want an empty 0600 file", hdr.Name, hdr.Typeflag, hdr.Mode, hdr.Size)
			}
		} else {
			othersIn[dir] = true
		}
		if hdr.Typeflag == tar.TypeLink && !seen[hdr.Linkname] {
			t.Errorf("%s: hard link to %s, which comes later or never", hdr.Name, hdr.Linkname)
		}
		if hdr.Typeflag == tar.TypeReg {
			size += hdr.Size
		}
		for k := range hdr.PAXRecords {
			if strings.Contains(k, "trusted.") {
				t.Errorf("%s: PAX record %s leaks into the layer", hdr.Name, k)
			}
		}
	}
	if stats.Entries != n || stats.Bytes != size {
		t.Errorf("stats = %+v, the tar has %d entries and %d bytes of data", stats, n, size)
	}
	for _, must := range []string{"bin/.wh.ls", "opt/tree/.wh..wh..opq", "opt/.wh.secret", "srv/data/a"} {
		if !seen[must] {
			t.Errorf("no %s in the layer", must)
		}
	}
}

// TestWriteLayerRefusesRedirectAndMetacopy: an upper directory written
// with redirect_dir or metacopy on does not hold the whole change (a
// renamed directory's contents, a file's data stay in the lower layer).
func TestWriteLayerRefusesRedirectAndMetacopy(t *testing.T) {
	testutil.RequireRoot(t)
	for _, x := range []struct{ file, xattr, value string }{
		{"renamed/", "trusted.overlay.redirect", "/old"},
		{"meta", "trusted.overlay.metacopy", ""},
	} {
		upper := t.TempDir()
		makeEntry(t, upper, x.file)
		if err := unix.Lsetxattr(filepath.Join(upper, x.file), x.xattr, []byte(x.value), 0); err != nil {
			t.Fatal(err)
		}
		_, err := layers.WriteLayer(io.Discard, upper, layers.LayerOptions{})
		if err == nil || !strings.Contains(err.Error(), x.xattr) || !strings.Contains(err.Error(), "/"+strings.TrimSuffix(x.file, "/")) {
			t.Errorf("%s with %s: WriteLayer = %v, want an error naming the xattr and the path", x.file, x.xattr, err)
		}
	}
}

// TestWriteLayerEmpty: a container that changed nothing gives a tar with
// no entries (the two zero blocks that end every tar) and says so.
func TestWriteLayerEmpty(t *testing.T) {
	var buf bytes.Buffer
	stats, err := layers.WriteLayer(&buf, t.TempDir(), layers.LayerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !stats.Empty() || stats.Entries != 0 || stats.Bytes != 0 {
		t.Errorf("stats = %+v, want empty", stats)
	}
	if !bytes.Equal(buf.Bytes(), make([]byte, 1024)) {
		t.Errorf("empty layer is %d bytes, want the 1024-byte end-of-archive marker", buf.Len())
	}
}

// TestWriteLayerClamp: with ClampMtime every later mtime becomes the
// clamp, so the same files written later give the same bytes.
func TestWriteLayerClamp(t *testing.T) {
	clamp := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	old := time.Date(2001, 2, 3, 4, 5, 6, 700, time.UTC)
	upper := t.TempDir()
	makeEntry(t, upper, "new")
	makeEntry(t, upper, "old")
	if err := os.Chtimes(filepath.Join(upper, "old"), old, old); err != nil {
		t.Fatal(err)
	}
	var first bytes.Buffer
	if _, err := layers.WriteLayer(&first, upper, layers.LayerOptions{ClampMtime: clamp}); err != nil {
		t.Fatal(err)
	}
	want := map[string]time.Time{"new": clamp, "old": old.Truncate(time.Second)}
	tr := tar.NewReader(bytes.NewReader(first.Bytes()))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !hdr.ModTime.Equal(want[hdr.Name]) {
			t.Errorf("%s: mtime %v, want %v", hdr.Name, hdr.ModTime, want[hdr.Name])
		}
	}
	now := time.Now()
	if err := os.Chtimes(filepath.Join(upper, "new"), now, now); err != nil {
		t.Fatal(err)
	}
	var second bytes.Buffer
	if _, err := layers.WriteLayer(&second, upper, layers.LayerOptions{ClampMtime: clamp}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Error("touching a file after the clamp time changed the layer")
	}
}

// A container ran `rm /README; echo debug=1 > /app.conf`: its upper
// directory holds a whiteout device and a new file, and the layer says the
// same in OCI form. (Any user may create the whiteout device 0:0 since
// Linux 5.8; a subdirectory would need root, see TestNeedsCapSysAdmin.)
func ExampleWriteLayer() {
	upper, _ := os.MkdirTemp("", "upper")
	defer os.RemoveAll(upper)
	unix.Mknod(filepath.Join(upper, "README"), unix.S_IFCHR, 0)
	os.WriteFile(filepath.Join(upper, "app.conf"), []byte("debug=1\n"), 0o644)

	var buf bytes.Buffer
	stats, err := layers.WriteLayer(&buf, upper, layers.LayerOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	tr := tar.NewReader(&buf)
	for hdr, err := tr.Next(); err == nil; hdr, err = tr.Next() {
		fmt.Printf("%-10s mode %#o, %d bytes\n", hdr.Name, hdr.Mode, hdr.Size)
	}
	fmt.Println(stats.Entries, "entries")
	// Output:
	// .wh.README mode 0600, 0 bytes
	// app.conf   mode 0644, 8 bytes
	// 2 entries
}

// TestNeedsCapSysAdmin: as a normal user, overlayfs's opaque marks are
// invisible, so Changes and WriteLayer refuse an upper directory with
// subdirectories instead of missing them.
func TestNeedsCapSysAdmin(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("checks what a normal user gets: run `go test` without sudo")
	}
	upper := t.TempDir()
	makeEntry(t, upper, "etc/")
	makeEntry(t, upper, "etc/x")
	if _, err := layers.WriteLayer(io.Discard, upper, layers.LayerOptions{}); err == nil || !strings.Contains(err.Error(), "CAP_SYS_ADMIN") {
		t.Errorf("WriteLayer as a normal user = %v, want an error about CAP_SYS_ADMIN", err)
	}
	if _, err := layers.Changes(upper, []string{t.TempDir()}); err == nil || !strings.Contains(err.Error(), "CAP_SYS_ADMIN") {
		t.Errorf("Changes as a normal user = %v, want an error about CAP_SYS_ADMIN", err)
	}
}
