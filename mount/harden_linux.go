package mount

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// MaskPaths hides the /proc and /sys files that expose the host (see
// maskedPaths): /dev/null over files, an empty read-only tmpfs over
// directories. Paths this kernel lacks are skipped. Call it after
// PivotRoot, in the container's root, when the container's /dev/null exists.
func MaskPaths() error {
	for _, p := range maskedPaths {
		var st unix.Stat_t
		if err := unix.Stat(p, &st); errors.Is(err, unix.ENOENT) {
			continue
		} else if err != nil {
			return &os.PathError{Op: "stat", Path: p, Err: err}
		}
		if err := Mask(p, st.Mode&unix.S_IFMT == unix.S_IFDIR).Apply(); err != nil {
			return err
		}
	}
	return nil
}

// ReadonlyPaths makes the kernel-wide knobs under /proc read-only (see
// readonlyPaths), each with a bind onto itself and a read-only remount.
// Missing paths are skipped. Call it after PivotRoot.
func ReadonlyPaths() error {
	for _, p := range readonlyPaths {
		if err := unix.Access(p, unix.F_OK); errors.Is(err, unix.ENOENT) {
			continue
		} else if err != nil {
			return &os.PathError{Op: "access", Path: p, Err: err}
		}
		for _, m := range ReadOnly(p) {
			if err := applyKeepingFlags(m); err != nil {
				return err
			}
		}
	}
	return nil
}

// ReadOnlyRoot makes the container's "/" read-only (`minictr run
// --read-only`): mount("", "/", "", MS_BIND|MS_REMOUNT|MS_RDONLY, NULL).
// With MS_BIND, the remount changes only this mount point's flags, not the
// overlay filesystem itself; the volumes and /dev, /proc mounted below stay
// as they are. Call it last, after PivotRoot, MaskPaths and ReadonlyPaths.
func ReadOnlyRoot() error {
	return applyKeepingFlags(remountReadOnly("/"))
}
