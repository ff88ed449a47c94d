package cgroups

import (
	"fmt"
	"strconv"
	"strings"
)

// This file holds the pure parsers for the text the kernel hands out about
// cgroups; the drivers read the files, these functions read the text.

// unifiedPath returns the cgroup v2 path of a process from the content of
// /proc/<pid>/cgroup (cgroups(7)): one "ID:CONTROLLERS:PATH" line per
// hierarchy, where the v2 line is "0::PATH", e.g. "0::/user.slice/session-2.scope".
func unifiedPath(procCgroup string) (string, error) {
	for _, line := range strings.Split(procCgroup, "\n") {
		if p, ok := strings.CutPrefix(line, "0::"); ok {
			if !strings.HasPrefix(p, "/") {
				return "", fmt.Errorf("unexpected cgroup v2 path %q in /proc/self/cgroup", p)
			}
			return p, nil
		}
	}
	return "", fmt.Errorf("no cgroup v2 line (0::/path) in /proc/self/cgroup")
}

// v1Mounts maps each v1 controller to the directory its hierarchy is mounted
// at, from the content of /proc/self/mountinfo (proc(5)). A line is
//
//	34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
//
// fields: mount ID, parent ID, dev, root, mount point, mount options,
// optional fields ended by "-", then fstype, source and super options. For
// fstype "cgroup" the super options name the controllers of the hierarchy
// ("rw,cpu,cpuacct" when two share one). The first mount of a hierarchy wins.
func v1Mounts(mountinfo string) map[string]string {
	mounts := map[string]string{}
	for _, line := range strings.Split(mountinfo, "\n") {
		pre, post, ok := strings.Cut(line, " - ")
		if !ok {
			continue
		}
		f, g := strings.Fields(pre), strings.Fields(post)
		if len(f) < 5 || len(g) < 3 || g[0] != "cgroup" {
			continue
		}
		for _, opt := range strings.Split(g[2], ",") {
			if _, seen := mounts[opt]; !seen {
				mounts[opt] = unescapeMountPath(f[4])
			}
		}
	}
	return mounts
}

// unescapeMountPath undoes mountinfo's octal escapes (\040 is a space).
func unescapeMountPath(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// parseKeyed reads a flat keyed file such as memory.events, cpu.stat or
// memory.oom_control: one "key value" pair a line. Lines whose value is not
// an integer are skipped.
func parseKeyed(content string) map[string]int64 {
	m := map[string]int64{}
	for _, line := range strings.Split(content, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			continue
		}
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			m[k] = n
		}
	}
	return m
}

// parseValue reads a single-value file such as memory.current or
// pids.current. "max" (an unlimited limit) reads as 0.
func parseValue(path, content string) (int64, error) {
	s := strings.TrimSpace(content)
	if s == "max" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("read %s: not a number: %q", path, s)
	}
	return n, nil
}

// FormatMemory writes a byte count the way -m is usually given: in the
// largest binary unit that divides it ("64m" for 67108864, "1536k"), or
// as plain bytes. It is ParseMemory's inverse for what it prints.
func FormatMemory(n int64) string {
	for _, u := range []struct {
		suffix string
		size   int64
	}{{"g", 1 << 30}, {"m", 1 << 20}, {"k", 1 << 10}} {
		if n >= u.size && n%u.size == 0 {
			return strconv.FormatInt(n/u.size, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}
