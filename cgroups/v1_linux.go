package cgroups

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strconv"
)

// v1Controllers are the hierarchies a v1 group is made in: memory, cpu
// (CFS bandwidth), cpuacct (CPU usage accounting), pids and devices (which
// device nodes may be opened, see [DeviceRule]).
var v1Controllers = []string{"memory", "cpu", "cpuacct", "pids", "devices"}

// v1Optional are hierarchies a v1 group joins when the host mounts them:
// freezer, for Freeze and Thaw (docker pause, and commit --pause). A group
// without it still runs; only Freeze fails.
var v1Optional = []string{"freezer"}

// v1 is a group in cgroup v1: one directory in each controller's own
// hierarchy, all with the same relative path. A process must be added to
// each of them; being in the memory group says nothing about its pids group.
type v1 struct {
	paths map[string]string // controller -> directory
}

// newV1 creates <mount>/minictr/<name> under the mount point of each
// controller's hierarchy, as listed in /proc/self/mountinfo (distributions
// differ: cpu and cpuacct are often co-mounted at /sys/fs/cgroup/cpu,cpuacct).
func newV1(name string, l Limits) (Cgroup, error) {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	mounts := v1Mounts(string(b))
	c := &v1{paths: map[string]string{}}
	for _, ctrl := range v1Controllers {
		mnt, ok := mounts[ctrl]
		if !ok {
			return nil, fmt.Errorf("%w: cgroup v1 controller %q is not mounted (no cgroup mount with option %q in /proc/self/mountinfo)",
				ErrControllerMissing, ctrl, ctrl)
		}
		c.paths[ctrl] = filepath.Join(mnt, "minictr", name)
	}
	for _, ctrl := range v1Optional {
		if mnt, ok := mounts[ctrl]; ok {
			c.paths[ctrl] = filepath.Join(mnt, "minictr", name)
		}
	}
	// undo removes the directories made so far, and no others: an
	// existing minictr/<name> is someone else's group.
	var made []string
	undo := func(err error) (Cgroup, error) {
		for _, dir := range made {
			err = errors.Join(err, rmdir(dir))
		}
		return nil, err
	}
	for _, dir := range c.dirs() {
		if err := mkdir(filepath.Dir(dir), true); err != nil {
			return undo(err)
		}
		if err := mkdir(dir, false); err != nil {
			return undo(err)
		}
		made = append(made, dir)
	}
	files := l.V1Files()
	for _, ctrl := range sortedKeys(files) {
		if err := writeFiles(c.paths[ctrl], files[ctrl]); err != nil {
			return undo(err)
		}
	}
	return c, nil
}

// dirs returns each distinct directory once, in a fixed order: co-mounted
// controllers (cpu,cpuacct) share one.
func (c *v1) dirs() []string {
	var dirs []string
	seen := map[string]bool{}
	for _, ctrl := range sortedKeys(c.paths) {
		if d := c.paths[ctrl]; !seen[d] {
			seen[d] = true
			dirs = append(dirs, d)
		}
	}
	return dirs
}

func (c *v1) Version() int    { return 1 }
func (c *v1) FD() (int, bool) { return -1, false }

func (c *v1) Paths() map[string]string { return maps.Clone(c.paths) }

func (c *v1) file(ctrl, name string) string { return filepath.Join(c.paths[ctrl], name) }

// AddProcess writes pid to cgroup.procs in every hierarchy.
func (c *v1) AddProcess(pid int) error {
	for _, dir := range c.dirs() {
		if err := writeFile(filepath.Join(dir, "cgroup.procs"), strconv.Itoa(pid)); err != nil {
			return err
		}
	}
	return nil
}

// OOMKilled reads memory.oom_control, which counts OOM kills in its
// oom_kill line since Linux 4.13.
func (c *v1) OOMKilled() (bool, error) {
	oc, err := readKeyed(c.file("memory", "memory.oom_control"))
	return oc["oom_kill"] > 0, err
}

func (c *v1) Stats() (Stats, error) {
	var s Stats
	var err error
	if s.MemoryCurrent, err = readValue(c.file("memory", "memory.usage_in_bytes"), false); err != nil {
		return s, err
	}
	if s.MemoryPeak, err = readValue(c.file("memory", "memory.max_usage_in_bytes"), false); err != nil {
		return s, err
	}
	if s.PidsCurrent, err = readValue(c.file("pids", "pids.current"), false); err != nil {
		return s, err
	}
	usageNs, err := readValue(c.file("cpuacct", "cpuacct.usage"), false)
	if err != nil {
		return s, err
	}
	oc, err := readKeyed(c.file("memory", "memory.oom_control"))
	if err != nil {
		return s, err
	}
	cpu, err := readKeyed(c.file("cpu", "cpu.stat"))
	if err != nil {
		return s, err
	}
	// v1 counts CPU time in nanoseconds; Stats uses v2's microseconds.
	s.OOMKills, s.CPUUsageUsec = oc["oom_kill"], usageNs/1000
	s.NrThrottled, s.ThrottledUsec = cpu["nr_throttled"], cpu["throttled_time"]/1000
	return s, nil
}

// Delete removes the group's directory in every hierarchy.
func (c *v1) Delete() error {
	var errs []error
	for _, dir := range c.dirs() {
		errs = append(errs, rmdir(dir))
	}
	return errors.Join(errs...)
}
