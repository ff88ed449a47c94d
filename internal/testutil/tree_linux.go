package testutil

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// Tree walks the directory root without following symlinks and returns an
// Entry for every path below it, keyed by slash path relative to root
// ("etc/passwd"); root itself is not included.
func Tree(t testing.TB, root string) map[string]Entry {
	t.Helper()
	tree, err := walkTree(root)
	if err != nil {
		t.Fatalf("tree %s: %v", root, err)
	}
	return tree
}

type inode struct{ dev, ino uint64 }

func walkTree(root string) (map[string]Entry, error) {
	tree := map[string]Entry{}
	links := map[inode][]string{} // regular files with st_nlink > 1
	err := filepath.WalkDir(root, func(path string, _ fs.DirEntry, err error) error {
		if err != nil || path == root {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		var st unix.Stat_t
		if err := unix.Lstat(path, &st); err != nil {
			return &os.PathError{Op: "lstat", Path: path, Err: err}
		}
		e, err := entryOf(path, &st)
		if err != nil {
			return err
		}
		tree[rel] = e
		if e.Type == "file" && st.Nlink > 1 {
			id := inode{uint64(st.Dev), st.Ino}
			links[id] = append(links[id], rel)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, names := range links {
		if len(names) < 2 {
			continue // the other names are outside this tree
		}
		sort.Strings(names)
		for _, n := range names {
			e := tree[n]
			e.HardlinkOf = names[0]
			tree[n] = e
		}
	}
	return tree, nil
}

// entryOf reads what an Entry records from one lstat(2) result, plus the
// content digest, the symlink target and the extended attributes.
func entryOf(path string, st *unix.Stat_t) (Entry, error) {
	e := Entry{Uid: int(st.Uid), Gid: int(st.Gid), Mode: fs.FileMode(st.Mode & 0o777)}
	if st.Mode&unix.S_ISUID != 0 {
		e.Mode |= fs.ModeSetuid
	}
	if st.Mode&unix.S_ISGID != 0 {
		e.Mode |= fs.ModeSetgid
	}
	if st.Mode&unix.S_ISVTX != 0 {
		e.Mode |= fs.ModeSticky
	}
	var err error
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		e.Type = "dir"
	case unix.S_IFREG:
		e.Type, e.Size = "file", st.Size
		e.SHA256, err = fileSHA256(path)
	case unix.S_IFLNK:
		e.Type = "symlink"
		e.Linkname, err = os.Readlink(path)
	case unix.S_IFIFO:
		e.Type = "fifo"
	case unix.S_IFSOCK:
		e.Type = "socket"
	case unix.S_IFCHR:
		e.Type, e.Dev = "char", st.Rdev
	case unix.S_IFBLK:
		e.Type, e.Dev = "block", st.Rdev
	}
	if err != nil {
		return e, err
	}
	e.Xattrs, err = xattrString(path)
	return e, err
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// xattrString lists the extended attributes of path (not following a
// symlink) as sorted "name=value" pairs. security.selinux is left out: the
// host labels files, images do not.
func xattrString(path string) (string, error) {
	size, err := unix.Llistxattr(path, nil)
	if errors.Is(err, unix.ENOTSUP) || size == 0 {
		return "", nil
	}
	if err != nil {
		return "", &os.PathError{Op: "llistxattr", Path: path, Err: err}
	}
	buf := make([]byte, size)
	n, err := unix.Llistxattr(path, buf)
	if err != nil {
		return "", &os.PathError{Op: "llistxattr", Path: path, Err: err}
	}
	var pairs []string
	for _, name := range strings.Split(strings.TrimRight(string(buf[:n]), "\x00"), "\x00") {
		if name == "" || name == "security.selinux" {
			continue
		}
		val := make([]byte, 4096)
		vn, err := unix.Lgetxattr(path, name, val)
		if err != nil {
			return "", &os.PathError{Op: "lgetxattr " + name, Path: path, Err: err}
		}
		pairs = append(pairs, name+"="+string(val[:vn]))
	}
	sort.Strings(pairs)
	return strings.Join(pairs, " "), nil
}
