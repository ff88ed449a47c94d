package layers

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// capNetBindService is a security.capability xattr value as setcap(8)
// writes it: struct vfs_cap_data revision 2, effective flag set, permitted
// = CAP_NET_BIND_SERVICE (bit 10) (see capabilities(7), "File capabilities").
func capNetBindService() string {
	b := make([]byte, 20)
	binary.LittleEndian.PutUint32(b[0:], 0x02000000|1) // VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE
	binary.LittleEndian.PutUint32(b[4:], 1<<10)        // permitted, low word
	return string(b)
}

// everyEntry is a layer with one of each kind of tar entry.
func everyEntry() []tarEntry {
	t1, t2, t3 := testTime, testTime.Add(time.Hour), testTime.Add(-time.Hour)
	withTimes := func(e tarEntry, m, a time.Time) tarEntry { e.ModTime, e.AccessTime = m, a; return e }
	withMode := func(e tarEntry, mode int64, uid, gid int) tarEntry { e.Mode, e.Uid, e.Gid = mode, uid, gid; return e }
	dev := func(typ byte, name string, major, minor int64) tarEntry {
		return tarEntry{Header: tar.Header{Typeflag: typ, Name: name, Mode: 0o660, Devmajor: major, Devminor: minor, ModTime: t1}}
	}
	xf := tfile("bin/ping", "ELF...")
	xf.PAXRecords = map[string]string{
		"SCHILY.xattr.user.origin":            "test",
		"SCHILY.xattr.security.capability":    capNetBindService(),
		"SCHILY.xattr.trusted.overlay.opaque": "y", // must be dropped
	}
	xd := tdir("data/")
	xd.PAXRecords = map[string]string{"SCHILY.xattr.user.dir": "yes"}
	sparse := tfile("data/sparse.img", "")
	sparse.Body = make([]byte, 4<<20)
	copy(sparse.Body, "head")
	copy(sparse.Body[len(sparse.Body)-4:], "tail")
	return []tarEntry{
		withTimes(withMode(tdir("./"), 0o755, 0, 0), t2, t2),
		withTimes(withMode(tdir("home/"), 0o750, 1000, 1001), t1, t3),
		withTimes(withMode(tfile("home/notes", "hello"), 0o640, 1000, 1001), t2, t3),
		withMode(tdir("bin/"), 0o755, 0, 0),
		withMode(tfile("bin/su", "setuid"), 0o4755, 0, 0),
		withMode(tfile("bin/wall", "setgid"), 0o2755, 0, 5),
		withMode(tdir("tmp/"), 0o1777, 0, 0),
		withTimes(withMode(tsymlink("home/link", "notes"), 0o777, 1000, 1001), t3, t3),
		tsymlink("etc-passwd", "/etc/passwd"),
		thardlink("home/hard", "home/notes"),
		withMode(dev(tar.TypeChar, "dev/null", 1, 3), 0o666, 0, 0),
		dev(tar.TypeBlock, "dev/loop9", 7, 9),
		dev(tar.TypeFifo, "run/fifo", 0, 0),
		xf, xd, sparse,
		tfile("gone/.wh.motd", ""),
		tdir("opq/"), tfile("opq/.wh..wh..opq", ""), tfile("opq/mine", "kept"),
	}
}

