// Command probe makes one system call per argument inside a container and
// prints "NAME ok" or "NAME ERRNO" (e2e/security_test.go). Every call is
// harmless even when it succeeds: mount(2) of a tmpfs, device nodes
// opened read-only, reboot(2) and kexec_load(2) with arguments that do
// nothing, clock_settime(2) with an invalid time.
package main

import (
	"fmt"
	"os"
	"syscall"
	"unsafe"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

var probes = map[string]func() error{
	"mount":   func() error { os.MkdirAll("/mnt", 0o755); return unix.Mount("tmpfs", "/mnt", "tmpfs", 0, "") },
	"umount":  func() error { return unix.Unmount("/dev/mqueue", 0) },
	"swapon":  func() error { return swapon("/nonexistent") },
	"reboot":  func() error { return unix.Reboot(unix.LINUX_REBOOT_CMD_CAD_OFF) }, // EINVAL in a child PID namespace
	"kexec":   func() error { return errno(unix.Syscall6(unix.SYS_KEXEC_LOAD, 0, 0, 0, 0xffff0000, 0, 0)) },
	"initmod": func() error { return errno(unix.Syscall(unix.SYS_INIT_MODULE, 0, 0, 0)) },
	"clock": func() error {
		return unix.ClockSettime(unix.CLOCK_REALTIME, &unix.Timespec{Nsec: 2e9}) // invalid: never sets the clock
	},
	"keyctl":     func() error { _, err := unix.KeyctlGetKeyringID(unix.KEY_SPEC_SESSION_KEYRING, false); return err },
	"userns":     userns,
	"ptrace1":    func() error { return unix.PtraceAttach(1) },
	"bind80":     func() error { return bindPort(80) },
	"rawicmp":    rawICMP,
	"setuid":     func() error { return unix.Setuid(1000) }, // this thread only: the probe prints and exits
	"mkdir":      func() error { return unix.Mkdir("/probe-dir", 0o755) },
	"chown":      func() error { os.WriteFile("/tmp/probe-f", nil, 0o644); return unix.Chown("/tmp/probe-f", 1000, 1000) },
	"linkadd":    linkAdd,
	"nullnode":   func() error { return mknodRead("/tmp/null2", 1, 3) },
	"kmsgnode":   func() error { return mknodRead("/tmp/kmsg2", 1, 11) },
	"lcnode":     func() error { return mknodRead("/tmp/lc2", 10, 237) },
	"mknod-kmsg": func() error { return unix.Mknod("/tmp/kmsg3", unix.S_IFCHR|0o600, int(unix.Mkdev(1, 11))) },
	"open-kmsg":  func() error { return openRead("/tmp/kmsg3") },
}

func main() {
	for _, name := range os.Args[1:] {
		if p, ok := probes[name]; ok {
			report(name, p())
		} else if len(name) > 5 && name[:5] == "read:" { // read:PATH opens a node read-only
			report(name, openRead(name[5:]))
		} else {
			fmt.Println(name, "unknown-probe")
		}
	}
}

func report(name string, err error) {
	if err == nil {
		fmt.Println(name, "ok")
		return
	}
	if e, ok := err.(syscall.Errno); ok {
		fmt.Println(name, unix.ErrnoName(e))
		return
	}
	fmt.Println(name, err)
}

func errno(_, _ uintptr, e syscall.Errno) error {
	if e != 0 {
		return e
	}
	return nil
}

func swapon(path string) error {
	p, _ := unix.BytePtrFromString(path)
	return errno(unix.Syscall(unix.SYS_SWAPON, uintptr(unsafe.Pointer(p)), 0, 0))
}

// userns starts /bin/true in a new user namespace: clone(2) with
// CLONE_NEWUSER (unshare(2) is refused to a multithreaded Go process).
func userns() error {
	pid, err := syscall.ForkExec("/bin/true", []string{"true"}, &syscall.ProcAttr{Sys: &syscall.SysProcAttr{Cloneflags: unix.CLONE_NEWUSER}})
	if err != nil {
		return unwrap(err)
	}
	var ws syscall.WaitStatus
	syscall.Wait4(pid, &ws, 0, nil)
	return nil
}

func unwrap(err error) error {
	if e, ok := err.(syscall.Errno); ok {
		return e
	}
	if pe, ok := err.(*os.PathError); ok {
		return unwrap(pe.Err)
	}
	return err
}

func bindPort(port int) error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return unix.Bind(fd, &unix.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}})
}

// rawICMP opens a raw ICMP socket (CAP_NET_RAW) and sends one echo request to 127.0.0.1.
func rawICMP() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW, unix.IPPROTO_ICMP)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	echo := []byte{8, 0, 0xf7, 0xff, 0, 0, 0, 0} // type 8, checksum of the rest
	return unix.Sendto(fd, echo, 0, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}})
}

func mknodRead(path string, major, minor uint32) error {
	if err := unix.Mknod(path, unix.S_IFCHR|0o600, int(unix.Mkdev(major, minor))); err != nil {
		return err
	}
	return openRead(path)
}

// openRead opens a node read-only and without blocking, and closes it.
func openRead(path string) error {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	return unix.Close(fd)
}

// linkAdd is `ip link add dummy0 type dummy` (CAP_NET_ADMIN), in the
// container's own network namespace; a kernel without the dummy driver
// gets a bridge instead.
func linkAdd() error {
	err := netlink.LinkAdd(&netlink.Dummy{LinkAttrs: netlink.LinkAttrs{Name: "dummy0"}})
	if err == unix.EOPNOTSUPP {
		err = netlink.LinkAdd(&netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: "br0"}})
	}
	return unwrap(err)
}
