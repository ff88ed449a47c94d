package security_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/minictr/minictr/ns"
	"github.com/minictr/minictr/security"
)

// The root tests start containers the way `minictr run` does: ns.Start
// re-executes this test binary (as `minictr init`) in new namespaces and a
// fresh cgroup; the init applies the guards with security.ApplyChild and
// execs this binary once more, as the "container's command" (checkEnv set),
// which probes the kernel from inside and prints what it found.
const (
	childArg = "__security_test_init__"
	checkEnv = "MINICTR_SECURITY_CHECK" // the directory the checker may use
	trueEnv  = "MINICTR_SECURITY_TRUE"  // exit 0 at once (the child of the userns probe)
)

// childConfig is what a test sends its init.
type childConfig struct {
	Security security.Config
	User     *ns.User
	Dir      string   // for the checker's files and device nodes
	Argv     []string // a command to exec instead of the checker
}

func TestMain(m *testing.M) {
	switch {
	case os.Getenv(trueEnv) != "":
		os.Exit(0)
	case os.Getenv(checkEnv) != "":
		os.Exit(check(os.Getenv(checkEnv)))
	case len(os.Args) > 1 && os.Args[1] == childArg:
		runtime.LockOSThread() // ApplyChild and execve act on this one thread
		os.Exit(testInit())
	}
	os.Exit(m.Run())
}

// testInit is the init's order: config, wait, private mounts, then the
// guards as the last step before execve.
func testInit() int {
	var c childConfig
	if err := ns.ReadConfig(&c); err != nil {
		return ns.ReportError("config", err, ns.CodeSetup)
	}
	if err := ns.WaitContinue(); err != nil {
		return ns.ReportError("sync", err, ns.CodeSetup)
	}
	// Nothing the checker mounts may reach the host's mount table.
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return ns.ReportError("mount", fmt.Errorf("make / rprivate: %w", err), ns.CodeSetup)
	}
	setUser := func() error { return nil }
	if c.User != nil {
		setUser = func() error { return ns.SetUser(*c.User) }
	}
	if err := security.ApplyChild(c.Security, setUser); err != nil {
		return ns.ReportError("security", err, ns.CodeSetup)
	}
	argv, env := []string{"/proc/self/exe"}, []string{checkEnv + "=" + c.Dir}
	if len(c.Argv) > 0 {
		argv, env = c.Argv, []string{"PATH=/usr/bin:/bin"}
	}
	return ns.ReportError("exec", ns.Exec(argv, env, "/"), ns.CodeCannotExec)
}

// check runs in the container: each probe prints "name=ok" or "name=<errno>".
func check(dir string) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		fmt.Println("status=" + err.Error())
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(line, ":")
		switch k {
		case "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "Seccomp", "NoNewPrivs":
			fmt.Printf("%s=%s\n", k, strings.TrimSpace(v))
		}
	}
	probe := func(name string, err error) {
		if err == nil {
			fmt.Println(name + "=ok")
		} else {
			fmt.Println(name + "=" + err.Error())
		}
	}
	probe("mount", mountTmpfs(dir))
	probe("userns", userNamespace())
	probe("rawicmp", rawICMP())
	probe("bind80", bind80())
	probe("chown", chownFile(dir))
	_, err = unix.KeyctlGetKeyringID(unix.KEY_SPEC_SESSION_KEYRING, false)
	probe("keyctl", err)
	probe("kmsg", openNode(dir, "kmsg", 1, 11, unix.O_RDONLY))
	probe("null", openNode(dir, "null", 1, 3, unix.O_RDWR))
	return 0
}

// mountTmpfs mounts a tmpfs (never a device) in the container's own mount
// namespace, and unmounts it again if that worked.
func mountTmpfs(dir string) error {
	target, err := os.MkdirTemp(dir, "mnt")
	if err != nil {
		return err
	}
	if err := unix.Mount("tmpfs", target, "tmpfs", 0, "size=1m"); err != nil {
		return err
	}
	return unix.Unmount(target, 0)
}

// userNamespace starts a child in a new user namespace with clone(2), whose
// flags the filter can read (a Go program is multi-threaded, and
// unshare(CLONE_NEWUSER) of a multi-threaded process is always EINVAL).
func userNamespace() error {
	cmd := exec.Command("/proc/self/exe")
	cmd.Env = []string{trueEnv + "=1"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: unix.CLONE_NEWUSER}
	return errnoOf(cmd.Run())
}

// errnoOf reduces "fork/exec /proc/self/exe: operation not permitted" to
// the errno, so the report reads the same for every probe.
func errnoOf(err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return err
}

// rawICMP opens (and closes) the raw socket ping uses: CAP_NET_RAW.
func rawICMP() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW, unix.IPPROTO_ICMP)
	if err == nil {
		unix.Close(fd)
	}
	return err
}

// bind80 binds port 80 (CAP_NET_BIND_SERVICE) in the container's own
// network namespace, and sends nothing.
func bind80() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return unix.Bind(fd, &unix.SockaddrInet4{Port: 80})
}

func chownFile(dir string) error {
	f, err := os.CreateTemp(dir, "chown")
	if err != nil {
		return err
	}
	f.Close()
	return errnoOf(os.Chown(f.Name(), 1001, 1001)) // to another user: CAP_CHOWN
}

// openNode makes a node with these numbers in dir and opens it (it never
// reads or writes it): the device cgroup's decision.
func openNode(dir, name string, major, minor uint32, flags int) error {
	path := dir + "/" + name
	if err := unix.Mknod(path, unix.S_IFCHR|0o600, int(unix.Mkdev(major, minor))); err != nil {
		return fmt.Errorf("mknod: %w", err)
	}
	fd, err := unix.Open(path, flags|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	return unix.Close(fd)
}
