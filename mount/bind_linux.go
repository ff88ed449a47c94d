package mount

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// MountBinds mounts the volumes vols into the container whose root is
// rootfs (before pivot_root). For each volume it checks that the host path
// exists ("bind source /x: no such file or directory"), creates the mount
// point inside the root with every symlink resolved inside it (a directory,
// or an empty file when the source is a file), then applies the mounts
// that Binds describes.
func MountBinds(rootfs string, vols []Bind) error {
	if len(vols) == 0 {
		return nil
	}
	r, err := openRoot(rootfs)
	if err != nil {
		return err
	}
	defer r.Close()
	for _, v := range vols {
		var st unix.Stat_t
		if err := unix.Stat(v.Source, &st); err != nil {
			return fmt.Errorf("bind source %s: %w", v.Source, err)
		}
		target, err := r.target(v.Target, st.Mode&unix.S_IFMT != unix.S_IFDIR)
		if err != nil {
			return fmt.Errorf("bind %s: %w", v, err)
		}
		for _, m := range bindMounts(v, target) {
			if err := applyKeepingFlags(m); err != nil {
				return err
			}
		}
	}
	return nil
}

// BindConsole bind-mounts the terminal ptyPath (the pty's slave end,
// e.g. /dev/pts/3 on the host) onto /dev/console in the container, which is
// where a container's init expects its console, as runc does. Call it after
// MountSpecial and before PivotRoot.
func BindConsole(rootfs, ptyPath string) error {
	return MountBinds(rootfs, []Bind{{Source: ptyPath, Target: "/dev/console"}})
}

// applyKeepingFlags applies m; a remount first gets the nosuid, nodev and
// noexec flags the mount already has. A remount's flags REPLACE the mount's
// per-mount flags, so a bare MS_RDONLY remount of a nosuid,nodev mount
// would quietly drop nosuid and nodev (and inside a user namespace the
// kernel refuses it with EPERM, because those flags are locked there).
func applyKeepingFlags(m Mount) error {
	if m.Flags&msRemount != 0 {
		var st unix.Statfs_t
		if err := unix.Statfs(m.Target, &st); err != nil {
			return &os.PathError{Op: "statfs", Path: m.Target, Err: err}
		}
		m.Flags |= flagsFromStatfs(int64(st.Flags))
	}
	return m.Apply()
}

// flagsFromStatfs maps the ST_* bits statfs(2) reports to the MS_* mount
// flags worth keeping across a remount. Most have the same value, but not
// all (ST_RELATIME is 0x1000, MS_RELATIME 0x200000), so map them by name.
func flagsFromStatfs(st int64) uintptr {
	var f uintptr
	for _, m := range []struct {
		st int64
		ms uintptr
	}{
		{unix.ST_NOSUID, msNosuid}, {unix.ST_NODEV, msNodev}, {unix.ST_NOEXEC, msNoexec},
		{unix.ST_NOATIME, msNoatime}, {unix.ST_NODIRATIME, msNodiratime}, {unix.ST_RELATIME, msRelatime},
	} {
		if st&m.st != 0 {
			f |= m.ms
		}
	}
	return f
}
