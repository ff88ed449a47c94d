package security

import (
	"fmt"
	"os"

	"github.com/minictr/minictr/cgroups"
	"golang.org/x/sys/unix"
)

// ParseDevice parses `--device HOST[:CONTAINER][:PERMS]` and reads the host
// node with stat(2) (following symlinks, as /dev/disk/by-id/... are). A path
// that is not a character or block device is an error.
func ParseDevice(spec string) (Device, error) {
	host, ctr, perms, err := splitDevice(spec)
	if err != nil {
		return Device{}, err
	}
	var st unix.Stat_t
	if err := unix.Stat(host, &st); err != nil {
		return Device{}, &os.PathError{Op: "stat", Path: host, Err: err}
	}
	d := Device{HostPath: host, ContainerPath: ctr, Access: perms,
		Major: int64(unix.Major(st.Rdev)), Minor: int64(unix.Minor(st.Rdev)),
		Mode: st.Mode & 0o7777, UID: int(st.Uid), GID: int(st.Gid)}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFCHR:
		d.Type = cgroups.CharDevice
	case unix.S_IFBLK:
		d.Type = cgroups.BlockDevice
	default:
		return Device{}, fmt.Errorf("%s is not a device node (mode %#o)", host, st.Mode&unix.S_IFMT)
	}
	return d, nil
}

// kernelRelease is uname -r, for the profile's minKernel rules.
func kernelRelease() string {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return ""
	}
	return unix.ByteSliceToString(u.Release[:])
}
