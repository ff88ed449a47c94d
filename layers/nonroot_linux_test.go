package layers

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestMain lets the test binary double as the helper process of
// TestUnpackAsNonRoot: run with helperEnv set, it unpacks one blob into a
// store and prints the outcome instead of running tests.
func TestMain(m *testing.M) {
	if spec := os.Getenv(helperEnv); spec != "" {
		os.Exit(unpackHelper(spec))
	}
	os.Exit(m.Run())
}

const helperEnv = "MINICTR_LAYERS_UNPACK_HELPER" // "<store root>:<blob file>"

func unpackHelper(spec string) int {
	root, blob, _ := strings.Cut(spec, ":")
	s, err := OpenStore(root)
	if err == nil {
		var f *os.File
		if f, err = os.Open(blob); err == nil {
			_, err = s.Unpack(context.Background(), "", "", f)
			f.Close()
		}
	}
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	fmt.Println("ok")
	return 0
}

// As an ordinary user, unpacking must fail clearly on what needs root (and
// succeed on what does not), and leave the store as it was. We are root here, so the test runs
// a copy of its own binary as nobody (uid 65534) to find out.
func TestUnpackAsNonRoot(t *testing.T) {
	requireRoot(t)
	const nobody = 65534
	dir := t.TempDir()
	for d := dir; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		os.Chmod(d, 0o755) // t.TempDir makes 0700 directories nobody could enter
	}
	bin := filepath.Join(dir, "layers.test")
	copyFile(t, bin, 0o755)
	root := filepath.Join(dir, "store")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(root, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	nodev := tarEntry{Header: tdir("dev/").Header}
	nodev.Typeflag, nodev.Name, nodev.Devmajor, nodev.Devminor = '3', "dev/null", 1, 3
	tests := []struct {
		name    string
		entries []tarEntry
		want    string
	}{
		{"own files", owned(nobody, nobody, tdir("a/"), tfile("a/f", "x")), "ok"},
		// Since Linux 5.8 mknod(2) of the whiteout device 0:0 needs no
		// CAP_MKNOD (so that overlayfs works in user namespaces): a
		// whiteout alone unpacks fine as nobody. Every other device does not.
		{"whiteout", owned(nobody, nobody, tdir("a/"), tfile("a/.wh.b", "")), "ok"},
		{"opaque", owned(nobody, nobody, tdir("a/"), tfile("a/.wh..wh..opq", "")),
			`error: unpack layer: tar entry "a/.wh..wh..opq": setxattr trusted.overlay.opaque on /a in layer: operation not permitted (run as root)`},
		{"device", owned(nobody, nobody, tdir("dev/"), nodev),
			`error: unpack layer: tar entry "dev/null": mknodat: operation not permitted (run as root)`},
		{"root-owned file", []tarEntry{tfile("etc", "x")},
			`error: unpack layer: tar entry "etc": chown 0:0: operation not permitted (run as root)`},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blob := filepath.Join(dir, fmt.Sprintf("%d.tar.gz", i))
			if err := os.WriteFile(blob, compress(t, Gzip, makeTar(t, tt.entries...)), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bin)
			cmd.Env = append(os.Environ(), helperEnv+"="+root+":"+blob)
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
			out, _ := cmd.CombinedOutput()
			got := strings.TrimSpace(string(out))
			t.Logf("as nobody: %s", got)
			if got != tt.want {
				t.Errorf("as nobody:\n got  %s\n want %s", got, tt.want)
			}
			if entries, _ := os.ReadDir(filepath.Join(root, "tmp")); len(entries) != 0 {
				t.Errorf("tmp/ not empty after the failed unpack: %v", entries)
			}
		})
	}
}

func copyFile(t *testing.T, dst string, perm os.FileMode) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, src); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, buf.Bytes(), perm); err != nil {
		t.Fatal(err)
	}
}
