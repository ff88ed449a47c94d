package container

import (
	"fmt"
	"os"
	"runtime"
	"slices"

	"github.com/minictr/minictr/mount"
	"github.com/minictr/minictr/network"
	"github.com/minictr/minictr/ns"
	"github.com/minictr/minictr/security"
	"github.com/minictr/minictr/tty"
	"github.com/minictr/minictr/volume"
	"golang.org/x/sys/unix"
)

// Both ends of the re-exec that starts a container (docs/04-namespaces.md):
//
//	minictr run ── newInitSpec ──> ns.Start: clone(2) of /proc/self/exe "init"
//	                                 in new namespaces, the spec on a pipe
//	minictr init (Init, below) <── ns.ReadConfig: the same initSpec, as JSON
//	  mount.SetupRootfs, hostname, lo, user ... execve(2) of the command
//
// Go must re-exec rather than fork: the runtime is multi-threaded before
// main runs, and fork(2) without exec copies only the calling thread.

// initSpec is what `minictr run` tells `minictr init`: plain values only.
type initSpec struct {
	Layers   []string     `json:"layers"` // image layer directories, bottom first
	Upper    string       `json:"upper"`
	Work     string       `json:"work"`
	Rootfs   string       `json:"rootfs"`
	Binds    []mount.Bind `json:"binds"`    // /etc/hostname, hosts, resolv.conf, -v binds, volumes
	Populate []mount.Bind `json:"populate"` // volumes (their _data): filled from the image if empty
	ReadOnly bool         `json:"readOnly"`
	Hostname string       `json:"hostname"`
	NetNS    bool         `json:"netns"` // a new network namespace: bring lo up
	// Endpoint is the bridge's address for eth0 (--net bridge), configured
	// from inside; JoinNet the network namespace to join (--net container:).
	Endpoint *network.Endpoint `json:"endpoint,omitempty"`
	JoinNet  string            `json:"joinNet,omitempty"`
	Tty      bool              `json:"tty"`
	Rows     uint16            `json:"rows,omitempty"` // with Tty: the terminal's size before the command starts
	Cols     uint16            `json:"cols,omitempty"`
	Args     []string          `json:"args"`
	Env      []string          `json:"env"`
	Cwd      string            `json:"cwd"`
	User     string            `json:"user"`
	Debug    bool              `json:"debug"`
	// Security is the container's guards, applied last (applyGuards);
	// Devices the extra nodes for its /dev (container/security.go).
	Security security.Config    `json:"security"`
	Devices  []mount.DeviceNode `json:"devices,omitempty"`
}

// newInitSpec is the parent's end: the part of the container's config that
// init needs, with its mounts resolved to host paths. The /etc files are
// written here, in the container's directory.
func newInitSpec(ctr *Container, o Options, ep *network.Endpoint) (initSpec, error) {
	hosts, resolv := hostsAndResolv(ctr, ep)
	files, err := mount.Files(ctr.Dir, ctr.Hostname, hosts, resolv)
	if err != nil {
		return initSpec{}, err
	}
	var joinNet string
	if name := joinedContainer(ctr.Net); name != "" {
		if joinNet, err = netnsOf(o.Root, name); err != nil {
			return initSpec{}, err
		}
	}
	binds, err := ctr.binds()
	if err != nil {
		return initSpec{}, err
	}
	vols, err := volumeBinds(o.Root, ctr.Volumes)
	if err != nil {
		return initSpec{}, err
	}
	return initSpec{
		Layers: ctr.Layers, Upper: ctr.Upper(), Work: ctr.Work(), Rootfs: ctr.Rootfs(),
		Binds: sortMounts(append(files, append(binds, vols...)...)), Populate: vols,
		ReadOnly: ctr.ReadOnly, Hostname: ctr.Hostname,
		NetNS: namespaces(ctr.Net).Net, Endpoint: ep, JoinNet: joinNet, Tty: ctr.Tty, Args: ctr.Args, Env: withTerm(ctr.Env, ctr.Tty, ctr.Hostname),
		Cwd: ctr.Cwd, User: ctr.User, Debug: o.Debug,
	}, nil
}

