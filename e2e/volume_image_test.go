package e2e

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/minictr/minictr/internal/testutil"
)

// seedTime is the mtime of the image's seed file, to see it kept.
var seedTime = time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)

// volumeImage loads vol:test: busybox, plus a database-like directory
// /var/lib/db owned by uid 999 that the image declares as a VOLUME (as
// the postgres image does), and symlinks that try to lead a volume, or
// populate, out of the rootfs.
func (c *harness) volumeImage() string {
	c.t.Helper()
	db := []testutil.File{
		testutil.Dir("var", 0o755), testutil.Dir("var/lib", 0o755),
		{Name: "var/lib/db", Mode: fs.ModeDir | 0o750, Uid: 999, Gid: 999},
		{Name: "var/lib/db/seed.txt", Mode: 0o640, Uid: 999, Gid: 999, Data: []byte("seed\n"), ModTime: seedTime},
		testutil.Hardlink("var/lib/db/hard", "var/lib/db/seed.txt"),
		testutil.Symlink("var/lib/db/passwd-link", "/etc/passwd"),
		testutil.Symlink("var/lib/db/up", "../../../../.."),
		testutil.Dir("var/lib/db/sub", 0o755),
		testutil.Reg("var/lib/db/sub/deep", 0o644, "deep\n"),
		testutil.Symlink("evil", "/etc"),
		testutil.Symlink("up", "../../.."),
	}
	img := testutil.BusyboxImage(c.t)
	img.Layers = append(img.Layers, testutil.Layer{Tar: testutil.TarLayer(c.t, db), CreatedBy: "COPY db/ /var/lib/db/"})
	img.Layers = append(img.Layers, testutil.Layer{CreatedBy: "VOLUME [/var/lib/db]"})
	img.Config.Config.Volumes = map[string]struct{}{"/var/lib/db": {}}
	path := filepath.Join(c.t.TempDir(), "vol.tar")
	img.WriteDockerArchive(c.t, path, []string{"vol:test"}, false)
	c.ok("load", "-i", path)
	return "vol:test"
}

// names lists a directory, sorted.
func names(t *testing.T, dir string) string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// An image VOLUME gets an anonymous volume, populated from the image's
// files there (owner, mode, mtime, symlinks as symlinks); writes land in
// the volume; a volume that is not empty is never populated again.
func TestVolumeImage(t *testing.T) {
	c := newCLI(t)
	img := c.volumeImage()
	out := c.ok("run", "--name", "p1", img, "sh", "-c", `cat /var/lib/db/seed.txt; stat -c "%u:%g %a" /var/lib/db; echo new > /var/lib/db/new`)
	if out != "seed\n999:999 750\n" {
		t.Errorf("the container saw %q, want the image's seed and a 999:999 750 directory", out)
	}
	m := c.ctrVolume("p1")
	if m.Destination != "/var/lib/db" || !c.volumeInspect(m.Name).Anonymous {
		t.Errorf("image VOLUME: mount %+v", m)
	}
	if got := names(t, m.Source); got != "hard new passwd-link seed.txt sub up" {
		t.Errorf("volume of the image VOLUME has %q", got)
	}
	var st syscall.Stat_t
	fi, _ := os.Stat(filepath.Join(m.Source, "seed.txt"))
	if err := syscall.Stat(filepath.Join(m.Source, "seed.txt"), &st); err != nil || st.Uid != 999 || st.Mode&0o7777 != 0o640 ||
		!fi.ModTime().Equal(seedTime) || st.Nlink != 1 {
		t.Errorf("seed.txt in the volume: %+v, %v; want uid 999, mode 0640, the image's mtime, one link", st, err)
	}
	if err := syscall.Stat(m.Source, &st); err != nil || st.Uid != 999 || st.Mode&0o7777 != 0o750 {
		t.Errorf("the volume's _data: uid %d mode %o, want the image directory's 999 and 0750", st.Uid, st.Mode&0o7777)
	}
	for link, target := range map[string]string{"passwd-link": "/etc/passwd", "up": "../../../../.."} {
		if got, err := os.Readlink(filepath.Join(m.Source, link)); err != nil || got != target {
			t.Errorf("%s in the volume: %q, %v; want a symlink to %s, not followed", link, got, err, target)
		}
	}
	if got := readFile(t, filepath.Join(m.Source, "sub", "deep")); got != "deep\n" {
		t.Errorf("sub/deep = %q", got)
	}
	gone(t, filepath.Join(c.ctrInspect("p1").GraphDriver.Data["UpperDir"], "var", "lib", "db", "new"))

	// -v covers the image's VOLUME: no anonymous volume; the named one is
	// populated once, then never again.
	c.ok("run", "--rm", "-v", "db:/var/lib/db", img, "sh", "-c", "rm /var/lib/db/seed.txt; echo mine > /var/lib/db/mine")
	if got := strings.Join(c.volumes(), " "); len(c.volumes()) != 2 || !strings.Contains(got, "db") {
		t.Errorf("volumes %q: want p1's and db only", got)
	}
	if got := c.ok("run", "--rm", "-v", "db:/var/lib/db", img, "ls", "/var/lib/db"); strings.Fields(got)[1] != "mine" || strings.Contains(got, "seed") {
		t.Errorf("second run on db sees %q: want mine, no seed.txt (not populated again)", got)
	}

	// The monitor (run -d) and start mount the same volume again.
	id := c.detached("--name", "d", "-v", "runs:/log", img, "sh", "-c", "echo run >> /log/runs")
	c.waitStatus(id, "Exited (0)")
	c.ok("start", "-a", "d")
	if got := readFile(t, filepath.Join(c.root, "volumes", "runs", "_data", "runs")); got != "run\nrun\n" {
		t.Errorf("run -d then start -a wrote %q to the volume", got)
	}
}

