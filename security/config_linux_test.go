package security

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/minictr/minictr/cgroups"
)

func TestResolveDefault(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if c.SeccompMode != "default" || c.Seccomp == nil || c.NoNewPrivs || c.Privileged ||
		!reflect.DeepEqual(c.DeviceRules, cgroups.DefaultDeviceRules()) || len(c.Caps) != 14 {
		t.Errorf("Default() = %+v", c)
	}
	// The Config travels to the init as JSON.
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var back Config
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, back) {
		t.Error("Config changed in a JSON round trip")
	}
}

func TestResolvePrivilegedAndDevice(t *testing.T) {
	c, err := Resolve(Options{Privileged: true, Devices: []string{"/dev/null:/dev/mynull:rw"}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Seccomp != nil || c.SeccompMode != "unconfined" || len(c.Caps) != len(capNames) {
		t.Errorf("privileged: %+v", c)
	}
	want := Device{HostPath: "/dev/null", ContainerPath: "/dev/mynull", Type: cgroups.CharDevice, Major: 1, Minor: 3, Mode: 0o666, Access: "rw"}
	if len(c.Devices) != 1 || c.Devices[0] != want {
		t.Errorf("Devices = %+v, want %+v", c.Devices, want)
	}
	if last := c.DeviceRules[len(c.DeviceRules)-1]; last != want.Rule() {
		t.Errorf("last device rule %v, want %v", last, want.Rule())
	}
}

func TestResolveErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "notadevice")
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte(`{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALOW"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		o    Options
		want string
	}{
		{Options{CapAdd: []string{"FLY"}}, `--cap-add: unknown capability "FLY"`},
		{Options{Devices: []string{file}}, "--device " + file + ": " + file + " is not a device node"},
		{Options{Devices: []string{filepath.Join(dir, "missing")}}, "no such file or directory"},
		{Options{Seccomp: bad}, "--security-opt seccomp=" + bad + ": " + bad + `: seccomp profile: syscalls[0].action: unknown action "SCMP_ACT_ALOW"`},
		{Options{Seccomp: filepath.Join(dir, "missing.json")}, "seccomp profile: open "},
	} {
		_, err := Resolve(c.o)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Resolve(%+v): %v, want %q", c.o, err, c.want)
		}
	}
}
