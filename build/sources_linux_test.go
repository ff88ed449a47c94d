package build

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minictr/minictr/internal/testutil"
	"golang.org/x/sys/unix"
)

// An xattr is part of a file's identity for the cache (a capability set
// with setcap is one), so changing it misses.
func TestCopyKeyXattr(t *testing.T) {
	dir := writeContext(t, map[string]string{"bin": "x"})
	before := copyKey(t, dir, "bin")
	err := unix.Lsetxattr(filepath.Join(dir, "bin"), "user.minictr.test", []byte("1"), 0)
	if errors.Is(err, unix.ENOTSUP) || errors.Is(err, unix.EPERM) {
		t.Skipf("the filesystem of %s takes no user xattrs: %v", dir, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	after := copyKey(t, dir, "bin")
	if got := Explain(before, after); got != "bin xattr user.minictr.test changed" {
		t.Errorf("Explain = %q", got)
	}
}

func TestCopyKeySymlinkTarget(t *testing.T) {
	dir := writeContext(t, map[string]string{"d/a": "a"})
	link := filepath.Join(dir, "d", "l")
	if err := os.Symlink("a", link); err != nil {
		t.Fatal(err)
	}
	before := copyKey(t, dir, "d")
	if err := os.Remove(link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("b", link); err != nil {
		t.Fatal(err)
	}
	if got := Explain(before, copyKey(t, dir, "d")); got != `d/l link target "a" → "b"` {
		t.Errorf("Explain = %q", got)
	}
}

func TestCopyKeyOwner(t *testing.T) {
	testutil.RequireRoot(t)
	dir := writeContext(t, map[string]string{"f": "x"})
	before := copyKey(t, dir, "f")
	if err := os.Lchown(filepath.Join(dir, "f"), 1000, 1001); err != nil {
		t.Fatal(err)
	}
	got := Explain(before, copyKey(t, dir, "f"))
	if !strings.HasPrefix(got, "f owner ") || !strings.HasSuffix(got, " → 1000:1001") {
		t.Errorf("Explain = %q", got)
	}
}
