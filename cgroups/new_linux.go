package cgroups

import (
	"fmt"
	"strings"
)

// New creates the group minictr/<name> and writes the limits l into it,
// with the driver [Detect] picks: on a [Unified] host one directory in the
// v2 tree (next to the group minictr runs in), on [Hybrid] and [Legacy]
// hosts one directory per v1 controller hierarchy. An error leaves nothing
// behind. It wraps [ErrControllerMissing] when the host lacks a controller.
func New(name string, l Limits) (Cgroup, error) {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") {
		return nil, fmt.Errorf("invalid cgroup name %q: want one path element", name)
	}
	mode, err := Detect()
	if err != nil {
		return nil, err
	}
	if mode.Version() == 2 {
		return newV2(name, l)
	}
	return newV1(name, l)
}

// Load reopens a group from the [Cgroup.Paths] of the group [New]
// returned (saved in the container's state.json), e.g. for a later
// `minictr rm` or `minictr exec`. The paths say which version they are: v2
// has its one directory under the key "", v1 one per controller.
func Load(paths map[string]string) (Cgroup, error) {
	if dir, ok := paths[""]; ok {
		if len(paths) != 1 {
			return nil, fmt.Errorf("load cgroup v2: want one path under the key \"\", got %v", paths)
		}
		return loadV2(dir)
	}
	c := &v1{paths: map[string]string{}}
	for _, ctrl := range v1Controllers {
		dir, ok := paths[ctrl]
		if !ok && ctrl == "devices" {
			continue // a group made before minictr joined the devices hierarchy
		}
		if !ok {
			return nil, fmt.Errorf("load cgroup v1: no path for controller %q in %v", ctrl, paths)
		}
		c.paths[ctrl] = dir
	}
	for _, ctrl := range v1Optional {
		if dir, ok := paths[ctrl]; ok {
			c.paths[ctrl] = dir
		}
	}
	return c, nil
}
