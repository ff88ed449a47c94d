package mount

import (
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// MountCgroupfs gives the container a read-only view of its own cgroup at
// /sys/fs/cgroup, as docker does, so that programs inside (and the hello
// tour) can read their limits. Call it after MountSpecial, in the
// container's cgroup namespace: there the container's cgroup is the root
// of every hierarchy, so the host's tree above it stays invisible.
//
// Which filesystem depends on the host (docs/05-cgroups.md): on a pure
// cgroup v2 host one cgroup2 mount; on a v1 or hybrid host a tmpfs with one
// cgroup mount per v1 hierarchy the host has, named and optioned as on the
// host (memory, "cpu,cpuacct", pids...), and cgroup2 at unified/ if the host
// has it there too.
func MountCgroupfs(rootfs string) error {
	target := filepath.Join(rootfs, "sys/fs/cgroup")
	ro := msNosuid | msNodev | msNoexec | msRdonly
	var st unix.Statfs_t
	if err := unix.Statfs("/sys/fs/cgroup", &st); err != nil {
		return &os.PathError{Op: "statfs", Path: "/sys/fs/cgroup", Err: err}
	}
	if st.Type == unix.CGROUP2_SUPER_MAGIC {
		return Mount{Source: "cgroup2", Target: target, FSType: "cgroup2", Flags: ro}.Apply()
	}
	mounts, err := ReadMountInfo()
	if err != nil {
		return err
	}
	if err := (Mount{Source: "tmpfs", Target: target, FSType: "tmpfs", Flags: msNosuid | msNodev | msNoexec, Data: "mode=755"}).Apply(); err != nil {
		return err
	}
	for _, m := range cgroupMounts(mounts, target) {
		if err := os.MkdirAll(m.Target, 0o755); err != nil {
			return err
		}
		if err := m.Apply(); err != nil {
			return err
		}
	}
	return Mount{Source: "tmpfs", Target: target, Flags: msRemount | msNosuid | msNodev | msNoexec | msRdonly}.Apply()
}

// cgroupMounts lists, for the host's cgroup mounts under /sys/fs/cgroup,
// the read-only mounts of the same hierarchies under target (pure).
func cgroupMounts(host []MountInfo, target string) []Mount {
	ro := msNosuid | msNodev | msNoexec | msRdonly
	var out []Mount
	for _, m := range host {
		rel, ok := strings.CutPrefix(m.Target, "/sys/fs/cgroup/")
		if !ok || strings.Contains(rel, "/") || (m.FSType != "cgroup" && m.FSType != "cgroup2") {
			continue
		}
		var opts []string
		for _, o := range strings.Split(m.SuperOptions, ",") {
			if o != "rw" && o != "ro" {
				opts = append(opts, o)
			}
		}
		out = append(out, Mount{Source: m.FSType, Target: filepath.Join(target, rel), FSType: m.FSType,
			Flags: ro, Data: strings.Join(opts, ",")})
	}
	return out
}
