package e2e

import (
	"crypto/sha256"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minictr/minictr/container"
	"github.com/minictr/minictr/ns"
)

// execBox starts a container "box" with a foreground `run` that writes a
// file and then sleeps, waits until it is up, and removes it at the end.
// It returns the sync directory (/sync inside) and the container's state.
func (c *harness) execBox() (string, container.State) {
	c.t.Helper()
	img := c.busybox()
	sync := c.t.TempDir()
	cmd := c.cmd("run", "--name", "box", "-e", "FROM_RUN=r", "-v", sync+":/sync", img,
		"sh", "-c", "echo written-inside > /made; touch /sync/up; exec sleep 1000")
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() {
		c.run("rm", "-f", "box")
		cmd.Process.Kill() // our own `minictr run`, by PID, if rm did not end it
		cmd.Wait()
	})
	waitFile(c.t, filepath.Join(sync, "up"))
	ids := c.containerIDs()
	if len(ids) != 1 {
		c.t.Fatalf("want one container, have %v", ids)
	}
	// The command can touch /sync/up before its `run` has written
	// state.json (it does so once the exec is done): wait for that too.
	var st container.State
	var b []byte
	var err error
	for i := 0; i < 600; i++ {
		b, err = os.ReadFile(filepath.Join(c.root, "containers", ids[0], "state.json"))
		if err == nil && json.Unmarshal(b, &st) == nil && st.Pid != 0 {
			return sync, st
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.t.Fatalf("state of box: %v %s", err, b)
	return sync, st
}

// exec joins every namespace of the container and its cgroup: it sees the
// container's processes, files and hostname, is not PID 1, and returns the
// command's exit code.
func TestExec(t *testing.T) {
	c := newCLI(t)
	_, st := c.execBox()
	if out := c.ok("exec", "box", "ps", "-o", "pid,args"); !regexp.MustCompile(`(?m)^\s*1 +sleep 1000$`).MatchString(out) {
		t.Errorf("ps in exec does not show the container's PID 1 (sleep 1000):\n%s", out)
	}
	if out := c.ok("exec", "box", "cat", "/made"); out != "written-inside\n" {
		t.Errorf("cat /made: %q", out)
	}
	id := c.containerIDs()[0]
	if out := c.ok("exec", "box", "hostname"); out != id[:12]+"\n" {
		t.Errorf("hostname in exec: %q, want %s", out, id[:12])
	}
	if out := c.ok("exec", "box", "sh", "-c", "echo $$"); out == "1\n" || out == "" {
		t.Errorf("the exec'd process is PID %q", out)
	}
	// The same namespaces as the container's init, kind by kind.
	host, err := ns.NamespaceInodes(st.Pid)
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"mnt", "uts", "ipc", "net", "pid", "cgroup"} {
		out := c.ok("exec", "box", "readlink", "/proc/self/ns/"+kind)
		if want := kind + ":[" + strconv.FormatUint(host[kind], 10) + "]\n"; out != want {
			t.Errorf("exec's %s namespace is %q, the container's %q", kind, out, want)
		}
	}
	// The same cgroup (as the container's cgroup namespace shows it).
	out := c.ok("exec", "box", "sh", "-c", "cat /proc/self/cgroup; echo; cat /proc/1/cgroup")
	if self, init, _ := strings.Cut(out, "\n\n"); self == "" || strings.TrimSpace(self) != strings.TrimSpace(init) {
		t.Errorf("exec's cgroups differ from the container's init:\n%s", out)
	}
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"true"}, 0},
		{[]string{"sh", "-c", "exit 3"}, 3},
		{[]string{"nope"}, 127},
		{[]string{"/etc"}, 126},
		{[]string{"sh", "-c", "kill -TERM $$"}, 143},
	} {
		if r := c.run(append([]string{"exec", "box"}, tc.args...)...); r.code != tc.code {
			t.Errorf("exec %v: exit %d, want %d (%s)", tc.args, r.code, tc.code, r.stderr)
		}
	}
	if r := c.run("exec", "box", "nope"); !strings.Contains(r.stderr, `"nope": executable file not found in $PATH`) {
		t.Errorf("exec nope: %q", r.stderr)
	}
}

