package e2e

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/minictr/minictr/cli"
	"github.com/minictr/minictr/container"
	"github.com/minictr/minictr/internal/testutil"
)

// fg is a foreground `minictr run` started in the background of the test.
type fg struct {
	cmd  *exec.Cmd
	done chan int // its exit code
}

// startFG runs `minictr run --name NAME ... sh -c SCRIPT` in the
// foreground (cmd.Start), and waits until the script has touched
// /sync/NAME. The test's cleanup kills what is left.
func (c *harness) startFG(sync, name, script string) *fg {
	c.t.Helper()
	f := c.launch(sync, name, script)
	waitFile(c.t, filepath.Join(sync, name))
	return f
}

// launch is startFG without the wait.
func (c *harness) launch(sync, name, script string) *fg {
	c.t.Helper()
	f := &fg{cmd: c.cmd("run", "--name", name, "-v", sync+":/sync", "bb:test", "sh", "-c", script), done: make(chan int, 1)}
	if err := f.cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	go func() {
		err := f.cmd.Wait()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			f.done <- ee.ExitCode()
			return
		}
		f.done <- 0
	}()
	c.t.Cleanup(func() {
		c.run("rm", "-f", name)
		f.cmd.Process.Kill()
	})
	return f
}

// state is a container's state as `inspect` shows it.
func (c *harness) state(name string) container.State {
	c.t.Helper()
	var v []cli.ContainerInspect
	if err := json.Unmarshal([]byte(c.ok("inspect", name)), &v); err != nil || len(v) != 1 {
		c.t.Fatalf("inspect %s: %v", name, err)
	}
	return v[0].State
}

// stop sends SIGTERM; a PID 1 without a handler ignores it (the kernel
// protects a namespace's init), so stop waits the timeout and kills: 137.
// A PID 1 that traps SIGTERM exits with its own code. kill -s sends exactly
// the signal asked for.
func TestStopKill(t *testing.T) {
	c := newCLI(t)
	c.busybox()
	sync := t.TempDir()
	noterm := c.startFG(sync, "noterm", "touch /sync/noterm; exec sleep 1000")
	trap := c.startFG(sync, "trap", `trap "exit 7" TERM; touch /sync/trap; sleep 1000 & wait`)

	began := time.Now()
	if out := c.ok("stop", "-t", "1", "noterm", "trap"); out != "noterm\ntrap\n" {
		t.Errorf("stop printed %q", out)
	}
	if took := time.Since(began); took < time.Second { // a lower bound: stop must wait -t
		t.Errorf("stop of a PID 1 that ignores SIGTERM took %v, less than -t 1", took)
	}
	if code := <-noterm.done; code != 137 {
		t.Errorf("run of the stopped sleep exited %d, want 137 (SIGKILL after the timeout)", code)
	}
	if code := <-trap.done; code != 7 {
		t.Errorf("run of the container that traps TERM exited %d, want its own 7", code)
	}
	// stop returns once the exit is recorded: no "unknown" state.
	if st := c.state("noterm"); st.Status != container.Exited || st.ExitCode != 137 || st.Lost {
		t.Errorf("noterm after stop: %+v", st)
	}
	if st := c.state("trap"); st.ExitCode != 7 || st.Lost {
		t.Errorf("trap after stop: %+v", st)
	}
	c.ok("stop", "noterm") // stopping a stopped container is no error, as in docker

	hup := c.startFG(sync, "hup", `trap "exit 5" HUP; touch /sync/hup; sleep 1000 & wait`)
	c.ok("kill", "-s", "SIGHUP", "hup")
	if code := <-hup.done; code != 5 {
		t.Errorf("kill -s SIGHUP of a container that traps HUP: exit %d, want 5", code)
	}
	// SIGTERM to a PID 1 without a handler is dropped; had it been
	// delivered, the container would have ended with 143, not 137.
	deaf := c.startFG(sync, "deaf", "touch /sync/deaf; exec sleep 1000")
	c.ok("kill", "-s", "15", "deaf")
	c.ok("kill", "deaf")
	if code := <-deaf.done; code != 137 {
		t.Errorf("kill -s 15 then kill: exit %d, want 137 (TERM ignored by PID 1, then KILL)", code)
	}
	if st := c.state("deaf"); st.ExitCode != 137 || st.Lost {
		t.Errorf("deaf after kill: %+v", st)
	}
	if r := c.run("kill", "deaf"); r.code != 1 || !strings.Contains(r.stderr, "is not running") {
		t.Errorf("kill of a stopped container: exit %d, %q", r.code, r.stderr)
	}
	c.fails("invalid signal", "kill", "-s", "NOPE", "deaf")

	// The same with detached containers: their monitor records the exit.
	d1 := c.detached("-v", sync+":/sync", "bb:test", "sh", "-c", "touch /sync/d1; exec sleep 1000")
	d2 := c.detached("-v", sync+":/sync", "bb:test", "sh", "-c", `trap "exit 7" TERM; touch /sync/d2; sleep 1000 & wait`)
	waitFile(t, filepath.Join(sync, "d1"))
	waitFile(t, filepath.Join(sync, "d2"))
	c.ok("stop", "-t", "1", d1[:12], d2[:12])
	if st := c.state(d1); st.Status != container.Exited || st.ExitCode != 137 || st.Lost {
		t.Errorf("run -d of sleep after stop: %+v, want exited 137", st)
	}
	if st := c.state(d2); st.Status != container.Exited || st.ExitCode != 7 || st.Lost {
		t.Errorf("run -d with a TERM trap after stop: %+v, want exited 7", st)
	}
	c.noMountsLeft()
}

