package layers

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestTempDir(t *testing.T) {
	root := t.TempDir()
	dir, err := TempDir(root, "unpack")
	if err != nil {
		t.Fatal(err)
	}
	prefix := fmt.Sprintf("%d-unpack-", os.Getpid())
	if filepath.Dir(dir) != filepath.Join(root, "tmp") || !strings.HasPrefix(filepath.Base(dir), prefix) {
		t.Errorf("TempDir = %s, want %s/tmp/%s<rand>", dir, root, prefix)
	}
	if _, err := TempDir(root, "a/b"); err == nil {
		t.Error("TempDir accepted a name with a slash")
	}
}

func TestTempOwner(t *testing.T) {
	for _, tt := range []struct {
		name string
		pid  int
		ok   bool
	}{
		{"123-unpack-456", 123, true},
		{"1-x-", 1, true},
		{"0-x-1", 0, false},
		{"-1-x", 0, false},
		{"0123-x-1", 0, false}, // not how we write pids
		{"abc-x-1", 0, false},
		{"lost+found", 0, false},
		{"123", 0, false},
	} {
		pid, ok := tempOwner(tt.name)
		if pid != tt.pid || ok != tt.ok {
			t.Errorf("tempOwner(%q) = %d, %v; want %d, %v", tt.name, pid, ok, tt.pid, tt.ok)
		}
	}
}

// deadPid starts a process and waits for it: its pid then belongs to no
// running process (until the kernel reuses it, far in the future).
func deadPid(t *testing.T) int {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

func TestCleanTemp(t *testing.T) {
	root := t.TempDir()
	live, err := TempDir(root, "unpack") // ours: we are alive
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(root, "tmp")
	dead := filepath.Join(tmp, fmt.Sprintf("%d-unpack-123", deadPid(t)))
	deadFile := filepath.Join(tmp, fmt.Sprintf("%d-write-456", deadPid(t)))
	foreign := filepath.Join(tmp, "not-ours")
	for _, d := range []string{dead + "/diff/usr/bin", foreign} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(deadFile, []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A read-only directory deep inside must not stop the clean-up.
	if err := os.Chmod(dead+"/diff/usr", 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dead+"/diff/usr", 0o755) })

	if err := CleanTemp(root); err != nil && os.Geteuid() == 0 {
		t.Fatal(err)
	}
	var left []string
	entries, _ := os.ReadDir(tmp)
	for _, e := range entries {
		left = append(left, filepath.Join(tmp, e.Name()))
	}
	want := []string{live, foreign}
	if os.Geteuid() != 0 {
		want = append(want, dead) // a normal user cannot empty a 0555 dir
	}
	slices.Sort(want)
	if !slices.Equal(left, want) {
		t.Errorf("after CleanTemp tmp holds\n%q\nwant\n%q", left, want)
	}
}

func TestCleanTempMissingDir(t *testing.T) {
	if err := CleanTemp(filepath.Join(t.TempDir(), "nothing")); err != nil {
		t.Errorf("CleanTemp of a root without tmp/: %v", err)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	root := t.TempDir()
	target := filepath.Join(root, "images.json")
	for _, content := range []string{"first", "second, longer"} {
		if err := WriteFileAtomic(root, target, []byte(content), 0o640); err != nil {
			t.Fatal(err)
		}
		if got := readFile(t, target); got != content {
			t.Errorf("content %q, want %q", got, content)
		}
	}
	fi, err := os.Stat(target)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", fi.Mode().Perm())
	}
	if entries, _ := os.ReadDir(filepath.Join(root, "tmp")); len(entries) != 0 {
		t.Errorf("tmp/ not empty after WriteFileAtomic: %v", entries)
	}
	if err := WriteFileAtomic(root, filepath.Join(root, "no/such/dir/x"), nil, 0o600); err == nil {
		t.Error("WriteFileAtomic into a missing directory succeeded")
	}
	if entries, _ := os.ReadDir(filepath.Join(root, "tmp")); len(entries) != 0 {
		t.Errorf("failed WriteFileAtomic left %v in tmp/", entries)
	}
}
