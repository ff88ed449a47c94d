package mount

import (
	"testing"

	"golang.org/x/sys/unix"
)

// The flags are spelled out in flags.go so the package builds on macOS;
// this checks each against the kernel headers' values in x/sys/unix.
func TestFlagsMatchKernel(t *testing.T) {
	for _, c := range []struct {
		ours, unix uintptr
		name       string
	}{
		{msRdonly, unix.MS_RDONLY, "MS_RDONLY"}, {msNosuid, unix.MS_NOSUID, "MS_NOSUID"},
		{msNodev, unix.MS_NODEV, "MS_NODEV"}, {msNoexec, unix.MS_NOEXEC, "MS_NOEXEC"},
		{msRemount, unix.MS_REMOUNT, "MS_REMOUNT"}, {msNoatime, unix.MS_NOATIME, "MS_NOATIME"},
		{msNodiratime, unix.MS_NODIRATIME, "MS_NODIRATIME"}, {msBind, unix.MS_BIND, "MS_BIND"},
		{msRec, unix.MS_REC, "MS_REC"}, {msPrivate, unix.MS_PRIVATE, "MS_PRIVATE"},
		{msSlave, unix.MS_SLAVE, "MS_SLAVE"}, {msShared, unix.MS_SHARED, "MS_SHARED"},
		{msRelatime, unix.MS_RELATIME, "MS_RELATIME"}, {msStrictatime, unix.MS_STRICTATIME, "MS_STRICTATIME"},
	} {
		if c.ours != c.unix {
			t.Errorf("%s = %#x here, %#x in x/sys/unix", c.name, c.ours, c.unix)
		}
		if got := MountFlags(c.ours).String(); got != c.name {
			t.Errorf("MountFlags(%#x) = %q, want %q", c.ours, got, c.name)
		}
	}
}

func TestFlagsFromStatfs(t *testing.T) {
	for _, c := range []struct {
		st   int64
		want uintptr
	}{
		{0, 0},
		{unix.ST_RDONLY, 0}, // read-only is what the remount sets, not kept
		{unix.ST_NOSUID | unix.ST_NODEV | unix.ST_NOEXEC, msNosuid | msNodev | msNoexec},
		{unix.ST_RELATIME, msRelatime}, // 0x1000 -> 0x200000: different numbers
		{unix.ST_NOATIME | unix.ST_NODIRATIME, msNoatime | msNodiratime},
	} {
		if got := flagsFromStatfs(c.st); got != c.want {
			t.Errorf("flagsFromStatfs(%#x) = %s, want %s", c.st, MountFlags(got), MountFlags(c.want))
		}
	}
}
