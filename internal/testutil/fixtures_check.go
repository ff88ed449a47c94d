package testutil

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"strings"
	"testing"
)

// CheckMultiLayerTree checks a rootfs Tree made from MultiLayerImage for
// what the layer rules demand, independently of any other unpacker: every
// whiteout applied and none left visible, the directories that became
// files, special mode bits, hard links, symlinks and xattrs kept. Owners
// are checked only when the test runs as root (rootless unpackers cannot
// chown).
func CheckMultiLayerTree(t testing.TB, tree map[string]Entry) {
	t.Helper()
	checkDeleted(t, tree)
	checkKept(t, tree)
}

// checkDeleted: whiteouts applied (file, directory, busybox link), the
// opaque directory emptied of lower content, no .wh. name visible.
func checkDeleted(t testing.TB, tree map[string]Entry) {
	t.Helper()
	for p := range tree {
		if base := p[strings.LastIndex(p, "/")+1:]; strings.HasPrefix(base, ".wh.") {
			t.Errorf("%s: whiteout left in the rootfs", p)
		}
	}
	for _, gone := range []string{"opt/gone", "bin/hostname", "opt/tree/a", "opt/tree/a/old",
		"opt/tree/keep-me-not", "opt/replaced/x", "opt/retyped/z"} {
		if e, ok := tree[gone]; ok {
			t.Errorf("%s: should be deleted, is %s", gone, e)
		}
	}
	var inTree []string
	for p := range tree {
		if strings.HasPrefix(p, "opt/tree/") {
			inTree = append(inTree, p)
		}
	}
	if len(inTree) != 1 || inTree[0] != "opt/tree/new-file" {
		t.Errorf("opt/tree holds %q, want only opt/tree/new-file (opaque directory)", inTree)
	}
}

// checkKept: the files that must survive, with content, mode bits, links,
// xattrs and (as root) owners intact.
func checkKept(t testing.TB, tree map[string]Entry) {
	t.Helper()
	layer3 := filesByName(cleanupFiles())
	for _, p := range []string{"opt/replaced", "opt/retyped", "opt/tree/new-file"} {
		wantFile(t, tree, p, layer3[p])
	}
	layer2 := filesByName(optFiles())
	for _, p := range []string{"opt/setuid", "opt/secret", "opt/hard1", "opt/xattr"} {
		wantFile(t, tree, p, layer2[p])
	}
	wantFile(t, tree, "app/hello.sh", filesByName(appFiles())["app/hello.sh"])
	for _, p := range []string{"opt/hard2", "opt/tree-link"} {
		if e := tree[p]; e.HardlinkOf != "opt/hard1" || tree["opt/hard1"].HardlinkOf != "opt/hard1" {
			t.Errorf("%s: %s; want a hard link of opt/hard1", p, e)
		}
	}
	if e := tree["bin/sh"]; e.HardlinkOf != "bin/busybox" {
		t.Errorf("bin/sh: %s; want a hard link of bin/busybox", e)
	}
	for p, target := range map[string]string{"opt/abs-link": "/etc/passwd", "opt/rel-link": "../etc/group", "opt/dangling": "/does/not/exist"} {
		if e := tree[p]; e.Type != "symlink" || e.Linkname != target {
			t.Errorf("%s: %s; want symlink -> %s", p, e, target)
		}
	}
	wantMode(t, tree, "opt/fifo", "fifo", 0o644)
	wantMode(t, tree, "opt/shared", "dir", fs.ModeSetgid|0o775)
	wantMode(t, tree, "tmp", "dir", fs.ModeSticky|0o777)
	wantMode(t, tree, "root", "dir", 0o700)
	if os.Geteuid() == 0 {
		for p, id := range map[string]int{"opt/secret": 1000, "home/app": 1000, "opt/setuid": 0} {
			if e := tree[p]; e.Uid != id || e.Gid != id {
				t.Errorf("%s: owner %d:%d, want %d:%d", p, e.Uid, e.Gid, id, id)
			}
		}
	}
}

func filesByName(files []File) map[string]File {
	m := map[string]File{}
	for _, f := range files {
		m[f.Name] = f
	}
	return m
}

// wantFile checks that path is a regular file with f's mode, content and
// xattrs.
func wantFile(t testing.TB, tree map[string]Entry, path string, f File) {
	t.Helper()
	e, ok := tree[path]
	sum := sha256.Sum256(f.Data)
	if !ok || e.Type != "file" || e.Mode != f.Mode || e.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("%s: %s; want file %v with content %q", path, e, f.Mode, f.Data)
	}
	for k, v := range f.Xattrs {
		if !strings.Contains(" "+e.Xattrs+" ", " "+k+"="+v+" ") {
			t.Errorf("%s: xattrs %q, want %s=%s", path, e.Xattrs, k, v)
		}
	}
}

func wantMode(t testing.TB, tree map[string]Entry, path, typ string, mode fs.FileMode) {
	t.Helper()
	if e := tree[path]; e.Type != typ || e.Mode != mode {
		t.Errorf("%s: %s; want %s %v", path, e, typ, mode)
	}
}
