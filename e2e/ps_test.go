package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/minictr/minictr/cli"
)

// ps shows the truth about containers, rm and prune clean them up, and a
// container whose minictr was killed with SIGKILL is still found and removed
// with everything it had (cgroup, directory).
func TestPsRmPrune(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	if r := c.run("run", "--name", "done", img, "sh", "-c", "exit 3"); r.code != 3 {
		t.Fatalf("exit 3: %d", r.code)
	}
	if out := c.ok("ps", "-a"); !strings.Contains(out, "Exited (3)") || !strings.Contains(out, "done") {
		t.Errorf("ps -a after an exit 3:\n%s", out)
	}
	if out := c.ok("ps", "-q"); out != "" {
		t.Errorf("ps lists stopped containers without -a: %q", out)
	}
	var v []cli.ContainerInspect
	if err := json.Unmarshal([]byte(c.ok("inspect", "done")), &v); err != nil || len(v) != 1 {
		t.Fatalf("inspect done: %v", err)
	}
	if st := v[0].State; st.Status != "exited" || st.ExitCode != 3 || v[0].Path != "sh" {
		t.Errorf("inspect done: %+v", v[0])
	}
	if out := c.ok("inspect", v[0].ID); !strings.Contains(out, v[0].ID) { // 64 hex digits: no image, a container
		t.Errorf("inspect by full ID:\n%s", out)
	}
	if _, err := os.Stat(v[0].GraphDriver.Data["UpperDir"]); err != nil {
		t.Errorf("inspect: UpperDir: %v", err)
	}

	sync := t.TempDir()
	cmd := c.cmd("run", "--name", "busy", "-v", sync+":/sync", img, "sh", "-c", "touch /sync/up; exec sleep 1000")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFile(t, filepath.Join(sync, "up"))
	if out := c.ok("ps"); !strings.Contains(out, "Up ") || !strings.Contains(out, "busy") {
		t.Errorf("ps while running:\n%s", out)
	}
	v = nil
	if err := json.Unmarshal([]byte(c.ok("inspect", "busy")), &v); err != nil || len(v) != 1 {
		t.Fatalf("inspect busy: %v", err)
	}
	want := cli.MountPoint{Type: "bind", Source: sync, Destination: "/sync", RW: true}
	if len(v[0].Mounts) != 1 || v[0].Mounts[0] != want || v[0].LogPath != filepath.Join(v[0].Dir, "log.json") ||
		v[0].State.Pid == 0 || len(v[0].Cgroup) == 0 {
		t.Errorf("inspect of a running container with -v: Mounts %+v, LogPath %q, Pid %d, Cgroup %v; want %+v, %q in its dir",
			v[0].Mounts, v[0].LogPath, v[0].State.Pid, v[0].Cgroup, want, "log.json")
	}
	if r := c.run("rm", "busy"); r.code == 0 || !strings.Contains(r.stderr, "is running") {
		t.Errorf("rm of a running container: exit %d, %q", r.code, r.stderr)
	}
	// minictr itself dies: the container runs on, unrecorded; rm -f finds it.
	busy := c.ok("ps", "-q")
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if out := c.ok("ps", "-q"); out != busy {
		t.Errorf("after kill -9 of minictr the container still runs, ps says %q, want %q", out, busy)
	}
	cgroups := cgroupDirs(strings.TrimSpace(busy) + "*")
	if len(cgroups) == 0 {
		t.Fatalf("no cgroup found for the running container %s", busy)
	}
	c.ok("rm", "-f", "busy")
	for _, d := range cgroups {
		if _, err := os.Stat(d); err == nil {
			t.Errorf("cgroup %s left after rm -f", d)
		}
	}
	if out := c.ok("ps", "-a"); strings.Contains(out, "busy") {
		t.Errorf("rm -f left the container:\n%s", out)
	}
	c.ok("container", "prune")
	if ids := c.containerIDs(); len(ids) != 0 {
		t.Errorf("container prune left %v", ids)
	}
	if r := c.run("rm", "nothere"); r.code == 0 || !strings.Contains(r.stderr, "no such container") {
		t.Errorf("rm of a missing container: exit %d, %q", r.code, r.stderr)
	}
	c.noMountsLeft()
}