// Symlinks in the image at a volume's path resolve inside the rootfs, as
// if it were "/": /evil -> /etc is the image's /etc, never the host's, and
// ../../.. (the rootfs itself) is refused.
func TestVolumeSymlinkEscape(t *testing.T) {
	c := newCLI(t)
	img := c.volumeImage()
	planted := "/etc/minictr-volume-test-planted"
	os.Remove(planted)
	t.Cleanup(func() { os.Remove(planted) })
	c.ok("run", "--rm", "-v", "ev:/evil", img, "sh", "-c", "echo planted > /evil/minictr-volume-test-planted")
	data := filepath.Join(c.root, "volumes", "ev", "_data")
	// The container's /etc/hosts and resolv.conf are bind-mounted over the
	// volume (parents first), on empty files made as their mount points.
	if got := names(t, data); got != "group hostname hosts minictr-volume-test-planted passwd resolv.conf" {
		t.Errorf("volume on /evil -> /etc has %q: want the image's /etc, the planted file, the mount points", got)
	}
	for _, f := range []string{"hosts", "resolv.conf"} {
		if fi, err := os.Stat(filepath.Join(data, f)); err != nil || fi.Size() != 0 {
			t.Errorf("mount point %s in the volume: %v, %v; want an empty file", f, fi, err)
		}
	}
	if got := readFile(t, filepath.Join(data, "passwd")); !strings.Contains(got, "app:x:1000:1000") {
		t.Errorf("the volume's passwd is not the image's:\n%s", got)
	}
	gone(t, planted)

	before := c.volumes()
	c.fails("/up resolves to the container's root", "run", "--rm", "-v", "/up", img, "true")
	c.fails("/up resolves to the container's root", "run", "--rm", "-v", "upv:/up", img, "true")
	if got := names(t, filepath.Join(c.root, "volumes", "upv", "_data")); got != "" {
		t.Errorf("the refused volume got %q", got)
	}
	if got := c.volumes(); len(got) != len(before)+1 {
		t.Errorf("volumes %q after the refused runs: want %q and upv (run --rm removed the anonymous one)", got, before)
	}
	if ids := c.containerIDs(); len(ids) != 0 {
		t.Errorf("containers left: %q", ids)
	}
}