// images --json and ps -a --json, for comparing with system df.
func (c *harness) imageSizes() map[string]int64 {
	c.t.Helper()
	var rows []cli.ImageSummary
	if err := json.Unmarshal([]byte(c.ok("images", "--json")), &rows); err != nil {
		c.t.Fatal(err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[r.ID] = r.Size
	}
	return out
}

func (c *harness) df() map[string]cli.UsageRow {
	c.t.Helper()
	var v cli.DiskUsage
	if err := json.Unmarshal([]byte(c.ok("system", "df", "--json")), &v); err != nil {
		c.t.Fatal(err)
	}
	out := map[string]cli.UsageRow{}
	for _, r := range v.Summary {
		out[r.Type] = r
	}
	return out
}

// image prune removes dangling images, -a every unused one; system prune
// stopped containers, dangling images and unused layers; system df counts
// what `images`, `ps -a` and the layer store show.
func TestPruneDf(t *testing.T) {
	c := newCLI(t)
	c.busybox()
	dangling := strings.TrimSpace(c.ok("images", "-q"))
	c.busybox() // the tag moves to a new image on the same layer
	other := filepath.Join(t.TempDir(), "other.tar")
	os.WriteFile(other, testutil.TarLayer(t, []testutil.File{testutil.Reg("data", 0o644, strings.Repeat("x", 5000))}), 0o644)
	c.ok("import", other, "other:1")
	c.ok("run", "--name", "w", "bb:test", "sh", "-c", "head -c 100000 /dev/zero > /big")

	sizes := c.imageSizes()
	var bb, oth int64
	for id, s := range sizes {
		if strings.HasPrefix(id, "sha256:"+dangling) {
			continue
		}
		if s == 5000 {
			oth = s
		} else {
			bb = s
		}
	}
	df := c.df()
	if want := (cli.UsageRow{Type: "Images", Total: len(sizes), Active: 1, Size: bb + oth, Reclaimable: oth}); df["Images"] != want || len(sizes) != 3 {
		t.Errorf("df images %+v, want %+v (from images: %v)", df["Images"], want, sizes)
	}
	if want := (cli.UsageRow{Type: "Containers", Total: 1, Active: 0, Size: 100000, Reclaimable: 100000}); df["Containers"] != want {
		t.Errorf("df containers %+v, want %+v", df["Containers"], want)
	}
	if want := (cli.UsageRow{Type: "Layers", Total: len(c.layerDirs()), Active: 1, Size: bb + oth, Reclaimable: 0}); df["Layers"] != want {
		t.Errorf("df layers %+v, want %+v", df["Layers"], want)
	}

	out := c.ok("image", "prune")
	if !strings.Contains(out, "deleted: sha256:"+dangling) || !strings.HasSuffix(out, "Total reclaimed space: 0B\n") {
		t.Errorf("image prune (its layer is shared with bb:test):\n%s", out)
	}
	out = c.ok("image", "prune", "-a") // other:1 goes; bb:test has a container
	if !strings.Contains(out, "untagged: other:1") || !strings.HasSuffix(out, "Total reclaimed space: "+cli.HumanSize(oth)+"\n") {
		t.Errorf("image prune -a:\n%s", out)
	}
	if len(c.imageSizes()) != 1 || len(c.layerDirs()) != 1 {
		t.Errorf("after image prune -a: images %v, layers %v", c.imageSizes(), c.layerDirs())
	}

	// A layer no image and no container uses: its image went with rmi -f
	// while a container stood on it, and then the container went.
	c.ok("import", other, "other:1")
	if r := c.run("run", "--name", "o", "other:1", "/nothing"); r.code != 127 {
		t.Fatalf("run of a missing command: exit %d, want 127", r.code)
	}
	c.ok("rmi", "-f", "other:1")
	c.ok("rm", "o")
	if df := c.df(); df["Layers"].Reclaimable != oth {
		t.Errorf("df after rmi -f and rm: %+v, want %d reclaimable", df["Layers"], oth)
	}
	out = c.ok("system", "prune")
	if !strings.Contains(out, "Deleted Containers:\n") || !strings.Contains(out, "Deleted Layers:\n") ||
		!strings.HasSuffix(out, "Total reclaimed space: "+cli.HumanSize(100000+oth)+"\n") {
		t.Errorf("system prune:\n%s", out)
	}
	if ids := c.containerIDs(); len(ids) != 0 || len(c.imageSizes()) != 1 {
		t.Errorf("system prune left containers %v, images %v", ids, c.imageSizes())
	}
	c.ok("system", "prune", "-a")
	if len(c.imageSizes()) != 0 || len(c.layerDirs()) != 0 {
		t.Errorf("system prune -a left images %v, layers %v", c.imageSizes(), c.layerDirs())
	}
	if df := c.df(); df["Images"].Total+df["Containers"].Total+df["Layers"].Total != 0 {
		t.Errorf("df of an empty store: %v", df)
	}
}

// 50 concurrent `run --rm`, and 20 concurrent foreground runs each removed
// by `rm -f`, leave nothing behind: no mounts, cgroups, processes,
// container directories, tmp entries, lock files or held locks.
func TestConcurrentLifecycle(t *testing.T) {
	c := newCLI(t)
	c.busybox()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var ids []string
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := c.run("--debug", "run", "--rm", "bb:test", "true")
			if r.code != 0 {
				t.Errorf("run --rm %d: exit %d\n%s", i, r.code, r.stderr)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, l := range strings.Split(r.stderr, "\n") {
				if _, id, ok := strings.Cut(l, "create minictr/"); ok {
					ids = append(ids, id)
				}
			}
		}()
	}
	wg.Wait()
	if len(ids) != 50 {
		t.Errorf("found %d cgroup names in the 50 runs' --debug output", len(ids))
	}

	sync := t.TempDir()
	var runs []*fg
	var pids []container.State
	for i := 0; i < 20; i++ { // all start at once: each Start returns at once
		name := fmt.Sprintf("c%d", i)
		runs = append(runs, c.launch(sync, name, "touch /sync/"+name+"; exec sleep 1000"))
	}
	for i := 0; i < 20; i++ {
		waitFile(t, filepath.Join(sync, fmt.Sprintf("c%d", i)))
	}
	var ps []cli.ContainerSummary
	if err := json.Unmarshal([]byte(c.ok("ps", "--json")), &ps); err != nil || len(ps) != 20 {
		t.Fatalf("ps: %d running, want 20 (%v)", len(ps), err)
	}
	for _, r := range ps {
		ids = append(ids, r.ID)
		pids = append(pids, r.State)
	}
	// All 20 rm -f at once: each races with its own run, which is recording
	// the exit, and with the other rm's renaming their directories away.
	removed := make([]bool, len(runs))
	for i := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := c.run("rm", "-f", fmt.Sprintf("c%d", i)); r.code != 0 {
				t.Errorf("rm -f c%d: exit %d: %s", i, r.code, r.stderr)
				return // its run goes on: the cleanup kills it
			}
			removed[i] = true
		}()
	}
	wg.Wait()
	for i, f := range runs {
		if !removed[i] {
			continue
		}
		if code := <-f.done; code != 137 {
			t.Errorf("a run whose container got rm -f exited %d, want 137", code)
		}
	}
	c.nothingLeft(ids, pids)
}

