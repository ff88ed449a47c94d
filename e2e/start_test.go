package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// start takes several containers (each started detached, each name printed),
// but -a only one; stop --time=-1 waits as long as the container takes, and
// never kills it.
func TestStartManyStopNoTimeout(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	a := c.detached("--name", "a", img, "true")
	b := c.detached("--name", "b", img, "true")
	c.waitStatus(a, "Exited (0)")
	c.waitStatus(b, "Exited (0)")
	if out := c.ok("start", "a", b[:12]); out != "a\n"+b[:12]+"\n" {
		t.Errorf("start a b printed %q", out)
	}
	c.waitStatus(b, "Exited (0)")
	if r := c.run("start", "a", "nosuch"); r.code != 1 || r.stdout != "a\n" || !strings.Contains(r.stderr, "nosuch") {
		t.Errorf("start a nosuch: exit %d, stdout %q, stderr %q; want a started, an error for nosuch, exit 1", r.code, r.stdout, r.stderr)
	}
	c.fails("one container", "start", "-a", "a", "b")

	sync := t.TempDir()
	id := c.detached("-v", sync+":/sync", img, "sh", "-c",
		`trap 'touch /sync/got; while [ ! -e /sync/go ]; do sleep 0.1; done; exit 9' TERM; touch /sync/up; while :; do sleep 0.1; done`)
	waitFile(t, filepath.Join(sync, "up"))
	stop := c.cmd("stop", "--time=-1", id)
	if err := stop.Start(); err != nil {
		t.Fatal(err)
	}
	waitFile(t, filepath.Join(sync, "got"))
	os.WriteFile(filepath.Join(sync, "go"), nil, 0o644)
	if err := stop.Wait(); err != nil {
		t.Errorf("stop --time=-1: %v", err)
	}
	if st := c.containerState(id).State; st.ExitCode != 9 {
		t.Errorf("after stop --time=-1: exit %d, want the container's own 9 (it must not be killed)", st.ExitCode)
	}
}

// Ten `start` at once of one stopped container start it once: the others
// find it running (the container's lock covers "is it running?" until
// state.json says so) and do nothing, as docker's start of a running one.
func TestStartConcurrent(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	sync := t.TempDir()
	marker := filepath.Base(sync) // in every instance's command line
	script := "echo run >> /sync/runs; touch /sync/up; while [ ! -e /sync/stop ]; do sleep 0.1; done; : " + marker
	id := c.detached("--name", "once", "-v", sync+":/sync", img, "sh", "-c", script)
	waitFile(t, filepath.Join(sync, "up"))
	os.WriteFile(filepath.Join(sync, "stop"), nil, 0o644)
	c.waitStatus(id, "Exited (0)")
	os.Remove(filepath.Join(sync, "stop"))
	os.Remove(filepath.Join(sync, "up"))
	os.Remove(filepath.Join(sync, "runs"))

	errs := make(chan error, 10)
	for i := 0; i < 10; i++ {
		go func() { errs <- c.cmd("start", "once").Run() }()
	}
	for i := 0; i < 10; i++ {
		if err := <-errs; err != nil {
			t.Errorf("concurrent start: %v", err)
		}
	}
	waitFile(t, filepath.Join(sync, "up"))
	os.WriteFile(filepath.Join(sync, "stop"), nil, 0o644)
	c.waitStatus(id, "Exited (0)")
	for i := 0; i < 600 && len(processesWith(marker)) > 0; i++ {
		time.Sleep(50 * time.Millisecond) // a second instance, if any, ends too
	}
	if b, _ := os.ReadFile(filepath.Join(sync, "runs")); string(b) != "run\n" {
		t.Errorf("10 concurrent starts ran the container %d times, want once", strings.Count(string(b), "run"))
	}
}

// processesWith lists the PIDs whose command line contains s.
func processesWith(s string) []string {
	var pids []string
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline"); err == nil && strings.Contains(string(b), s) {
			pids = append(pids, e.Name())
		}
	}
	return pids
}