func TestUnpackTarEveryEntryType(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	size, err := UnpackTar(context.Background(), dir, bytes.NewReader(makeTar(t, everyEntry()...)))
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(len("hello") + len("setuid") + len("setgid") + len("ELF...") + 4<<20 + len("kept")); size != want {
		t.Errorf("size %d, want %d", size, want)
	}
	st := func(name string) *syscall.Stat_t {
		t.Helper()
		fi, err := os.Lstat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return fi.Sys().(*syscall.Stat_t)
	}
	type want struct {
		name     string
		mode     uint32 // type and permission bits, as lstat reports them
		uid, gid uint32
		mtime    time.Time
		atime    time.Time // zero: not checked
	}
	t1, t2, t3 := testTime, testTime.Add(time.Hour), testTime.Add(-time.Hour)
	for _, w := range []want{
		{".", unix.S_IFDIR | 0o755, 0, 0, t2, t2},
		{"home", unix.S_IFDIR | 0o750, 1000, 1001, t1, t3}, // dir times survive the files created in it
		{"home/notes", unix.S_IFREG | 0o640, 1000, 1001, t2, t3},
		{"bin", unix.S_IFDIR | 0o755, 0, 0, t1, time.Time{}},
		{"bin/su", unix.S_IFREG | 0o4755, 0, 0, t1, time.Time{}}, // setuid survives the chown
		{"bin/wall", unix.S_IFREG | 0o2755, 0, 5, t1, time.Time{}},
		{"tmp", unix.S_IFDIR | 0o1777, 0, 0, t1, time.Time{}},
		{"home/link", unix.S_IFLNK | 0o777, 1000, 1001, t3, t3},
		{"dev/null", unix.S_IFCHR | 0o666, 0, 0, t1, time.Time{}},
		{"dev/loop9", unix.S_IFBLK | 0o660, 0, 0, t1, time.Time{}},
		{"run/fifo", unix.S_IFIFO | 0o660, 0, 0, t1, time.Time{}},
	} {
		s := st(w.name)
		if s.Mode != w.mode || s.Uid != w.uid || s.Gid != w.gid {
			t.Errorf("%s: mode %o uid %d gid %d; want %o %d %d", w.name, s.Mode, s.Uid, s.Gid, w.mode, w.uid, w.gid)
		}
		if m := time.Unix(s.Mtim.Unix()); !m.Equal(w.mtime) {
			t.Errorf("%s: mtime %v, want %v", w.name, m.UTC(), w.mtime)
		}
		if a := time.Unix(s.Atim.Unix()); !w.atime.IsZero() && !a.Equal(w.atime) {
			t.Errorf("%s: atime %v, want %v", w.name, a.UTC(), w.atime)
		}
	}
	if got, _ := os.Readlink(filepath.Join(dir, "home/link")); got != "notes" {
		t.Errorf("home/link -> %q, want notes", got)
	}
	if got, _ := os.Readlink(filepath.Join(dir, "etc-passwd")); got != "/etc/passwd" {
		t.Errorf("etc-passwd -> %q, want /etc/passwd (stored verbatim)", got)
	}
	if a, b := st("home/notes"), st("home/hard"); a.Ino != b.Ino || a.Nlink != 2 {
		t.Errorf("hard link: inodes %d and %d, nlink %d; want one inode, nlink 2", a.Ino, b.Ino, a.Nlink)
	}
	if s := st("dev/null"); unix.Major(s.Rdev) != 1 || unix.Minor(s.Rdev) != 3 {
		t.Errorf("dev/null is %d:%d, want 1:3", unix.Major(s.Rdev), unix.Minor(s.Rdev))
	}
	if s := st("dev/loop9"); unix.Major(s.Rdev) != 7 || unix.Minor(s.Rdev) != 9 {
		t.Errorf("dev/loop9 is %d:%d, want 7:9", unix.Major(s.Rdev), unix.Minor(s.Rdev))
	}
	checkXattr(t, dir, "bin/ping", "user.origin", "test")
	checkXattr(t, dir, "bin/ping", "security.capability", capNetBindService())
	checkXattr(t, dir, "bin/ping", "trusted.overlay.opaque", "")
	checkXattr(t, dir, "data", "user.dir", "yes")
	if s := st("data/sparse.img"); s.Size != 4<<20 || s.Blocks*512 >= s.Size/4 {
		t.Errorf("sparse.img: size %d, %d bytes allocated; want 4 MiB mostly holes", s.Size, s.Blocks*512)
	}
	if b := readFile(t, filepath.Join(dir, "data/sparse.img")); !strings.HasPrefix(b, "head") || !strings.HasSuffix(b, "tail") || len(b) != 4<<20 {
		t.Error("sparse.img content is wrong")
	}
	// Whiteouts in overlay form: "gone/.wh.motd" -> char device 0:0 "gone/motd".
	if s := st("gone/motd"); s.Mode&unix.S_IFMT != unix.S_IFCHR || s.Rdev != 0 {
		t.Errorf("gone/motd: mode %o rdev %d; want a 0:0 character device", s.Mode, s.Rdev)
	}
	checkXattr(t, dir, "opq", "trusted.overlay.opaque", "y")
	for _, name := range []string{"gone/.wh.motd", "opq/.wh..wh..opq"} {
		if _, err := os.Lstat(filepath.Join(dir, name)); !os.IsNotExist(err) {
			t.Errorf("%s: the OCI marker itself must not be unpacked (lstat: %v)", name, err)
		}
	}
	if got := readFile(t, filepath.Join(dir, "opq/mine")); got != "kept" {
		t.Errorf("opq/mine = %q: an opaque marker must not remove this layer's own files", got)
	}
}

