package mount

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// MountInfo is one line of /proc/PID/mountinfo (proc(5)), the kernel's own
// view of a mount namespace: unlike /proc/mounts it shows each mount's
// parent and its propagation, which is what pivot_root(2) cares about.
//
//	36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
//	(1)(2) (3)  (4)   (5)      (6)       (7)   (8) (9)   (10)        (11)
type MountInfo struct {
	ID, ParentID int
	Root         string // (4) the directory of the filesystem mounted here ("/" unless a bind of a subdirectory)
	Target       string // (5) mount point, relative to the process's root
	Options      string // (6) per-mount flags: rw/ro, nosuid, nodev, noexec, relatime...
	Propagation  string // (7) "shared:N", "master:N", "shared:N master:M", "unbindable", or "" for private
	FSType       string // (9)
	Source       string // (10)
	SuperOptions string // (11) options of the filesystem itself, e.g. overlay's lowerdir=...
}

// Shared reports whether mount events propagate from this mount to peers.
func (m MountInfo) Shared() bool { return strings.Contains(m.Propagation, "shared:") }

// ParseMountInfo reads the mountinfo format. Paths in it have space, tab,
// newline and backslash written as octal escapes (\040); they are decoded.
func ParseMountInfo(r io.Reader) ([]MountInfo, error) {
	var out []MountInfo
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024) // overlay lines with many layers are long
	for sc.Scan() {
		m, err := parseMountInfoLine(sc.Text())
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, sc.Err()
}

func parseMountInfoLine(line string) (MountInfo, error) {
	fields := strings.Fields(line)
	sep := -1
	for i := 6; i < len(fields); i++ {
		if fields[i] == "-" {
			sep = i
			break
		}
	}
	if len(fields) < 10 || sep < 0 || len(fields) < sep+4 {
		return MountInfo{}, fmt.Errorf("mountinfo: malformed line %q", line)
	}
	id, err1 := strconv.Atoi(fields[0])
	parent, err2 := strconv.Atoi(fields[1])
	if err1 != nil || err2 != nil {
		return MountInfo{}, fmt.Errorf("mountinfo: malformed mount IDs in %q", line)
	}
	return MountInfo{
		ID: id, ParentID: parent,
		Root:         unescapeOctal(fields[3]),
		Target:       unescapeOctal(fields[4]),
		Options:      fields[5],
		Propagation:  strings.Join(fields[6:sep], " "),
		FSType:       fields[sep+1],
		Source:       unescapeOctal(fields[sep+2]),
		SuperOptions: unescapeOctal(fields[sep+3]),
	}, nil
}

// unescapeOctal turns the kernel's \ooo escapes back into bytes.
func unescapeOctal(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
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

// MountsUnder returns the mounts whose target is dir or below it, the
// question "did anything stay mounted?" that clean-up code and tests ask.
func MountsUnder(mounts []MountInfo, dir string) []MountInfo {
	dir = strings.TrimSuffix(dir, "/")
	var out []MountInfo
	for _, m := range mounts {
		if m.Target == dir || strings.HasPrefix(m.Target, dir+"/") {
			out = append(out, m)
		}
	}
	return out
}

// pivotBlocker explains, from the mount table, why pivot_root(2) would
// fail with EINVAL for newRoot, or returns "". The man page's rules: the
// new root must be a mount point, and neither its parent mount nor the
// mount of the current root may be shared.
func pivotBlocker(mounts []MountInfo, newRoot string) string {
	byID := map[int]MountInfo{}
	var nr, root *MountInfo
	for i, m := range mounts {
		byID[m.ID] = m
		switch m.Target { // later lines are mounted on top of earlier ones
		case newRoot:
			nr = &mounts[i]
		case "/":
			root = &mounts[i]
		}
	}
	if nr == nil {
		return newRoot + " is not a mount point (mount the rootfs there, or bind-mount it on itself)"
	}
	if p, ok := byID[nr.ParentID]; ok && p.Shared() {
		return fmt.Sprintf("its parent mount %s has shared propagation (%s): make mounts private first (MakePrivate)", p.Target, p.Propagation)
	}
	if root != nil && root.Shared() {
		return fmt.Sprintf("the root mount has shared propagation (%s): make mounts private first (MakePrivate)", root.Propagation)
	}
	return ""
}
