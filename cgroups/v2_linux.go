package cgroups

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// v2Root is where a unified host mounts its single cgroup2 tree ([Detect]
// has checked that it is cgroup2).
const v2Root = "/sys/fs/cgroup"

// v2Controllers are the controllers minictr turns on for its groups.
var v2Controllers = []string{"memory", "cpu", "pids"}

// v2 is a group in the unified hierarchy: one directory that every
// controller acts on.
type v2 struct {
	dir string
	fd  int // O_DIRECTORY descriptor of dir for CLONE_INTO_CGROUP; -1 once deleted
}

// newV2 creates <base>/minictr/<name>, base being the parent of the group
// minictr itself runs in. Not the own group: on a systemd host that is a
// session or service scope, a leaf full of processes, and by the "no
// internal processes" rule a cgroup with processes may not hand controllers
// to children (writing its cgroup.subtree_control fails with EBUSY). Its
// parent holds only children, so a sibling subtree there can get them.
func newV2(name string, l Limits) (Cgroup, error) {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil, err
	}
	own, err := unifiedPath(string(b))
	if err != nil {
		return nil, err
	}
	// Controllers are handed down level by level: the root and every
	// ancestor down to minictr/ must list them in cgroup.subtree_control.
	levels := []string{v2Root}
	for _, part := range strings.Split(path.Dir(own), "/") {
		if part != "" {
			levels = append(levels, filepath.Join(levels[len(levels)-1], part))
		}
	}
	for _, dir := range levels {
		if err := enableControllers(dir); err != nil {
			return nil, err
		}
	}
	parent := filepath.Join(levels[len(levels)-1], "minictr")
	if err := mkdir(parent, true); err != nil {
		return nil, err
	}
	if err := enableControllers(parent); err != nil {
		return nil, err
	}
	return createV2(filepath.Join(parent, name), l)
}

// createV2 makes the group's directory, writes the limits and opens the
// descriptor; on any error it removes the directory again.
func createV2(dir string, l Limits) (Cgroup, error) {
	if err := mkdir(dir, false); err != nil {
		return nil, err
	}
	if err := writeFiles(dir, l.V2Files()); err != nil {
		return nil, errors.Join(err, rmdir(dir))
	}
	cg, err := loadV2(dir)
	if err != nil {
		return nil, errors.Join(err, rmdir(dir))
	}
	return cg, nil
}

// enableControllers makes sure dir's children get minictr's controllers:
// each must be listed in dir/cgroup.controllers (what dir's parent handed
// down) and is switched on by writing "+name" to dir/cgroup.subtree_control.
func enableControllers(dir string) error {
	avail, err := os.ReadFile(filepath.Join(dir, "cgroup.controllers"))
	if err != nil {
		return err
	}
	on, err := os.ReadFile(filepath.Join(dir, "cgroup.subtree_control"))
	if err != nil {
		return err
	}
	for _, c := range v2Controllers {
		if slices.Contains(strings.Fields(string(on)), c) {
			continue
		}
		if !slices.Contains(strings.Fields(string(avail)), c) {
			return fmt.Errorf("%w: cgroup v2 controller %q is not in %s/cgroup.controllers (have: %s)",
				ErrControllerMissing, c, dir, strings.TrimSpace(string(avail)))
		}
		err := writeFile(filepath.Join(dir, "cgroup.subtree_control"), "+"+c)
		if errors.Is(err, unix.EBUSY) {
			return fmt.Errorf("%w (%s holds processes, and a cgroup with processes cannot hand controllers to children)", err, dir)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// loadV2 opens an existing v2 group.
func loadV2(dir string) (Cgroup, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: dir, Err: err}
	}
	return &v2{dir: dir, fd: fd}, nil
}

func (c *v2) Version() int             { return 2 }
func (c *v2) Paths() map[string]string { return map[string]string{"": c.dir} }
func (c *v2) FD() (int, bool)          { return c.fd, c.fd >= 0 }
func (c *v2) file(name string) string  { return filepath.Join(c.dir, name) }
func (c *v2) AddProcess(pid int) error { return writeFile(c.file("cgroup.procs"), strconv.Itoa(pid)) }

// OOMKilled reads memory.events, whose oom_kill counts the processes the
// OOM killer killed in this group (and below it).
func (c *v2) OOMKilled() (bool, error) {
	ev, err := readKeyed(c.file("memory.events"))
	return ev["oom_kill"] > 0, err
}

func (c *v2) Stats() (Stats, error) {
	var s Stats
	var err error
	if s.MemoryCurrent, err = readValue(c.file("memory.current"), false); err != nil {
		return s, err
	}
	if s.MemoryPeak, err = readValue(c.file("memory.peak"), true); err != nil {
		return s, err
	}
	if s.PidsCurrent, err = readValue(c.file("pids.current"), false); err != nil {
		return s, err
	}
	ev, err := readKeyed(c.file("memory.events"))
	if err != nil {
		return s, err
	}
	cpu, err := readKeyed(c.file("cpu.stat"))
	if err != nil {
		return s, err
	}
	s.OOMKills = ev["oom_kill"]
	s.CPUUsageUsec, s.NrThrottled, s.ThrottledUsec = cpu["usage_usec"], cpu["nr_throttled"], cpu["throttled_usec"]
	return s, nil
}

// Delete closes the descriptor and removes the directory.
func (c *v2) Delete() error {
	if c.fd >= 0 {
		unix.Close(c.fd)
		c.fd = -1
	}
	return rmdir(c.dir)
}
