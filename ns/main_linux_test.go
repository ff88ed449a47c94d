package ns_test

import (
	"fmt"
	"os"
	"runtime"
	"testing"

	"github.com/minictr/minictr/ns"
	"github.com/minictr/minictr/tty"
	"golang.org/x/sys/unix"
)

// childArg makes the test binary act as `minictr init`: Start re-executes
// /proc/self/exe, which in a test is this test binary.
const childArg = "__ns_test_init__"

// childConfig is what the tests send the child with StartConfig.Config.
type childConfig struct {
	Hostname string
	Loopback bool
	Console  bool   // mount a new devpts instance, then tty.SetupConsole on fd ns.ExtraFD
	FailAt   string // report a made-up setup error at this stage instead of exec'ing
	User     *ns.User
	Argv     []string
	Env      []string
	Dir      string
}

func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == childArg {
		runtime.LockOSThread() // as `minictr init` does: unshare and execve act on this thread
		os.Exit(testInit())
	}
	os.Exit(m.Run())
}

// testInit is the child side, in the order `minictr init` uses.
func testInit() int {
	var c childConfig
	if err := ns.ReadConfig(&c); err != nil {
		return ns.ReportError("config", err, ns.CodeSetup)
	}
	if err := ns.WaitContinue(); err != nil {
		return ns.ReportError("sync", err, ns.CodeSetup)
	}
	if c.FailAt != "" {
		err := fmt.Errorf("mount overlay /nonexistent/rootfs: %w", unix.EINVAL)
		return ns.ReportError(c.FailAt, err, ns.CodeSetup)
	}
	if c.Hostname != "" {
		if err := ns.SetHostname(c.Hostname); err != nil {
			return ns.ReportError("hostname", err, ns.CodeSetup)
		}
	}
	if c.Loopback {
		if err := ns.LoopbackUp(); err != nil {
			return ns.ReportError("network", err, ns.CodeSetup)
		}
	}
	if c.Console {
		if err := testConsole(); err != nil {
			return ns.ReportError("console", err, ns.CodeSetup)
		}
	}
	if c.User != nil {
		if err := ns.SetUser(*c.User); err != nil {
			return ns.ReportError("user", err, ns.CodeSetup)
		}
	}
	return ns.ReportError("exec", ns.Exec(c.Argv, c.Env, c.Dir), ns.CodeCannotExec)
}

// testConsole gives the child its own devpts, as mount/ does for a real
// container (there inside the new root): / is made private first so that
// nothing propagates back to the host's mount namespace.
func testConsole() error {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make / rprivate: %w", err)
	}
	if err := unix.Mount("devpts", "/dev/pts", "devpts", unix.MS_NOSUID|unix.MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620"); err != nil {
		return fmt.Errorf("mount devpts /dev/pts: %w", err)
	}
	if err := unix.Mount("/dev/pts/ptmx", "/dev/ptmx", "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind /dev/pts/ptmx /dev/ptmx: %w", err)
	}
	return tty.SetupConsole(os.NewFile(ns.ExtraFD, "console-socket"))
}
