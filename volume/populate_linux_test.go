package volume

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// fakeRootfs is a directory that looks like a container's merged rootfs:
// a VOLUME path /data with every kind of entry, and symlinks that try to
// lead a copy out of the rootfs. Populate needs no mount for this: it
// works on whatever tree is at rootfs.
func fakeRootfs(t *testing.T) string {
	t.Helper()
	r := filepath.Join(t.TempDir(), "rootfs")
	mtime := time.Date(2020, 2, 2, 2, 2, 2, 0, time.UTC)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"etc", "data/sub", "data/empty"} {
		must(os.MkdirAll(filepath.Join(r, d), 0o755))
	}
	must(os.WriteFile(filepath.Join(r, "etc/passwd"), []byte("image passwd\n"), 0o644))
	must(os.WriteFile(filepath.Join(r, "data/seed"), []byte("seed\n"), 0o640))
	must(os.Chmod(filepath.Join(r, "data/seed"), os.ModeSetuid|0o750)) // setuid survives
	must(os.WriteFile(filepath.Join(r, "data/sub/deep"), []byte("deep\n"), 0o600))
	must(os.Symlink("/etc/passwd", filepath.Join(r, "data/abs")))
	must(os.Symlink("../../../../../../etc", filepath.Join(r, "data/rel")))
	must(unix.Mkfifo(filepath.Join(r, "data/fifo"), 0o620))
	must(os.Chmod(filepath.Join(r, "data/fifo"), 0o620)) // past the umask
	must(os.Chmod(filepath.Join(r, "data"), 0o750))
	must(os.Symlink("/etc", filepath.Join(r, "evil")))
	must(os.Symlink("../../..", filepath.Join(r, "up")))
	must(os.WriteFile(filepath.Join(r, "file"), nil, 0o644))
	for _, p := range []string{"data/seed", "data/sub", "data"} {
		must(os.Chtimes(filepath.Join(r, p), mtime, mtime))
	}
	return r
}

func listTree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		line := rel + " " + fi.Mode().String()
		if fi.Mode()&os.ModeSymlink != 0 {
			target, _ := os.Readlink(p)
			line += " -> " + target
		}
		out = append(out, line)
		return nil
	})
	sort.Strings(out)
	return out
}

