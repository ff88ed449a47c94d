package security_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minictr/minictr/cgroups"
	"github.com/minictr/minictr/internal/testutil"
	"github.com/minictr/minictr/ns"
	"github.com/minictr/minictr/security"
)

// container runs the checker in a container with the guards of cfg: new
// mount, PID and network namespaces, a fresh cgroup with cfg's device
// rules, ApplyChild in the init. It returns the checker's report.
func container(t *testing.T, cfg security.Config, user *ns.User, argv ...string) map[string]string {
	t.Helper()
	testutil.RequireRoot(t)
	name := fmt.Sprintf("security-test-%d-%s", os.Getpid(), t.Name())
	cg, err := cgroups.New(strings.ReplaceAll(name, "/", "-"), cgroups.Limits{})
	if errors.Is(err, cgroups.ErrControllerMissing) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatalf("cgroups.New: %v", err)
	}
	t.Cleanup(func() {
		if err := cg.Delete(); err != nil {
			t.Errorf("delete cgroup: %v", err)
		}
	})
	if err := cg.SetDevices(cfg.DeviceRules); err != nil {
		t.Fatalf("SetDevices: %v", err)
	}
	dir := t.TempDir()
	// the -u 1000 checker writes here too (t.TempDir's parent is 0700)
	if err := errors.Join(os.Chmod(filepath.Dir(dir), 0o711), os.Chmod(dir, 0o777)); err != nil {
		t.Fatal(err)
	}
	var out, stderr bytes.Buffer
	sc := ns.StartConfig{
		Args:    []string{childArg},
		Options: ns.Options{Mount: true, PID: true, Net: true},
		Config:  childConfig{Security: cfg, User: user, Dir: dir, Argv: argv},
		Stdout:  &out, Stderr: &stderr, CgroupFD: -1,
	}
	if fd, ok := cg.FD(); ok {
		sc.CgroupFD = fd // v2: born in the group (clone3 CLONE_INTO_CGROUP)
	}
	p, err := ns.Start(sc)
	if err != nil {
		t.Fatalf("ns.Start: %v", err)
	}
	if sc.CgroupFD < 0 { // v1: moved in before it goes on
		if err := cg.AddProcess(p.Pid()); err != nil {
			p.Cmd.Process.Kill()
			p.Wait()
			t.Fatalf("AddProcess: %v", err)
		}
	}
	if err := p.Continue(); err != nil {
		t.Fatalf("Continue: %v (stderr: %s)", err, &stderr)
	}
	st, err := p.Wait()
	if err != nil || st.ExitCode() != 0 {
		t.Fatalf("container: %+v, %v (stderr: %s)", st, err, &stderr)
	}
	report := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		k, v, _ := strings.Cut(line, "=")
		report[k] = v
	}
	t.Logf("inside: %s", strings.ReplaceAll(strings.TrimSpace(out.String()), "\n", " "))
	return report
}

// expect compares the report with want (name -> value).
func expect(t *testing.T, report map[string]string, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if report[k] != v {
			t.Errorf("%s = %q, want %q", k, report[k], v)
		}
	}
}

func resolve(t *testing.T, o security.Options) security.Config {
	t.Helper()
	c, err := security.Resolve(o)
	if err != nil {
		t.Fatalf("Resolve(%+v): %v", o, err)
	}
	return c
}

const eperm = "operation not permitted"

// TestDefaultGuards: docker's defaults. Without ApplyChild the caps lines
// read the host's 000001fffeffffff and Seccomp 0, mount, userns and keyctl
// work (checked by hand once, as for SetDevices in TestCapAddSysAdmin).
func TestDefaultGuards(t *testing.T) {
	cfg, err := security.Default()
	if err != nil {
		t.Fatal(err)
	}
	r := container(t, cfg, nil)
	expect(t, r, map[string]string{
		"CapEff": "00000000a80425fb", "CapPrm": "00000000a80425fb", "CapBnd": "00000000a80425fb",
		"CapInh": "0000000000000000", "CapAmb": "0000000000000000", "Seccomp": "2", "NoNewPrivs": "0",
		"mount": eperm, "userns": eperm, "keyctl": eperm, "kmsg": eperm,
		"rawicmp": "ok", "bind80": "ok", "chown": "ok", "null": "ok",
	})
}

