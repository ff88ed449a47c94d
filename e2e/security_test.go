package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/minictr/minictr/cli"
	"golang.org/x/sys/unix"
)

// The three guards of docs/12-security.md, checked from inside real
// containers with the probe (testdata/probe): one system call per
// argument, "NAME ok" or "NAME ERRNO". No probe can harm the host when a
// guard is missing: mount(2) mounts a tmpfs, nodes are opened read-only,
// reboot and kexec_load get arguments that do nothing.

// probeRun runs the probe in a new busybox container with flags and
// returns what each probe printed, by name.
func (c *harness) probeRun(flags []string, probes ...string) map[string]string {
	c.t.Helper()
	args := append([]string{"run", "--rm", "-v", probeDir(c.t) + ":/probe:ro"}, flags...)
	args = append(args, c.busybox(), "/probe/probe")
	return parseProbe(c.ok(append(args, probes...)...))
}

func parseProbe(out string) map[string]string {
	got := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		k, v, _ := strings.Cut(l, " ")
		got[k] = v
	}
	return got
}

// probeDir builds the probe, statically, into a directory to bind into
// containers; MINICTR_PROBE names one built already (the VM has no Go).
func probeDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if pre := os.Getenv("MINICTR_PROBE"); pre != "" {
		b, err := os.ReadFile(pre)
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, "probe"), b, 0o755)
		}
		if err != nil {
			t.Fatal(err)
		}
		return dir
	}
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "probe"), "./testdata/probe")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build probe: %v\n%s", err, out)
	}
	return dir
}

func expect(t *testing.T, what string, got map[string]string, want map[string]string) {
	t.Helper()
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: probe %s: got %q, want %q", what, k, got[k], w)
		}
	}
}

// status reads fields of /proc/self/status inside a container.
func (c *harness) status(flags ...string) map[string]string {
	c.t.Helper()
	args := append(append([]string{"run", "--rm"}, flags...), c.busybox(), "cat", "/proc/self/status")
	got := map[string]string{}
	for _, l := range strings.Split(c.ok(args...), "\n") {
		k, v, _ := strings.Cut(l, ":")
		got[k] = strings.TrimSpace(v)
	}
	return got
}

// A default container has docker's 14 capabilities, a seccomp filter,
// an empty inheritable set and no_new_privs off.
func TestSecurityDefaults(t *testing.T) {
	c := newCLI(t)
	st := c.status()
	for k, want := range map[string]string{"CapEff": "00000000a80425fb", "CapPrm": "00000000a80425fb",
		"CapBnd": "00000000a80425fb", "CapInh": "0000000000000000", "CapAmb": "0000000000000000",
		"Seccomp": "2", "NoNewPrivs": "0"} {
		if st[k] != want {
			t.Errorf("%s: %q, want %q", k, st[k], want)
		}
	}
	if st := c.status("--cap-drop", "ALL"); st["CapEff"] != "0000000000000000" {
		t.Errorf("--cap-drop ALL: CapEff %s", st["CapEff"])
	}
	// start again: the guards come from config.json, not from flags
	c.ok("run", "--name", "again", "--cap-drop", "ALL", "--cap-add", "KILL", c.busybox(), "grep", "-E", "^(CapEff|Seccomp):", "/proc/self/status")
	if out := c.ok("start", "-a", "again"); !strings.Contains(out, "CapEff:\t0000000000000020") || !strings.Contains(out, "Seccomp:\t2") {
		t.Errorf("start -a of a --cap-drop ALL --cap-add KILL container:\n%s", out)
	}
	if st := c.status("--security-opt", "no-new-privileges:true"); st["NoNewPrivs"] != "1" || st["Seccomp"] != "2" {
		t.Errorf("no-new-privileges: NoNewPrivs %s Seccomp %s", st["NoNewPrivs"], st["Seccomp"])
	}
	if st := c.status("-u", "1000"); st["CapEff"] != "0000000000000000" || st["CapBnd"] != "00000000a80425fb" {
		t.Errorf("-u 1000: CapEff %s CapBnd %s, want none effective, the 14 in the bounding set", st["CapEff"], st["CapBnd"])
	}
}

