package security

import "testing"

func TestSplitDevice(t *testing.T) {
	for _, c := range []struct{ spec, host, ctr, perms string }{
		{"/dev/loop0", "/dev/loop0", "/dev/loop0", "rwm"},
		{"/dev/loop0:r", "/dev/loop0", "/dev/loop0", "r"},
		{"/dev/loop0:/dev/xvda", "/dev/loop0", "/dev/xvda", "rwm"},
		{"/dev/loop0:/dev/xvda:rw", "/dev/loop0", "/dev/xvda", "rw"},
		{"/dev/loop0:/dev/../dev/xvda/", "/dev/loop0", "/dev/xvda", "rwm"},
	} {
		host, ctr, perms, err := splitDevice(c.spec)
		if err != nil || host != c.host || ctr != c.ctr || perms != c.perms {
			t.Errorf("splitDevice(%q) = %q %q %q %v", c.spec, host, ctr, perms, err)
		}
	}
	for _, bad := range []string{"loop0", "/dev/loop0:xvda", "/dev/loop0:/dev/xvda:rx", "/a:/b:rw:x", "/dev/loop0:/dev/xvda:"} {
		if _, _, _, err := splitDevice(bad); err == nil {
			t.Errorf("splitDevice(%q): no error", bad)
		}
	}
}