// -e on top of the container's environment, -w, -u from its /etc/passwd.
func TestExecFlags(t *testing.T) {
	c := newCLI(t)
	c.execBox()
	out := c.ok("exec", "-e", "A=1,2", "-w", "/tmp", "-u", "app", "box",
		"sh", "-c", `echo $A $FROM_RUN; pwd; id -u; id -g; echo $HOME`)
	if want := "1,2 r\n/tmp\n1000\n1000\n/home/app\n"; out != want {
		t.Errorf("-e -w -u: got %q, want %q", out, want)
	}
	if out := c.ok("exec", "box", "sh", "-c", "id -u; pwd; echo $HOME"); out != "0\n/\n/root\n" {
		t.Errorf("defaults: got %q", out)
	}
	if out := c.ok("exec", "-i", "box", "cat"); out != "" {
		t.Errorf("exec -i cat with an empty stdin: %q", out)
	}
	c.fails("unable to find user nobody2", "exec", "-u", "nobody2", "box", "true")
	c.fails("chdir /nowhere", "exec", "-w", "/nowhere", "box", "true")
}

// exec into a container that is not there or not running is minictr's own
// failure: 125 and one line that says so.
func TestExecNotRunning(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	c.fails("no such container: nothere", "exec", "nothere", "true")
	c.ok("run", "--name", "done", img, "true")
	c.fails("container done is not running", "exec", "done", "true")
}

// CVE-2024-21626 class: the exec'd process has only fds 0, 1 and 2, and its
// working directory is inside the container.
func TestExecNoHostFds(t *testing.T) {
	c := newCLI(t)
	c.execBox()
	out := c.ok("exec", "box", "ls", "-l", "/proc/self/fd/")
	var fds []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] { // after "total 0"
		f := strings.Fields(line) // mode links user group size month day time NAME [-> TARGET]
		if len(f) < 9 {
			t.Fatalf("ls -l line %q", line)
		}
		fd, target := f[8], ""
		if len(f) == 11 {
			target = f[10]
		}
		switch {
		case fd == "0" && target == "/dev/null", fd == "1" || fd == "2":
			fds = append(fds, fd)
		case target == "" || strings.HasPrefix(target, "/proc/"): // ls's own opendir, gone when read
		default:
			t.Errorf("fd %s -> %s open in the exec'd process", fd, target)
		}
	}
	if strings.Join(fds, " ") != "0 1 2" {
		t.Errorf("want fds 0, 1, 2 (and ls's own), got:\n%s", out)
	}
	if out := c.ok("exec", "box", "readlink", "/proc/self/cwd"); out != "/\n" {
		t.Errorf("cwd of exec: %q", out)
	}
	if out := c.ok("exec", "-w", "/tmp", "box", "readlink", "/proc/self/cwd"); out != "/tmp\n" {
		t.Errorf("cwd of exec -w /tmp: %q", out)
	}
}

