package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/minictr/minictr/cli"
	"github.com/minictr/minictr/layers"
	"github.com/minictr/minictr/volume"
)

// The volume tests run real containers with real bind mounts of volume
// directories, and look at the store: where each write landed (the
// volume's _data, never the container's upper/), which volumes each
// command leaves.

// volumes lists the volume names in the store, as `volume ls -q` prints them.
func (c *harness) volumes() []string {
	c.t.Helper()
	return strings.Fields(c.ok("volume", "ls", "-q"))
}

// volumeInspect is `volume inspect NAME`.
func (c *harness) volumeInspect(name string) cli.VolumeInspect {
	c.t.Helper()
	var v []cli.VolumeInspect
	if err := json.Unmarshal([]byte(c.ok("volume", "inspect", name)), &v); err != nil || len(v) != 1 {
		c.t.Fatalf("volume inspect %s: %v", name, err)
	}
	return v[0]
}

// ctrVolume is the one Mount of type volume of container name (inspect).
func (c *harness) ctrVolume(name string) cli.MountPoint {
	c.t.Helper()
	var found []cli.MountPoint
	for _, m := range c.ctrInspect(name).Mounts {
		if m.Type == "volume" {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		c.t.Fatalf("container %s: volume mounts %+v, want one", name, found)
	}
	return found[0]
}

// ctrInspect is `inspect NAME` of a container.
func (c *harness) ctrInspect(name string) cli.ContainerInspect {
	c.t.Helper()
	var v []cli.ContainerInspect
	if err := json.Unmarshal([]byte(c.ok("inspect", name)), &v); err != nil || len(v) != 1 {
		c.t.Fatalf("inspect %s: %v", name, err)
	}
	return v[0]
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func gone(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Lstat(path); !os.IsNotExist(err) {
		t.Errorf("%s exists (%v), want it absent", path, err)
	}
}

// A named volume outlives the container that wrote it, and the next
// container reads it; the write is in _data, not in the writer's upper/.
func TestVolumeNamed(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	// One -v is one mount, whatever its path holds (kong would split a
	// list flag at commas).
	host := filepath.Join(t.TempDir(), "a,b")
	os.Mkdir(host, 0o755)
	c.ok("run", "--name", "w", "-v", "data:/data", "-v", host+":/host", img, "sh", "-c", "echo one > /data/f; echo h > /host/f")
	if got := readFile(t, filepath.Join(host, "f")); got != "h\n" {
		t.Errorf("bind of a path with a comma: %q", got)
	}
	if got := c.ok("run", "--rm", "-v", "data:/data", img, "cat", "/data/f"); got != "one\n" {
		t.Errorf("second container read %q, want one", got)
	}
	w := c.ctrInspect("w")
	vi := c.volumeInspect("data")
	if vi.Mountpoint != filepath.Join(c.root, "volumes", "data", "_data") || vi.Driver != "local" || vi.Anonymous ||
		len(vi.Containers) != 1 || vi.Containers[0] != w.ID {
		t.Errorf("volume inspect data: %+v; want its _data and container %s", vi, w.ID)
	}
	if got := readFile(t, filepath.Join(vi.Mountpoint, "f")); got != "one\n" {
		t.Errorf("_data/f = %q", got)
	}
	gone(t, filepath.Join(w.GraphDriver.Data["UpperDir"], "data", "f"))
	if m := c.ctrVolume("w"); m.Name != "data" || m.Source != vi.Mountpoint || m.Destination != "/data" || !m.RW {
		t.Errorf("inspect w: Mounts %+v", m)
	}
	if out := c.ok("volume", "ls"); !regexp.MustCompile(`(?m)^DRIVER +VOLUME NAME\nlocal +data\n$`).MatchString(out) {
		t.Errorf("volume ls:\n%s", out)
	}
	var ls []cli.VolumeInspect
	if err := json.Unmarshal([]byte(c.ok("volume", "ls", "--json")), &ls); err != nil || len(ls) != 1 || ls[0].Name != "data" {
		t.Errorf("volume ls --json: %+v, %v", ls, err)
	}

	// In use by a stopped container: refused, one line, nothing changed.
	before := c.snapshot()
	r := c.run("volume", "rm", "data")
	if r.code != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "volume data is in use by container "+w.ID[:12]+" (w)") {
		t.Errorf("volume rm of a volume in use: exit %d, stderr %q", r.code, r.stderr)
	}
	if c.snapshot() != before {
		t.Errorf("a refused volume rm changed the store")
	}
	c.ok("rm", "-v", "w") // -v: named volumes stay
	if got := c.volumes(); len(got) != 1 || got[0] != "data" {
		t.Errorf("after rm -v, volumes %q: want data kept", got)
	}
	if out := c.ok("volume", "rm", "data"); out != "data\n" {
		t.Errorf("volume rm printed %q", out)
	}
	gone(t, filepath.Join(c.root, "volumes", "data"))
	if r := c.run("volume", "rm", "data"); r.code != 1 || !strings.Contains(r.stderr, "no such volume: data") {
		t.Errorf("volume rm of a missing volume: %d %q", r.code, r.stderr)
	}
}

// Anonymous volumes: rm keeps them, rm -v and run --rm remove them,
// prune removes the unused ones (-a: named ones too), :ro refuses writes.
func TestVolumeAnonymous(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	c.ok("run", "--name", "a", "-v", "/data", img, "sh", "-c", "echo x > /data/y")
	m := c.ctrVolume("a")
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(m.Name) || m.Destination != "/data" {
		t.Fatalf("anonymous volume %+v", m)
	}
	if got := readFile(t, filepath.Join(m.Source, "y")); got != "x\n" || !c.volumeInspect(m.Name).Anonymous {
		t.Errorf("anonymous volume: y = %q, inspect %+v", got, c.volumeInspect(m.Name))
	}
	c.ok("rm", "a") // without -v the volume stays, as in docker
	if got := c.volumes(); len(got) != 1 || got[0] != m.Name {
		t.Fatalf("after rm: volumes %q, want %s kept", got, m.Name)
	}
	c.ok("run", "--name", "b", "-v", "/tmp/x", "-v", "keep:/keep", img, "true")
	c.ok("rm", "-v", "b")
	if got := strings.Join(c.volumes(), " "); len(c.volumes()) != 2 || !strings.Contains(got, m.Name) || !strings.Contains(got, "keep") {
		t.Errorf("after rm -v b: volumes %q, want %s and keep", got, m.Name)
	}
	c.ok("run", "--rm", "-v", "/scratch", img, "sh", "-c", "echo tmp > /scratch/f")
	if n := len(c.volumes()); n != 2 {
		t.Errorf("run --rm left its anonymous volume: %q", c.volumes())
	}

	// :ro refuses writes (in the container), the volume stays empty.
	r := c.run("run", "--rm", "-v", "keep:/keep:ro", img, "sh", "-c", "echo no > /keep/f")
	if r.code == 0 || !strings.Contains(r.stderr, "Read-only file system") {
		t.Errorf("write to a :ro volume: exit %d, %q", r.code, r.stderr)
	}
	gone(t, filepath.Join(c.root, "volumes", "keep", "_data", "f"))

	// system df counts them; volume prune asks first and keeps used ones.
	c.ok("run", "--name", "user", "-v", "used:/u", "-v", "/anon-used", img, "sh", "-c", "echo 12345 > /u/f")
	if df := c.df()["Local Volumes"]; df.Total != 4 || df.Active != 2 || df.Size != 2+6 || df.Reclaimable != 2 {
		t.Errorf("system df Local Volumes: %+v; want 4 volumes, 2 active, 8 bytes, 2 reclaimable", df)
	}
	cmd := c.cmd("volume", "prune")
	cmd.Stdin = strings.NewReader("n\n")
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "Are you sure you want to continue? [y/N]") {
		t.Errorf("volume prune without -f: %v %s", err, out)
	}
	if n := len(c.volumes()); n != 4 {
		t.Errorf("volume prune answered n removed volumes: %q", c.volumes())
	}
	if out := c.ok("volume", "prune", "-f"); out != "Deleted Volumes:\n"+m.Name+"\n\nTotal reclaimed space: 2B\n" {
		t.Errorf("volume prune -f printed %q", out)
	}
	c.ok("volume", "prune", "-a", "-f")
	if got := c.volumes(); len(got) != 2 || !strings.Contains(strings.Join(got, " "), "used") {
		t.Errorf("after prune -a: %q, want the two volumes of container user", got)
	}
	// system prune --volumes: the container goes first, then its anonymous volume.
	c.ok("system", "prune", "--volumes")
	if got := c.volumes(); len(got) != 1 || got[0] != "used" {
		t.Errorf("after system prune --volumes: %q, want the named volume only", got)
	}
}

