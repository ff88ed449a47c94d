package mount

import (
	"fmt"
	"strings"
)

// The mount(2) flags this package uses. They are part of the Linux kernel's
// ABI (include/uapi/linux/mount.h) and never change, so they are spelled
// here rather than taken from golang.org/x/sys/unix: that keeps the pure code
// (building Mount values, printing them) compiling on macOS too, where unix
// has no MS_* names. flags_linux_test.go checks every value against unix.
const (
	msRdonly      uintptr = 0x1       // MS_RDONLY: read-only (per mount point when combined with MS_BIND)
	msNosuid      uintptr = 0x2       // MS_NOSUID: ignore set-user-ID and set-group-ID bits
	msNodev       uintptr = 0x4       // MS_NODEV: device files on this mount do not work
	msNoexec      uintptr = 0x8       // MS_NOEXEC: execve(2) of files here fails
	msRemount     uintptr = 0x20      // MS_REMOUNT: change the flags of an existing mount
	msNoatime     uintptr = 0x400     // MS_NOATIME
	msNodiratime  uintptr = 0x800     // MS_NODIRATIME
	msBind        uintptr = 0x1000    // MS_BIND: make a directory or file visible at a second place
	msRec         uintptr = 0x4000    // MS_REC: also apply to every mount below (bind or propagation)
	msPrivate     uintptr = 0x40000   // MS_PRIVATE: this mount neither sends nor receives mount events
	msSlave       uintptr = 0x80000   // MS_SLAVE: receives events from its master, sends none
	msShared      uintptr = 0x100000  // MS_SHARED: sends and receives events within its peer group
	msRelatime    uintptr = 0x200000  // MS_RELATIME
	msStrictatime uintptr = 0x1000000 // MS_STRICTATIME
)

// flagNames lists the flags in the order strace prints them.
var flagNames = []struct {
	flag uintptr
	name string
}{
	{msRdonly, "MS_RDONLY"}, {msNosuid, "MS_NOSUID"}, {msNodev, "MS_NODEV"},
	{msNoexec, "MS_NOEXEC"}, {msRemount, "MS_REMOUNT"}, {msNoatime, "MS_NOATIME"},
	{msNodiratime, "MS_NODIRATIME"}, {msBind, "MS_BIND"}, {msRec, "MS_REC"},
	{msPrivate, "MS_PRIVATE"}, {msSlave, "MS_SLAVE"}, {msShared, "MS_SHARED"},
	{msRelatime, "MS_RELATIME"}, {msStrictatime, "MS_STRICTATIME"},
}

// MountFlags is a mount(2) flags word that prints itself the way strace does
// ("MS_BIND|MS_REC", "0" for none). It is what Trace receives for the flags
// argument, so a trace printed with %v reads like the man page.
type MountFlags uintptr

func (f MountFlags) String() string {
	if f == 0 {
		return "0"
	}
	var names []string
	rest := uintptr(f)
	for _, n := range flagNames {
		if rest&n.flag != 0 {
			names = append(names, n.name)
			rest &^= n.flag
		}
	}
	if rest != 0 {
		names = append(names, fmt.Sprintf("%#x", rest))
	}
	return strings.Join(names, "|")
}
