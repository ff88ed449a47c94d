package mount

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestFiles(t *testing.T) {
	dir := t.TempDir()
	binds, err := Files(dir, "c1", nil, []byte("nameserver 127.0.0.53\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Bind{
		{Source: filepath.Join(dir, "hostname"), Target: "/etc/hostname"},
		{Source: filepath.Join(dir, "hosts"), Target: "/etc/hosts"},
		{Source: filepath.Join(dir, "resolv.conf"), Target: "/etc/resolv.conf"},
	}
	if !reflect.DeepEqual(binds, want) {
		t.Errorf("binds = %+v\nwant %+v", binds, want)
	}
	for name, content := range map[string]string{
		"hostname":    "c1\n",
		"hosts":       "127.0.0.1\tlocalhost c1\n::1\tlocalhost ip6-localhost ip6-loopback c1\n",
		"resolv.conf": "nameserver 127.0.0.53\n",
	} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(got) != content {
			t.Errorf("%s = %q (%v), want %q", name, got, err, content)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("want exactly 3 files (no temp files left), got %v", entries)
	}

	binds, err = Files(dir, "c2", nil, nil)
	if err != nil || len(binds) != 2 {
		t.Errorf("nil resolv.conf: want 2 binds (image's resolv.conf kept), got %+v, %v", binds, err)
	}
	if _, err := Files(dir, "", nil, nil); err == nil {
		t.Error("empty hostname accepted")
	}
	if _, err := Files(filepath.Join(dir, "missing"), "c1", nil, nil); err == nil {
		t.Error("missing directory accepted")
	}
}
