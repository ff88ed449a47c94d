package mount

import (
	"reflect"
	"strings"
	"testing"
)

// Lines as a host with systemd (shared propagation) shows them, plus an
// overlay on a path with a space, which the kernel writes as \040.
const sampleMountinfo = `22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
40 22 0:35 / /tmp/my\040dir/rootfs rw,relatime - overlay overlay rw,lowerdir=/l/a:/l/b,upperdir=/u,workdir=/w
41 40 0:36 / /tmp/my\040dir/rootfs/proc rw,nosuid,nodev,noexec,relatime shared:20 master:12 - proc proc rw
`

func TestParseMountInfo(t *testing.T) {
	ms, err := ParseMountInfo(strings.NewReader(sampleMountinfo))
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 4 {
		t.Fatalf("got %d mounts, want 4", len(ms))
	}
	want := MountInfo{ID: 40, ParentID: 22, Root: "/", Target: "/tmp/my dir/rootfs", Options: "rw,relatime",
		FSType: "overlay", Source: "overlay", SuperOptions: "rw,lowerdir=/l/a:/l/b,upperdir=/u,workdir=/w"}
	if !reflect.DeepEqual(ms[2], want) {
		t.Errorf("line 3 =\n %+v\nwant\n %+v", ms[2], want)
	}
	if ms[3].Propagation != "shared:20 master:12" || !ms[3].Shared() || ms[2].Shared() {
		t.Errorf("propagation: %q shared=%v, overlay shared=%v", ms[3].Propagation, ms[3].Shared(), ms[2].Shared())
	}
	if got := MountsUnder(ms, "/tmp/my dir/"); len(got) != 2 || got[1].ID != 41 {
		t.Errorf("MountsUnder = %+v", got)
	}
	if got := MountsUnder(ms, "/tmp/my"); len(got) != 0 {
		t.Errorf("MountsUnder(/tmp/my) matched a sibling: %+v", got)
	}
	if _, err := ParseMountInfo(strings.NewReader("22 1 254:0 / / rw\n")); err == nil {
		t.Error("malformed line accepted")
	}
}

func TestPivotBlocker(t *testing.T) {
	ms, _ := ParseMountInfo(strings.NewReader(sampleMountinfo))
	private := func(ms []MountInfo) []MountInfo {
		out := append([]MountInfo(nil), ms...)
		for i := range out {
			out[i].Propagation = ""
		}
		return out
	}
	for _, c := range []struct {
		name   string
		mounts []MountInfo
		root   string
		want   string
	}{
		{"shared parent", ms, "/tmp/my dir/rootfs", "its parent mount / has shared propagation (shared:1): make mounts private first (MakePrivate)"},
		{"private", private(ms), "/tmp/my dir/rootfs", ""},
		{"not a mount point", private(ms), "/tmp/other", "/tmp/other is not a mount point (mount the rootfs there, or bind-mount it on itself)"},
	} {
		if got := pivotBlocker(c.mounts, c.root); got != c.want {
			t.Errorf("%s: pivotBlocker = %q, want %q", c.name, got, c.want)
		}
	}
}
