package cli

import (
	"fmt"
	"strings"

	"github.com/minictr/minictr/security"
)

// SecurityFlags are run's flags for the three guards (docs/12-security.md),
// docker's names and syntax. They are read once, by options, into
// security.Options; security.Resolve checks them before anything is made.
type SecurityFlags struct {
	CapAdd      []string `name:"cap-add" sep:"none" help:"Add a Linux capability (CHOWN, CAP_NET_ADMIN, ALL...)." placeholder:"CAP"`
	CapDrop     []string `name:"cap-drop" sep:"none" help:"Drop a Linux capability (or ALL)." placeholder:"CAP"`
	Privileged  bool     `help:"Give the container every capability and host device, no seccomp filter, /sys read-write, no masked paths."`
	Device      []string `sep:"none" help:"Give the container a host device node (PERMS: a subset of rwm)." placeholder:"HOST[:CTR][:PERMS]"`
	SecurityOpt []string `name:"security-opt" sep:"none" help:"seccomp=unconfined, seccomp=PROFILE.json (docker's format), no-new-privileges." placeholder:"OPT"`
}

// resolve turns the flags into the options as given and the guards they
// mean (capabilities checked, the seccomp profile read and compiled).
func (f SecurityFlags) resolve() (security.Options, security.Config, error) {
	o := security.Options{CapAdd: f.CapAdd, CapDrop: f.CapDrop, Privileged: f.Privileged, Devices: f.Device}
	for _, opt := range f.SecurityOpt {
		if err := securityOpt(&o, opt); err != nil {
			return o, security.Config{}, err
		}
	}
	cfg, err := security.Resolve(o)
	return o, cfg, err
}

// securityOpt reads one --security-opt as docker does: "seccomp=..." (also
// "seccomp:..."), "no-new-privileges" with an optional ":true"/"=false".
// apparmor and label options have no meaning without those LSMs here.
func securityOpt(o *security.Options, opt string) error {
	key, val, hasVal := strings.Cut(opt, "=")
	if !hasVal {
		key, val, hasVal = strings.Cut(opt, ":")
	}
	switch {
	case key == "seccomp" && val != "":
		o.Seccomp = val
	case key == "no-new-privileges" && (!hasVal || val == "true"):
		o.NoNewPrivs = true
	case key == "no-new-privileges" && val == "false":
		o.NoNewPrivs = false
	default:
		return fmt.Errorf("--security-opt %s: want seccomp=unconfined, seccomp=PROFILE.json or no-new-privileges[:true|false]", opt)
	}
	return nil
}
