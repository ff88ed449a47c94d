package cli

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
)

// TourCmd is the entry point of the built-in hello image: a process that
// looks around and tells what it sees from inside its container, each line
// pointing at the docs chapter that explains it. It only reads files the
// kernel provides (/proc, /sys), so it shows the truth, not a description.
type TourCmd struct{}

func (TourCmd) Run() error {
	host, _ := os.Hostname()
	lines := []struct{ what, doc string }{
		{fmt.Sprintf("I am PID %d, the first process of my own PID namespace", os.Getpid()), "04-namespaces.md"},
		{fmt.Sprintf("my hostname is %q (my own UTS namespace)", host), "04-namespaces.md"},
		{"my / is " + describeRoot(), "03-overlay.md"},
		{"my cgroup limits: " + cgroupLimits(), "05-cgroups.md"},
		{"my network devices: " + netDevices(), "11-network.md"},
		{"my namespaces: " + namespaceInodes(), "04-namespaces.md"},
		{"my guards: " + securityStatus(), "12-security.md"},
	}
	fmt.Println("Hello from inside a minictr container!")
	fmt.Println()
	for _, l := range lines {
		fmt.Printf("  %s\n      -> docs/%s\n", l.what, l.doc)
	}
	fmt.Println()
	fmt.Println("Compare with the host: `ls -l /proc/self/ns`, `hostname`, `cat /proc/self/mountinfo`.")
	return nil
}

// describeRoot finds the mount at / in /proc/self/mountinfo and, for an
// overlay, counts the read-only layers in its lowerdir option.
func describeRoot() string {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	var fstype, opts string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 10 || f[4] != "/" {
			continue
		}
		for i, x := range f { // fields after the "-" separator: fstype source superopts
			if x == "-" && i+3 < len(f) {
				fstype, opts = f[i+1], f[i+3]
			}
		}
	}
	if fstype != "overlay" {
		return "a " + fstype + " mount"
	}
	lower, upper := 0, false
	for _, o := range strings.Split(opts, ",") {
		if v, ok := strings.CutPrefix(o, "lowerdir="); ok {
			lower = len(strings.Split(v, ":"))
		}
		upper = upper || strings.HasPrefix(o, "upperdir=")
	}
	s := fmt.Sprintf("an overlay of %d read-only image layer(s)", lower)
	if upper {
		s += " under 1 writable layer"
	}
	return s
}

// cgroupLimits reads the limits of the cgroup this process is in, through
// the cgroup filesystem mounted at /sys/fs/cgroup inside the container.
func cgroupLimits() string {
	files := []string{"memory.max", "cpu.max", "pids.max"} // cgroup v2
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err != nil {
		files = []string{"memory/memory.limit_in_bytes", "cpu/cpu.cfs_quota_us", "pids/pids.max"} // v1
	}
	var parts []string
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join("/sys/fs/cgroup", f))
		v := strings.TrimSpace(string(b))
		if err != nil {
			v = "?"
		}
		parts = append(parts, filepath.Base(f)+"="+v)
	}
	return strings.Join(parts, " ")
}

func netDevices() string {
	ifs, err := net.Interfaces()
	if err != nil {
		return err.Error()
	}
	var names []string
	for _, i := range ifs {
		state := "down"
		if i.Flags&net.FlagUp != 0 {
			state = "up"
		}
		names = append(names, i.Name+" ("+state+")")
	}
	return strings.Join(names, ", ")
}

func namespaceInodes() string {
	var parts []string
	for _, n := range []string{"pid", "mnt", "uts", "ipc", "net", "cgroup"} {
		l, err := os.Readlink("/proc/self/ns/" + n)
		if err != nil {
			l = n + ":?"
		}
		parts = append(parts, l)
	}
	return strings.Join(parts, " ")
}
