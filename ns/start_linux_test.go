package ns_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/minictr/minictr/ns"
	"golang.org/x/sys/unix"
)

// TestStartNamespaces starts a shell in all-new namespaces and checks from
// both sides that each one really is new.
func TestStartNamespaces(t *testing.T) {
	_, env := busybox(t)
	script := `busybox hostname; echo $$; busybox ip -o link; echo ready; read x || exit 0`
	c := start(t, childConfig{
		Hostname: "ns-test", Loopback: true, Env: env,
		Argv: []string{"busybox", "sh", "-c", script},
	}, nil)
	host, err := ns.NamespaceInodes(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	before, err := ns.NamespaceInodes(c.p.Pid())
	if err != nil {
		t.Fatal(err)
	}
	// Without CLONE_INTO_CGROUP the cgroup namespace is made only after
	// Continue, once a cgroup v1 parent could have moved the child.
	if before["cgroup"] != host["cgroup"] {
		t.Errorf("cgroup namespace exists before Continue: %d, host %d", before["cgroup"], host["cgroup"])
	}
	if err := c.p.Continue(); err != nil {
		t.Fatalf("Continue: %v", err)
	}
	lines := c.waitFor(t, "ready")
	if len(lines) < 3 {
		t.Fatalf("want hostname, pid and links; got %q (stderr: %s)", lines, c.stderr)
	}
	if lines[0] != "ns-test" {
		t.Errorf("hostname in the container = %q, want ns-test", lines[0])
	}
	if hn, _ := os.Hostname(); hn == "ns-test" {
		t.Errorf("the host's hostname changed too")
	}
	if lines[1] != "1" {
		t.Errorf("echo $$ = %q, want 1 (PID 1 of a new PID namespace)", lines[1])
	}
	links := lines[2:]
	if len(links) != 1 || !strings.Contains(links[0], ": lo: <LOOPBACK,UP") {
		t.Errorf("links in the container = %q, want only lo, UP", links)
	}
	after, err := ns.NamespaceInodes(c.p.Pid())
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"mnt", "uts", "ipc", "pid", "net", "cgroup"} {
		if after[kind] == host[kind] {
			t.Errorf("%s namespace: same inode %d as the host's, want a new one", kind, host[kind])
		}
	}
	if after["user"] != host["user"] {
		t.Errorf("user namespace: %d, want the host's %d (minictr makes none)", after["user"], host["user"])
	}
	c.stdin.Close()
	if st := c.wait(t); st.ExitCode() != 0 {
		t.Errorf("exit status %+v, want 0 (stderr: %s)", st, c.stderr)
	}
}

// TestHostNamespaces: Options{} shares every namespace with the host.
func TestHostNamespaces(t *testing.T) {
	_, env := busybox(t)
	c := start(t, childConfig{Env: env, Argv: []string{"busybox", "sh", "-c", "echo $$; echo ready; read x"}},
		func(sc *ns.StartConfig) { sc.Options = ns.Options{} })
	if err := c.p.Continue(); err != nil {
		t.Fatal(err)
	}
	if pid := c.waitFor(t, "ready"); len(pid) != 1 || pid[0] == "1" {
		t.Errorf("echo $$ = %q, want the host PID %d", pid, c.p.Pid())
	}
	host, _ := ns.NamespaceInodes(os.Getpid())
	got, err := ns.NamespaceInodes(c.p.Pid())
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"mnt", "uts", "ipc", "pid", "net", "cgroup"} {
		if got[kind] != host[kind] {
			t.Errorf("%s namespace %d, want the host's %d", kind, got[kind], host[kind])
		}
	}
	c.stdin.Close()
	c.wait(t)
}

// TestExitCodes: the command's own code, and docker's 126/127 for commands
// that never ran, reported by the child over the sync pipe.
func TestExitCodes(t *testing.T) {
	bb, env := busybox(t)
	noexec := filepath.Join(t.TempDir(), "script.sh")
	if err := os.WriteFile(noexec, []byte("#!/bin/sh\necho hi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		argv    []string
		code    int
		wantMsg string // ChildError.Msg; "" when the command ran
	}{
		{"exit 42", []string{bb, "sh", "-c", "exit 42"}, 42, ""},
		{"true", []string{"busybox", "true"}, 0, ""},
		{"not in PATH", []string{"nope-not-here"}, 127, `exec: "nope-not-here": executable file not found in $PATH`},
		{"missing path", []string{"/nope"}, 127, "exec /nope: no such file or directory"},
		{"not executable", []string{noexec}, 126, "exec " + noexec + ": permission denied"},
		{"a directory", []string{"/"}, 126, "exec /: permission denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := start(t, childConfig{Env: env, Argv: tt.argv}, nil)
			if err := c.p.Continue(); err != nil {
				t.Fatal(err)
			}
			st, err := c.p.Wait()
			var ce *ns.ChildError
			switch {
			case tt.wantMsg == "" && err != nil:
				t.Fatalf("Wait: %v", err)
			case tt.wantMsg == "" && st.ExitCode() != tt.code:
				t.Errorf("exit code %d, want %d", st.ExitCode(), tt.code)
			case tt.wantMsg != "" && !errors.As(err, &ce):
				t.Fatalf("Wait error = %v, want a *ChildError (status %+v)", err, st)
			case tt.wantMsg != "" && (ce.Code != tt.code || ce.Msg != tt.wantMsg || ce.Stage != "exec"):
				t.Errorf("ChildError = %+v, want stage exec, code %d, msg %q", ce, tt.code, tt.wantMsg)
			case tt.wantMsg != "" && st.ExitCode() != tt.code:
				t.Errorf("init exited %d, want %d", st.ExitCode(), tt.code)
			}
		})
	}
}

