package cli

import (
	"fmt"

	"github.com/minictr/minictr/container"
)

// inspectSecurity shows the container's guards as `run` resolved them.
func inspectSecurity(ctr *container.Container) (SecurityInspect, error) {
	g, err := ctr.Guards()
	if err != nil {
		return SecurityInspect{}, err
	}
	o := ctr.SecurityOptions
	v := SecurityInspect{CapAdd: append([]string{}, o.CapAdd...), CapDrop: append([]string{}, o.CapDrop...), Privileged: g.Privileged,
		Capabilities: g.Caps, Seccomp: g.SeccompMode, NoNewPrivileges: g.NoNewPrivs,
		DeviceRules: []string{}, Devices: []string{}}
	if g.Seccomp != nil {
		v.SeccompInsns = len(g.Seccomp.Insns)
	}
	for _, r := range g.DeviceRules {
		v.DeviceRules = append(v.DeviceRules, map[bool]string{true: "allow ", false: "deny "}[r.Allow]+r.String())
	}
	for _, d := range g.Devices {
		v.Devices = append(v.Devices, fmt.Sprintf("%s:%s:%s", d.HostPath, d.ContainerPath, d.Access))
	}
	return v, nil
}
