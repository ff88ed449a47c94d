package e2e

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/minictr/minictr/cli"
	"github.com/minictr/minictr/container"
	"golang.org/x/sys/unix"
)

// detached runs `run -d ARGS...`, checks it printed a full ID, and removes
// the container (rm -f) when the test ends.
func (c *harness) detached(args ...string) string {
	c.t.Helper()
	id := strings.TrimSpace(c.ok(append([]string{"run", "-d"}, args...)...))
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(id) {
		c.t.Fatalf("run -d printed %q, want a full container ID", id)
	}
	c.t.Cleanup(func() { c.run("rm", "-f", id) })
	return id
}

// waitStatus waits until `ps -a` shows container id with a STATUS that
// contains want, and returns that line.
func (c *harness) waitStatus(id, want string) string {
	c.t.Helper()
	var line string
	for i := 0; i < 600; i++ {
		for _, l := range strings.Split(c.ok("ps", "-a"), "\n") {
			if strings.HasPrefix(l, id[:12]) {
				line = l
			}
		}
		if strings.Contains(line, want) {
			return line
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.t.Fatalf("container %s never showed %q in ps -a; last: %q", id[:12], want, line)
	return ""
}

func (c *harness) containerState(id string) cli.ContainerInspect {
	c.t.Helper()
	var v []cli.ContainerInspect
	// The short ID: inspect takes a full 64-hex ID for an image ID.
	if err := json.Unmarshal([]byte(c.ok("inspect", id[:12])), &v); err != nil || len(v) != 1 {
		c.t.Fatalf("inspect %s: %v", id, err)
	}
	return v[0]
}

// run -d returns while the container runs; logs -f streams each line as
// it comes and ends with the container; logs after the exit, --tail, -t.
func TestDetachLogs(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	sync := t.TempDir()
	id := c.detached("-v", sync+":/sync", img, "sh", "-c",
		"echo first; echo oops >&2; while [ ! -e /sync/go ]; do sleep 0.1; done; echo second; exit 3")
	if out := c.ok("ps"); !strings.Contains(out, id[:12]) || !strings.Contains(out, "Up ") {
		t.Errorf("ps after run -d:\n%s", out)
	}

	follow := c.cmd("logs", "-f", id)
	out, err := follow.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := follow.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { follow.Process.Kill(); follow.Wait() })
	lines := bufio.NewReader(out)
	// The container waits for /sync/go: this line can only have come
	// while it still runs.
	if l, err := lines.ReadString('\n'); l != "first\n" {
		t.Fatalf("logs -f: first line %q, %v", l, err)
	}
	os.WriteFile(filepath.Join(sync, "go"), nil, 0o644)
	if l, err := lines.ReadString('\n'); l != "second\n" {
		t.Fatalf("logs -f: second line %q, %v", l, err)
	}
	if rest, err := lines.ReadString('\n'); rest != "" || err == nil {
		t.Errorf("logs -f after the last line: %q, %v", rest, err)
	}
	if err := follow.Wait(); err != nil {
		t.Errorf("logs -f did not end cleanly with the container: %v", err)
	}

	c.waitStatus(id, "Exited (3)")
	if st := c.containerState(id).State; st.ExitCode != 3 || st.FinishedAt.IsZero() || st.Lost {
		t.Errorf("state after exit 3: %+v", st)
	}
	if r := c.run("logs", id); r.stdout != "first\nsecond\n" || r.stderr != "oops\n" {
		t.Errorf("logs after exit: stdout %q stderr %q", r.stdout, r.stderr)
	}
	if out := c.ok("logs", "--tail", "1", id); out != "second\n" {
		t.Errorf("logs --tail 1: %q", out)
	}
	if out := c.ok("logs", "--tail", "all", id); out != "first\nsecond\n" {
		t.Errorf("logs --tail all: %q", out)
	}
	c.fails("invalid --tail", "logs", "--tail", "x", id)
	for _, l := range strings.Split(strings.TrimSpace(c.ok("logs", "-t", id)), "\n") {
		ts, text, _ := strings.Cut(l, " ")
		if _, err := time.Parse(time.RFC3339Nano, ts); err != nil || (text != "first" && text != "second") {
			t.Errorf("logs -t line %q: %v", l, err)
		}
	}
}

// The container outlives the shell (and the session) that ran `run -d`:
// its monitor leads a session of its own, so no SIGHUP of the terminal's
// session reaches it.
func TestDetachSurvivesTerminal(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	sync := t.TempDir()
	idFile := filepath.Join(t.TempDir(), "id")
	sh := exec.Command("/bin/sh", "-c", `"$0" --root "$1" run -d -v "$2:/sync" "$3" sh -c 'while [ ! -e /sync/stop ]; do sleep 0.1; done' > "$4"`,
		c.bin, c.root, sync, img, idFile)
	sh.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // the "terminal's" session
	if out, err := sh.CombinedOutput(); err != nil {
		t.Fatalf("run -d from a shell: %v\n%s", err, out)
	}
	b, _ := os.ReadFile(idFile)
	id := strings.TrimSpace(string(b))
	if len(id) != 64 {
		t.Fatalf("run -d printed %q", id)
	}
	t.Cleanup(func() { c.run("rm", "-f", id) })
	unix.Kill(-sh.Process.Pid, unix.SIGHUP) // the session hangs up (whoever is left in it)

	st := c.containerState(id).State
	sid, err := unix.Getsid(st.Monitor)
	if err != nil || sid == sh.Process.Pid || sid != st.Monitor {
		t.Errorf("monitor %d: session %d (%v), want a session of its own, not the shell's %d", st.Monitor, sid, err, sh.Process.Pid)
	}
	if out := c.ok("ps"); !strings.Contains(out, id[:12]) || !strings.Contains(out, "Up ") {
		t.Errorf("ps after the shell that ran run -d exited:\n%s", out)
	}
	os.WriteFile(filepath.Join(sync, "stop"), nil, 0o644)
	c.waitStatus(id, "Exited (0)")
	if dirs := cgroupDirs(id); len(dirs) != 0 {
		t.Errorf("the monitor left cgroups %v", dirs)
	}
}

// start runs a stopped container again on the writable layer it had:
// detached (output in its log), and attached with -a.
func TestDetachStart(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	id := c.detached("--name", "again", img, "sh", "-c", "cat /data 2>/dev/null; echo run >> /data")
	c.ok("logs", "-f", id) // returns once it exited
	c.waitStatus(id, "Exited (0)")
	if out := strings.TrimSpace(c.ok("start", "again")); out != "again" {
		t.Errorf("start printed %q, want the name given", out)
	}
	c.ok("logs", "-f", "again")
	if out := c.ok("logs", "again"); out != "run\n" {
		t.Errorf("logs after start: %q, want the file the first run wrote", out)
	}
	if out := c.ok("start", "-a", id[:8]); out != "run\nrun\n" {
		t.Errorf("start -a: %q, want the file both runs wrote", out)
	}
	c.waitStatus(id, "Exited (0)")

	sync := t.TempDir()
	busy := c.detached("-v", sync+":/sync", img, "sh", "-c", "touch /sync/up; exec sleep 1000")
	waitFile(t, filepath.Join(sync, "up"))
	// As docker: start of a running container changes nothing and is no
	// error; start -a of one would need attach, which minictr has not.
	if out := c.ok("start", busy); out != busy+"\n" {
		t.Errorf("start of a running container printed %q", out)
	}
	c.fails("is already running", "start", "-a", busy)
	c.waitStatus(busy, "Up ")

	// restart: stop (sleep as PID 1 ignores SIGTERM: SIGKILL after -t 1), start.
	os.Remove(filepath.Join(sync, "up"))
	if out := strings.TrimSpace(c.ok("restart", "-t", "1", busy[:12])); out != busy[:12] {
		t.Errorf("restart printed %q", out)
	}
	waitFile(t, filepath.Join(sync, "up"))
	if line := c.waitStatus(busy, "Up "); line == "" {
		t.Errorf("not up after restart")
	}
}

// A relative --root works for run -d (the monitor runs in /) and for
// the container's init (which resolves paths after it changed its root).
func TestDetachRelativeRoot(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	cmd := exec.Command(c.bin, "--root", filepath.Base(c.root), "run", "-d", img, "sh", "-c", "echo relative")
	cmd.Dir = filepath.Dir(c.root)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("run -d with a relative --root: %v", err)
	}
	id := strings.TrimSpace(string(out))
	t.Cleanup(func() { c.run("rm", "-f", id) })
	if got := c.ok("logs", "-f", id); got != "relative\n" {
		t.Errorf("logs: %q", got)
	}
}

