package container

import "github.com/minictr/minictr/mount"

// MountPoints are the paths inside the container that minictr mounts on,
// so that it made them in the container's upper directory when the image
// lacked them: /proc, /sys and /dev (mount.MountSpecial), /etc/hostname,
// /etc/hosts and /etc/resolv.conf (mount.Files), the -v binds and the
// volumes (mount.MountBinds). diff and commit leave them out while they
// are as minictr made them (layers.HideMountPoints), as docker's init
// layer keeps them out of docker diff and docker commit.
func MountPoints(cfg Config) []string {
	ps := []string{"/proc", "/sys", "/dev", "/etc/hostname", "/etc/hosts", "/etc/resolv.conf"}
	for _, s := range cfg.Binds {
		if b, err := mount.ParseBind(s); err == nil {
			ps = append(ps, b.Target)
		}
	}
	for _, v := range cfg.Volumes {
		ps = append(ps, v.Target)
	}
	return ps
}
