package ns_test

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minictr/minictr/internal/testutil"
	"github.com/minictr/minictr/ns"
)

// child is a started test init with a pipe to its stdin and from its stdout.
type child struct {
	p      *ns.Proc
	stdin  *os.File      // write end; close it to make `read` in the child see EOF
	out    *bufio.Reader // the child's stdout
	stderr *bytes.Buffer
}

// busybox returns the host's static busybox and an environment whose PATH
// finds it, so Exec's PATH lookup in the container's env is exercised.
func busybox(t *testing.T) (path string, env []string) {
	testutil.RequireRoot(t)
	bb := testutil.RequireTool(t, "busybox", "busybox-static")
	bb, err := filepath.EvalSymlinks(bb)
	if err != nil {
		t.Fatal(err)
	}
	return bb, []string{"PATH=" + filepath.Dir(bb), "BB=" + bb}
}

// start runs Start with the test binary as init, stdio on pipes, and makes
// sure the child is gone when the test ends, even on failure.
func start(t *testing.T, cfg childConfig, mod func(*ns.StartConfig)) *child {
	t.Helper()
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &child{stdin: inW, out: bufio.NewReader(outR), stderr: new(bytes.Buffer)}
	sc := ns.StartConfig{
		Args: []string{childArg}, Options: ns.AllNew(), Config: cfg,
		Stdin: inR, Stdout: outW, Stderr: c.stderr, CgroupFD: -1,
	}
	if mod != nil {
		mod(&sc)
	}
	c.p, err = ns.Start(sc)
	inR.Close()
	outW.Close()
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		inW.Close()
		outR.Close()
		if c.p.Cmd.ProcessState == nil { // the test did not get to Wait
			_ = c.p.Cmd.Process.Kill()
			_, _ = c.p.Wait()
		}
	})
	return c
}

// line reads one line of the child's stdout.
func (c *child) line(t *testing.T) string {
	t.Helper()
	s, err := c.out.ReadString('\n')
	if err != nil {
		t.Fatalf("read child's stdout: %v (got %q; stderr: %s)", err, s, c.stderr)
	}
	return strings.TrimSuffix(s, "\n")
}

// waitFor reads lines until want; the lines before it are returned.
func (c *child) waitFor(t *testing.T, want string) []string {
	t.Helper()
	var lines []string
	for l := c.line(t); l != want; l = c.line(t) {
		lines = append(lines, l)
	}
	return lines
}

// wait is Continue's counterpart at the end: Wait, and fail on unexpected errors.
func (c *child) wait(t *testing.T) ns.ExitStatus {
	t.Helper()
	st, err := c.p.Wait()
	if err != nil {
		t.Fatalf("Wait: %v (stderr: %s)", err, c.stderr)
	}
	return st
}