// TestCapAddSysAdmin: with CAP_SYS_ADMIN docker's profile allows mount, and
// the mount works, but the device cgroup still refuses c 1:11. (Opening
// /dev/kmsg also needs CAP_SYSLOG while kernel.dmesg_restrict is 1, so the
// test adds it too: then only the device cgroup is in the way.)
func TestCapAddSysAdmin(t *testing.T) {
	r := container(t, resolve(t, security.Options{CapAdd: []string{"sys_admin", "CAP_SYSLOG"}}), nil)
	expect(t, r, map[string]string{"CapEff": "00000004a82425fb", "Seccomp": "2", "mount": "ok", "kmsg": eperm, "null": "ok"})
}

// TestSeccompUnconfined: no filter, and the missing CAP_SYS_ADMIN still
// refuses mount.
func TestSeccompUnconfined(t *testing.T) {
	r := container(t, resolve(t, security.Options{Seccomp: "unconfined"}), nil)
	expect(t, r, map[string]string{"CapEff": "00000000a80425fb", "Seccomp": "0", "mount": eperm, "keyctl": "ok", "kmsg": eperm})
}

func TestCapDropAll(t *testing.T) {
	r := container(t, resolve(t, security.Options{CapDrop: []string{"ALL"}}), nil)
	expect(t, r, map[string]string{"CapEff": "0000000000000000", "CapBnd": "0000000000000000", "chown": eperm, "rawicmp": eperm, "bind80": "permission denied"})
}

// TestNonRootUser: uid 1000 keeps the bounding set but has no permitted or
// effective capabilities.
func TestNonRootUser(t *testing.T) {
	cfg := resolve(t, security.Options{NoNewPrivs: true})
	r := container(t, cfg, &ns.User{UID: 1000, GID: 1000, Groups: []int{1000}})
	expect(t, r, map[string]string{"CapEff": "0000000000000000", "CapPrm": "0000000000000000",
		"CapBnd": "00000000a80425fb", "NoNewPrivs": "1", "Seccomp": "2", "chown": eperm})
}

// TestPrivileged: every capability the host has, no filter, every device.
func TestPrivileged(t *testing.T) {
	r := container(t, resolve(t, security.Options{Privileged: true}), nil)
	expect(t, r, map[string]string{"Seccomp": "0", "mount": "ok", "kmsg": "ok", "userns": "ok"})
	if r["CapEff"] == "00000000a80425fb" || r["CapEff"] != r["CapBnd"] {
		t.Errorf("CapEff %s, CapBnd %s: want every capability the host has", r["CapEff"], r["CapBnd"])
	}
}

// TestShellUnderDefaultGuards runs the host's /bin/sh (a C program: its
// fork goes through the C library's clone) and a pipeline under the
// default filter, as a container's entrypoint would.
func TestShellUnderDefaultGuards(t *testing.T) {
	cfg, err := security.Default()
	if err != nil {
		t.Fatal(err)
	}
	sh := testutil.RequireTool(t, "sh", "dash")
	r := container(t, cfg, nil, sh, "-c", `ls / >/dev/null && grep -c "^Seccomp:.2" /proc/self/status | sed "s/^/seccomp=/"`)
	expect(t, r, map[string]string{"seccomp": "1"})
}

// TestDeviceFlag: --device /dev/kmsg adds c 1:11 to the device cgroup with
// the permissions given, and nothing else: read-only "r" opens it for
// reading, "w" does not. (CAP_SYSLOG: opening /dev/kmsg needs it too.)
func TestDeviceFlag(t *testing.T) {
	if _, err := os.Stat("/dev/kmsg"); err != nil {
		t.Skipf("no /dev/kmsg here: %v", err)
	}
	for perms, want := range map[string]string{"r": "ok", "w": eperm} {
		t.Run(perms, func(t *testing.T) {
			cfg := resolve(t, security.Options{CapAdd: []string{"SYSLOG"}, Devices: []string{"/dev/kmsg:/dev/kmsg:" + perms}})
			r := container(t, cfg, nil)
			expect(t, r, map[string]string{"kmsg": want, "null": "ok"})
		})
	}
}