// Init is the child's end, the container's first process: `minictr init`,
// run by `minictr run` in new namespaces, never by hand. It sets up the
// container from inside, then becomes the user's command with execve(2),
// keeping PID 1. It returns only to exit with docker's code for a failure.
func Init() int {
	// unshare(2), pivot_root(2) and execve(2) below must all happen on this
	// one OS thread, the one that the namespaces were made for.
	runtime.LockOSThread()
	var s initSpec
	if err := ns.ReadConfig(&s); err != nil {
		return ns.ReportError("config", err, ns.CodeSetup)
	}
	SetTracing(s.Debug)
	if err := ns.WaitContinue(); err != nil {
		return ns.ReportError("sync", err, ns.CodeSetup)
	}
	if s.JoinNet != "" { // --net container:X, while the host's /proc is still here
		if err := ns.JoinNetwork(s.JoinNet); err != nil {
			return ns.ReportError("network", err, ns.CodeSetup)
		}
	}
	if err := mount.SetupRootfs(rootfsConfig(s)); err != nil {
		return ns.ReportError("rootfs", err, ns.CodeSetup)
	}
	// docker creates the working directory when the image lacks it (as
	// root, before switching to the user)
	if err := os.MkdirAll(s.Cwd, 0o755); err != nil {
		return ns.ReportError("workdir", err, ns.CodeSetup)
	}
	env, u, err := setupProcess(s)
	if err != nil {
		return ns.ReportError("process", err, ns.CodeSetup)
	}
	if err := applyGuards(s.Security, u); err != nil { // switches to the user too
		return ns.ReportError("security", err, ns.CodeSetup)
	}
	err = ns.Exec(s.Args, env, s.Cwd) // returns only on failure
	return ns.ReportError("exec", err, ns.CodeCannotExec)
}

// rootfsConfig is the rootfs sequence init runs (mount.SetupRootfs), with
// init's two steps that the mount package does not know: filling empty
// volumes from the image, and the terminal.
func rootfsConfig(s initSpec) mount.RootfsConfig {
	top := slices.Clone(s.Layers)
	slices.Reverse(top) // overlayfs wants the top layer first
	c := mount.RootfsConfig{Rootfs: s.Rootfs, Lowers: top, Upper: s.Upper, Work: s.Work,
		Binds: s.Binds, ReadOnly: s.ReadOnly, Populate: func() error { return populateVolumes(s) },
		Privileged: s.Security.Privileged, Devices: s.Devices}
	if s.Tty {
		c.Console = func() (string, error) {
			if err := tty.SetupConsole(os.NewFile(ns.ExtraFD, "console-socket")); err != nil {
				return "", fmt.Errorf("console: %w", err)
			}
			// The size is set here, before the command runs: a shell that
			// asks at once must not see 0x0 (the parent's own resize
			// comes later, when it has the master).
			if s.Rows > 0 && s.Cols > 0 {
				if err := tty.SetSize(0, &unix.Winsize{Row: s.Rows, Col: s.Cols}); err != nil {
					return "", fmt.Errorf("console: %w", err)
				}
			}
			return os.Readlink("/proc/self/fd/0") // the pty slave, now our stdin
		}
	}
	return c
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

// setupProcess sets what the process sees of itself: hostname, network
// and user. The user is looked up in the container's own /etc/passwd and
// /etc/group, which is now "/etc" after pivot_root. It returns the
// environment, with HOME from the user's passwd entry, and the user, whom
// applyGuards switches to as the last step.
func setupProcess(s initSpec) ([]string, *ns.User, error) {
	if err := ns.SetHostname(s.Hostname); err != nil {
		return nil, nil, err
	}
	switch {
	case s.Endpoint != nil: // --net bridge: eth0 on the bridge, lo, the default route
		if err := network.ConfigureInside(*s.Endpoint); err != nil {
			return nil, nil, err
		}
	case s.NetNS:
		if err := ns.LoopbackUp(); err != nil {
			return nil, nil, err
		}
	}
	u, err := lookupUser(s.User)
	if err != nil {
		return nil, nil, err
	}
	return withHome(s.Env, u), u, nil
}
