package mount

import (
	"fmt"
	"testing"
)

func TestMountString(t *testing.T) {
	for _, c := range []struct {
		m    Mount
		want string
	}{
		{Mount{Source: "proc", Target: "/r/proc", FSType: "proc", Flags: msNosuid | msNodev | msNoexec},
			`mount("proc", "/r/proc", "proc", MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL)`},
		{Mount{Target: "/", Flags: msRec | msPrivate},
			`mount("", "/", "", MS_REC|MS_PRIVATE, NULL)`},
		{Mount{Source: "overlay", Target: "/c/rootfs", FSType: "overlay", Data: "lowerdir=l/0:l/1", Dir: "/c"},
			`mount("overlay", "/c/rootfs", "overlay", 0, "lowerdir=l/0:l/1") in /c`},
		{Mount{Source: "/a b", Target: "/r/\"x\"", Flags: msBind | 0x40000000},
			`mount("/a b", "/r/\"x\"", "", MS_BIND|0x40000000, NULL)`},
	} {
		if got := c.m.String(); got != c.want {
			t.Errorf("String() =\n %s\nwant\n %s", got, c.want)
		}
	}
}

func TestMountDescribe(t *testing.T) {
	for _, c := range []struct {
		m    Mount
		want string
	}{
		{Mount{Source: "overlay", Target: "/c/rootfs", FSType: "overlay"}, "mount overlay on /c/rootfs"},
		{Mount{Source: "/src", Target: "/r/data", Flags: msBind | msRec}, "bind /src on /r/data"},
		{remountReadOnly("/r/data"), "remount /r/data (MS_RDONLY|MS_REMOUNT|MS_BIND)"},
		{Mount{Target: "/", Flags: msRec | msPrivate}, "make / private (MS_REC|MS_PRIVATE)"},
	} {
		if got := c.m.describe(); got != c.want {
			t.Errorf("describe() = %q, want %q", got, c.want)
		}
	}
}

func TestTrace(t *testing.T) {
	var got []string
	Trace = func(syscall string, args ...any) { got = append(got, FormatCall(syscall, args...)) }
	defer func() { Trace = nil }()
	trace("pivot_root", ".", ".")
	trace("umount2", "/old", "MNT_DETACH")
	want := []string{`pivot_root(".", ".")`, `umount2("/old", "MNT_DETACH")`}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("traced %q, want %q", got, want)
	}
}

func ExampleMount_String() {
	for _, m := range SpecialMounts("/c1/rootfs")[:3] {
		fmt.Println(m)
	}
	// Output:
	// mount("proc", "/c1/rootfs/proc", "proc", MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL)
	// mount("sysfs", "/c1/rootfs/sys", "sysfs", MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL)
	// mount("tmpfs", "/c1/rootfs/dev", "tmpfs", MS_NOSUID|MS_STRICTATIME, "mode=755,size=65536k")
}

func ExampleFormatCall() {
	// A Trace hook that prints what the kernel is asked to do.
	Trace = func(syscall string, args ...any) { fmt.Println(FormatCall(syscall, args...)) }
	defer func() { Trace = nil }()
	trace("mount", "/src", "/r/data", "", MountFlags(0x1000|0x4000), "")
	trace("pivot_root", ".", ".")
	// Output:
	// mount("/src", "/r/data", "", MS_BIND|MS_REC, "")
	// pivot_root(".", ".")
}
