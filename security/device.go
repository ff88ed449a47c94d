package security

import (
	"fmt"
	"path"
	"strings"

	"github.com/minictr/minictr/cgroups"
)

// Device is a host device node given to a container with `--device`: the
// init creates ContainerPath with the host node's type, numbers, mode and
// owner, and the device cgroup allows Access to it (and to no other node).
type Device struct {
	HostPath      string             `json:"hostPath"`
	ContainerPath string             `json:"containerPath"`
	Type          cgroups.DeviceType `json:"type"` // 'c' or 'b'
	Major         int64              `json:"major"`
	Minor         int64              `json:"minor"`
	Mode          uint32             `json:"mode"` // permission bits of the host node
	UID           int                `json:"uid"`
	GID           int                `json:"gid"`
	Access        string             `json:"access"` // a subset of "rwm"
}

// Rule is the device cgroup rule that lets the container use d.
func (d Device) Rule() cgroups.DeviceRule {
	return cgroups.DeviceRule{Type: d.Type, Major: d.Major, Minor: d.Minor, Access: d.Access, Allow: true}
}

// splitDevice parses docker's `--device HOST[:CONTAINER][:PERMS]`: the
// container path defaults to the host path, the permissions to "rwm"; with
// two fields the second is the permissions if it is made of r, w and m.
func splitDevice(spec string) (host, ctr, perms string, err error) {
	parts := strings.Split(spec, ":")
	host, ctr, perms = parts[0], parts[0], "rwm"
	switch len(parts) {
	case 1:
	case 2:
		if validPerms(parts[1]) {
			perms = parts[1]
		} else {
			ctr = parts[1]
		}
	case 3:
		ctr, perms = parts[1], parts[2]
	default:
		return "", "", "", fmt.Errorf("want HOST[:CONTAINER][:PERMS], got %d fields", len(parts))
	}
	if !validPerms(perms) {
		return "", "", "", fmt.Errorf("permissions %q: want letters of rwm", perms)
	}
	if !path.IsAbs(host) || !path.IsAbs(ctr) {
		return "", "", "", fmt.Errorf("device paths must be absolute, got %q and %q", host, ctr)
	}
	return host, path.Clean(ctr), perms, nil
}

func validPerms(p string) bool { return p != "" && strings.Trim(p, "rwm") == "" }
