package ns_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minictr/minictr/ns"
	"github.com/minictr/minictr/tty"
	"golang.org/x/sys/unix"
)

// TestSetUser: setgroups, setgid, setuid really change who the command is,
// and Exec's dir is its working directory.
func TestSetUser(t *testing.T) {
	_, env := busybox(t)
	dir := t.TempDir()
	for d := dir; d != os.TempDir(); d = filepath.Dir(d) { // t.TempDir's parents are 0700
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	u := &ns.User{UID: 4242, GID: 4343, Groups: []int{27, 100}}
	c := start(t, childConfig{Env: env, User: u, Dir: dir,
		Argv: []string{"busybox", "sh", "-c", "busybox id -u; busybox id -g; busybox id -G; pwd"}}, nil)
	if err := c.p.Continue(); err != nil {
		t.Fatal(err)
	}
	want := []string{"4242", "4343", "4343 27 100", dir}
	for _, w := range want {
		if got, err := c.out.ReadString('\n'); strings.TrimSpace(got) != w {
			_, werr := c.p.Wait()
			t.Fatalf("got %q (%v), want %q (id -u, id -g, id -G, pwd); Wait: %v", got, err, w, werr)
		}
	}
	c.wait(t)
}

// TestCgroupFD: with a cgroup v2 directory fd, clone3 starts the child
// inside that cgroup, and its cgroup namespace (made at clone time now) has
// that cgroup as its root "/".
func TestCgroupFD(t *testing.T) {
	_, env := busybox(t)
	root := cgroup2Mount(t)
	name := fmt.Sprintf("minictr-ns-test-%d", os.Getpid())
	dir := filepath.Join(root, name)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatalf("mkdir cgroup: %v", err)
	}
	t.Cleanup(func() { os.Remove(dir) }) // registered first, so it runs after the child is gone
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	c := start(t, childConfig{Env: env, Argv: []string{"busybox", "sh", "-c", "busybox cat /proc/self/cgroup; echo ready; read x || exit 0"}},
		func(sc *ns.StartConfig) { sc.CgroupFD = fd })
	// Before Continue: the child is already in the cgroup, not one
	// instruction ran outside it.
	procs, err := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	if err != nil || strings.TrimSpace(string(procs)) != fmt.Sprint(c.p.Pid()) {
		t.Errorf("cgroup.procs = %q, %v; want the child %d", procs, err, c.p.Pid())
	}
	if err := c.p.Continue(); err != nil {
		t.Fatal(err)
	}
	inside := c.waitFor(t, "ready")
	if !containsLine(inside, "0::/") {
		t.Errorf("/proc/self/cgroup in the container = %q, want 0::/ (its own cgroup is its root)", inside)
	}
	c.stdin.Close()
	c.wait(t)
}

// cgroup2Mount finds a cgroup v2 mount: /sys/fs/cgroup on a pure v2 host,
// /sys/fs/cgroup/unified on a hybrid one.
func cgroup2Mount(t *testing.T) string {
	for _, p := range []string{"/sys/fs/cgroup", "/sys/fs/cgroup/unified"} {
		var st unix.Statfs_t
		if unix.Statfs(p, &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC {
			return p
		}
	}
	t.Skip("no cgroup v2 mount at /sys/fs/cgroup or /sys/fs/cgroup/unified")
	return ""
}

func containsLine(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}

// TestConsole is the -t path end to end: the child mounts its own devpts,
// makes a pty there, takes the slave as its terminal and sends the master
// over the console socket (ExtraFiles); the parent talks to the shell.
func TestConsole(t *testing.T) {
	_, env := busybox(t)
	parentSock, childSock, err := tty.Socketpair()
	if err != nil {
		t.Fatal(err)
	}
	defer parentSock.Close()
	c := start(t, childConfig{Env: append(env, "PS1=$ "), Console: true, Argv: []string{"busybox", "sh"}},
		func(sc *ns.StartConfig) { sc.ExtraFiles = []*os.File{childSock} })
	childSock.Close() // only the child may hold it, so RecvFd sees EOF if the child dies
	if err := c.p.Continue(); err != nil {
		t.Fatal(err)
	}
	master, err := tty.RecvFd(parentSock)
	if err != nil {
		t.Fatalf("RecvFd: %v (stderr: %s)", err, c.stderr)
	}
	defer master.Close()
	if _, err := master.WriteString("tty; busybox ls -1 /dev/pts; echo $((6*7)); exit 3\n"); err != nil {
		t.Fatal(err)
	}
	// The terminal echoes the input line; the output comes after it.
	got := readUntil(t, master, "42\r\n")
	if !strings.Contains(got, "\r\n/dev/pts/0\r\n0\r\nptmx\r\n") {
		t.Errorf("want tty /dev/pts/0 in a devpts of its own (only 0 and ptmx); got %q", got)
	}
	if st := c.wait(t); st.Code != 3 {
		t.Errorf("exit status %+v, want 3", st)
	}
}

// TestTraceClone: the Trace hook sees the real clone flags -- without
// CLONE_NEWCGROUP when the child will unshare it after Continue.
func TestTraceClone(t *testing.T) {
	_, env := busybox(t)
	var calls []string
	ns.Trace = func(name string, args ...any) { calls = append(calls, fmt.Sprint(name, args)) }
	defer func() { ns.Trace = nil }()
	c := start(t, childConfig{Env: env, Argv: []string{"busybox", "true"}}, nil)
	ns.Trace = nil
	if err := c.p.Continue(); err != nil {
		t.Fatal(err)
	}
	c.wait(t)
	want := fmt.Sprint("clone", []any{"CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID|CLONE_NEWNET", "/proc/self/exe", []string{childArg}})
	if len(calls) != 1 || calls[0] != want {
		t.Errorf("traced %q, want [%q]", calls, want)
	}
}

// readUntil reads r until want has come; a read error (EIO: the pty's
// other side is closed) before that fails the test.
func readUntil(t *testing.T, r io.Reader, want string) string {
	t.Helper()
	var got []byte
	b := make([]byte, 4096)
	for !strings.Contains(string(got), want) {
		n, err := r.Read(b)
		got = append(got, b[:n]...)
		if err != nil {
			t.Fatalf("read pty before %q: %v; got %q", want, err, got)
		}
	}
	return string(got)
}