// checkXattr checks an xattr's value; want "" means it must be absent.
func checkXattr(t *testing.T, dir, name, attr, want string) {
	t.Helper()
	buf := make([]byte, 256)
	n, err := unix.Lgetxattr(filepath.Join(dir, name), attr, buf)
	switch {
	case want == "" && err != unix.ENODATA:
		t.Errorf("%s: xattr %s = %q (err %v), want absent", name, attr, buf[:max(n, 0)], err)
	case want != "" && (err != nil || string(buf[:n]) != want):
		t.Errorf("%s: xattr %s = %q (err %v), want %q", name, attr, buf[:max(n, 0)], err, want)
	}
}

// Later entries replace earlier ones (OCI layer.md, "Changeset over
// existing files"), whatever kinds they are.
func TestUnpackTarReplaces(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	sub := tdir("d/")
	sub.Mode = 0o700
	es := []tarEntry{
		tdir("d/"), tfile("d/keep", "k"), sub, // dir over dir: keeps contents, takes the new mode
		tdir("f/"), tfile("f/x", "x"), tfile("f", "file over dir"),
		tfile("s", "old"), tsymlink("s", "target"), // symlink over file
		tsymlink("l", "/etc"), tfile("l", "file over symlink"),
		tfile(".wh.w", ""), tfile("w", "file over whiteout"),
		tfile(".wh.wd", ""), tdir("wd/"), // dir over whiteout: opaque
		tdir("both/"), tfile(".wh.both", ""), // whiteout of a dir of this layer: opaque
		tfile("same", "a"), tfile(".wh.same", ""), // same-layer file stays
	}
	if _, err := UnpackTar(context.Background(), dir, bytes.NewReader(makeTar(t, es...))); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(dir, "d/keep")); got != "k" {
		t.Errorf("d/keep = %q", got)
	}
	if fi, _ := os.Lstat(filepath.Join(dir, "d")); fi.Mode().Perm() != 0o700 {
		t.Errorf("d mode %v, want 0700 from the second entry", fi.Mode().Perm())
	}
	for name, want := range map[string]string{"f": "file over dir", "l": "file over symlink", "w": "file over whiteout", "same": "a"} {
		if got := readFile(t, filepath.Join(dir, name)); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if got, _ := os.Readlink(filepath.Join(dir, "s")); got != "target" {
		t.Errorf("s -> %q, want target", got)
	}
	checkXattr(t, dir, "wd", "trusted.overlay.opaque", "y")
	checkXattr(t, dir, "both", "trusted.overlay.opaque", "y")
	checkXattr(t, dir, "d", "trusted.overlay.opaque", "")
}

// Entries whose parents are missing get them created, like `mkdir -p`.
func TestUnpackTarMissingParents(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	es := []tarEntry{tfile("a/b/c/file", "deep"), tfile("x/y/.wh.z", ""), tfile("p/q/.wh..wh..opq", "")}
	if _, err := UnpackTar(context.Background(), dir, bytes.NewReader(makeTar(t, es...))); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(dir, "a/b/c/file")); got != "deep" {
		t.Errorf("a/b/c/file = %q", got)
	}
	if fi, err := os.Stat(filepath.Join(dir, "a/b")); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("created parent a/b: %v %v, want a 0755 directory", fi, err)
	}
	if fi, err := os.Lstat(filepath.Join(dir, "x/y/z")); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Errorf("x/y/z: %v %v, want a whiteout device", fi, err)
	}
	checkXattr(t, dir, "p/q", "trusted.overlay.opaque", "y")
}

func TestUnpackTarCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := UnpackTar(ctx, t.TempDir(), bytes.NewReader(makeTar(t, tfile("a", "b"))))
	if err != context.Canceled {
		t.Errorf("UnpackTar with a cancelled context: %v, want context.Canceled", err)
	}
}

// A PAX global header (`git archive` writes one with the commit ID) is
// metadata for the whole archive, not a file. Owned by the user running the
// test, so it needs no root.
func TestUnpackTarSkipsGlobalHeader(t *testing.T) {
	global := tarEntry{Header: tar.Header{Typeflag: tar.TypeXGlobalHeader, Name: "pax_global_header",
		PAXRecords: map[string]string{"comment": "5f1e2d3c"}}}
	es := append([]tarEntry{global}, owned(os.Getuid(), os.Getgid(), tfile("README", "hi"))...)
	dir := t.TempDir()
	if _, err := UnpackTar(context.Background(), dir, bytes.NewReader(makeTar(t, es...))); err != nil {
		t.Fatal(err)
	}
	if got := names(t, dir); len(got) != 1 || got[0] != "README" {
		t.Errorf("unpacked %q, want just README", got)
	}
}