// A monitor killed with SIGKILL cannot record anything: the container runs
// on, ps reads the truth from the kernel ("Up", then "Exited (unknown)"),
// and rm -f removes its cgroup and directory.
func TestDetachMonitorKilled(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	sync := t.TempDir()
	id := c.detached("-v", sync+":/sync", img, "sh", "-c", "touch /sync/up; while [ ! -e /sync/stop ]; do sleep 0.1; done")
	waitFile(t, filepath.Join(sync, "up"))
	st := c.containerState(id).State
	if st.Monitor <= 0 || st.Monitor == st.Pid {
		t.Fatalf("state has no monitor PID: %+v", st)
	}
	if err := unix.Kill(st.Monitor, unix.SIGKILL); err != nil {
		t.Fatalf("kill -9 monitor %d: %v", st.Monitor, err)
	}
	for i := 0; i < 600 && unix.Kill(st.Monitor, 0) == nil; i++ {
		time.Sleep(10 * time.Millisecond) // until it is gone (a zombie of init's at worst)
	}
	if out := c.ok("ps"); !strings.Contains(out, id[:12]) || !strings.Contains(out, "Up ") {
		t.Errorf("ps after kill -9 of the monitor, container still running:\n%s", out)
	}
	os.WriteFile(filepath.Join(sync, "stop"), nil, 0o644)
	c.waitStatus(id, "Exited (unknown)")
	if len(cgroupDirs(id)) == 0 {
		t.Errorf("no cgroup left behind by the killed monitor: does the test test anything?")
	}
	c.ok("rm", "-f", id)
	if dirs := cgroupDirs(id); len(dirs) != 0 {
		t.Errorf("rm -f left cgroups %v", dirs)
	}
	if _, err := os.Stat(filepath.Join(c.root, "containers", id)); err == nil {
		t.Errorf("rm -f left the container's directory")
	}
	c.noMountsLeft()
}

