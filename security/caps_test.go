package security

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestDefaultCapsMask(t *testing.T) {
	m, err := maskOf(DefaultCaps)
	if err != nil {
		t.Fatal(err)
	}
	if m != 0xa80425fb { // CapEff inside a docker container
		t.Errorf("DefaultCaps = %#x, want 0xa80425fb", uint64(m))
	}
	if got := len(CapNames()); got != 41 || CapNames()[40] != "CAP_CHECKPOINT_RESTORE" {
		t.Errorf("CapNames: %d names, last %s", got, CapNames()[got-1])
	}
}

func TestResolveCaps(t *testing.T) {
	def, _ := maskOf(DefaultCaps)
	for _, c := range []struct {
		add, drop  []string
		privileged bool
		want       capMask
	}{
		{nil, nil, false, def},
		{[]string{"NET_ADMIN"}, nil, false, def | 1<<12},
		{[]string{"cap_net_admin"}, nil, false, def | 1<<12},
		{[]string{"Sys_Admin"}, []string{"chown"}, false, def&^1 | 1<<21},
		{nil, []string{"ALL"}, false, 0},
		{[]string{"chown"}, []string{"all"}, false, 1},
		{[]string{"ALL"}, nil, false, allCaps},
		{[]string{"ALL"}, []string{"SYS_ADMIN"}, false, allCaps &^ (1 << 21)},
		{[]string{"KILL"}, []string{"KILL"}, false, def}, // dropped, then added back
		{nil, []string{"ALL"}, true, allCaps},            // --privileged wins
	} {
		got, err := ResolveCaps(c.add, c.drop, c.privileged)
		if err != nil {
			t.Errorf("ResolveCaps(%q, %q, %v): %v", c.add, c.drop, c.privileged, err)
			continue
		}
		if m, _ := maskOf(got); m != c.want {
			t.Errorf("ResolveCaps(%q, %q, %v) = %#x, want %#x", c.add, c.drop, c.privileged, uint64(m), uint64(c.want))
		}
		if !slices.IsSortedFunc(got, func(a, b string) int { x, _ := capNumber(a); y, _ := capNumber(b); return x - y }) {
			t.Errorf("not in number order: %v", got)
		}
	}
}

func TestResolveCapsUnknown(t *testing.T) {
	_, err := ResolveCaps([]string{"NET_ADMINN"}, nil, false)
	if err == nil || !strings.HasPrefix(err.Error(), `--cap-add: unknown capability "NET_ADMINN" (valid: ALL, CAP_CHOWN, `) ||
		!strings.Contains(err.Error(), "CAP_CHECKPOINT_RESTORE)") {
		t.Errorf("unknown --cap-add: %v", err)
	}
	if _, err := ResolveCaps(nil, []string{"CAP_"}, true); err == nil || !strings.HasPrefix(err.Error(), "--cap-drop: ") {
		t.Errorf("unknown --cap-drop with --privileged: %v", err)
	}
}

func ExampleResolveCaps() {
	caps, _ := ResolveCaps([]string{"net_admin"}, []string{"CAP_MKNOD", "setfcap"}, false)
	fmt.Println(strings.Join(caps, " "))
	// Output: CAP_CHOWN CAP_DAC_OVERRIDE CAP_FOWNER CAP_FSETID CAP_KILL CAP_SETGID CAP_SETUID CAP_SETPCAP CAP_NET_BIND_SERVICE CAP_NET_ADMIN CAP_NET_RAW CAP_SYS_CHROOT CAP_AUDIT_WRITE
}