func TestPopulate(t *testing.T) {
	rootfs := fakeRootfs(t)
	data := t.TempDir()
	copied, err := Populate(rootfs, "/data", data)
	if err != nil || !copied {
		t.Fatalf("Populate(/data) = %v, %v", copied, err)
	}
	want := []string{
		". drwxr-x---", "abs Lrwxrwxrwx -> /etc/passwd", "empty drwxr-xr-x", "fifo prw--w----",
		"rel Lrwxrwxrwx -> ../../../../../../etc", "seed urwxr-x---", "sub drwxr-xr-x", "sub/deep -rw-------",
	}
	if got := listTree(t, data); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("volume after populate:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, p := range []string{"", "seed", "sub"} {
		a, _ := os.Stat(filepath.Join(rootfs, "data", p))
		b, _ := os.Stat(filepath.Join(data, p))
		as, bs := a.Sys().(*syscall.Stat_t), b.Sys().(*syscall.Stat_t)
		if !a.ModTime().Equal(b.ModTime()) || as.Uid != bs.Uid || as.Gid != bs.Gid {
			t.Errorf("%s: mtime %v uid %d gid %d, want %v %d %d", p, b.ModTime(), bs.Uid, bs.Gid, a.ModTime(), as.Uid, as.Gid)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(data, "sub/deep")); string(b) != "deep\n" {
		t.Errorf("sub/deep = %q", b)
	}

	// Not empty any more: never populated again, whatever the image has.
	os.Remove(filepath.Join(data, "seed"))
	if copied, err := Populate(rootfs, "/data", data); err != nil || copied {
		t.Errorf("Populate of a non-empty volume = %v, %v; want no copy", copied, err)
	}
	if _, err := os.Lstat(filepath.Join(data, "seed")); !os.IsNotExist(err) {
		t.Errorf("seed came back: %v", err)
	}
}

func TestPopulateStaysInRoot(t *testing.T) {
	rootfs := fakeRootfs(t)
	// /evil -> /etc is the IMAGE's /etc: one file, not the host's many.
	data := t.TempDir()
	if copied, err := Populate(rootfs, "/evil", data); err != nil || !copied {
		t.Fatalf("Populate(/evil) = %v, %v", copied, err)
	}
	if got := listTree(t, data); len(got) != 2 || got[1] != "passwd -rw-r--r--" {
		t.Errorf("volume of /evil -> /etc: %q, want the image's /etc (passwd only)", got)
	}
	// /up -> ../../.. is the rootfs itself: refused, nothing copied.
	data = t.TempDir()
	_, err := Populate(rootfs, "/up", data)
	if err == nil || !strings.Contains(err.Error(), "resolves to the container's root") {
		t.Errorf("Populate(/up -> ../../..) = %v, want refused", err)
	}
	for _, target := range []string{"/up/..", "/data/rel/.."} {
		if _, err := Populate(rootfs, target, data); err == nil {
			t.Errorf("Populate(%s) succeeded", target)
		}
	}
	// Nothing there, or no directory: nothing to copy.
	for _, target := range []string{"/missing", "/file", "/data/abs"} {
		if copied, err := Populate(rootfs, target, data); err != nil || copied {
			t.Errorf("Populate(%s) = %v, %v; want no copy, no error", target, copied, err)
		}
	}
	if got := listTree(t, data); len(got) != 1 {
		t.Errorf("the refused volume got files: %q", got)
	}
}

// A copy that fails half way leaves the volume empty, as it was, so the
// next start populates it again instead of running on half the files.
// The copy is made to fail where it can be: as a normal user on a
// directory the user cannot read; as root (who reads anything) on a volume
// in a tmpfs too small for the image's files.
func TestPopulateFailsWhole(t *testing.T) {
	r := fakeRootfs(t)
	data := filepath.Join(t.TempDir(), "_data")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		if err := unix.Mount("tmpfs", data, "tmpfs", 0, "size=64k"); err != nil {
			t.Fatalf("mount a small tmpfs: %v", err)
		}
		t.Cleanup(func() { unix.Unmount(data, unix.MNT_DETACH) })
		big := make([]byte, 256<<10)
		if err := os.WriteFile(filepath.Join(r, "data/sub/big"), big, 0o644); err != nil {
			t.Fatal(err)
		}
	} else {
		locked := filepath.Join(r, "data/sub/locked")
		if err := os.MkdirAll(locked, 0o755); err != nil {
			t.Fatal(err)
		}
		os.Chmod(locked, 0)
		t.Cleanup(func() { os.Chmod(locked, 0o755) })
	}
	copied, err := Populate(r, "/data", data)
	if err == nil || copied {
		t.Fatalf("Populate: copied %v, err %v; want a failure", copied, err)
	}
	if names, _ := os.ReadDir(data); len(names) != 0 {
		t.Errorf("after a failed populate the volume holds %d entries, want none", len(names))
	}
}

// Two containers starting at once on one new volume: the flock on its
// directory lets exactly one of them copy; the other finds it full.
func TestPopulateConcurrent(t *testing.T) {
	r := fakeRootfs(t)
	data := filepath.Join(t.TempDir(), "_data")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	const n = 8
	copied := make(chan bool, n)
	for i := 0; i < n; i++ {
		go func() {
			ok, err := Populate(r, "/data", data)
			if err != nil {
				t.Error(err)
			}
			copied <- ok
		}()
	}
	count := 0
	for i := 0; i < n; i++ {
		if <-copied {
			count++
		}
	}
	if count != 1 {
		t.Errorf("%d of %d concurrent populates copied, want exactly 1", count, n)
	}
	if got, want := listTree(t, data), listTree(t, filepath.Join(r, "data")); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("volume after concurrent populates:\n%s\nwant the image's /data:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
