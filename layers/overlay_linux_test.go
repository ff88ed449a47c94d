package layers

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestWhiteoutsHideLowerFilesInOverlay is the proof that the conversion is
// right: it unpacks two layers into a store, mounts them with the real
// overlayfs (read-only: two lowerdirs, no upperdir) and looks at the merged
// view. The kernel, not our code, decides what is hidden.
func TestWhiteoutsHideLowerFilesInOverlay(t *testing.T) {
	requireRoot(t)
	s, err := OpenStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	base := makeTar(t,
		tdir("etc/"), tfile("etc/motd", "lower motd"), tfile("etc/hostname", "lower"),
		tdir("cache/"), tfile("cache/a", "a"), tdir("cache/sub/"), tfile("cache/sub/b", "b"),
	)
	top := makeTar(t,
		tdir("etc/"), tfile("etc/.wh.motd", ""), // rm /etc/motd
		tdir("cache/"), tfile("cache/.wh..wh..opq", ""), tfile("cache/new", "new"), // rm -rf /cache/*; touch /cache/new
	)
	l1, err := s.Unpack(ctx, "", "", bytes.NewReader(compress(t, Gzip, base)))
	if err != nil {
		t.Fatal(err)
	}
	l2, err := s.Unpack(ctx, l1.ChainID, "", bytes.NewReader(compress(t, Zstd, top)))
	if err != nil {
		t.Fatal(err)
	}

	merged := mountOverlay(t, l2.Dir, l1.Dir)

	if _, err := os.Lstat(filepath.Join(merged, "etc/motd")); !os.IsNotExist(err) {
		t.Errorf("etc/motd in the merged view: lstat = %v, want ENOENT (whited out)", err)
	}
	if got := readFile(t, filepath.Join(merged, "etc/hostname")); got != "lower" {
		t.Errorf("etc/hostname = %q, want the lower layer's", got)
	}
	if got := names(t, filepath.Join(merged, "etc")); !slices.Equal(got, []string{"hostname"}) {
		t.Errorf("ls etc = %q, want [hostname] (the whiteout itself is hidden too)", got)
	}
	if got := names(t, filepath.Join(merged, "cache")); !slices.Equal(got, []string{"new"}) {
		t.Errorf("ls cache = %q, want [new] (opaque: nothing from below)", got)
	}
	// Without the top layer the lower files are all there: it really was
	// the top layer that hid them.
	if got := names(t, filepath.Join(l1.Dir, "cache")); !slices.Equal(got, []string{"a", "sub"}) {
		t.Errorf("ls lower cache = %q", got)
	}
}

// mountOverlay mounts a read-only overlay of the given lowerdirs (top layer
// first, as overlayfs wants them) and unmounts it when the test ends.
func mountOverlay(t *testing.T, lowerdirs ...string) string {
	t.Helper()
	merged := t.TempDir()
	opts := "lowerdir=" + strings.Join(lowerdirs, ":")
	if err := unix.Mount("overlay", merged, "overlay", unix.MS_RDONLY, opts); err != nil {
		t.Fatalf("mount overlay %s (%s): %v", merged, opts, err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(merged, unix.MNT_DETACH); err != nil {
			t.Errorf("umount %s: %v", merged, err)
		}
	})
	return merged
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}