// What a container's root may not do, and what it still may.
func TestSecurityRefused(t *testing.T) {
	c := newCLI(t)
	got := c.probeRun(nil, "mount", "umount", "swapon", "reboot", "kexec", "initmod", "clock", "keyctl", "userns",
		"chown", "bind80", "rawicmp", "nullnode", "lcnode", "linkadd")
	expect(t, "default", got, map[string]string{
		"mount": "EPERM", "umount": "EPERM", "swapon": "EPERM", "reboot": "EPERM", "kexec": "EPERM",
		"initmod": "EPERM", "clock": "EPERM", "keyctl": "EPERM", "userns": "EPERM",
		"chown": "ok", "bind80": "ok", "rawicmp": "ok", "nullnode": "ok", "lcnode": "EPERM", "linkadd": "EPERM",
	})
	expect(t, "setuid", c.probeRun(nil, "setuid"), map[string]string{"setuid": "ok"})
	// ptrace of PID 1 from an unprivileged user
	expect(t, "-u 65534", c.probeRun([]string{"-u", "65534"}, "ptrace1"), map[string]string{"ptrace1": "EPERM"})
	if got := c.probeRun([]string{"--cap-add", "NET_ADMIN"}, "linkadd"); got["linkadd"] != "ok" {
		t.Errorf("--cap-add NET_ADMIN: ip link add dummy0: %s", got["linkadd"])
	}
}

// The escape (mknod a host device, mount it) fails at each guard alone:
// here /dev/kmsg stands for the disk, and a tmpfs for its filesystem.
func TestSecurityEscapeGuards(t *testing.T) {
	c := newCLI(t)
	// default: every guard on
	expect(t, "default", c.probeRun([]string{"--cap-add", "SYSLOG"}, "mknod-kmsg", "open-kmsg", "mount"),
		map[string]string{"mknod-kmsg": "ok", "open-kmsg": "EPERM", "mount": "EPERM"})
	// capabilities and seccomp let mount through: the device cgroup alone refuses the node
	expect(t, "--cap-add SYS_ADMIN", c.probeRun([]string{"--cap-add", "SYS_ADMIN", "--cap-add", "SYSLOG"}, "mknod-kmsg", "open-kmsg", "mount"),
		map[string]string{"mknod-kmsg": "ok", "open-kmsg": "EPERM", "mount": "ok"})
	// no filter: capabilities alone refuse mount
	expect(t, "seccomp=unconfined", c.probeRun([]string{"--security-opt", "seccomp=unconfined"}, "mount", "keyctl"),
		map[string]string{"mount": "EPERM"})
	// the filter alone refuses keyctl and a new user namespace, whatever the capabilities
	expect(t, "--cap-add SYS_ADMIN", c.probeRun([]string{"--cap-add", "SYS_ADMIN"}, "keyctl", "reboot"),
		map[string]string{"keyctl": "EPERM", "reboot": "EPERM"})
	expect(t, "--cap-add SYS_ADMIN, unconfined", c.probeRun([]string{"--cap-add", "SYS_ADMIN", "--security-opt", "seccomp=unconfined"}, "keyctl"),
		map[string]string{"keyctl": "ok"})
	// --privileged gives all of it back
	expect(t, "--privileged", c.probeRun([]string{"--privileged"}, "mknod-kmsg", "open-kmsg", "mount", "read:/dev/kmsg"),
		map[string]string{"mknod-kmsg": "ok", "open-kmsg": "ok", "mount": "ok", "read:/dev/kmsg": "ok"})
}

// --device gives one node, and only that one; a profile file's errno.
func TestSecurityDeviceAndProfile(t *testing.T) {
	c := newCLI(t)
	// a node of our own for /dev/kmsg (1:11), which every kernel has; the
	// second node, loop-control (10:237), stays refused
	host := filepath.Join(t.TempDir(), "kmsg")
	if err := unix.Mknod(host, unix.S_IFCHR|0o600, int(unix.Mkdev(1, 11))); err != nil {
		t.Fatal(err)
	}
	expect(t, "--device", c.probeRun([]string{"--cap-add", "SYSLOG", "--device", host + ":/dev/k:r"}, "read:/dev/k", "nullnode", "lcnode"),
		map[string]string{"read:/dev/k": "ok", "nullnode": "ok", "lcnode": "EPERM"})
	prof := filepath.Join(t.TempDir(), "nomkdir.json")
	os.WriteFile(prof, []byte(`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}`), 0o644)
	expect(t, "profile", c.probeRun([]string{"--security-opt", "seccomp=" + prof}, "mkdir", "chown"),
		map[string]string{"mkdir": "EACCES", "chown": "ok"})
	in := c.ctrInspectRun([]string{"--security-opt", "seccomp=" + prof, "--cap-drop", "chown"})
	if in.Security.Seccomp != prof || in.Security.Privileged || strings.Contains(strings.Join(in.Security.Capabilities, " "), "CHOWN") {
		t.Errorf("inspect: %+v", in.Security)
	}
}

