package security

import (
	"fmt"
	"runtime"

	"github.com/minictr/minictr/cgroups"
)

// Options are the security flags of `run` and `exec` as the user gave them.
type Options struct {
	CapAdd     []string // --cap-add
	CapDrop    []string // --cap-drop
	Privileged bool     // --privileged
	Seccomp    string   // --security-opt seccomp=...: "" (docker's default), "unconfined", or a profile file
	NoNewPrivs bool     // --security-opt no-new-privileges
	Devices    []string // --device HOST[:CONTAINER][:PERMS]
}

// Config is what the guards of one container are, resolved once by
// [Resolve] in `run` and kept with the container: plain values, JSON-able,
// handed to the init ([ApplyChild]) and to the cgroup ([cgroups.Cgroup.SetDevices]).
type Config struct {
	// Caps are the capabilities of the container's processes: their
	// bounding set, and their permitted and effective sets when they run
	// as uid 0 (a non-root user gets none, as with docker).
	Caps       []string `json:"caps"`
	Privileged bool     `json:"privileged,omitempty"`
	NoNewPrivs bool     `json:"noNewPrivs,omitempty"`

	// SeccompMode says which filter Seccomp is, for `inspect` and the tour:
	// "default", "unconfined" or the profile file's path.
	SeccompMode string   `json:"seccompMode"`
	Seccomp     *Program `json:"seccomp,omitempty"` // nil: no filter

	// DeviceRules go to the container's cgroup; Devices (from --device) are
	// the nodes to create in its /dev (each one also has its rule).
	DeviceRules []cgroups.DeviceRule `json:"deviceRules"`
	Devices     []Device             `json:"devices,omitempty"`
}

// Default is the Config of `minictr run` without flags: docker's 14
// capabilities, docker's seccomp profile, the default device list,
// no_new_privs off.
func Default() (Config, error) { return Resolve(Options{}) }

// Resolve checks the flags and turns them into a Config, compiling the
// seccomp filter for this machine (once per container: the init only loads
// it). Every error is about the user's input and names the flag.
func Resolve(o Options) (Config, error) {
	caps, err := ResolveCaps(o.CapAdd, o.CapDrop, o.Privileged)
	if err != nil {
		return Config{}, err
	}
	c := Config{Caps: caps, Privileged: o.Privileged, NoNewPrivs: o.NoNewPrivs}
	if c.SeccompMode, c.Seccomp, err = seccompFor(o, caps); err != nil {
		return Config{}, err
	}
	c.DeviceRules = cgroups.DefaultDeviceRules()
	if o.Privileged {
		c.DeviceRules = cgroups.AllowAllDevices()
	}
	for _, spec := range o.Devices {
		d, err := ParseDevice(spec)
		if err != nil {
			return Config{}, fmt.Errorf("--device %s: %w", spec, err)
		}
		c.Devices = append(c.Devices, d)
		c.DeviceRules = append(c.DeviceRules, d.Rule())
	}
	return c, nil
}

// seccompFor loads and compiles the profile --security-opt names. docker
// runs a --privileged container without a filter, whatever the flag says.
func seccompFor(o Options, caps []string) (mode string, p *Program, err error) {
	var prof *Profile
	switch {
	case o.Privileged || o.Seccomp == "unconfined":
		return "unconfined", nil, nil
	case o.Seccomp == "":
		mode, prof = "default", DefaultProfile()
	default:
		mode = o.Seccomp
		if prof, err = LoadProfile(o.Seccomp); err != nil {
			return "", nil, fmt.Errorf("--security-opt seccomp=%s: %w", o.Seccomp, err)
		}
	}
	p, err = Compile(prof, Target{Arch: runtime.GOARCH, Caps: caps, Kernel: kernelRelease()})
	if err != nil {
		return "", nil, fmt.Errorf("--security-opt seccomp=%s: %w", mode, err)
	}
	return mode, p, nil
}
