package e2e

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/minictr/minictr/container"
	"github.com/minictr/minictr/internal/testutil"
)

// The run tests need no registry: their images are imported from
// busybox-static, so they run the same on this host and in the cgroup v2 VM
// (tools/vm-test-all.sh).

// busybox imports the busybox test image into c's store as bb:test.
func (c *harness) busybox() string {
	c.t.Helper()
	path := filepath.Join(c.t.TempDir(), "busybox.tar")
	if err := os.WriteFile(path, testutil.TarLayer(c.t, testutil.BusyboxRoot(c.t)), 0o644); err != nil {
		c.t.Fatal(err)
	}
	c.ok("import", path, "bb:test")
	return "bb:test"
}

// containerIDs lists the containers in the store.
func (c *harness) containerIDs() []string {
	ents, _ := os.ReadDir(filepath.Join(c.root, "containers"))
	var ids []string
	for _, e := range ents {
		ids = append(ids, e.Name())
	}
	return ids
}

// noMountsLeft fails the test if anything is mounted under the store.
func (c *harness) noMountsLeft() {
	c.t.Helper()
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		c.t.Fatal(err)
	}
	if strings.Contains(string(b), c.root) {
		c.t.Errorf("mounts left under %s:\n%s", c.root, b)
	}
}

func TestRunIsolation(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	out := c.ok("run", "--rm", "-h", "box", img, "sh", "-c", `echo pid=$$; hostname; ps -o pid,comm | wc -l; ls /proc | grep -c '^[0-9]'`)
	lines := strings.Fields(out)
	if len(lines) != 4 || lines[0] != "pid=1" || lines[1] != "box" {
		t.Fatalf("want pid=1, hostname box; got %q", out)
	}
	if n, _ := strconv.Atoi(lines[3]); n > 3 { // sh, ls, grep: nothing of the host
		t.Errorf("the container sees %d processes in /proc", n)
	}
	c.noMountsLeft()

	// While a container runs, its mounts are not in the host's mount table.
	sync := t.TempDir()
	cmd := c.cmd("run", "--rm", "-v", sync+":/sync", img, "sh", "-c",
		`mount > /sync/mounts; touch /sync/ready; while [ ! -e /sync/go ]; do sleep 0.05; done`)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFile(t, filepath.Join(sync, "ready"))
	c.noMountsLeft()
	inside, _ := os.ReadFile(filepath.Join(sync, "mounts"))
	if !strings.Contains(string(inside), "overlay on / type overlay") {
		t.Errorf("the container's / is not an overlay:\n%s", inside)
	}
	os.WriteFile(filepath.Join(sync, "go"), nil, 0o644)
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	c.noMountsLeft()
}

// Copy-on-write: a container's writes land in its upper/ and in no layer,
// and a second container from the same image does not see them.
func TestRunWritesLandInUpper(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	layerDir := c.inspect(img).Layers[0].Dir
	before := testutil.Tree(t, layerDir)
	c.ok("run", img, "sh", "-c", "echo new > /newfile; echo changed >> /etc/passwd; rm /bin/true")
	ids := c.containerIDs()
	if len(ids) != 1 {
		t.Fatalf("containers: %v", ids)
	}
	upper := filepath.Join(c.root, "containers", ids[0], "upper")
	if b, err := os.ReadFile(filepath.Join(upper, "newfile")); err != nil || string(b) != "new\n" {
		t.Errorf("upper/newfile: %q, %v", b, err)
	}
	if b, _ := os.ReadFile(filepath.Join(upper, "etc/passwd")); !strings.HasSuffix(string(b), "changed\n") {
		t.Errorf("upper/etc/passwd is not the copied-up, changed file: %q", b)
	}
	var st syscall.Stat_t
	if err := syscall.Lstat(filepath.Join(upper, "bin/true"), &st); err != nil || st.Mode&syscall.S_IFMT != syscall.S_IFCHR || st.Rdev != 0 {
		t.Errorf("the deleted bin/true should be a 0:0 whiteout in upper: %v %+v", err, st)
	}
	if diff := testutil.DiffTrees(before, testutil.Tree(t, layerDir)); len(diff) > 0 {
		t.Errorf("the image layer changed:\n%s", strings.Join(diff, "\n"))
	}
	// The stopped container holds its image: rmi refuses, rmi -f keeps the layer.
	if r := c.run("rmi", img); r.code == 0 || !strings.Contains(r.stderr, "used by container "+ids[0][:12]) {
		t.Errorf("rmi of an image a container uses: exit %d, %q", r.code, r.stderr)
	}
	c.ok("rmi", "-f", img)
	if _, err := os.Stat(layerDir); err != nil {
		t.Errorf("rmi -f removed the layer a container stands on: %v", err)
	}
	img = c.busybox() // imported again: the same layer, already there
	if out := c.ok("run", "--rm", img, "sh", "-c", "ls /newfile /bin/true 2>&1; true"); !strings.Contains(out, "/newfile: No such file") || strings.Contains(out, "true: No such") {
		t.Errorf("a second container sees the first one's changes: %q", out)
	}
}

