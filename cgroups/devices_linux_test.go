package cgroups

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/minictr/minictr/internal/testutil"
)

// openNodes is the "open" child job: open each node in the comma-separated
// list (PATH=r for O_RDONLY, PATH=rw for O_RDWR), close it again, and print
// "PATH ok" or "PATH <error>". It never reads or writes the device.
func openNodes(list string) int {
	for _, item := range strings.Split(list, ",") {
		path, mode, _ := strings.Cut(item, "=")
		flags := unix.O_RDONLY
		if mode == "rw" {
			flags = unix.O_RDWR
		}
		fd, err := unix.Open(path, flags|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
		if err != nil {
			fmt.Printf("%s %v\n", path, err)
			continue
		}
		unix.Close(fd)
		fmt.Printf("%s ok\n", path)
	}
	return 0
}

// testNodes makes, in a fresh directory, a node with /dev/kmsg's numbers
// (c 1:11: one the host opens, unlike a disk here, and that nobody's default
// list allows) and one with /dev/null's (c 1:3). Neither is a host device
// path; both are only opened, never read or written.
func testNodes(t *testing.T) (kmsg, null string) {
	dir := t.TempDir()
	kmsg, null = filepath.Join(dir, "kmsg"), filepath.Join(dir, "null")
	for _, n := range []struct {
		path         string
		major, minor uint32
	}{{kmsg, 1, 11}, {null, 1, 3}} {
		if err := unix.Mknod(n.path, unix.S_IFCHR|0o600, int(unix.Mkdev(n.major, n.minor))); err != nil {
			t.Fatalf("mknod %s: %v", n.path, err)
		}
	}
	// The host itself may open both: the refusal below is the group's doing.
	fd, err := unix.Open(kmsg, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM) {
		t.Skipf("this host refuses to open c 1:11 itself (%v): no device to test the group with", err)
	}
	if err != nil {
		t.Fatalf("open %s on the host: %v", kmsg, err)
	}
	unix.Close(fd)
	return kmsg, null
}

// checkOpens runs the "open" job in cg and compares its report.
func checkOpens(t *testing.T, cg Cgroup, kmsg, null string) {
	c := startChild(t, cg, "open", "OPEN_NODES="+kmsg+"=r,"+null+"=rw")
	want := []string{kmsg + " operation not permitted", null + " ok"}
	for _, w := range want {
		line, err := c.stdout.ReadString('\n')
		if err != nil {
			t.Fatalf("read child's report: %v", err)
		}
		if got := strings.TrimSpace(line); got != w {
			t.Errorf("inside the group: %q, want %q", got, w)
		} else {
			t.Log("inside the group:", got)
		}
	}
}

// TestSetDevices puts the default rules on a group of this host's driver
// (v1 devices.deny/devices.allow here, the eBPF program in the v2 VM) and
// opens a c 1:11 node from inside: refused, while the host opens it. Without
// SetDevices the child opens it: the test fails.
func TestSetDevices(t *testing.T) {
	cg := newTestCgroup(t, Limits{})
	kmsg, null := testNodes(t)
	if err := cg.SetDevices(DefaultDeviceRules()); err != nil {
		t.Fatalf("SetDevices: %v", err)
	}
	if cg.Version() == 1 {
		b, _ := os.ReadFile(filepath.Join(cg.Paths()["devices"], "devices.list"))
		t.Logf("devices.list:\n%s", b)
	}
	checkOpens(t, cg, kmsg, null)
}

// TestDeviceProgramOnHybrid runs the v2 eBPF program on a hybrid host too:
// its cgroup2 tree at /sys/fs/cgroup/unified has no controllers, but the
// kernel runs BPF_CGROUP_DEVICE programs on any cgroup2 directory.
func TestDeviceProgramOnHybrid(t *testing.T) {
	testutil.RequireRoot(t)
	if mode, err := Detect(); err != nil || mode != Hybrid {
		t.Skip("not a hybrid host: TestSetDevices tests the program on a unified one")
	}
	kmsg, null := testNodes(t)
	dir := filepath.Join("/sys/fs/cgroup/unified", fmt.Sprintf("minictr-test-%d", os.Getpid()))
	if err := mkdir(dir, false); err != nil {
		t.Fatal(err)
	}
	cg, err := loadV2(dir)
	if err != nil {
		rmdir(dir)
		t.Fatal(err)
	}
	t.Cleanup(func() {
		killLeftovers(t, cg)
		if err := cg.Delete(); err != nil {
			t.Error(err)
		}
	})
	if err := cg.SetDevices(DefaultDeviceRules()); err != nil {
		t.Fatalf("SetDevices: %v", err)
	}
	checkOpens(t, cg, kmsg, null)
}
