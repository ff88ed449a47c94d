package container

import (
	"github.com/minictr/minictr/ns"

	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestCreateFindRemove(t *testing.T) {
	root := t.TempDir()
	a, err := Create(root, Config{Name: "web", Image: "busybox"})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{a.Upper(), a.Work(), a.Rootfs()} {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			t.Errorf("%s: %v", d, err)
		}
	}
	if _, err := Create(root, Config{Name: "web"}); err == nil || !strings.Contains(err.Error(), "already in use") {
		t.Errorf("a second container named web: %v", err)
	}
	if _, err := Create(root, Config{Name: "bad/name"}); err == nil {
		t.Error("a name with a slash was accepted")
	}
	for _, arg := range []string{"web", a.ID, a.ID[:5]} {
		if c, err := Find(root, arg); err != nil || c.ID != a.ID {
			t.Errorf("Find(%q) = %v, %v", arg, c, err)
		}
	}
	if _, err := Find(root, "nothere"); err == nil || !strings.Contains(err.Error(), "no such container") {
		t.Errorf("Find of a missing container: %v", err)
	}
	if err := a.Remove(); err != nil {
		t.Fatal(err)
	}
	if all, _ := List(root); len(all) != 0 {
		t.Errorf("after Remove: %d containers", len(all))
	}
}

func TestFindAmbiguousPrefix(t *testing.T) {
	root := t.TempDir()
	var ids []string
	for len(ids) < 2 || ids[0][0] != ids[1][0] { // two IDs with the same first digit
		c, err := Create(root, Config{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
		if len(ids) == 2 && ids[0][0] != ids[1][0] {
			ids = ids[1:]
		}
	}
	_, err := Find(root, ids[0][:1])
	if err == nil || !strings.Contains(err.Error(), "ambiguous") {
		t.Errorf("Find of a shared prefix: %v", err)
	}
}

// A recorded "running" container whose process is gone is reported exited
// and lost; one whose PID is alive but started at another time (a reused
// PID) too; a zombie is not alive.
func TestStateAgainstTheKernel(t *testing.T) {
	root := t.TempDir()
	c, err := Create(root, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := c.State(); st.Status != Created {
		t.Errorf("new container: %s", st.Status)
	}
	start, err := StartTime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	c.SaveState(State{Status: Running, Pid: os.Getpid(), PidStart: start})
	if st, _ := c.State(); st.Status != Running {
		t.Errorf("with our own live PID: %+v", st)
	}
	c.SaveState(State{Status: Running, Pid: os.Getpid(), PidStart: start + 1})
	if st, _ := c.State(); st.Status != Exited || !st.Lost {
		t.Errorf("with a reused PID: %+v", st)
	}
	zombie := exec.Command("true")
	if err := zombie.Start(); err != nil {
		t.Skip(err)
	}
	defer zombie.Wait()
	zs, _ := StartTime(zombie.Process.Pid)
	for i := 0; i < 200; i++ { // until it has exited and waits to be reaped
		if st, _ := ns.ReadProcStat(zombie.Process.Pid); st.State == "Z" {
			break
		}
		exec.Command("sleep", "0.01").Run()
	}
	if Alive(zombie.Process.Pid, zs) {
		t.Error("a zombie counts as alive")
	}
}

// A container is recorded only if every layer it stands on is there (an
// image prune may have removed them since the image was looked up); if
// not, nothing of it is left behind.
func TestCreateLayersGone(t *testing.T) {
	root := t.TempDir()
	layer := filepath.Join(root, "layers", "sha256", "abc", "diff")
	if err := os.MkdirAll(layer, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(root, Config{Image: "img", Layers: []string{layer}}); err != nil {
		t.Fatalf("with its layer there: %v", err)
	}
	os.RemoveAll(filepath.Dir(layer))
	_, err := Create(root, Config{Image: "img", Layers: []string{layer}})
	if err == nil || !strings.Contains(err.Error(), "is gone") {
		t.Errorf("with its layer gone: %v, want an error saying so", err)
	}
	ents, _ := os.ReadDir(filepath.Join(root, "containers"))
	if len(ents) != 1 {
		t.Errorf("containers/ holds %d entries after the failed create, want only the first container", len(ents))
	}
}
