package mount

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// An overlay mount stacks directories: read-only "lower" layers (the image's
// layers, top first), one writable "upper" directory that receives every
// change the container makes, and an empty "work" directory on the same
// filesystem as upper that overlayfs uses to prepare changes atomically.
// The merged view appears at the target (the container's rootfs).
// See docs/03-overlay.md and the kernel's Documentation/filesystems/overlayfs.rst.

// OverlayOptions builds the data string that mount(2) passes to overlayfs:
//
//	lowerdir=TOP:...:BOTTOM,upperdir=UPPER,workdir=WORK
//
// lowers are top-first, the order the kernel reads lowerdir in (the leftmost
// layer wins). An image manifest lists its layers bottom-first (base layer
// first), so reverse that list before calling. With upper and work empty the
// overlay is read-only and the string is just "lowerdir=...".
//
// overlayfs splits the string at ',' (between options) and lowerdir at ':'
// (between layers); a backslash escapes the next character. So ',' ':' and
// '\' inside a path are escaped with a backslash, which the kernel removes
// again. An unescaped "::" would even mean something else since Linux 6.5
// (data-only layers).
func OverlayOptions(lowers []string, upper, work string) string {
	escaped := make([]string, len(lowers))
	for i, l := range lowers {
		escaped[i] = escapeOverlayPath(l)
	}
	opts := "lowerdir=" + strings.Join(escaped, ":")
	if upper != "" {
		opts += ",upperdir=" + escapeOverlayPath(upper)
	}
	if work != "" {
		opts += ",workdir=" + escapeOverlayPath(work)
	}
	return opts
}

var overlayEscaper = strings.NewReplacer(`\`, `\\`, `,`, `\,`, `:`, `\:`)

func escapeOverlayPath(p string) string { return overlayEscaper.Replace(p) }

// maxMountData is the longest data string mount(2) accepts: the kernel
// copies the options into ONE page (copy_mount_options), and the string
// needs its terminating NUL byte inside that page.
func maxMountData() int { return os.Getpagesize() - 1 }

// Overlay returns the Mount that puts the layers, upper and work together
// at target, after checking the arguments the kernel would reject with a
// bare EINVAL. upper and work must both be set (writable overlay) or both
// be empty (read-only overlay, which the kernel allows only with at least
// two lowers; bind-mount a single layer read-only instead).
//
// # Many layers: the short-link trick
//
// The data string must fit in one page (4096 bytes on x86-64). A layer
// directory in a content-addressed store is about 100 bytes long (a sha256
// digest alone is 64 hex characters), so about 40 layers fill the page,
// and real images have up to 128 layers (Docker's limit; overlayfs takes
// 500). Past the page the kernel cuts the string, and mount(2) fails with a
// misleading ENOENT for a half path. Docker's overlay2 driver solved this
// with short symlinks, and so do we: when the options are too
// long, Overlay creates <dir>/l/0, <dir>/l/1, ... pointing at the lowers
// (dir is the directory holding upper: the container's directory), writes
// "lowerdir=l/0:l/1:..." and sets Mount.Dir so that Apply runs mount(2)
// inside dir, where those relative names resolve. The kernel follows the
// links once, at mount time; the returned cleanup removes them and may be
// called as soon as the mount is done (or if it is abandoned).
//
// Linux 6.8 added a cleaner way: with the new mount API (fsopen(2),
// fsconfig(2)) overlayfs takes one "lowerdir+" option per layer, each value
// up to 255 bytes, with no page limit on the whole. The workshop VM's
// Ubuntu 24.04 kernel (6.8) has it; Debian 12's (6.1, also the qemu test
// VM's) does not, so minictr uses mount(2) and short links, which work on
// both.
func Overlay(lowers []string, upper, work, target string) (Mount, func() error, error) {
	noCleanup := func() error { return nil }
	if err := checkOverlay(lowers, upper, work, target); err != nil {
		return Mount{}, noCleanup, err
	}
	m := Mount{Source: "overlay", Target: target, FSType: "overlay", Data: OverlayOptions(lowers, upper, work)}
	if len(m.Data) <= maxMountData() {
		return m, noCleanup, nil
	}
	dir := filepath.Dir(upper)
	if upper == "" {
		dir = filepath.Dir(target)
	}
	short, err := shortLinks(dir, lowers)
	if err != nil {
		return Mount{}, noCleanup, err
	}
	cleanup := func() error {
		trace("unlinkat", filepath.Join(dir, "l"), "AT_REMOVEDIR")
		return os.RemoveAll(filepath.Join(dir, "l"))
	}
	m.Data, m.Dir = OverlayOptions(short, upper, work), dir
	if len(m.Data) > maxMountData() {
		err := fmt.Errorf("overlay options for %d layers are %d bytes even with short links, more than mount(2)'s one page (%d)",
			len(lowers), len(m.Data), maxMountData())
		return Mount{}, noCleanup, errors.Join(err, cleanup())
	}
	return m, cleanup, nil
}

// checkOverlay rejects, with a sentence, what overlayfs would reject with
// EINVAL and a line in the kernel log.
func checkOverlay(lowers []string, upper, work, target string) error {
	switch {
	case len(lowers) == 0:
		return fmt.Errorf("overlay on %s: no lower layers", target)
	case (upper == "") != (work == ""):
		return fmt.Errorf("overlay on %s: upperdir %q and workdir %q must both be set or both be empty", target, upper, work)
	case upper == "" && len(lowers) < 2:
		return fmt.Errorf("overlay on %s: a read-only overlay (no upperdir) needs at least 2 lower layers, got 1: bind-mount it read-only instead", target)
	}
	for _, p := range append(append([]string{target}, lowers...), upper, work) {
		if p != "" && !filepath.IsAbs(p) {
			return fmt.Errorf("overlay on %s: %q is not an absolute path", target, p)
		}
	}
	return nil
}

// shortLinks creates dir/l/0 -> lowers[0], dir/l/1 -> lowers[1], ... and
// returns the relative names "l/0", "l/1", ... in the same order. An old l/
// left behind by a crashed run is replaced: Overlay owns that directory.
func shortLinks(dir string, lowers []string) ([]string, error) {
	linkDir := filepath.Join(dir, "l")
	trace("unlinkat", linkDir, "AT_REMOVEDIR")
	if err := os.RemoveAll(linkDir); err != nil {
		return nil, err
	}
	trace("mkdir", linkDir, "0700")
	if err := os.Mkdir(linkDir, 0o700); err != nil {
		return nil, err
	}
	short := make([]string, len(lowers))
	for i, lower := range lowers {
		short[i] = "l/" + strconv.Itoa(i)
		link := filepath.Join(dir, short[i])
		trace("symlink", lower, link)
		if err := os.Symlink(lower, link); err != nil {
			return nil, errors.Join(err, os.RemoveAll(linkDir))
		}
	}
	return short, nil
}