// nothingLeft checks the store and the kernel for anything left of the
// containers ids, whose PID 1s were pids.
func (c *harness) nothingLeft(ids []string, pids []container.State) {
	c.t.Helper()
	c.noMountsLeft()
	for _, id := range ids {
		if d := cgroupDirs(id); len(d) > 0 {
			c.t.Errorf("cgroups left: %v", d)
		}
	}
	for _, st := range pids {
		if container.Alive(st.Pid, st.PidStart) {
			c.t.Errorf("process %d still runs", st.Pid)
		}
	}
	for _, d := range []string{"containers", "tmp", "locks"} {
		if ents, _ := os.ReadDir(filepath.Join(c.root, d)); len(ents) > 0 {
			c.t.Errorf("%s/ is not empty: %v", d, ents)
		}
	}
	// The store lock file stays (it is what flock(2) locks), but nobody
	// may hold it: /proc/locks lists every held lock by device and inode.
	var st syscall.Stat_t
	if err := syscall.Stat(filepath.Join(c.root, "lock"), &st); err == nil {
		locks, _ := os.ReadFile("/proc/locks")
		if strings.Contains(string(locks), fmt.Sprintf(":%d ", st.Ino)) {
			c.t.Errorf("the store lock (inode %d) is still held:\n%s", st.Ino, locks)
		}
	}
}
