package testutil

import (
	"errors"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// MergedTree really mounts the layer directories as one read-only overlay
// on a temporary directory, walks the merged view with Tree and unmounts.
// layers are in image order (layers[0] is the base). The kernel applies
// whiteouts and opaque directories here exactly as it will for a running
// container, which makes this the tree a container sees.
//
// An overlay without an upper directory needs at least two lower layers
// (fs/overlayfs/params.c: "at least 2 lowerdir are needed while upperdir
// nonexistent"), so a single layer is stacked on an empty directory.
func MergedTree(t testing.TB, layers []string) map[string]Entry {
	t.Helper()
	RequireRoot(t)
	if len(layers) == 1 {
		layers = []string{t.TempDir(), layers[0]}
	}
	data, err := lowerdirOption(layers)
	if err != nil {
		t.Fatalf("merged tree: %v", err)
	}
	target := t.TempDir()
	if err := unix.Mount("overlay", target, "overlay", unix.MS_RDONLY, data); err != nil {
		if errors.Is(err, unix.ENODEV) {
			t.Skip("overlayfs is not available in this kernel (modprobe overlay)")
		}
		t.Fatalf("mount overlay %s (%s): %v", target, data, err)
	}
	mounted := true
	unmount := func() error {
		if !mounted {
			return nil
		}
		if err := unix.Unmount(target, 0); err != nil {
			return &os.PathError{Op: "umount", Path: target, Err: err}
		}
		mounted = false
		return nil
	}
	// Runs even when Tree fails the test, before TempDir removes target.
	t.Cleanup(func() {
		if err := unmount(); err != nil {
			t.Errorf("%v", err)
		}
	})
	tree := Tree(t, target)
	if err := unmount(); err != nil {
		t.Fatalf("%v", err)
	}
	return tree
}
