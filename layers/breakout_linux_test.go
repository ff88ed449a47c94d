package layers

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// Hostile layers. Each one is unpacked into <sandbox>/layer, where the
// sandbox also holds files an attacker would like to reach:
//
//	<sandbox>/outside.txt      a file next to the layer
//	<sandbox>/etc/passwd       a stand-in for the host's /etc/passwd
//	<sandbox>/target/          an empty directory next to the layer
//
// Absolute names in the tars point INTO the sandbox (S below), so a bug
// would damage the sandbox, never the machine running the test. After each
// unpack, everything outside <sandbox>/layer must be exactly as before
// (type, mode, owner, size, mtime, link count, content, xattrs), and the
// tar must either fail with the expected error or have had its effect
// inside the layer, the way a chroot would see it.
func TestUnpackTarBreakouts(t *testing.T) {
	requireRoot(t)
	// A check looks inside the layer; in its names "S/" stands for the
	// sandbox's absolute path as it appears INSIDE the layer.
	type result func(t *testing.T, layer, S string)
	regular := func(name, content string) result {
		return func(t *testing.T, layer, S string) {
			name := strings.Replace(name, "S/", S[1:]+"/", 1)
			if got := readFile(t, filepath.Join(layer, name)); got != content {
				t.Errorf("%s = %q, want %q", name, got, content)
			}
		}
	}
	tests := []struct {
		name    string
		entries func(S string) []tarEntry
		wantErr string // "" means the tar must unpack, and check must hold
		check   result
	}{
		{"dotdot name", func(S string) []tarEntry {
			return []tarEntry{tfile("../outside.txt", "pwned")}
		}, `tar entry "../outside.txt": path escapes the layer directory`, nil},
		{"dotdot in the middle", func(S string) []tarEntry {
			return []tarEntry{tfile("a/../../outside.txt", "pwned")}
		}, "path escapes the layer directory", nil},
		{"absolute name is relative to the layer", func(S string) []tarEntry {
			return []tarEntry{tfile(S+"/outside.txt", "in layer")}
		}, "", regular("S/outside.txt", "in layer")},
		{"write through an absolute symlink", func(S string) []tarEntry {
			return []tarEntry{tsymlink("evil", S+"/target"), tfile("evil/pwned", "pwned")}
		}, `parent "evil" does not resolve to a directory inside the layer`, nil},
		{"write through an absolute symlink, resolved in the layer", func(S string) []tarEntry {
			return []tarEntry{tdir(S + "/target/"), tsymlink("evil", S+"/target"), tfile("evil/pwned", "in layer")}
		}, "", regular("S/target/pwned", "in layer")},
		{"write through a relative symlink to the sibling", func(S string) []tarEntry {
			return []tarEntry{tsymlink("rel", "../target"), tfile("rel/pwned", "pwned")}
		}, `parent "rel" does not resolve`, nil},
		{"write through a deep dotdot symlink", func(S string) []tarEntry {
			return []tarEntry{tsymlink("deep", strings.Repeat("../", 20)+S[1:]+"/target"), tfile("deep/pwned", "pwned")}
		}, `parent "deep" does not resolve`, nil},
		{"symlink to .. chains stop at the layer root", func(S string) []tarEntry {
			return []tarEntry{tsymlink("up", ".."), tsymlink("up2", "up/../.."), tfile("up2/up/escape", "in layer")}
		}, "", regular("escape", "in layer")},
		{"file replaces a symlink instead of following it", func(S string) []tarEntry {
			return []tarEntry{tsymlink("out", "../outside.txt"), tfile("out", "in layer")}
		}, "", regular("out", "in layer")},
		{"symlink replacing the layer root (umoci CVE-2021-29136)", func(S string) []tarEntry {
			return []tarEntry{tsymlink("/.", S+"/target"), tfile("pwned", "pwned")}
		}, `tar entry "/.": only a directory may stand for the layer root`, nil},
		{"symlink loop", func(S string) []tarEntry {
			return []tarEntry{tsymlink("l1", "l2"), tsymlink("l2", "l1"), tfile("l1/x", "x")}
		}, "too many levels of symbolic links", nil},
		{"hard link with dotdot", func(S string) []tarEntry {
			return []tarEntry{thardlink("h", "../../etc/passwd")}
		}, `hard link target "../../etc/passwd": path escapes the layer directory`, nil},
		{"hard link to an absolute path outside", func(S string) []tarEntry {
			return []tarEntry{thardlink("h", S+"/outside.txt")}
		}, "no such file or directory", nil},
		{"hard link through a symlinked directory", func(S string) []tarEntry {
			return []tarEntry{tsymlink("lnk", ".."), thardlink("h", "lnk/outside.txt")}
		}, "no such file or directory", nil},
		{"hard link to an escaping symlink, then write", func(S string) []tarEntry {
			return []tarEntry{tsymlink("s", "../outside.txt"), thardlink("h", "s"), tfile("h", "in layer")}
		}, "", func(t *testing.T, layer, S string) {
			regular("h", "in layer")(t, layer, S)
			if got, _ := os.Readlink(filepath.Join(layer, "s")); got != "../outside.txt" {
				t.Errorf("s -> %q", got)
			}
		}},
		{"hard link, then write through it", func(S string) []tarEntry {
			return []tarEntry{tfile("victim", "orig"), thardlink("h", "victim"), tfile("h", "new")}
		}, "", func(t *testing.T, layer, S string) {
			regular("victim", "orig")(t, layer, S)
			regular("h", "new")(t, layer, S)
		}},
		{"hard link to a directory", func(S string) []tarEntry {
			return []tarEntry{tdir("d/"), thardlink("h", "d")}
		}, `hard link target "d" is a directory`, nil},
		{"whiteout with dotdot", func(S string) []tarEntry {
			return []tarEntry{tfile("../.wh.outside.txt", "")}
		}, "path escapes the layer directory", nil},
		{"whiteout of the parent", func(S string) []tarEntry {
			return []tarEntry{tfile("a/.wh...", "")}
		}, `invalid whiteout name ".wh..."`, nil},
		{"whiteout-looking name with dotdot is a plain file", func(S string) []tarEntry {
			return []tarEntry{tfile(".wh.../../outside.txt", "in layer")}
		}, "", regular("outside.txt", "in layer")},
		{"whiteout under a dotdot symlink", func(S string) []tarEntry {
			return []tarEntry{tsymlink("evil", ".."), tfile("evil/.wh.outside.txt", "")}
		}, "", func(t *testing.T, layer, S string) {
			var st unix.Stat_t
			if err := unix.Lstat(filepath.Join(layer, "outside.txt"), &st); err != nil || !isWhiteoutDevice(&st) {
				t.Errorf("want a whiteout device layer/outside.txt: %v", err)
			}
		}},
		{"opaque marker under an escaping symlink", func(S string) []tarEntry {
			return []tarEntry{tsymlink("evil", "../target"), tfile("evil/.wh..wh..opq", "")}
		}, `parent "evil" does not resolve`, nil},
		{"opaque marker under a dotdot symlink", func(S string) []tarEntry {
			return []tarEntry{tsymlink("up", "../.."), tfile("up/.wh..wh..opq", "")}
		}, "", func(t *testing.T, layer, S string) {
			checkXattr(t, layer, ".", "trusted.overlay.opaque", "y")
		}},
		{"device node outside", func(S string) []tarEntry {
			return []tarEntry{{Header: tar.Header{Typeflag: tar.TypeChar, Name: "../null", Devmajor: 1, Devminor: 3}}}
		}, "path escapes the layer directory", nil},
		{"directory swapped for an escaping symlink mid-tar", func(S string) []tarEntry {
			return []tarEntry{tdir("a/"), tfile("a/f1", "1"), tsymlink("a", "../target"), tfile("a/f2", "pwned")}
		}, `parent "a" does not resolve`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sandbox := makeSandbox(t)
			layer := filepath.Join(sandbox, "layer")
			before := snapshot(t, sandbox)
			_, err := UnpackTar(context.Background(), layer, bytes.NewReader(makeTar(t, tt.entries(sandbox)...)))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error = %v, want one containing %q", err, tt.wantErr)
			case tt.wantErr == "":
				tt.check(t, layer, sandbox)
			default:
				t.Logf("refused: %v", err)
			}
			after := snapshot(t, sandbox)
			for p, b := range before {
				if a, ok := after[p]; !ok || a != b {
					t.Errorf("outside the layer, %s changed:\n before %s\n after  %s", p, b, a)
				}
			}
			for p, a := range after {
				if _, ok := before[p]; !ok {
					t.Errorf("outside the layer, %s was created: %s", p, a)
				}
			}
		})
	}
}

