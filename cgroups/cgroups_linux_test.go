package cgroups

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/minictr/minictr/internal/testutil"
)

// newTestCgroup creates a group for t with the real driver of this host and
// removes it when t ends, pass or fail. A host without a controller the
// test needs skips, naming the controller.
func newTestCgroup(t *testing.T, l Limits) Cgroup {
	t.Helper()
	testutil.RequireRoot(t)
	mode, err := Detect()
	if err != nil {
		t.Skipf("no cgroups here: %v", err)
	}
	name := fmt.Sprintf("test-%d-%s", os.Getpid(), strings.ReplaceAll(t.Name(), "/", "-"))
	cg, err := New(name, l)
	if errors.Is(err, ErrControllerMissing) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatalf("New(%q, %+v): %v", name, l, err)
	}
	dir := cg.Paths()[""] // v2; v1: one directory per controller
	if cg.Version() == 1 {
		dir = cg.Paths()["memory"] + " (and cpu, cpuacct, pids)"
	}
	t.Logf("%v host: using the cgroup v%d driver: %s", mode, cg.Version(), dir)
	t.Cleanup(func() {
		killLeftovers(t, cg)
		if err := cg.Delete(); err != nil {
			t.Errorf("Delete: %v", err)
		}
	})
	return cg
}

// killLeftovers SIGKILLs what is still in cg: only processes this test
// started (and their children) can be in a group the test created.
func killLeftovers(t *testing.T, cg Cgroup) {
	for _, dir := range cg.Paths() {
		b, _ := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
		for _, f := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(f); err == nil {
				t.Logf("killing leftover pid %d in %s", pid, dir)
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	}
}

func TestNewWritesLimits(t *testing.T) {
	l := Limits{MemoryBytes: 64 << 20, CPUQuota: 50000, CPUPeriod: 100000, PidsMax: 32}
	cg := newTestCgroup(t, l)
	mode, _ := Detect()
	if cg.Version() != mode.Version() {
		t.Errorf("Version() = %d on a %v host", cg.Version(), mode)
	}
	want := map[string]map[string]string{"": l.V2Files()} // the v2 path's key is ""
	if cg.Version() == 1 {
		want = l.V1Files()
	}
	for ctrl, files := range want {
		for name, value := range files {
			path := filepath.Join(cg.Paths()[ctrl], name)
			b, err := os.ReadFile(path)
			if errors.Is(err, fs.ErrNotExist) && optionalFiles[name] {
				t.Logf("%s: not in this kernel (no swap accounting)", path)
				continue
			}
			if got := strings.TrimSpace(string(b)); err != nil || got != value {
				t.Errorf("%s = %q, %v; want %q", path, got, err, value)
			} else {
				t.Logf("%s = %s", path, got)
			}
		}
	}
	// Load reopens the same group from its paths, as `minictr stats` would.
	again, err := Load(cg.Paths())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if st, err := again.Stats(); err != nil || st.PidsCurrent != 0 {
		t.Errorf("Stats of an empty group = %+v, %v; want 0 pids", st, err)
	}
}

// On v2, the group must be a sibling of the test's own cgroup, not a child
// of it ("no internal processes"); the root cgroup is the one exception.
func TestV2GroupIsOutsideOwnCgroup(t *testing.T) {
	cg := newTestCgroup(t, Limits{})
	if cg.Version() != 2 {
		t.Skip("cgroup v1 host: the placement rule is about the v2 tree")
	}
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	own, err := unifiedPath(string(b))
	if err != nil {
		t.Fatal(err)
	}
	dir := cg.Paths()[""]
	t.Logf("test runs in %s, its group is %s", own, dir)
	if own != "/" && strings.HasPrefix(dir, filepath.Join(v2Root, own)+"/") {
		t.Errorf("group %s is inside the test's own cgroup %s", dir, own)
	}
	if want := filepath.Join(v2Root, path.Dir(own), "minictr"); filepath.Dir(dir) != want {
		t.Errorf("group %s is not in %s, next to the test's own cgroup %s", dir, want, own)
	}
}

func TestAddProcess(t *testing.T) {
	cg := newTestCgroup(t, Limits{PidsMax: 100})
	c := startChild(t, nil, "wait") // starts outside the group
	pid := c.cmd.Process.Pid
	if err := cg.AddProcess(pid); err != nil {
		t.Fatalf("AddProcess(%d): %v", pid, err)
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("/proc/%d/cgroup after AddProcess:\n%s", pid, b)
	for ctrl, dir := range cg.Paths() {
		line := "0::" // /proc/PID/cgroup names v2 as "0::PATH", v1 as "N:CONTROLLERS:PATH"
		if ctrl != "" {
			line = ":" + ctrl
		}
		if !hasCgroupLine(string(b), line, dir) {
			t.Errorf("/proc/%d/cgroup has no %q line ending in %s", pid, line, filepath.Base(dir))
		}
	}
	st, err := cg.Stats()
	if err != nil || st.PidsCurrent < 1 { // a Go process has a few threads; each counts
		t.Errorf("Stats() = %+v, %v; want PidsCurrent >= 1", st, err)
	}
}

// hasCgroupLine reports whether a /proc/PID/cgroup line containing marker
// ends in the group's last two path elements (minictr/<name>).
func hasCgroupLine(procCgroup, marker, dir string) bool {
	tail := "/" + filepath.Base(filepath.Dir(dir)) + "/" + filepath.Base(dir)
	for _, l := range strings.Split(procCgroup, "\n") {
		if strings.Contains(l, marker) && strings.HasSuffix(l, tail) {
			return true
		}
	}
	return false
}

func TestMemoryLimitOOMKills(t *testing.T) {
	const limit = 32 << 20
	cg := newTestCgroup(t, Limits{MemoryBytes: limit})
	c := startChild(t, cg, "hog") // touches 200 MiB
	out, _ := io.ReadAll(c.stdout)
	err := c.cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("hog under memory limit %d: %v, output %q; want killed by SIGKILL", limit, err, out)
	}
	t.Logf("hog: %v", err)
	oom, err := cg.OOMKilled()
	if err != nil || !oom {
		t.Errorf("OOMKilled() = %v, %v; want true", oom, err)
	}
	st, err := cg.Stats()
	t.Logf("stats: %+v", st)
	// The peak shows the hog really filled the group up to its limit. It
	// may pass the limit by a page or two: the kernel lets a task that is
	// already dying charge past it, so that it can exit.
	if err != nil || st.OOMKills < 1 || st.MemoryPeak < limit*3/4 {
		t.Errorf("Stats() = %+v, %v; want OOMKills >= 1 and MemoryPeak near %d", st, err, limit)
	}
}

func TestPidsLimitStopsForkLoop(t *testing.T) {
	const max = 16
	sleep := testutil.RequireTool(t, "sleep", "coreutils")
	cg := newTestCgroup(t, Limits{PidsMax: max})
	c := startChild(t, cg, "forkloop", "SLEEP="+sleep)
	line, err := c.stdout.ReadString('\n')
	if err != nil {
		t.Fatalf("read fork loop report: %v", err)
	}
	t.Logf("fork loop: %s", strings.TrimSpace(line))
	st, err := cg.Stats() // taken while the loop's processes are all alive
	if err != nil || st.PidsCurrent != max {
		t.Errorf("Stats() = %+v, %v; want PidsCurrent == %d", st, err, max)
	}
	c.stdin.Close()
	if err := c.cmd.Wait(); err != nil {
		t.Errorf("fork loop did not end with EAGAIN: %v", err)
	}
}

func TestCPUQuotaThrottles(t *testing.T) {
	cg := newTestCgroup(t, Limits{CPUQuota: 20000, CPUPeriod: 100000})
	startChild(t, cg, "spin")
	// Wait (up to a generous deadline, not a timed assertion) until the
	// kernel has throttled the group at least once. nr_throttled counts up
	// when a throttle starts, throttled time when it ends: wait for both.
	var st Stats
	var err error
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if st, err = cg.Stats(); err != nil || (st.NrThrottled > 0 && st.ThrottledUsec > 0) {
			break
		}
	}
	t.Logf("stats: %+v", st)
	if err != nil || st.NrThrottled == 0 || st.ThrottledUsec == 0 || st.CPUUsageUsec == 0 {
		t.Errorf("Stats() = %+v, %v; want throttling and CPU use", st, err)
	}
}

