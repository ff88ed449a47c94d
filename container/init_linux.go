package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"

	"github.com/minictr/minictr/mount"
	"github.com/minictr/minictr/ns"
	"github.com/minictr/minictr/tty"
	"github.com/minictr/minictr/volume"
)

// initSpec is what `minictr run` tells `minictr init`: plain values only.
type initSpec struct {
	Layers   []string     `json:"layers"` // image layer directories, bottom first
	Upper    string       `json:"upper"`
	Work     string       `json:"work"`
	Rootfs   string       `json:"rootfs"`
	Binds    []mount.Bind `json:"binds"`    // volumes and /etc/hostname, hosts, resolv.conf
	Populate []mount.Bind `json:"populate"` // volumes (their _data): filled from the image if empty
	ReadOnly bool         `json:"readOnly"`
	Hostname string       `json:"hostname"`
	NetNS    bool         `json:"netns"` // a new network namespace: bring lo up
	Tty      bool         `json:"tty"`
	Args     []string     `json:"args"`
	Env      []string     `json:"env"`
	Cwd      string       `json:"cwd"`
	User     string       `json:"user"`
	Debug    bool         `json:"debug"`
}

// InitCmd is the container's first process: `minictr run` re-executes the
// minictr binary as `minictr init` in new namespaces (see docs/04-namespaces.md
// for why Go must re-exec rather than fork). It sets up the container from
// inside, then becomes the user's command with execve(2), keeping PID 1.
type InitCmd struct{}

func (InitCmd) Run() error {
	// unshare(2), pivot_root(2) and execve(2) below must all happen on this
	// one OS thread, the one that the namespaces were made for.
	runtime.LockOSThread()
	var s initSpec
	if err := ns.ReadConfig(&s); err != nil {
		os.Exit(ns.ReportError("config", err, 125))
	}
	setTracing(s.Debug)
	if err := ns.WaitContinue(); err != nil {
		os.Exit(ns.ReportError("sync", err, 125))
	}
	if err := setupRootfs(s); err != nil {
		os.Exit(ns.ReportError("rootfs", err, 125))
	}
	// docker creates the working directory when the image lacks it (as
	// root, before switching to the user)
	if err := os.MkdirAll(s.Cwd, 0o755); err != nil {
		os.Exit(ns.ReportError("workdir", err, 125))
	}
	home, err := setupProcess(s)
	if err != nil {
		os.Exit(ns.ReportError("process", err, 125))
	}
	if !slices.ContainsFunc(s.Env, func(kv string) bool { return strings.HasPrefix(kv, "HOME=") }) {
		s.Env = append(s.Env, "HOME="+home) // docker sets HOME from passwd
	}
	err = ns.Exec(s.Args, s.Env, s.Cwd) // returns only on failure
	os.Exit(ns.ReportError("exec", err, 126))
	return nil
}

// setupRootfs builds the container's root filesystem in its own mount
// namespace and moves into it (docs/03-overlay.md, docs/04-namespaces.md).
// Nothing here is visible on the host, and everything goes away with the
// namespace when the container's last process exits.
func setupRootfs(s initSpec) error {
	if err := mount.MakePrivate(); err != nil {
		return err
	}
	top := slices.Clone(s.Layers)
	slices.Reverse(top) // overlayfs wants the top layer first
	m, cleanup, err := mount.Overlay(top, s.Upper, s.Work, s.Rootfs)
	if err != nil {
		return err
	}
	err = m.Apply()
	cleanup()
	if err != nil {
		return err
	}
	if err := populateVolumes(s); err != nil {
		return err
	}
	steps := []func() error{
		func() error { return mount.MountSpecial(s.Rootfs) },
		func() error { return mount.MakeDevices(s.Rootfs) },
		func() error { return mount.MakeDevLinks(s.Rootfs) },
		func() error { return mount.MountCgroupfs(s.Rootfs) },
		func() error { return mount.MountBinds(s.Rootfs, s.Binds) },
		func() error { return mount.PivotRoot(s.Rootfs) },
		mount.MaskPaths,
		mount.ReadonlyPaths,
	}
	if s.ReadOnly {
		steps = append(steps, mount.ReadOnlyRoot)
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// populateVolumes copies the image's files at each volume's path into the
// volume, if it is empty (docs/08-volumes.md). This is the one moment they
// are visible: the overlay is mounted, the volumes are not yet mounted
// over them, and nothing of the container runs.
func populateVolumes(s initSpec) error {
	for _, v := range s.Populate {
		copied, err := volume.Populate(s.Rootfs, v.Target, v.Source)
		if err != nil {
			return fmt.Errorf("populate volume %s: %w", v.Target, err)
		}
		if copied && mount.Trace != nil {
			mount.Trace("populate", v.Target, v.Source)
		}
	}
	return nil
}

// setupProcess sets what the process sees of itself: hostname, network,
// terminal and user. The user is looked up in the container's own
// /etc/passwd and /etc/group, which is now "/etc" after pivot_root. It
// returns the user's home directory.
func setupProcess(s initSpec) (string, error) {
	if err := ns.SetHostname(s.Hostname); err != nil {
		return "", err
	}
	if s.NetNS {
		if err := ns.LoopbackUp(); err != nil {
			return "", err
		}
	}
	if s.Tty {
		if err := tty.SetupConsole(os.NewFile(ns.ExtraFD, "console-socket")); err != nil {
			return "", fmt.Errorf("console: %w", err)
		}
		// The terminal is also the container's /dev/console, as with runc.
		pts, err := os.Readlink("/proc/self/fd/0")
		if err != nil {
			return "", err
		}
		if err := mount.BindConsole("/", pts); err != nil {
			return "", err
		}
	}
	if s.User == "" {
		return "/root", nil
	}
	passwd, closeP := openOrEmpty("/etc/passwd") // a missing file is an empty one
	group, closeG := openOrEmpty("/etc/group")
	defer closeP()
	defer closeG()
	u, err := ns.LookupUser(s.User, passwd, group)
	if err != nil {
		return "", err
	}
	return u.Home, ns.SetUser(u)
}

// openOrEmpty opens name for reading, or gives an empty reader if it is
// missing (an image without /etc/passwd still runs -u 1000).
func openOrEmpty(name string) (io.Reader, func()) {
	f, err := os.Open(name)
	if err != nil {
		return strings.NewReader(""), func() {}
	}
	return f, func() { f.Close() }
}
