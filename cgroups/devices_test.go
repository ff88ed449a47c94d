package cgroups

import (
	"strings"
	"testing"
)

func TestDefaultDeviceRules(t *testing.T) {
	rules := DefaultDeviceRules()
	for _, c := range []struct {
		typ          DeviceType
		major, minor int64
		access       string
		want         bool
	}{
		{CharDevice, 1, 3, "rw", true},     // /dev/null
		{CharDevice, 1, 11, "r", false},    // /dev/kmsg
		{CharDevice, 1, 11, "m", true},     // mknod of anything
		{BlockDevice, 254, 0, "m", true},   // the disk's node can be made...
		{BlockDevice, 254, 0, "rw", false}, // ...but not opened
		{BlockDevice, 254, 0, "r", false},
		{CharDevice, 136, 7, "rw", true}, // /dev/pts/7
		{CharDevice, 5, 2, "rw", true},   // /dev/ptmx
		{CharDevice, 10, 200, "rw", true},
		{CharDevice, 10, 229, "rw", false}, // /dev/fuse
		{CharDevice, 1, 1, "r", false},     // /dev/mem
	} {
		if got := DeviceAllowed(rules, c.typ, c.major, c.minor, c.access); got != c.want {
			t.Errorf("%c %d:%d %s: allowed=%v, want %v", c.typ, c.major, c.minor, c.access, got, c.want)
		}
	}
	if !DeviceAllowed(AllowAllDevices(), BlockDevice, 8, 0, "rwm") {
		t.Error("AllowAllDevices refuses 8:0")
	}
}

func TestV1DeviceWrites(t *testing.T) {
	w, err := V1DeviceWrites(DefaultDeviceRules())
	if err != nil {
		t.Fatal(err)
	}
	if w[0] != [2]string{"devices.deny", "a *:* rwm"} || w[1] != [2]string{"devices.allow", "c *:* m"} ||
		w[len(w)-2] != [2]string{"devices.allow", "c 136:* rwm"} {
		t.Errorf("V1DeviceWrites = %q", w)
	}
	for _, bad := range []DeviceRule{
		{Type: 'x', Major: 1, Minor: 3, Access: "r"},
		{Type: AllDevices, Major: 1, Minor: Wildcard, Access: "r"},
		{Type: CharDevice, Major: 1, Minor: 3, Access: "rx"},
		{Type: CharDevice, Major: 1, Minor: 3, Access: ""},
		{Type: CharDevice, Major: -2, Minor: 3, Access: "r"},
	} {
		if _, err := V1DeviceWrites([]DeviceRule{bad}); err == nil || !strings.HasPrefix(err.Error(), "device rule") {
			t.Errorf("%+v: %v, want a device rule error", bad, err)
		}
	}
}