// CVE-2019-5736 class: while an exec runs (so minictr processes have joined
// the container), the container tries to write the host's minictr binary
// through every /proc/*/exe it can see. The helper is not in the
// container's PID namespace, runs from a sealed memfd copy, and the
// binary is unchanged.
func TestExecProcExe(t *testing.T) {
	c := newCLI(t)
	sync, st := c.execBox()
	before := fileSum(t, c.bin)
	bg := c.cmd("exec", "box", "sh", "-c", "touch /sync/in; exec sleep 1000")
	if err := bg.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bg.Process.Kill(); bg.Wait() })
	waitFile(t, filepath.Join(sync, "in"))

	helper := childOf(t, bg.Process.Pid)
	for _, pid := range []int{bg.Process.Pid, helper} {
		if exe, _ := os.Readlink("/proc/" + strconv.Itoa(pid) + "/exe"); !strings.HasPrefix(exe, "/memfd:minictr") {
			t.Errorf("minictr process %d runs from %q, not from a sealed memfd", pid, exe)
		}
		if f, err := os.OpenFile("/proc/"+strconv.Itoa(pid)+"/exe", os.O_WRONLY, 0); err == nil {
			if _, err := f.Write([]byte("pwned")); err == nil {
				t.Errorf("root on the host could write /proc/%d/exe", pid)
			}
			f.Close()
		}
	}
	inodes, _ := ns.NamespaceInodes(helper)
	ctr, _ := ns.NamespaceInodes(st.Pid)
	if inodes["pid"] == 0 || inodes["pid"] == ctr["pid"] {
		t.Errorf("the exec helper %d is in the container's PID namespace", helper)
	}

	attack := `for e in /proc/[0-9]*/exe; do echo "$e -> $(readlink $e)"; ` +
		`if (echo pwned >> $e) 2>/dev/null; then echo WROTE $e; fi; done`
	out := c.ok("exec", "box", "sh", "-c", attack)
	t.Logf("from inside the container:\n%s", out)
	seen := strings.Split(strings.TrimSpace(out), "\n")
	if len(seen) < 3 || !strings.HasPrefix(seen[0], "/proc/1/exe -> /") {
		t.Errorf("want at least the container's init, the running exec and the attacker in /proc")
	}
	for _, line := range seen {
		if _, target, _ := strings.Cut(line, " -> "); strings.Contains(line, "WROTE") || !strings.HasPrefix(target, "/bin/") {
			t.Errorf("from the container: %s", line)
		}
	}
	if fileSum(t, c.bin) != before {
		t.Errorf("the host's minictr binary %s changed", c.bin)
	}
}

// childOf finds the one child process of pid (the exec helper).
func childOf(t *testing.T, pid int) int {
	t.Helper()
	ents, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, e := range ents {
		b, err := os.ReadFile(e)
		s := string(b)
		if err != nil || strings.LastIndexByte(s, ')') < 0 {
			continue
		}
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			child, _ := strconv.Atoi(filepath.Base(filepath.Dir(e)))
			return child
		}
	}
	t.Fatalf("no child of minictr exec %d", pid)
	return 0
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// exec -it through a real pty: the shell gets a terminal of the container's
// own devpts, Ctrl-C interrupts its foreground command (not minictr), and
// the exit code comes back.
func TestExecTTY(t *testing.T) {
	c := newCLI(t)
	c.execBox()
	cmd := c.cmd("exec", "-it", "box", "sh")
	master, term := startOnPty(t, cmd, nil)
	master.WriteString("tty; echo $TERM; ps -o pid,args\n")
	term.expect(t, "/dev/pts/0") // the container's devpts: run had no -t, so pty 0 is ours
	term.expect(t, "xterm")
	term.expect(t, "sleep 1000")
	master.WriteString("echo s$((1+1)); sleep 1000\n")
	term.expect(t, "s2\r\n")
	// Ctrl-C: the container's line discipline sends SIGINT to the shell's
	// foreground job. A ^C that comes before sleep has started is eaten by
	// the shell (and flushes the line after it): send it until it lands.
	for i := 0; i < 100 && !strings.Contains(term.String(), "after-42"); i++ {
		master.WriteString("\x03")
		time.Sleep(50 * time.Millisecond)
		master.WriteString("echo after-$((40+2))\n")
		time.Sleep(50 * time.Millisecond)
	}
	term.expect(t, "after-42")
	master.WriteString("exit 5\n")
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 5 {
		t.Errorf("exit 5 in the exec'd shell: minictr exited %d\n%s", code, term)
	}
}