func TestRunExitCodes(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	cases := []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"true"}, 0, ""},
		{[]string{"false"}, 1, ""},
		{[]string{"sh", "-c", "exit 42"}, 42, ""},
		{[]string{"nope"}, 127, "executable file not found"},
		{[]string{"/etc/passwd"}, 126, "permission denied"},
		{[]string{"/bin"}, 126, ""},
	}
	for _, tc := range cases {
		r := c.run(append([]string{"run", "--rm", img}, tc.args...)...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.stderr) {
			t.Errorf("run %v: exit %d, stderr %q; want %d, %q", tc.args, r.code, r.stderr, tc.code, tc.stderr)
		}
	}
	if ids := c.containerIDs(); len(ids) != 0 {
		t.Errorf("--rm left containers: %v", ids)
	}
	c.noMountsLeft()
}

// Signals sent to minictr reach the container. A PID 1 without a handler
// would never see SIGTERM; minictr then ends it as the signal would have.
func TestRunSignals(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	for _, tc := range []struct {
		script string
		code   int
	}{
		{"echo started; exec sleep 1000", 143},                                // no handler: ended as SIGTERM would end it
		{`trap "exit 7" TERM; echo started; while :; do sleep 0.05; done`, 7}, // its own handler runs
	} {
		cmd := c.cmd("run", "--rm", img, "sh", "-c", tc.script)
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 8)
		stdout.Read(buf) // "started": the command runs
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		if got := cmd.ProcessState.ExitCode(); got != tc.code {
			t.Errorf("%q: SIGTERM to minictr gave exit %d, want %d", tc.script, got, tc.code)
		}
	}
}

func TestRunLimits(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	r := c.run("run", "-m", "32m", img, "sh", "-c", "x=$(yes | head -c 300000000); echo survived")
	if r.code != 137 || !strings.Contains(r.stderr, "container killed: out of memory") {
		t.Errorf("memory hog under -m 32m: exit %d, stderr %q", r.code, r.stderr)
	}
	id := c.containerIDs()[0]
	for _, dir := range cgroupDirs(id) {
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("cgroup %s left after the container exited", dir)
		}
	}
	r = c.run("run", "--rm", "--pids-limit", "10", img, "sh", "-c", "for i in $(seq 30); do sleep 2 & done; wait")
	if !strings.Contains(r.stderr, "can't fork") {
		t.Errorf("fork loop under --pids-limit 10: exit %d, stderr %q", r.code, r.stderr)
	}
	out := c.ok("run", "--rm", "--cpus", "0.2", img, "sh", "-c",
		"yes > /dev/null & p=$!; sleep 1; kill $p; cat /sys/fs/cgroup/cpu.stat 2>/dev/null || cat /sys/fs/cgroup/cpu/cpu.stat")
	m := regexp.MustCompile(`nr_throttled (\d+)`).FindStringSubmatch(out)
	if m == nil || m[1] == "0" {
		t.Errorf("a busy loop under --cpus 0.2 was not throttled:\n%s", out)
	}
}

// cgroupDirs is where a container's cgroup would be, on v2 and on v1.
func cgroupDirs(id string) []string {
	dirs, _ := filepath.Glob("/sys/fs/cgroup/*/minictr/" + id)
	more, _ := filepath.Glob("/sys/fs/cgroup/minictr/" + id)
	deeper, _ := filepath.Glob("/sys/fs/cgroup/*/*/minictr/" + id)
	return append(append(dirs, more...), deeper...)
}

func TestRunFlags(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	envFile := filepath.Join(t.TempDir(), "env")
	os.WriteFile(envFile, []byte("# a comment\nFROM_FILE=yes\n"), 0o644)
	out := c.ok("run", "--rm", "-e", "A=1,2", "-e", "B=x", "--env-file", envFile, "-w", "/work/dir", "-u", "app", img,
		"sh", "-c", `echo $A $B $FROM_FILE; pwd; id -u; id -g; echo $HOME`)
	if want := "1,2 x yes\n/work/dir\n1000\n1000\n/home/app\n"; out != want {
		t.Errorf("-e --env-file -w -u: got %q, want %q", out, want)
	}
	vol := t.TempDir()
	os.WriteFile(filepath.Join(vol, "in"), []byte("from host"), 0o644)
	out = c.ok("run", "--rm", "-v", vol+":/data", img, "sh", "-c", "cat /data/in; echo from container > /data/out")
	if b, _ := os.ReadFile(filepath.Join(vol, "out")); out != "from host" || string(b) != "from container\n" {
		t.Errorf("-v rw: read %q, wrote %q", out, b)
	}
	r := c.run("run", "--rm", "-v", vol+":/data:ro", img, "sh", "-c", "echo x > /data/nope")
	if r.code == 0 || !strings.Contains(r.stderr, "Read-only file system") {
		t.Errorf("-v ro: exit %d, %q", r.code, r.stderr)
	}
	r = c.run("run", "--rm", "--read-only", img, "sh", "-c", "echo x > /file")
	if r.code == 0 || !strings.Contains(r.stderr, "Read-only file system") {
		t.Errorf("--read-only: exit %d, %q", r.code, r.stderr)
	}
}

