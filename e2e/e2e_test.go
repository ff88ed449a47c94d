package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minictr/minictr/cli"
	"github.com/minictr/minictr/internal/testutil"
)

// The tests in e2e_*_test.go run the real minictr binary, as a user would,
// against a real registry, and look at what it leaves on disk.

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
	buildDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// minictrBinary builds the static binary once for the whole test run.
func minictrBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if builtBin = os.Getenv("MINICTR_BIN"); builtBin != "" {
			return // prebuilt, as in the cgroup v2 VM (tools/vm-test-all.sh)
		}
		buildDir, buildErr = os.MkdirTemp("", "minictr-bin-")
		if buildErr != nil {
			return
		}
		builtBin = filepath.Join(buildDir, "minictr")
		cmd := exec.Command("go", "build", "-o", builtBin, "github.com/minictr/minictr")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// harness runs minictr with its own store.
type harness struct {
	t    *testing.T
	bin  string
	root string
}

func newCLI(t *testing.T) *harness {
	t.Helper()
	testutil.RequireRoot(t)
	c := &harness{t: t, bin: minictrBinary(t), root: filepath.Join(t.TempDir(), "store")}
	t.Cleanup(c.removeAll)
	return c
}

// removeAll removes every container of the test's store, running ones too
// (rm -f: SIGKILL, its cgroup, its directory), so that a test that failed
// half way leaves no process, cgroup or monitor behind on the machine.
func (c *harness) removeAll() {
	out, err := exec.Command(c.bin, "--root", c.root, "ps", "-a", "-q").Output()
	if err != nil {
		return
	}
	for _, id := range strings.Fields(string(out)) {
		exec.Command(c.bin, "--root", c.root, "rm", "-f", id).Run()
	}
	// Every test has a store of its own, so its addresses on the shared
	// bridge are its own: the next test must not find this one's veths
	// (and their addresses) still there while the kernel tears down their
	// namespaces. Best effort, up to 30 s.
	for i := 0; i < 600 && len(hostVeths()) > 0; i++ {
		time.Sleep(50 * time.Millisecond)
	}
}

type result struct {
	stdout, stderr string
	code           int
}

func (c *harness) cmd(args ...string) *exec.Cmd {
	cmd := exec.Command(c.bin, append([]string{"--root", c.root}, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+c.t.TempDir()) // no ~/.docker/config.json of the host
	return cmd
}

func (c *harness) run(args ...string) result {
	c.t.Helper()
	cmd := c.cmd(args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatalf("minictr %s: %v", strings.Join(args, " "), err)
	}
	return result{out.String(), errb.String(), code}
}

// ok runs minictr and fails the test unless it exits 0.
func (c *harness) ok(args ...string) string {
	c.t.Helper()
	r := c.run(args...)
	if r.code != 0 {
		c.t.Fatalf("minictr %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// fails runs minictr, expects docker's exit 125 for minictr's own failure,
// and one line of error that contains want.
func (c *harness) fails(want string, args ...string) string {
	c.t.Helper()
	r := c.run(args...)
	if r.code != 125 {
		c.t.Fatalf("minictr %s: exit %d, want 125\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	// One line of error, the last thing printed (run may have said
	// "Unable to find image ... locally" and shown a pull before it).
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	msg := lines[len(lines)-1]
	if strings.Count(r.stderr, "minictr: ") != 1 || !strings.HasPrefix(msg, "minictr: ") {
		c.t.Errorf("minictr %s: want one line \"minictr: ...\" at the end of stderr, got:\n%s", strings.Join(args, " "), r.stderr)
	}
	if !strings.Contains(msg, want) {
		c.t.Errorf("minictr %s: error %q does not say %q", strings.Join(args, " "), msg, want)
	}
	return msg
}

// inspect returns `minictr inspect`'s JSON for one image.
func (c *harness) inspect(name string) cli.ImageInspect {
	c.t.Helper()
	var v []cli.ImageInspect
	if err := json.Unmarshal([]byte(c.ok("inspect", name)), &v); err != nil || len(v) != 1 {
		c.t.Fatalf("inspect %s: %v (%d images)", name, err, len(v))
	}
	return v[0]
}

// merged overlay-mounts an image's layer directories, as a container would
// see them, and returns the tree.
func (c *harness) merged(name string) map[string]testutil.Entry {
	c.t.Helper()
	var dirs []string
	for _, l := range c.inspect(name).Layers {
		dirs = append(dirs, l.Dir)
	}
	return testutil.MergedTree(c.t, dirs)
}

// snapshot lists everything under the store: path, type, size and content
// hash. Two equal snapshots mean the store was not changed.
func (c *harness) snapshot() string {
	c.t.Helper()
	var lines []string
	filepath.WalkDir(c.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			lines = append(lines, p+" "+err.Error())
			return nil
		}
		rel, _ := filepath.Rel(c.root, p)
		info, _ := d.Info()
		lines = append(lines, fmt.Sprintf("%s %v %d", rel, info.Mode(), info.Size()))
		return nil
	})
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// layerDirs lists the unpacked layers in the store by chain ID.
func (c *harness) layerDirs() []string {
	c.t.Helper()
	ents, err := os.ReadDir(filepath.Join(c.root, "layers", "sha256"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil // a store not made yet
	}
	if err != nil {
		c.t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }
