package cgroups

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// count is a child job: it writes an ever-growing counter into the first 8
// bytes of file, as fast as it can, so the parent can see it run or stop.
func count(file string) int {
	f, err := os.OpenFile(file, os.O_WRONLY, 0)
	if err != nil {
		return 12
	}
	var buf [8]byte
	for i := uint64(1); ; i++ {
		binary.LittleEndian.PutUint64(buf[:], i)
		if _, err := f.WriteAt(buf[:], 0); err != nil {
			return 13
		}
	}
}

func readCount(t *testing.T, file string) uint64 {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil || len(b) < 8 {
		t.Fatalf("read counter %s: %d bytes, %v", file, len(b), err)
	}
	return binary.LittleEndian.Uint64(b)
}

// waitCountPast waits (up to a generous deadline: not a timed assertion)
// until the counter is above n, and fails if it never gets there.
func waitCountPast(t *testing.T, file string, n uint64, why string) uint64 {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if c := readCount(t, file); c > n {
			return c
		}
	}
	t.Fatalf("the counter stayed at %d for 30s %s", n, why)
	return 0
}

// TestFreezeThaw freezes a group whose process counts as fast as it can:
// once Freeze has returned, the counter must not move at all; after Thaw it
// must move again. The kernel's own status file must agree each time.
func TestFreezeThaw(t *testing.T) {
	cg := newTestCgroup(t, Limits{})
	file := filepath.Join(t.TempDir(), "count")
	if err := os.WriteFile(file, make([]byte, 8), 0o644); err != nil {
		t.Fatal(err)
	}
	startChild(t, cg, "count", "COUNT_FILE="+file)
	// Cleanups run last-registered first: thaw before startChild's kill,
	// since a v1 FROZEN task does not die of SIGKILL until thawed.
	t.Cleanup(func() {
		if err := cg.Thaw(); err != nil {
			t.Errorf("clean-up Thaw: %v", err)
		}
	})
	waitCountPast(t, file, 0, "before Freeze: the child never ran")

	for range 2 { // freezing a frozen group is fine
		err := cg.Freeze()
		if errors.Is(err, ErrControllerMissing) {
			t.Skip(err)
		}
		if err != nil {
			t.Fatalf("Freeze: %v", err)
		}
	}
	checkFreezeStatus(t, cg, true)
	before := readCount(t, file)
	time.Sleep(200 * time.Millisecond) // the child would count thousands meanwhile
	if after := readCount(t, file); after != before {
		t.Fatalf("counter moved from %d to %d while the group was frozen", before, after)
	}

	for range 2 {
		if err := cg.Thaw(); err != nil {
			t.Fatalf("Thaw: %v", err)
		}
	}
	checkFreezeStatus(t, cg, false)
	waitCountPast(t, file, before, "after Thaw")
}

// checkFreezeStatus reads the kernel's view: cgroup.events "frozen 1" on
// v2, freezer.state "FROZEN" on v1.
func checkFreezeStatus(t *testing.T, cg Cgroup, frozen bool) {
	t.Helper()
	dir, want := cg.Paths()[""], map[bool]string{true: "frozen 1", false: "frozen 0"}[frozen]
	file := filepath.Join(dir, "cgroup.events")
	if cg.Version() == 1 {
		dir, want = cg.Paths()["freezer"], map[bool]string{true: "FROZEN", false: "THAWED"}[frozen]
		file = filepath.Join(dir, "freezer.state")
	}
	b, err := os.ReadFile(file)
	if err != nil || !strings.Contains(string(b), want) {
		t.Errorf("%s = %q, %v; want %q", file, b, err, want)
	}
}

// TestFreezeEmptyGroup: a group without processes freezes at once.
func TestFreezeEmptyGroup(t *testing.T) {
	cg := newTestCgroup(t, Limits{})
	err := cg.Freeze()
	if errors.Is(err, ErrControllerMissing) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatalf("Freeze: %v", err)
	}
	checkFreezeStatus(t, cg, true)
	if err := cg.Thaw(); err != nil {
		t.Fatalf("Thaw: %v", err)
	}
	checkFreezeStatus(t, cg, false)
}

// TestLoadV1Freezer: a v1 group saved with a freezer path gets it back;
// one saved without (a host without the freezer hierarchy, or a group
// from before minictr joined it) loads, and only Freeze and Thaw say
// what is missing.
func TestLoadV1Freezer(t *testing.T) {
	paths := map[string]string{"memory": "/m/c1", "cpu": "/c/c1", "cpuacct": "/c/c1", "pids": "/p/c1"}
	cg, err := Load(paths)
	if err != nil {
		t.Fatal(err)
	}
	if err := cg.Freeze(); !errors.Is(err, ErrControllerMissing) || !strings.Contains(err.Error(), "/m/c1") {
		t.Errorf("Freeze of a v1 group without freezer = %v, want ErrControllerMissing naming the group", err)
	}
	if err := cg.Thaw(); !errors.Is(err, ErrControllerMissing) {
		t.Errorf("Thaw of a v1 group without freezer = %v, want ErrControllerMissing", err)
	}
	paths["freezer"] = "/f/c1"
	if cg, err = Load(paths); err != nil {
		t.Fatal(err)
	}
	if got := cg.Paths()["freezer"]; got != "/f/c1" {
		t.Errorf("Paths()[freezer] = %q after Load, want /f/c1", got)
	}
}
