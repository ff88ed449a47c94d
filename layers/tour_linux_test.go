package layers

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestStoreTour builds the two-layer image of docs/02-layers.md ("try it"),
// logs what the store looks like on disk, and checks it:
//
//	go test -v -run TestStoreTour ./layers/
//
// Layer 1 adds /etc/motd, /etc/hostname and /var/cache/apt/pkgcache.bin;
// layer 2 is `RUN rm /etc/motd && rm -rf /var/cache/apt/* && echo hi >
// /var/cache/apt/note`.
func TestStoreTour(t *testing.T) {
	requireRoot(t)
	s, err := OpenStore(filepath.Join(t.TempDir(), "minictr"))
	if err != nil {
		t.Fatal(err)
	}
	base := makeTar(t, tdir("etc/"), tfile("etc/motd", "Welcome!\n"), tfile("etc/hostname", "box\n"),
		tdir("var/"), tdir("var/cache/"), tdir("var/cache/apt/"), tfile("var/cache/apt/pkgcache.bin", "..."))
	top := makeTar(t, tdir("etc/"), tfile("etc/.wh.motd", ""),
		tdir("var/"), tdir("var/cache/"), tdir("var/cache/apt/"), tfile("var/cache/apt/.wh..wh..opq", ""),
		tfile("var/cache/apt/note", "hi\n"))
	ctx := context.Background()
	l1, err := s.Unpack(ctx, "", sha256Digest(base), bytes.NewReader(compress(t, Gzip, base)))
	if err != nil {
		t.Fatal(err)
	}
	l2, err := s.Unpack(ctx, l1.ChainID, sha256Digest(top), bytes.NewReader(compress(t, Gzip, top)))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("layer 1: diff ID  %s\n         chain ID %s (a base layer: the same)", l1.DiffID, l1.ChainID)
	t.Logf("layer 2: diff ID  %s\n         chain ID %s\n                = sha256(%q)", l2.DiffID, l2.ChainID, l1.ChainID+" "+l2.DiffID)

	var tree []string
	err = filepath.WalkDir(s.Root(), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(s.Root(), p)
		if rel == "." {
			return nil
		}
		tree = append(tree, describe(t, p, rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the store (%s):\n%s", s.Root(), strings.Join(tree, "\n"))

	merged := mountOverlay(t, l2.Dir, l1.Dir)
	var view []string
	err = filepath.WalkDir(merged, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(merged, p)
		if d.IsDir() {
			rel += "/"
		}
		view = append(view, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("mount -t overlay -o lowerdir=<layer 2>/diff:<layer 1>/diff, the merged view:\n%s", strings.Join(view, "\n"))
	if want := "./ etc/ etc/hostname var/ var/cache/ var/cache/apt/ var/cache/apt/note"; strings.Join(view, " ") != want {
		t.Errorf("merged view %q, want %q", view, want)
	}

	h1, h2 := strings.TrimPrefix(l1.ChainID, "sha256:"), strings.TrimPrefix(l2.ChainID, "sha256:")
	for _, want := range []string{
		"layers/sha256/" + h1 + "/diff/etc/motd  file 9 bytes",
		"layers/sha256/" + h2 + "/diff/etc/motd  char device 0:0 (overlay whiteout)",
		"layers/sha256/" + h2 + "/diff/var/cache/apt/  dir trusted.overlay.opaque=y",
		"layers/sha256/" + h2 + "/parent  file 71 bytes: " + l1.ChainID,
	} {
		if !strings.Contains(strings.Join(tree, "\n"), want) {
			t.Errorf("store tree lacks %q", want)
		}
	}
}

func describe(t *testing.T, p, rel string) string {
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	switch {
	case fi.IsDir():
		buf := make([]byte, 8)
		if n, err := unix.Lgetxattr(p, opaqueXattr, buf); err == nil {
			return fmt.Sprintf("%s/  dir %s=%s", rel, opaqueXattr, buf[:n])
		}
		return rel + "/"
	case fi.Mode()&fs.ModeCharDevice != 0 && st.Rdev == 0:
		return rel + "  char device 0:0 (overlay whiteout)"
	case fi.Mode().IsRegular() && fi.Size() < 80 && !strings.Contains(rel, "/diff/"):
		b, _ := os.ReadFile(p)
		return fmt.Sprintf("%s  file %d bytes: %s", rel, fi.Size(), b)
	case fi.Mode().IsRegular():
		return fmt.Sprintf("%s  file %d bytes", rel, fi.Size())
	}
	return rel + "  " + fi.Mode().String()
}
