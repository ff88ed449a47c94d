package container

import (
	"strings"
	"testing"

	"github.com/minictr/minictr/mount"
)

func TestSortMounts(t *testing.T) {
	in := []mount.Bind{{Target: "/etc/hostname"}, {Target: "/etc/hosts"}, {Target: "/a/b"}, {Target: "/etc"}, {Target: "/a"}, {Target: "/etc/hosts"}}
	var got []string
	for _, b := range sortMounts(in) {
		got = append(got, b.Target)
	}
	// Parents first; same depth in the order given (a -v on /etc/hosts,
	// given after the container's own /etc/hosts, wins).
	if want := "/etc /a /etc/hostname /etc/hosts /a/b /etc/hosts"; strings.Join(got, " ") != want {
		t.Errorf("sortMounts = %q, want %q", got, want)
	}
	if in[0].Target != "/etc/hostname" {
		t.Errorf("sortMounts changed its argument")
	}
}