func makeSandbox(t *testing.T) string {
	sandbox := t.TempDir()
	for _, d := range []string{"layer", "etc", "target"} {
		if err := os.Mkdir(filepath.Join(sandbox, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, content := range map[string]string{"outside.txt": "sentinel", "etc/passwd": "root:x:0:0::/root:/bin/sh\n"} {
		if err := os.WriteFile(filepath.Join(sandbox, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return sandbox
}

// snapshot describes every path under sandbox except the layer's contents.
func snapshot(t *testing.T, sandbox string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(sandbox, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(sandbox, p)
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		desc := fmt.Sprintf("mode=%o uid=%d gid=%d size=%d nlink=%d", st.Mode, st.Uid, st.Gid, st.Size, st.Nlink)
		if rel == "layer" {
			out[rel] = fmt.Sprintf("mode=%o", st.Mode) // its contents and times are the layer's business
			return fs.SkipDir
		}
		desc += fmt.Sprintf(" mtime=%d.%09d", st.Mtim.Sec, st.Mtim.Nsec)
		switch {
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			desc += fmt.Sprintf(" sha256=%x", sha256.Sum256(b))
		case fi.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			desc += " -> " + target
		}
		desc += " xattrs=" + xattrList(p)
		out[rel] = desc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func xattrList(p string) string {
	buf := make([]byte, 4096)
	n, err := unix.Llistxattr(p, buf)
	if err != nil {
		return "?" + err.Error()
	}
	var parts []string
	for _, name := range strings.Split(strings.TrimRight(string(buf[:n]), "\x00"), "\x00") {
		if name == "" {
			continue
		}
		v := make([]byte, 256)
		m, _ := unix.Lgetxattr(p, name, v)
		parts = append(parts, name+"="+string(v[:max(m, 0)]))
	}
	return strings.Join(parts, ",")
}