// 20 concurrent run -d, then rm -f of each: every command exits 0,
// and nothing is left: no container directory, cgroup, mount, monitor or
// container process. Then run -d --rm cleans up after itself.
func TestDetachConcurrent(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	const n = 20
	ids := make([]string, n)
	errs := make(chan error, n)
	for i := range ids {
		go func() {
			out, err := c.cmd("run", "-d", img, "sleep", "1000").Output()
			ids[i] = strings.TrimSpace(string(out))
			errs <- err
		}()
	}
	for range ids {
		if err := <-errs; err != nil {
			t.Errorf("run -d: %v", err)
		}
	}
	t.Cleanup(func() {
		for _, id := range ids {
			if id != "" {
				c.run("rm", "-f", id)
			}
		}
	})
	if t.Failed() {
		t.FailNow()
	}
	type proc struct {
		pid   int
		start uint64
	}
	var procs []proc
	for _, id := range ids {
		st := c.containerState(id).State
		mstart, err := container.StartTime(st.Monitor)
		if st.Status != "running" || err != nil {
			t.Fatalf("%s after run -d: %+v (monitor: %v)", id[:12], st, err)
		}
		procs = append(procs, proc{st.Pid, st.PidStart}, proc{st.Monitor, mstart})
	}
	// One rm -f after the other: concurrent ones still race in
	// container.List (an entry that another rm renames away between
	// ReadDir and Load fails the whole listing).
	for _, id := range ids {
		if out, err := c.cmd("rm", "-f", id).CombinedOutput(); err != nil {
			t.Errorf("rm -f %s: %v\n%s", id[:12], err, out)
		}
	}
	for _, p := range procs {
		for i := 0; i < 500 && container.Alive(p.pid, p.start); i++ {
			time.Sleep(10 * time.Millisecond) // a monitor finishes after its container
		}
		if container.Alive(p.pid, p.start) {
			t.Errorf("process %d still there after rm -f", p.pid)
		}
	}
	for _, id := range ids {
		if dirs := cgroupDirs(id); len(dirs) != 0 {
			t.Errorf("cgroups left: %v", dirs)
		}
	}
	if left := c.containerIDs(); len(left) != 0 {
		t.Errorf("container directories left: %v", left)
	}
	c.noMountsLeft()

	id := strings.TrimSpace(c.ok("run", "-d", "--rm", img, "true"))
	for i := 0; i < 500 && len(c.containerIDs()) > 0; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if left := c.containerIDs(); len(left) != 0 || len(cgroupDirs(id)) != 0 {
		t.Errorf("run -d --rm left %v, cgroups %v", left, cgroupDirs(id))
	}
}
