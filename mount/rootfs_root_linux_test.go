package mount

import (
	"debug/elf"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/minictr/minictr/internal/testutil"
	"golang.org/x/sys/unix"
)

// testHostname is the hostname of the test container.
const testHostname = "c1"

// busyboxContainer lays out a container the way minictr will: two image
// layers (a static busybox base, an "app" layer on top), and a container
// directory with upper, work, rootfs, plus a host directory for a volume.
func busyboxContainer(t *testing.T) RootfsConfig {
	t.Helper()
	testutil.RequireRoot(t)
	testutil.RequireTool(t, "busybox", "busybox-static")
	requireStatic(t, "/bin/busybox")
	dir := t.TempDir()
	base, app, c := dir+"/layers/base", dir+"/layers/app", dir+"/containers/c1"
	writeTree(t, base, map[string]string{
		"proc/": "", "sys/": "", "dev/": "", "tmp/": "", "etc/hostname": "busybox\n",
	})
	copyFile(t, "/bin/busybox", base+"/bin/busybox", 0o755)
	writeTree(t, app, map[string]string{"etc/motd": "hello from the app layer\n"})
	writeTree(t, c, map[string]string{"upper/": "", "work/": "", "rootfs/": ""})
	writeTree(t, dir, map[string]string{"volume/data.txt": "from the host\n"})
	etc, err := Files(c, testHostname, nil, []byte("nameserver 127.0.0.1\n"))
	if err != nil {
		t.Fatal(err)
	}
	return RootfsConfig{
		Rootfs: c + "/rootfs", Lowers: []string{app, base}, Upper: c + "/upper", Work: c + "/work",
		Binds: append(etc, Bind{Source: dir + "/volume", Target: "/data", ReadOnly: true}),
	}
}

func requireStatic(t *testing.T, path string) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Skipf("%s: %v: install the Debian package busybox-static", path, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Skipf("%s is dynamically linked: install the Debian package busybox-static", path)
		}
	}
}

func copyFile(t *testing.T, src, dst string, mode os.FileMode) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

var containerNamespaces = &syscall.SysProcAttr{Cloneflags: unix.CLONE_NEWNS | unix.CLONE_NEWPID | unix.CLONE_NEWUTS}

// noMountsLeft asserts that the host's mount table has nothing under dir:
// everything the child mounted died with its mount namespace.
func noMountsLeft(t *testing.T, dir string) {
	t.Helper()
	mounts, err := ReadMountInfo()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range MountsUnder(mounts, dir) {
		t.Errorf("mount left on the host: %s on %s", m.FSType, m.Target)
	}
}

func TestSetupRootfs(t *testing.T) {
	cfg := busyboxContainer(t)
	out, err := runHelper(t, os.Args[0], "setup", cfg, containerNamespaces)
	t.Logf("child output:\n%s", out)
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	for _, want := range []string{"bin\n", "data\n", "dev\n", "etc\n", "proc\n", "sys\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("busybox ls / did not list %q", strings.TrimSpace(want))
		}
	}
	if got := readFile(t, cfg.Upper+"/newfile"); got != "new" {
		t.Errorf("upper/newfile = %q: the container's write did not land in upper", got)
	}
	// Docker's way: /etc/hostname was bind-mounted from the container dir,
	// so the image diff (the upper layer) does not contain it.
	if _, err := os.Lstat(cfg.Upper + "/etc/hostname"); err == nil {
		t.Errorf("upper/etc/hostname exists: /etc files leaked into the container's layer")
	}
	noMountsLeft(t, filepath.Dir(filepath.Dir(cfg.Upper)))
}

func TestSetupRootfsReadOnly(t *testing.T) {
	cfg := busyboxContainer(t)
	cfg.ReadOnly = true
	out, err := runHelper(t, os.Args[0], "setup", cfg, containerNamespaces)
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(out, "ok: --read-only: / refuses writes") {
		t.Errorf("read-only check did not run:\n%s", out)
	}
	noMountsLeft(t, filepath.Dir(filepath.Dir(cfg.Upper)))
}

// Break it: pivot_root(2) refuses when the new root's parent mount is shared.
func TestPivotRootSharedFails(t *testing.T) {
	cfg := busyboxContainer(t)
	out, err := runHelper(t, os.Args[0], "shared", cfg, containerNamespaces)
	t.Logf("child output:\n%s", out)
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	want := "PivotRoot: pivot_root " + cfg.Rootfs + ": invalid argument: its parent mount / has shared propagation"
	if !strings.Contains(out, want) {
		t.Errorf("want %q in the output", want)
	}
	noMountsLeft(t, filepath.Dir(filepath.Dir(cfg.Upper)))
}

// Break it: an ordinary user may not mount (mount(2) needs CAP_SYS_ADMIN).
// The child runs as nobody, from a copy of the test binary it can execute.
func TestMountAsNonRootFails(t *testing.T) {
	cfg := busyboxContainer(t)
	bin := t.TempDir() + "/mount.test"
	copyFile(t, os.Args[0], bin, 0o755)
	for _, d := range []string{filepath.Dir(bin), filepath.Dir(filepath.Dir(bin)),
		filepath.Dir(filepath.Dir(cfg.Upper)), filepath.Dir(filepath.Dir(filepath.Dir(filepath.Dir(cfg.Upper))))} {
		if err := os.Chmod(d, 0o755); err != nil { // t.TempDir makes 0700 directories
			t.Fatal(err)
		}
	}
	out, err := runHelper(t, bin, "nonroot", cfg, &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}})
	t.Logf("child output:\n%s", out)
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	if want := "Apply: mount overlay on " + cfg.Rootfs + ": operation not permitted"; !strings.Contains(out, want) {
		t.Errorf("want %q in the output", want)
	}
}

// chroot(2) can be escaped by a root process; pivot_root(2) plus
// detaching the old root cannot (the reason PivotRoot exists).
func TestChrootEscapesPivotRootDoesNot(t *testing.T) {
	cfg := busyboxContainer(t)
	for _, c := range []struct{ scenario, want string }{
		{"chroot-escape", "escaped: the host path"},
		{"pivot-escape", "still inside: the host path"},
	} {
		out, err := runHelper(t, os.Args[0], c.scenario, cfg, containerNamespaces)
		t.Logf("%s:\n%s", c.scenario, out)
		if err != nil {
			t.Errorf("%s: %v", c.scenario, err)
		} else if !strings.Contains(out, c.want) {
			t.Errorf("%s: want %q in the output", c.scenario, c.want)
		}
	}
	noMountsLeft(t, filepath.Dir(filepath.Dir(cfg.Upper)))
}

func TestMountBindsMissingSource(t *testing.T) {
	rootfs := t.TempDir()
	err := MountBinds(rootfs, []Bind{{Source: "/nonexistent/minictr-vol", Target: "/data"}})
	if err == nil || err.Error() != "bind source /nonexistent/minictr-vol: no such file or directory" {
		t.Errorf("got %v", err)
	}
	if _, err := os.Lstat(rootfs + "/data"); err == nil {
		t.Error("a failed bind left its mount point behind")
	}
}
