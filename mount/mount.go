package mount

import (
	"fmt"
	"strings"
)

// Mount describes one mount(2) call: the five arguments the kernel takes,
//
//	mount(source, target, fstype, flags, data)
//
// plus Dir, the working directory the call must run in (only for overlays
// with short layer links, see Overlay). It is a plain value: the functions
// of this package build Mounts purely, tests compare them, --debug prints
// them, and Apply, the one place that calls mount(2), carries them out.
// (The model is containerd's mount.Mount.)
type Mount struct {
	Source string // what to mount: a device, a directory (bind), or a name such as "overlay" or "proc"
	Target string // the directory (or file, for a bind) it appears on
	FSType string // the filesystem type ("overlay", "proc", "tmpfs"); empty for bind and propagation changes
	Flags  uintptr
	Data   string // filesystem options, e.g. "lowerdir=...,upperdir=...,workdir=..."
	Dir    string // if set, Apply chdirs here first so relative paths in Data resolve (overlay short links)
}

// Trace, when set, is called just before each system call this package
// makes, with the arguments the kernel will get, e.g.
//
//	Trace("mount", "overlay", "/x/rootfs", "overlay", MountFlags(0), "lowerdir=...")
//	Trace("pivot_root", ".", ".")
//
// `minictr run --debug` prints these (FormatCall renders them strace-style)
// so a student can match every step to its man page. Set it once at
// start-up; nil means off.
var Trace func(syscall string, args ...any)

func trace(syscall string, args ...any) {
	if Trace != nil {
		Trace(syscall, args...)
	}
}

// FormatCall renders a traced call the way strace(1) prints it: strings
// quoted, flags by name, e.g. mount("proc", "/x/rootfs/proc", "proc",
// MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL). Handy as the body of a Trace hook.
func FormatCall(syscall string, args ...any) string {
	parts := make([]string, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			parts[i] = fmt.Sprintf("%q", v)
		case fmt.Stringer:
			parts[i] = v.String()
		default:
			parts[i] = fmt.Sprint(v)
		}
	}
	return syscall + "(" + strings.Join(parts, ", ") + ")"
}

// String prints m as the mount(2) call strace would show, with the working
// directory appended when Apply has to chdir first:
//
//	mount("overlay", "/c1/rootfs", "overlay", 0, "lowerdir=l/1:l/0,...") in /c1
//
// An empty Data is printed as NULL, which is what Apply passes.
func (m Mount) String() string {
	var data any = null{}
	if m.Data != "" {
		data = m.Data
	}
	s := FormatCall("mount", m.Source, m.Target, m.FSType, MountFlags(m.Flags), data)
	if m.Dir != "" {
		s += " in " + m.Dir
	}
	return s
}

// null prints as NULL, strace's word for a null pointer argument.
type null struct{}

func (null) String() string { return "NULL" }

// describe names what m does, for error messages: "mount overlay on /x",
// "bind /src on /x", "remount /x (MS_RDONLY|MS_BIND|MS_REMOUNT)",
// "make / private (MS_REC|MS_PRIVATE)".
func (m Mount) describe() string {
	switch {
	case m.Flags&msRemount != 0:
		return fmt.Sprintf("remount %s (%s)", m.Target, MountFlags(m.Flags))
	case m.Flags&(msPrivate|msSlave|msShared) != 0:
		kind := map[uintptr]string{msPrivate: "private", msSlave: "slave", msShared: "shared"}
		return fmt.Sprintf("make %s %s (%s)", m.Target, kind[m.Flags&(msPrivate|msSlave|msShared)], MountFlags(m.Flags))
	case m.Flags&msBind != 0:
		return fmt.Sprintf("bind %s on %s", m.Source, m.Target)
	default:
		return fmt.Sprintf("mount %s on %s", m.FSType, m.Target)
	}
}