// TestSetupErrorBeforeExec: a failure in init's own setup (a mount, say)
// arrives whole at the parent, from Continue or at the latest from Wait.
func TestSetupErrorBeforeExec(t *testing.T) {
	_, env := busybox(t)
	c := start(t, childConfig{Env: env, FailAt: "mount", Argv: []string{"busybox", "true"}}, nil)
	want := ns.ChildError{Stage: "mount", Msg: "mount overlay /nonexistent/rootfs: invalid argument", Code: 125}
	var ce *ns.ChildError
	if err := c.p.Continue(); err != nil && (!errors.As(err, &ce) || *ce != want) {
		t.Errorf("Continue: %v, want nil or %+v", err, want)
	}
	st, err := c.p.Wait()
	if !errors.As(err, &ce) || *ce != want {
		t.Fatalf("Wait: %v, want %+v", err, want)
	}
	if err.Error() != "container init: mount overlay /nonexistent/rootfs: invalid argument" {
		t.Errorf("Error() = %q", err)
	}
	if st.Code != 125 {
		t.Errorf("init's exit code %d, want 125", st.Code)
	}
}

// TestSIGKILL: the kernel lets SIGKILL from the parent namespace through to a
// PID 1, and docker's convention reports it as 128+9.
func TestSIGKILL(t *testing.T) {
	_, env := busybox(t)
	c := start(t, childConfig{Env: env, Argv: []string{"busybox", "sh", "-c", "echo ready; read x"}}, nil)
	if err := c.p.Continue(); err != nil {
		t.Fatal(err)
	}
	c.waitFor(t, "ready")
	if err := unix.Kill(c.p.Pid(), unix.SIGKILL); err != nil {
		t.Fatal(err)
	}
	st := c.wait(t)
	if st.Signal != syscall.SIGKILL || st.ExitCode() != 137 {
		t.Errorf("status %+v, exit code %d; want SIGKILL, 137", st, st.ExitCode())
	}
}

// TestInitIgnoresSIGTERM: a PID 1 without a handler for SIGTERM does not die
// of it (pid_namespaces(7)): the shell goes on to read its line and exit 7.
func TestInitIgnoresSIGTERM(t *testing.T) {
	_, env := busybox(t)
	c := start(t, childConfig{Env: env, Argv: []string{"busybox", "sh", "-c", "echo ready; read x; exit 7"}}, nil)
	if err := c.p.Continue(); err != nil {
		t.Fatal(err)
	}
	c.waitFor(t, "ready")
	if err := unix.Kill(c.p.Pid(), unix.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// Had the signal been delivered, it would be pending now and would kill
	// the shell before `read` could return.
	if _, err := c.stdin.WriteString("go on\n"); err != nil {
		t.Fatal(err)
	}
	if st := c.wait(t); st.Code != 7 || st.Signal != 0 {
		t.Errorf("status %+v, want exit 7: PID 1 should have ignored SIGTERM", st)
	}
}

// TestForwardSIGTERM: a SIGTERM sent to minictr (here: to the test process)
// reaches the container's process. With --pid host the shell is not an init
// and dies of it: 128+15.
func TestForwardSIGTERM(t *testing.T) {
	_, env := busybox(t)
	c := start(t, childConfig{Env: env, Argv: []string{"busybox", "sh", "-c", "echo ready; read x"}},
		func(sc *ns.StartConfig) { sc.Options.PID = false })
	stop := ns.ForwardSignals(c.p)
	defer stop()
	if err := c.p.Continue(); err != nil {
		t.Fatal(err)
	}
	c.waitFor(t, "ready")
	if err := unix.Kill(os.Getpid(), unix.SIGTERM); err != nil {
		t.Fatal(err)
	}
	st := c.wait(t)
	if st.Signal != syscall.SIGTERM || st.ExitCode() != 143 {
		t.Errorf("status %+v, exit code %d; want SIGTERM, 143", st, st.ExitCode())
	}
}
