package layers

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// GNU tar is the reference for "extract a tar faithfully": a layer without
// whiteouts, unpacked by UnpackTar and by `tar -xpf` as root, must give the
// same tree (types, modes with setuid/setgid/sticky, owners, sizes, content,
// mtimes, symlink targets, hard links, device numbers, user.* xattrs).
//
// The tar is everyEntry without whiteouts, with each directory's entries
// together and every directory listed, as image builders write them. (GNU
// tar sets a directory's times when the stream leaves it, so a tar that
// comes back into a directory later leaves it with the wrong mtime; we set
// all directory times at the end and do not have that problem.)
func TestUnpackMatchesGNUTar(t *testing.T) {
	requireRoot(t)
	tarBin, err := exec.LookPath("tar")
	if err != nil {
		t.Skip("tar not found: install the Debian package tar")
	}
	es := []tarEntry{tdir("dev/"), tdir("run/")}
	for _, e := range everyEntry() {
		if kind, _ := ClassifyWhiteout(filepath.Base(e.Name)); kind == NotWhiteout {
			es = append(es, e)
		}
	}
	group := func(e tarEntry) string {
		if e.Typeflag == tar.TypeDir {
			return strings.TrimSuffix(e.Name, "/")
		}
		return filepath.Dir(e.Name)
	}
	slices.SortStableFunc(es, func(a, b tarEntry) int { return strings.Compare(group(a), group(b)) })
	tarball := makeTar(t, es...)
	ours, theirs := t.TempDir(), t.TempDir()
	if _, err := UnpackTar(context.Background(), ours, bytes.NewReader(tarball)); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tarBin, "--xattrs", "--xattrs-include=user.*", "--numeric-owner", "-xpf", "-", "-C", theirs)
	cmd.Stdin = bytes.NewReader(tarball)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tar: %v: %s", err, out)
	}
	a, b := treeOf(t, ours), treeOf(t, theirs)
	for p, want := range b {
		if got := a[p]; got != want {
			t.Errorf("%s:\n ours    %s\n GNU tar %s", p, got, want)
		}
	}
	for p := range a {
		if _, ok := b[p]; !ok {
			t.Errorf("%s: only in ours", p)
		}
	}
}

// treeOf describes each path under root in comparable terms. Hard links
// are shown by link count and by the name of the first path seen with the
// same inode.
func treeOf(t *testing.T, root string) map[string]string {
	out := map[string]string{}
	inodes := map[uint64]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		desc := fmt.Sprintf("mode=%o uid=%d gid=%d nlink=%d rdev=%d mtime=%d", st.Mode, st.Uid, st.Gid, st.Nlink, st.Rdev, st.Mtim.Sec)
		if !fi.IsDir() {
			desc += fmt.Sprintf(" size=%d", st.Size)
			if first, ok := inodes[st.Ino]; ok {
				desc += " same-inode-as=" + first
			} else {
				inodes[st.Ino] = rel
			}
		}
		switch {
		case fi.Mode().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			desc += fmt.Sprintf(" sha256=%x", sha256.Sum256(data))
		case fi.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			desc += " -> " + target
		}
		var user []string
		for _, x := range strings.Split(xattrList(p), ",") {
			if strings.HasPrefix(x, "user.") {
				user = append(user, x)
			}
		}
		out[rel] = desc + " xattrs=" + strings.Join(user, ",")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
