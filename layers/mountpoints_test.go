package layers

import (
	"reflect"
	"testing"
)

func TestHideMountPoints(t *testing.T) {
	ch := func(k ChangeKind, p string) Change { return Change{Kind: k, Path: p, LowerIndex: -1} }
	emptySet := map[string]bool{"/etc/hostname": true, "/etc/hosts": true, "/proc": true, "/data/x": true, "/srv": true}
	empty := func(p string) bool { return emptySet[p] }
	tests := []struct {
		name   string
		in     []Change
		points []string
		want   []string
	}{
		{"only mount points", []Change{ch(Modified, "/etc"), ch(Added, "/etc/hostname"), ch(Added, "/etc/hosts"), ch(Added, "/proc")},
			[]string{"/etc/hostname", "/etc/hosts", "/proc"}, nil},
		{"a real change keeps its parent", []Change{ch(Modified, "/etc"), ch(Added, "/etc/hostname"), ch(Added, "/etc/motd")},
			[]string{"/etc/hostname"}, []string{"C /etc", "A /etc/motd"}},
		{"parents made for a volume", []Change{ch(Added, "/data"), ch(Added, "/data/x")},
			[]string{"/data/x"}, nil},
		{"written into: kept", []Change{ch(Added, "/etc/resolv.conf")},
			[]string{"/etc/resolv.conf"}, []string{"A /etc/resolv.conf"}},
		{"empty dir not a mount point: kept", []Change{ch(Added, "/srv")},
			[]string{"/proc"}, []string{"A /srv"}},
		{"deleted below a mount point's parent", []Change{ch(Modified, "/etc"), ch(Added, "/etc/hostname"), ch(Deleted, "/etc/passwd")},
			[]string{"/etc/hostname"}, []string{"C /etc", "D /etc/passwd"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kept, _ := HideMountPoints(tt.in, tt.points, empty)
			var got []string
			for _, c := range kept {
				got = append(got, c.String())
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
