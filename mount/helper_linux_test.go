package mount

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// The container tests cannot run in the test process itself: pivot_root
// and the mounts on /proc would change the root of `go test`. They re-exec
// the test binary (the same pattern as `minictr init`, see package ns) in
// new mount, PID and UTS namespaces, running only TestHelperProcess, which
// reads its scenario from the environment, performs it, prints what it saw,
// and exits. When the child exits its mount namespace is destroyed, and
// every mount in it with it.

const (
	helperScenarioEnv = "MINICTR_MOUNT_TEST_SCENARIO"
	helperConfigEnv   = "MINICTR_MOUNT_TEST_CONFIG"
)

// runHelper runs scenario in a re-exec'd child with attr and returns its
// combined output and exit error.
func runHelper(t *testing.T, binary, scenario string, cfg RootfsConfig, attr *syscall.SysProcAttr) (string, error) {
	t.Helper()
	js, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperScenarioEnv+"="+scenario, helperConfigEnv+"="+string(js))
	cmd.SysProcAttr = attr
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestHelperProcess is the child side of the namespace tests; run alone
// it skips.
func TestHelperProcess(t *testing.T) {
	scenario := os.Getenv(helperScenarioEnv)
	if scenario == "" {
		t.Skip("the child half of TestSetupRootfs and friends; runs only when they re-exec the test binary")
	}
	var cfg RootfsConfig
	if err := json.Unmarshal([]byte(os.Getenv(helperConfigEnv)), &cfg); err != nil {
		fmt.Println("FAIL: config:", err)
		os.Exit(2)
	}
	var err error
	switch scenario {
	case "setup":
		err = childSetup(cfg)
	case "shared":
		err = childShared(cfg)
	case "nonroot":
		err = childNonRoot(cfg)
	case "chroot-escape":
		err = childChrootEscape(cfg)
	case "pivot-escape":
		err = childPivotEscape(cfg)
	default:
		err = fmt.Errorf("unknown scenario %q", scenario)
	}
	if err != nil {
		fmt.Println("FAIL:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// checker collects named checks and prints "ok: name" or "FAIL: name: err".
type checker struct{ failed bool }

func (c *checker) check(name string, err error) {
	if err != nil {
		c.failed = true
		fmt.Printf("FAIL: %s: %v\n", name, err)
		return
	}
	fmt.Println("ok:", name)
}

func expectErrno(err error, want unix.Errno) error {
	if !errors.Is(err, want) {
		return fmt.Errorf("got %v, want %v", err, want)
	}
	return nil
}

func expectFile(path, want string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !strings.Contains(string(b), want) {
		return fmt.Errorf("%s = %q, want it to contain %q", path, b, want)
	}
	return nil
}

// childSetup runs SetupRootfs and then looks around inside the container.
func childSetup(cfg RootfsConfig) error {
	Trace = func(syscall string, args ...any) { fmt.Println("trace:", FormatCall(syscall, args...)) }
	err := SetupRootfs(cfg)
	Trace = nil
	if err != nil {
		return err
	}
	c := &checker{}
	out, err := exec.Command("/bin/busybox", "ls", "/").CombinedOutput()
	fmt.Printf("--- busybox ls /\n%s", out)
	c.check("busybox ls / runs in the new root", err)
	mi, err := os.ReadFile("/proc/self/mountinfo")
	fmt.Printf("--- /proc/self/mountinfo\n%s---\n", mi)
	c.check("read /proc/self/mountinfo", err)
	c.check("we are PID 1 of the new PID namespace", pidIsOne())
	c.check("old root gone", oldRootGone(cfg.Rootfs))
	c.check("masked paths (/proc/kcore, /proc/keys, /sys/firmware, ... where this kernel has them)", masked())
	c.check("/proc/sys is read-only", expectErrno(os.WriteFile("/proc/sys/kernel/hostname", []byte("x"), 0), unix.EROFS))
	c.check("/sys is read-only", expectErrno(os.Mkdir("/sys/x", 0o755), unix.EROFS))
	c.check("/dev/null works", devNullWorks())
	c.check("/dev/ptmx -> pts/ptmx", expectLink("/dev/ptmx", "pts/ptmx"))
	c.check("/etc/hostname from the container dir", expectFile("/etc/hostname", testHostname+"\n"))
	c.check("/etc/hosts names the container", expectFile("/etc/hosts", "127.0.0.1\tlocalhost "+testHostname))
	c.check("/etc/motd from the upper image layer", expectFile("/etc/motd", "app layer"))
	for _, b := range cfg.Binds {
		if b.Target != "/data" {
			continue // the /etc files, checked above
		}
		c.check("volume "+b.String()+" readable", expectFile(b.Target+"/data.txt", "from the host"))
		if b.ReadOnly {
			c.check("volume "+b.String()+" read-only", expectErrno(os.WriteFile(b.Target+"/new", nil, 0o644), unix.EROFS))
		}
	}
	if cfg.ReadOnly {
		c.check("--read-only: / refuses writes", expectErrno(os.WriteFile("/newfile", nil, 0o644), unix.EROFS))
		c.check("--read-only: /dev/shm still writable", os.WriteFile("/dev/shm/x", nil, 0o644))
	} else {
		c.check("write to / (lands in upper)", os.WriteFile("/newfile", []byte("new"), 0o644))
	}
	if c.failed {
		return errors.New("checks failed")
	}
	return nil
}