func TestDeleteRemovesDirs(t *testing.T) {
	cg := newTestCgroup(t, Limits{MemoryBytes: 16 << 20, PidsMax: 8})
	c := startChild(t, cg, "wait")
	c.stdin.Close() // the child exits; Delete must cope with it still exiting
	c.cmd.Wait()
	if err := cg.Delete(); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	for _, dir := range cg.Paths() {
		if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("stat %s after Delete: %v; want not exist", dir, err)
		}
	}
	if err := cg.Delete(); err != nil {
		t.Errorf("second Delete: %v; want nil", err)
	}
}

// A limit the kernel refuses is an error naming the file, and New leaves
// no directory behind.
func TestNewBadLimitLeavesNothing(t *testing.T) {
	testutil.RequireRoot(t)
	name := fmt.Sprintf("test-%d-badlimit", os.Getpid())
	cg, err := New(name, Limits{CPUQuota: 500}) // below the kernel's 1000us minimum
	if errors.Is(err, ErrControllerMissing) {
		t.Skip(err)
	}
	if err == nil {
		cg.Delete()
		t.Fatal("New with a 500us quota succeeded; want EINVAL")
	}
	t.Logf("New: %v", err)
	if !errors.Is(err, syscall.EINVAL) || !strings.Contains(err.Error(), "write /") || !strings.Contains(err.Error(), "/minictr/"+name+"/cpu.") {
		t.Errorf("error %q: want a write of %s's cpu file failing with EINVAL", err, name)
	}
	assertNoGroup(t, name)
}

// assertNoGroup checks that no minictr/<name> exists: not in a v1
// hierarchy, not in the v2 tree at the depths a systemd host uses.
func assertNoGroup(t *testing.T, name string) {
	t.Helper()
	var dirs []string
	for _, pattern := range []string{"/sys/fs/cgroup", "/sys/fs/cgroup/*", "/sys/fs/cgroup/*/*", "/sys/fs/cgroup/*/*/*"} {
		found, _ := filepath.Glob(pattern + "/minictr/" + name)
		dirs = append(dirs, found...)
	}
	for _, d := range dirs {
		t.Errorf("%s left behind", d)
		os.Remove(d)
	}
}