// exec gets the container's guards; exec --privileged every capability.
func TestSecurityExec(t *testing.T) {
	c := newCLI(t)
	dir := probeDir(t)
	c.ok("run", "-d", "--name", "g", "-v", dir+":/probe:ro", c.busybox(), "sleep", "1000")
	t.Cleanup(func() { c.run("rm", "-f", "g") })
	st := parseStatus(c.ok("exec", "g", "cat", "/proc/self/status"))
	if st["CapEff"] != "00000000a80425fb" || st["Seccomp"] != "2" {
		t.Errorf("exec: CapEff %s Seccomp %s", st["CapEff"], st["Seccomp"])
	}
	expect(t, "exec", parseProbe(c.ok("exec", "g", "/probe/probe", "mount", "kmsgnode", "nullnode")),
		map[string]string{"mount": "EPERM", "kmsgnode": "EPERM", "nullnode": "ok"})
	host := parseStatus(readFile(t, "/proc/self/status"))
	if st := parseStatus(c.ok("exec", "--privileged", "g", "cat", "/proc/self/status")); st["CapEff"] != host["CapEff"] || st["Seccomp"] != "2" {
		t.Errorf("exec --privileged: CapEff %s (host %s) Seccomp %s", st["CapEff"], host["CapEff"], st["Seccomp"])
	}
}

func parseStatus(s string) map[string]string {
	got := map[string]string{}
	for _, l := range strings.Split(s, "\n") {
		k, v, _ := strings.Cut(l, ":")
		got[k] = strings.TrimSpace(v)
	}
	return got
}

// Bad flags: one line, exit 125, nothing created (nor pulled).
func TestSecurityBadInput(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	before := c.snapshot()
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"defaultAction": `), 0o644)
	c.fails("NOPE", "run", "--cap-add", "NOPE", img, "true")
	c.fails("bad.json", "run", "--security-opt", "seccomp="+bad, img, "true")
	c.fails("not a device", "run", "--device", "/etc/passwd", img, "true")
	c.fails("--security-opt", "run", "--security-opt", "apparmor=x", img, "true")
	if after := c.snapshot(); after != before {
		t.Errorf("store changed by bad flags:\n%s\n---\n%s", before, after)
	}
}

// ctrInspectRun creates a container with flags and returns its inspect.
func (c *harness) ctrInspectRun(flags []string) cli.ContainerInspect {
	c.t.Helper()
	c.ok(append(append([]string{"run", "--name", "insp"}, flags...), c.busybox(), "true")...)
	return c.ctrInspect("insp")
}

// podman (runc underneath) as the oracle: the same image shows the same
// capability sets, seccomp mode and /dev inside. podman 4 left NET_RAW,
// MKNOD and AUDIT_WRITE out of its defaults; they are added back to get
// docker's 14.
func TestSecurityPodmanOracle(t *testing.T) {
	c := newCLI(t)
	podman, err := exec.LookPath("podman")
	if err != nil {
		t.Skip("podman not on PATH: install the Debian package `podman` to compare with it")
	}
	tar := oracleTar(t)
	c.ok("import", tar, "oracle:test")
	pm := func(args ...string) string {
		cmd := exec.Command(podman, append([]string{"--cgroup-manager=cgroupfs", "--events-backend=file"}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("podman %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	name := "localhost/minictr-oracle-" + strconv.Itoa(os.Getpid())
	pm("import", tar, name)
	t.Cleanup(func() {
		exec.Command(podman, "--cgroup-manager=cgroupfs", "--events-backend=file", "rmi", "-f", name).Run()
	})
	script := "grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):' /proc/self/status; ls /dev"
	want := pm("run", "--rm", "--runtime", "runc", "--network=none", "--ulimit", "nofile=1024:1024",
		"--ulimit", "nproc=1024:1024", "--cap-add", "NET_RAW,MKNOD,AUDIT_WRITE", name, "/bin/sh", "-c", script)
	got := c.ok("run", "--rm", "oracle:test", "sh", "-c", script)
	if got != want {
		t.Errorf("minictr and podman differ inside the same image:\nminictr:\n%s\npodman:\n%s", got, want)
	}
}

// oracleTar is a rootfs tarball made with tar(1) from the host's static
// busybox: bin/busybox and the three applets the oracle test runs.
func oracleTar(t *testing.T) string {
	t.Helper()
	bb, err := exec.LookPath("busybox")
	if err != nil {
		t.Skip("busybox not on PATH: install busybox-static")
	}
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "bin"), 0o755)
	data, err := os.ReadFile(bb)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "bin", "busybox"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"sh", "grep", "ls"} {
		os.Symlink("busybox", filepath.Join(root, "bin", a))
	}
	tar := filepath.Join(t.TempDir(), "bb.tar")
	if out, err := exec.Command("tar", "-C", root, "-cf", tar, ".").CombinedOutput(); err != nil {
		t.Fatalf("tar: %v\n%s", err, out)
	}
	return tar
}
