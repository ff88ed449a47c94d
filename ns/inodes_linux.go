package ns

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// NamespaceInodes reads /proc/PID/ns: one symlink per namespace kind, whose
// target names the namespace as "kind:[inode]", e.g. "net:[4026531840]".
// Two processes are in the same namespace exactly when the inode numbers
// match; the result maps "net", "pid", "mnt", ... to those numbers.
//
// ("pid_for_children" and "time_for_children" are the namespaces that the
// process's future children will get; see pid_namespaces(7).)
func NamespaceInodes(pid int) (map[string]uint64, error) {
	dir := filepath.Join("/proc", strconv.Itoa(pid), "ns")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err // *PathError: "open /proc/42/ns: no such file or directory"
	}
	inodes := make(map[string]uint64, len(entries))
	for _, e := range entries {
		target, err := os.Readlink(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		ino, err := parseNsLink(target)
		if err != nil {
			return nil, fmt.Errorf("read %s/%s: %w", dir, e.Name(), err)
		}
		inodes[e.Name()] = ino
	}
	return inodes, nil
}

// parseNsLink turns "net:[4026531840]" into 4026531840.
func parseNsLink(target string) (uint64, error) {
	_, rest, ok := strings.Cut(target, ":[")
	num, ok2 := strings.CutSuffix(rest, "]")
	if !ok || !ok2 {
		return 0, fmt.Errorf("unexpected namespace link %q", target)
	}
	return strconv.ParseUint(num, 10, 64)
}