// The image's Entrypoint, Cmd, Env, WorkingDir and User apply, and flags
// override them as in docker.
func TestRunImageConfig(t *testing.T) {
	c := newCLI(t)
	img := testutil.BusyboxImage(t)
	cfg := &img.Config.Config
	cfg.Entrypoint = []string{"/bin/echo", "entry"}
	cfg.Cmd = []string{"default-arg"}
	cfg.Env = append(cfg.Env, "IMAGE_ENV=from-image")
	cfg.WorkingDir = "/tmp"
	cfg.User = "app"
	archive := filepath.Join(t.TempDir(), "img.tar")
	img.WriteDockerArchive(t, archive, []string{"cfg:test"}, false)
	c.ok("load", "-i", archive)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"cfg:test"}, "entry default-arg\n"},
		{[]string{"cfg:test", "given"}, "entry given\n"},
		{[]string{"--entrypoint", "/bin/sh", "cfg:test", "-c", "echo $IMAGE_ENV $(pwd) $(id -un)"}, "from-image /tmp app\n"},
		{[]string{"--entrypoint", "/bin/id", "-u", "root", "cfg:test", "-un"}, "root\n"},
	} {
		if out := c.ok(append([]string{"run", "--rm"}, tc.args...)...); out != tc.want {
			t.Errorf("run %v: %q, want %q", tc.args, out, tc.want)
		}
	}
}

func TestRunBadInput(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	before := c.snapshot()
	c.fails("invalid --memory", "run", "--rm", "-m", "lots", img, "true")
	c.fails("no such file", "run", "--rm", "-v", "/no/such/path:/x", img, "true")
	c.fails("connection refused", "run", "--rm", "127.0.0.1:1/missing/image:v1", "true")
	c.fails("no command specified", "run", "--rm", "--entrypoint", "", img)
	if after := c.snapshot(); after != before {
		t.Errorf("failed runs changed the store:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	c.ok("run", "--name", "taken", img, "true")
	before = c.snapshot()
	c.fails("already in use", "run", "--name", "taken", img, "true")
	if after := c.snapshot(); after != before {
		t.Errorf("failed runs changed the store:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	// Not root: the binary must be reachable by nobody.
	os.Chmod(filepath.Dir(c.bin), 0o755)
	cmd := exec.Command(c.bin, "--root", t.TempDir(), "run", "--rm", "hello")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, _ := cmd.CombinedOutput()
	if cmd.ProcessState.ExitCode() != 125 || !strings.Contains(string(out), "root") {
		t.Errorf("run as nobody: exit %d, %q", cmd.ProcessState.ExitCode(), out)
	}
	c.noMountsLeft()
}

// waitFile waits for a file a container creates to say it got somewhere.
// (A guard against a hang, not a timing assertion.)
func waitFile(t *testing.T, path string) {
	t.Helper()
	for i := 0; i < 600; i++ {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never appeared", path)
}

// A foreground run keeps a log too, as docker does: `logs` shows its
// output after the exit. The output still reaches the terminal as it
// comes (a prompt without a newline included), and when minictr's stdout
// is closed (`| head -2`) the container's next write fails, as if it had
// written to that pipe itself: the writer dies of SIGPIPE. (Not PID 1: the
// kernel drops a signal with a default action for a namespace's init, so
// PID 1 would only see EPIPE, as it would on a pipe of its own.)
func TestRunForegroundLog(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	r := c.run("run", "--name", "fg", img, "sh", "-c", "echo out; echo err >&2; printf 'no newline'")
	if r.code != 0 || r.stdout != "out\nno newline" || r.stderr != "err\n" {
		t.Errorf("foreground run: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if out := c.ok("logs", "fg"); out != "out\nno newline" {
		t.Errorf("logs of a foreground run: %q", out)
	}
	cmd := c.cmd("logs", "fg")
	var errb strings.Builder
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil || errb.String() != "err\n" {
		t.Errorf("logs of a foreground run, stderr: %q (%v)", errb.String(), err)
	}

	yes := c.cmd("run", "--name", "yes", img, "sh", "-c", `sh -c "while :; do echo y; done"; exit 7`)
	var yesErr strings.Builder
	yes.Stderr = &yesErr
	out, err := yes.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := yes.Start(); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(out)
	for i := 0; i < 2; i++ {
		if l, err := br.ReadString('\n'); l != "y\n" || err != nil {
			yes.Wait()
			t.Fatalf("run yes: line %q, %v; stderr %q", l, err, yesErr.String())
		}
	}
	out.Close()
	yes.Wait() // returns: the writer died when its stdout went away
	if st := c.state("yes"); st.Status != container.Exited || st.ExitCode != 7 {
		t.Errorf("run of a writer whose reader left: %+v, want exited with the 7 of the PID 1 that outlived it", st)
	}
	c.noMountsLeft()
}
