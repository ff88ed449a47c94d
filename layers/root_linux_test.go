package layers

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// rootHint is testutil.RootHint. layers cannot import internal/testutil
// from its own tests: testutil imports image, which imports layers (an
// import cycle). Keep the two sentences identical.
const rootHint = "needs root (real mounts, namespaces, cgroups, registry): run `sudo make test`"

// requireRoot skips t unless this process can do what unpacking needs:
// it probes the capabilities (mknod of a device, a trusted.* xattr) rather
// than trusting the uid, so a root shell inside a container that lacks
// CAP_MKNOD skips with the reason instead of failing. (The whiteout device
// 0:0 is no probe: since Linux 5.8 anyone may create it.)
func requireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip(rootHint)
	}
	dir := t.TempDir()
	if err := unix.Mknod(filepath.Join(dir, "null"), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))); err != nil {
		t.Skipf("root, but mknod of a device fails (%v): no CAP_MKNOD here?", err)
	}
	if err := unix.Setxattr(dir, "trusted.overlay.opaque", []byte("y"), 0); err != nil {
		t.Skipf("root, but setting a trusted.* xattr on %s fails (%v): need CAP_SYS_ADMIN and a filesystem with xattrs", dir, err)
	}
}
