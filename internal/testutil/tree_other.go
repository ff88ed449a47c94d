//go:build !linux

package testutil

import "testing"

// Tree needs lstat(2) fields (owner, rdev, inode) and Linux xattrs.
func Tree(t testing.TB, root string) map[string]Entry {
	t.Helper()
	t.Skip("testutil.Tree reads Linux stat fields: run the tests on Linux")
	return nil
}

// MergedTree mounts overlayfs, which only Linux has.
func MergedTree(t testing.TB, layers []string) map[string]Entry {
	t.Helper()
	t.Skip("testutil.MergedTree mounts overlayfs: run the tests on Linux")
	return nil
}
