package layers_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/minictr/minictr/internal/testutil"
	"github.com/minictr/minictr/layers"
	"github.com/minictr/minictr/mount"
	"golang.org/x/sys/unix"
)

// These tests live in package layers_test so that they can use testutil
// (which imports image, which imports layers) to build real images.

// container is an overlay mount made as minictr makes a container's
// rootfs: the image's layers unpacked with layers.UnpackTar as lowers, an
// empty upper and work directory, the merged view at Merged.
type container struct {
	Lowers  []string // bottom first, as config.json "layers"
	Upper   string
	Merged  string
	mounted bool
}

// newContainer unpacks img's layers and mounts the overlay; it is
// unmounted when the test ends, pass or fail.
func newContainer(t *testing.T, img testutil.TestImage) *container {
	t.Helper()
	testutil.RequireRoot(t)
	dir := t.TempDir()
	c := &container{Upper: filepath.Join(dir, "upper"), Merged: filepath.Join(dir, "merged")}
	for i, l := range img.Layers {
		if l.Tar == nil {
			continue
		}
		ld := filepath.Join(dir, fmt.Sprintf("layer%d", i))
		if err := os.Mkdir(ld, 0o755); err != nil {
			t.Fatal(err)
		}
		if _, err := layers.UnpackTar(context.Background(), ld, bytes.NewReader(l.Tar)); err != nil {
			t.Fatalf("unpack layer %d: %v", i, err)
		}
		c.Lowers = append(c.Lowers, ld)
	}
	for _, d := range []string{c.Upper, dir + "/work", c.Merged} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	top := slices.Clone(c.Lowers)
	slices.Reverse(top)
	m, cleanup, err := mount.Overlay(top, c.Upper, dir+"/work", c.Merged)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	t.Cleanup(func() { c.unmount(t) })
	if err := m.Apply(); err != nil {
		t.Fatal(err)
	}
	c.mounted = true
	return c
}

func (c *container) unmount(t *testing.T) {
	if !c.mounted {
		return
	}
	if err := unix.Unmount(c.Merged, 0); err != nil {
		t.Errorf("umount %s: %v", c.Merged, err)
		return
	}
	c.mounted = false
}

// sh runs script with the image's busybox sh, chrooted into the merged
// view: the same commands a user would type in the container.
func (c *container) sh(t *testing.T, script string) {
	t.Helper()
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.SysProcAttr = &unix.SysProcAttr{Chroot: c.Merged}
	cmd.Dir = "/"
	cmd.Env = []string{testutil.PathEnv}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sh -c %q in the container: %v\n%s", script, err, out)
	}
}

// diffScript is what the container does in the diff tests
// (testutil.DiffScript).
const diffScript = testutil.DiffScript

// diffWant is docker's answer for diffScript on testutil.MultiLayerImage,
// with the layer each C and D came from: its layers with a tar are
// 0 busybox, 1 opt/, 2 the cleanup layer (which also has bin/, opt/ and
// opt/tree/), 3 app/ and etc/motd.
var diffWant = []string{
	"C /bin 2", "D /bin/ls 0",
	"C /etc 3", "C /etc/motd 3", "A /etc/new.conf -1", "C /etc/passwd 0",
	"C /opt 2", "D /opt/tree 2", "A /opt/tree/fresh -1",
	"C /root 0", "A /root/pw -1",
	"C /tmp 0", "A /tmp/fifo -1",
}

// diffImage is testutil.DiffImage.
func diffImage(t *testing.T) testutil.TestImage { return testutil.DiffImage(t) }

func TestChangesOnOverlay(t *testing.T) {
	tests := []struct {
		name, script string
		want         []string
	}{
		{"every kind of change", diffScript, diffWant},
		// Layer 2 whited out /opt/gone and made /opt/tree opaque; layer 1
		// still has opt/gone and opt/tree/a. Made again they are new (A),
		// as overlayfs's lookup says, not changed copies of layer 1's.
		{"names hidden below",
			"mkdir /opt/gone && echo x > /opt/gone/x && mkdir /opt/tree/a && echo y > /opt/tree/a/old",
			[]string{"C /opt 2", "A /opt/gone -1", "A /opt/gone/x -1", "C /opt/tree 2", "A /opt/tree/a -1", "A /opt/tree/a/old -1"}},
		{"nothing", "true", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newContainer(t, diffImage(t))
			c.sh(t, tt.script)
			for _, when := range []string{"mounted", "unmounted"} {
				if when == "unmounted" {
					c.unmount(t)
				}
				changes, err := layers.Changes(c.Upper, c.Lowers)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, ch := range changes {
					got = append(got, fmt.Sprintf("%s %d", ch, ch.LowerIndex))
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("%s: Changes:\n got %q\nwant %q", when, got, tt.want)
				}
			}
		})
	}
}

func TestChangesUpperGone(t *testing.T) {
	_, err := layers.Changes(filepath.Join(t.TempDir(), "gone"), nil)
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "upper directory") {
		t.Errorf("Changes of a missing upper = %v, want an error naming the upper directory and wrapping ENOENT", err)
	}
}
