package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minictr/minictr/cli"
	"golang.org/x/sys/unix"
)

// What a new user tried and found wrong (issue "a house a student can walk
// through"): each case fails with one line, exit 125, the store unchanged.
func TestNewUserBadInput(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	before := c.snapshot()
	for _, tc := range []struct {
		want string
		args []string
	}{
		// An unknown flag before the image is a flag, not an image name.
		{"unknown flag --nope", []string{"run", "--nope", "x", img, "true"}},
		{"unknown flag --foo", []string{"exec", "--foo", "x", "y"}},
		// docker refuses under 6 MB: minictr's own init would be OOM-killed at random points.
		{"minimum memory limit allowed is 6MB", []string{"run", "--rm", "-m", "1m", img, "true"}},
		{"range of CPUs is from 0.01 to", []string{"run", "--rm", "--cpus", "4096", img, "true"}},
		{`unknown mode ""`, []string{"run", "--rm", "-v", "data:/data:", img, "true"}},
		{`unknown mode ""`, []string{"run", "--rm", "-v", "/tmp:/data:", img, "true"}},
		{`invalid platform "linux/*"`, []string{"pull", "--platform", "linux/*", "busybox"}},
		{`invalid platform "linux/ amd64"`, []string{"pull", "--platform", "linux/ amd64", "busybox"}},
	} {
		t.Log(c.fails(tc.want, tc.args...))
	}
	if after := c.snapshot(); after != before {
		t.Errorf("failed commands changed the store:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	// Flags after the image belong to the container, as before.
	if out := c.ok("run", "--rm", "--network", "none", img, "echo", "-n", "x", "--nope"); out != "x --nope" {
		t.Errorf("run IMG echo -n x --nope printed %q", out)
	}
	if out := c.ok("--version"); !strings.HasPrefix(out, "minictr version ") {
		t.Errorf("--version printed %q", out)
	}
}

// -v ./dir:/x is a host path relative to the working directory, as in
// docker since 23.0; config.json keeps it absolute.
func TestRunRelativeBind(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "hello.txt"), []byte("from the host\n"), 0o644)
	cmd := c.cmd("run", "--name", "rel", "-v", "./:/data:ro", img, "cat", "/data/hello.txt")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil || string(out) != "from the host\n" {
		t.Fatalf("run -v ./:/data: %v %q", err, out)
	}
	if ms := c.ctrInspect("rel").Mounts; len(ms) != 1 || ms[0].Type != "bind" || ms[0].Source != dir || ms[0].RW {
		t.Errorf("inspect mounts %+v, want one read-only bind of %s", ms, dir)
	}
}

// ps -a lists the newest container first, as docker does.
func TestPsNewestFirst(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	for _, name := range []string{"first", "second", "third"} {
		c.ok("run", "--name", name, img, "true")
	}
	var rows []cli.ContainerSummary
	if err := json.Unmarshal([]byte(c.ok("ps", "-a", "--json")), &rows); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range rows {
		names = append(names, r.Name)
	}
	if strings.Join(names, " ") != "third second first" {
		t.Errorf("ps -a lists %v, want the newest first", names)
	}
	table := strings.Split(strings.TrimSpace(c.ok("ps", "-a")), "\n")
	if len(table) != 4 || !strings.HasSuffix(table[1], "third") || !strings.HasSuffix(table[3], "first") {
		t.Errorf("ps -a:\n%s", strings.Join(table, "\n"))
	}
}

// A run that loses a race to an rmi (the image was listed, its config was
// gone when run read it) says what happened. Here the config blob is
// removed by hand, which is what the other command did in the race.
func TestRunImageRemovedMeanwhile(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	id := strings.TrimPrefix(c.inspect(img).ID, "sha256:")
	if err := os.Remove(filepath.Join(c.root, "blobs", "sha256", id)); err != nil {
		t.Fatal(err)
	}
	c.fails("was removed while run was reading it", "run", "--rm", img, "true")
}

// The prune commands take -f, as every docker script passes it, and
// without it ask docker's question when someone is at a terminal.
func TestPruneAsks(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	c.ok("run", img, "true")
	cmd := c.cmd("container", "prune")
	master, term := startOnPty(t, cmd, &unix.Winsize{Row: 24, Col: 80})
	term.expect(t, "WARNING! This will remove all stopped containers.")
	term.expect(t, "Are you sure you want to continue? [y/N]")
	master.WriteString("n\n")
	cmd.Wait()
	if ids := c.containerIDs(); len(ids) != 1 {
		t.Errorf("answered n, yet container prune left %v", ids)
	}
	for _, args := range [][]string{{"container", "prune", "-f"}, {"image", "prune", "--force"}, {"system", "prune", "-f"}, {"volume", "prune", "-f"}} {
		cmd := c.cmd(args...)
		_, term := startOnPty(t, cmd, &unix.Winsize{Row: 24, Col: 80})
		if err := cmd.Wait(); err != nil || strings.Contains(term.String(), "Are you sure") {
			t.Errorf("%v on a terminal: %v, asked anyway:\n%s", args, err, term)
		}
	}
	if ids := c.containerIDs(); len(ids) != 0 {
		t.Errorf("container prune -f left %v", ids)
	}
}