// Bad -v input and bad volume names: one line, exit 125, store unchanged.
func TestVolumeBadInput(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	c.ok("volume", "create", "exists")
	before := c.snapshot()
	for _, tc := range []struct{ want, v string }{
		{`invalid volume name "bad/name"`, "bad/name:/x"},
		// docker 23+: a leading "." is a host path relative to the working
		// directory (here the test's package directory), which must exist.
		{`invalid volume "./nonexistent-rel:/x": stat `, "./nonexistent-rel:/x"},
		{`unknown mode ""`, "data:/x:"},
		{`over the container's root`, "data:/"},
		{`over the container's root`, "/"},
		{`container path "relative" is not absolute`, "data:relative"},
		{`unknown mode "rx"`, "data:/x:rx"},
		{`unknown mode "rx"`, "/tmp:/x:rx"},
		{`want [HOST:|NAME:]CONTAINER[:ro|rw]`, "a:/b:ro:x"},
	} {
		c.fails(tc.want, "run", "--rm", "-v", tc.v, img, "true")
	}
	c.fails("duplicate mount point /x", "run", "--rm", "-v", "exists:/x", "-v", "/x/", img, "true")
	c.fails(`invalid volume name "-x"`, "volume", "create", "--", "-x")
	c.fails(`invalid volume name "a"`, "volume", "create", "a")
	c.fails("no such volume: nope", "volume", "inspect", "nope")
	if after := c.snapshot(); after != before {
		t.Errorf("bad input changed the store:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if got := strings.TrimSpace(c.ok("volume", "create", "exists")); got != "exists" {
		t.Errorf("volume create of an existing volume printed %q", got)
	}
	name := strings.TrimSpace(c.ok("volume", "create"))
	if volume.ValidName(name) != nil || len(name) != 64 || c.volumeInspect(name).Anonymous {
		t.Errorf("volume create without a name: %q, %+v", name, c.volumeInspect(name))
	}
}

// Creating a container's volumes and removing a volume both happen under
// the store lock: run creates them together with the container, so a
// volume rm sees either no volume or a container using it (a "found it,
// then it was removed" window would start a container on a volume that is
// gone). The test holds the lock itself and sees each command wait for it
// (a "->" waiter line of its PID in /proc/locks) with the store unchanged.
func TestVolumeUnderStoreLock(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	c.ok("volume", "create", "old")
	c.ok("volume", "create", "unused")
	for _, tc := range []struct {
		args  []string
		check func() // while the command waits
	}{
		{[]string{"run", "--rm", "-v", "new:/x", img, "true"}, func() { gone(t, filepath.Join(c.root, "volumes", "new")) }},
		{[]string{"volume", "rm", "old"}, func() { c.volumeInspect("old") }},
		{[]string{"volume", "prune", "-a", "-f"}, func() { c.volumeInspect("unused") }},
	} {
		lock, err := layers.LockStore(c.root)
		if err != nil {
			t.Fatal(err)
		}
		cmd := c.cmd(tc.args...)
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitLockWaiter(t, filepath.Join(c.root, "lock"), cmd.Process.Pid)
		tc.check()
		lock.Unlock()
		if err := cmd.Wait(); err != nil {
			t.Errorf("minictr %s: %v\n%s", strings.Join(tc.args, " "), err, out.String())
		}
	}
	if got := c.volumes(); len(got) != 0 {
		t.Errorf("volumes %q left, want none (rm, then prune -a)", got)
	}
}

// waitLockWaiter waits until process pid waits for the flock on file:
// /proc/locks shows a waiter as "N: -> FLOCK ADVISORY WRITE PID MAJ:MIN:INODE ...".
func waitLockWaiter(t *testing.T, file string, pid int) {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat(file, &st); err != nil {
		t.Fatal(err)
	}
	want := regexp.MustCompile(fmt.Sprintf(`(?m)-> FLOCK +ADVISORY +WRITE +%d +[0-9a-f]+:[0-9a-f]+:%d `, pid, st.Ino))
	for i := 0; i < 1200; i++ {
		locks, _ := os.ReadFile("/proc/locks")
		if want.Match(locks) {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("process %d never waited for the store lock %s", pid, file)
}
