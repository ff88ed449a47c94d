package container

import (
	"io/fs"
	"os"
	"path/filepath"

	"github.com/minictr/minictr/cgroups"
	"github.com/minictr/minictr/mount"
	"github.com/minictr/minictr/ns"
	"github.com/minictr/minictr/security"
	"golang.org/x/sys/unix"
)

// The three guards of docs/12-security.md in a container's life. `run`
// resolves the flags once (security.Resolve: capability names checked, the
// seccomp profile read and compiled) and keeps the result in config.json,
// as docker keeps the profile it read at create time: every later start,
// the monitor's runs and exec load the same filter, even if the profile
// file changed or is gone. Each guard is put in place at its own moment:
//
//	host, after cgroups.New     the device rules (setDeviceRules): before
//	                            the init may go on, so before any mknod/open
//	init, after the rootfs      the device nodes of --device/--privileged
//	init, just before execve    no_new_privs, seccomp, capabilities, user
//	                            (applyGuards: security.ApplyChild)
//	exec-init, before the fork  the same, on the thread that forks the
//	                            command: it inherits them (applyGuards)

// Guards is the container's resolved security config. A container created
// before minictr had guards has none in its config.json: it gets docker's
// defaults, never "no guards".
func (c *Config) Guards() (security.Config, error) {
	if c.Security.SeccompMode != "" {
		return c.Security, nil
	}
	return security.Default()
}

// setDeviceRules puts the container's device rules on its cgroup: devices.deny
// and devices.allow on cgroup v1, a BPF_PROG_TYPE_CGROUP_DEVICE program on
// v2. It runs on the host after cgroups.New and before the init continues:
// from then on, no process of the container can open a device not allowed.
func setDeviceRules(ctr *Container, cg cgroups.Cgroup, debug bool) error {
	g, err := ctr.Guards()
	if err != nil {
		return err
	}
	Stage(debug, 5, "cgroup", "device rules: %d (%s first)", len(g.DeviceRules), g.DeviceRules[0])
	return cg.SetDevices(g.DeviceRules)
}

// addGuards completes init's spec with the guards and the device nodes to
// make: the --device ones, and with --privileged every node of the host's
// /dev, read now (a disk plugged in since `run` is there too).
func addGuards(spec *initSpec, ctr *Container) error {
	g, err := ctr.Guards()
	if err != nil {
		return err
	}
	spec.Security = g
	for _, d := range g.Devices {
		spec.Devices = append(spec.Devices, mount.DeviceNode{Path: d.ContainerPath, Type: byte(d.Type),
			Major: uint32(d.Major), Minor: uint32(d.Minor), Mode: d.Mode, UID: d.UID, GID: d.GID})
	}
	if g.Privileged {
		host, err := hostDevices("/dev")
		if err != nil {
			return err
		}
		spec.Devices = append(spec.Devices, host...)
	}
	return nil
}

// hostDevices lists the device nodes under dir as docker's --privileged
// does (moby's devices.HostDevices): every char and block node, but not
// those of the mounts the container has its own of (pts, shm, mqueue) nor
// the console, which is the container's terminal.
func hostDevices(dir string) ([]mount.DeviceNode, error) {
	var nodes []mount.DeviceNode
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case e.IsDir() && p != dir && skipDevDir[e.Name()]:
			return filepath.SkipDir
		case e.Type()&fs.ModeDevice == 0 || p == "/dev/console":
			return nil
		}
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			return &os.PathError{Op: "lstat", Path: p, Err: err}
		}
		n := mount.DeviceNode{Path: p, Type: 'c', Major: unix.Major(uint64(st.Rdev)), Minor: unix.Minor(uint64(st.Rdev)),
			Mode: uint32(st.Mode) & 0o7777, UID: int(st.Uid), GID: int(st.Gid)}
		if uint32(st.Mode)&unix.S_IFMT == unix.S_IFBLK {
			n.Type = 'b'
		}
		nodes = append(nodes, n)
		return nil
	})
	return nodes, err
}

var skipDevDir = map[string]bool{"pts": true, "shm": true, "fd": true, "mqueue": true, ".lxc": true, ".lxd-mounts": true, ".udev": true}

// applyGuards is the last step before execve (init) or the fork of the
// command (exec-init), on the calling goroutine's locked thread:
// no_new_privs, the seccomp filter, the bounding set, the user switch and
// the capability sets, in security.ApplyChild's order. capset(2) and
// seccomp(2) act on this one thread; execve keeps only it, and a child
// forked from it inherits its credentials, filter and no_new_privs.
func applyGuards(g security.Config, u *ns.User) error {
	return security.ApplyChild(g, func() error {
		if u == nil {
			return nil
		}
		return ns.SetUser(*u)
	})
}

// execGuards are the guards of `exec` in ctr: the container's, and with
// `exec --privileged` every capability, as docker. The seccomp filter,
// no_new_privs and the device cgroup stay the container's (docker's exec
// keeps the container's profile too; the process joins its cgroup).
func execGuards(ctr *Container, privileged bool) (security.Config, error) {
	g, err := ctr.Guards()
	if err != nil || !privileged {
		return g, err
	}
	if g.Caps, err = security.ResolveCaps(nil, nil, true); err != nil {
		return g, err
	}
	g.Privileged = true // take what the host holds (see security.ApplyChild)
	return g, nil
}
