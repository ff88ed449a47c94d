package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run -d reports the container started only once its command is exec'd:
// a command that is missing or not executable fails the way a foreground
// run does (127, 126, one line), not with an ID and exit 0.
func TestDetachExecFails(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{img, "/nothere"}, 127, "no such file"},
		{[]string{"--rm", img, "nothere"}, 127, "not found"},
		{[]string{img, "/etc/passwd"}, 126, "permission denied"},
		{[]string{"-w", "/etc/passwd", img, "true"}, 125, "not a directory"},
	} {
		before := c.ok("ps", "-a", "-q")
		r := c.run(append([]string{"run", "-d"}, tc.args...)...)
		if r.code != tc.code || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, tc.msg) {
			t.Errorf("run -d %v: exit %d, stdout %q, stderr %q; want exit %d, no ID, one line saying %q",
				tc.args, r.code, r.stdout, r.stderr, tc.code, tc.msg)
		}
		after := c.ok("ps", "-a", "-q")
		if tc.args[0] == "--rm" && after != before {
			t.Errorf("run -d --rm of a missing command left a container: ps -a -q %q, before %q", after, before)
		}
		for _, id := range strings.Fields(after) {
			if !strings.Contains(before, id) {
				if line := c.waitStatus(id, "Exited ("); !strings.Contains(line, fmt.Sprintf("Exited (%d)", tc.code)) {
					t.Errorf("run -d %v: ps -a shows %q, want Exited (%d)", tc.args, line, tc.code)
				}
				c.ok("rm", id)
			}
		}
	}
}

// run -dit: the container's shell has a terminal (its stdin is a tty)
// that stays open with nobody typing, so it keeps running; what it prints
// goes to the log; exec -i feeds a second shell. run -di (no -t): stdin
// is a pipe the monitor holds open, so `cat` waits instead of reading
// end-of-file, until it is stopped.
func TestDetachTtyAndStdin(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	sync := t.TempDir()
	id := c.detached("-i", "-t", "-v", sync+":/sync", img, "sh", "-c",
		`[ -t 0 ] && echo "tty: $(tty) $(stty size)"; touch /sync/up; exec sh`)
	waitFile(t, filepath.Join(sync, "up"))
	if line := c.waitStatus(id, "Up "); line == "" {
		t.Fatal("not up")
	}
	// The terminal's output, \r\n and all, then the interactive shell's banner and prompt.
	if out := c.ok("logs", id); !strings.HasPrefix(out, "tty: /dev/pts/0 24 80\r\n") || !strings.Contains(out, "# ") {
		t.Errorf("logs of run -dit: %q, want the terminal's line, then the shell's prompt", out)
	}
	cmd := c.cmd("exec", "-i", id, "sh")
	cmd.Stdin = strings.NewReader("ps -o pid,args\n")
	out, err := cmd.Output()
	if err != nil || !strings.Contains(string(out), "1 sh") {
		t.Errorf("exec -i into a run -dit container: %v\n%s", err, out)
	}
	// start of a stopped -t container, detached: a terminal again.
	c.ok("stop", "-t", "1", id) // sh as PID 1 ignores SIGTERM
	os.Remove(filepath.Join(sync, "up"))
	c.ok("start", id)
	waitFile(t, filepath.Join(sync, "up"))
	c.waitStatus(id, "Up ")

	cat := c.detached("-i", img, "cat")
	if line := c.waitStatus(cat, "Up "); line == "" {
		t.Fatal("run -di cat is not up")
	}
	// cat gets no EOF: it is still up when stop kills it (137), not Exited (0).
	c.ok("stop", "-t", "1", cat)
	if st := c.containerState(cat).State; st.ExitCode != 137 {
		t.Errorf("run -di cat: exit %d after stop, want 137 (it was still waiting for input)", st.ExitCode)
	}
}
