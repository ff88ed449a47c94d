package testutil

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDiffTrees(t *testing.T) {
	a := map[string]Entry{
		"etc":        {Type: "dir", Mode: 0o755},
		"etc/passwd": {Type: "file", Mode: 0o644, Size: 3, SHA256: "aa"},
		"bin/sh":     {Type: "symlink", Mode: 0o777, Linkname: "busybox"},
	}
	b := map[string]Entry{
		"etc":        {Type: "dir", Mode: 0o755},
		"etc/passwd": {Type: "file", Mode: 0o600, Size: 3, SHA256: "aa"},
		"etc/group":  {Type: "file", Mode: 0o644},
	}
	if d := DiffTrees(a, a); len(d) != 0 {
		t.Errorf("DiffTrees(a, a) = %q, want nothing", d)
	}
	got := DiffTrees(a, b)
	want := []string{"only in a: bin/sh ", "only in b: etc/group ", "etc/passwd: a=file -rw-r--r-- "}
	if len(got) != len(want) {
		t.Fatalf("DiffTrees = %q, want %d lines", got, len(want))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("line %d = %q, want prefix %q", i, got[i], want[i])
		}
	}
}

func TestLowerdirOption(t *testing.T) {
	for _, tc := range []struct {
		layers []string
		want   string
		err    string
	}{
		{[]string{"/l/base", "/l/mid", "/l/top"}, "lowerdir=/l/top:/l/mid:/l/base", ""},
		{[]string{"/l/only"}, "lowerdir=/l/only", ""},
		{nil, "", "at least one"},
		{[]string{"/l/a:b"}, "", "':' or ','"},
		{[]string{"/l/a,upperdir=/x"}, "", "':' or ','"},
		{[]string{strings.Repeat("/x", 2100)}, "", "one page"},
	} {
		got, err := lowerdirOption(tc.layers)
		if got != tc.want || (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("lowerdirOption(%.40q) = %q, %v; want %q, error containing %q", tc.layers, got, err, tc.want, tc.err)
		}
	}
}

// Tree must see what ls -l sees: types, special mode bits, link targets,
// content digests, and which names share an inode.
func TestTree(t *testing.T) {
	root := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(root, "d/sub"), 0o755))
	must(os.Chmod(filepath.Join(root, "d"), 0o755))
	must(os.WriteFile(filepath.Join(root, "d/f"), []byte("hello\n"), 0o640))
	must(os.Chmod(filepath.Join(root, "d/f"), fs.ModeSetuid|0o750))
	must(os.Link(filepath.Join(root, "d/f"), filepath.Join(root, "d/sub/hard")))
	must(os.WriteFile(filepath.Join(root, "single"), nil, 0o644))
	must(os.Symlink("../single", filepath.Join(root, "d/sym")))
	must(os.Chmod(filepath.Join(root, "d/sub"), fs.ModeSticky|0o777))

	tree := Tree(t, root)
	uid, gid := os.Getuid(), os.Getgid()
	want := map[string]Entry{
		"d":          {Type: "dir", Mode: 0o755, Uid: uid, Gid: gid},
		"d/sub":      {Type: "dir", Mode: fs.ModeSticky | 0o777, Uid: uid, Gid: gid},
		"d/f":        {Type: "file", Mode: fs.ModeSetuid | 0o750, Uid: uid, Gid: gid, Size: 6, SHA256: "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03", HardlinkOf: "d/f"},
		"d/sub/hard": {Type: "file", Mode: fs.ModeSetuid | 0o750, Uid: uid, Gid: gid, Size: 6, SHA256: "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03", HardlinkOf: "d/f"},
		"d/sym":      {Type: "symlink", Mode: 0o777, Uid: uid, Gid: gid, Linkname: "../single"},
		"single":     {Type: "file", Mode: 0o644, Uid: uid, Gid: gid, SHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	}
	for _, d := range DiffTrees(want, tree) {
		t.Error(d)
	}
}
