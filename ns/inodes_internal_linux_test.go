package ns

import (
	"os"
	"syscall"
	"testing"
)

func TestParseNsLink(t *testing.T) {
	tests := []struct {
		target string
		want   uint64
		ok     bool
	}{
		{"net:[4026531840]", 4026531840, true},
		{"pid_for_children:[4026531836]", 4026531836, true},
		{"net:[]", 0, false},
		{"net:4026531840", 0, false},
		{"/proc/1/ns/net", 0, false},
	}
	for _, tt := range tests {
		got, err := parseNsLink(tt.target)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("parseNsLink(%q) = %d, %v; want %d, ok=%v", tt.target, got, err, tt.want, tt.ok)
		}
	}
}

// Reading one's own /proc/self/ns needs no privilege.
func TestNamespaceInodesSelf(t *testing.T) {
	inodes, err := NamespaceInodes(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"mnt", "uts", "ipc", "pid", "net", "cgroup", "user"} {
		if inodes[kind] == 0 {
			t.Errorf("no inode for %s in %v", kind, inodes)
		}
	}
	fi, err := os.Stat("/proc/self/ns/net") // stat follows the link to the nsfs inode
	if err != nil {
		t.Fatal(err)
	}
	if ino := fi.Sys().(*syscall.Stat_t).Ino; ino != inodes["net"] {
		t.Errorf("stat /proc/self/ns/net: inode %d, readlink said %d", ino, inodes["net"])
	}
}
