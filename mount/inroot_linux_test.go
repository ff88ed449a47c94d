package mount

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A hostile image can contain symlinks that point out of the rootfs. Mount
// points must be created and resolved inside the root anyway. This runs
// as any user: openat2 and mkdirat need no privilege.
func TestTargetStaysInRoot(t *testing.T) {
	host := t.TempDir() // stands for the host's /
	rootfs := filepath.Join(host, "rootfs")
	for _, d := range []string{"rootfs/etc", "rootfs/bin", "rootfs/secret", "rootfs/run/resolve", "secret"} {
		if err := os.MkdirAll(filepath.Join(host, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"abs":      host + "/secret",           // absolute: means rootfs/<host>/secret, which is missing
		"rel":      "../../../../../../secret", // climbs out: must stop at rootfs/, so rootfs/secret
		"etclink":  "/etc",
		"dangling": "/nowhere/at/all",
		"hosts":    "etc/hosts",
		"resolv":   "/run/resolve/stub.conf", // like systemd-resolved images: a dangling link to a file
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(rootfs, name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		path    string
		file    bool
		want    string // resolved path relative to rootfs
		wantErr string
	}{
		{path: "/data", want: "data"},
		{path: "/a/b/c", want: "a/b/c"},
		{path: "../../../escape", want: "escape"},
		{path: "/abs/x", wantErr: "no such file or directory"}, // dangling inside the root: not followed out, not created
		{path: "/rel/x", want: "secret/x"},
		{path: "/etclink/app", want: "etc/app"},
		{path: "/etc/hostname", file: true, want: "etc/hostname"},
		{path: "/hosts", file: true, want: "etc/hosts"},
		{path: "/resolv", file: true, want: "run/resolve/stub.conf"}, // O_CREAT creates the link's target, in the root
		{path: "/etclink/deep/resolv.conf", file: true, want: "etc/deep/resolv.conf"},
		{path: "/dangling", wantErr: "no such file or directory"},
		{path: "/bin", file: true, wantErr: "is a directory"},
	} {
		r, err := openRoot(rootfs)
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.target(c.path, c.file)
		r.Close()
		switch {
		case c.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("target(%q) = %q, %v; want error %q", c.path, got, err, c.wantErr)
			}
		case err != nil:
			t.Errorf("target(%q): %v", c.path, err)
		case got != filepath.Join(rootfs, c.want):
			t.Errorf("target(%q) = %s, want %s", c.path, got, filepath.Join(rootfs, c.want))
		}
	}
	if entries, _ := os.ReadDir(filepath.Join(host, "secret")); len(entries) != 0 { // the host's "secret"
		t.Errorf("a symlink escaped the root: %s/secret now holds %v", host, entries)
	}
	if _, err := os.Lstat(filepath.Join(host, "escape")); err == nil {
		t.Errorf("../ escaped the root: %s/escape exists", host)
	}
}
