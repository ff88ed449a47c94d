// Package cgroups puts a container's processes into a control group and
// limits what they may use: memory, CPU time and the number of processes.
//
// A cgroup is a directory in a special filesystem. Making the directory
// creates the group; writing a PID into its cgroup.procs file moves that
// process (and every child it forks later) into the group; writing a value
// into a controller's file (memory.max, pids.max, ...) sets a limit; reading
// files such as memory.current or cpu.stat reports usage. Removing the
// directory (once no process is left) deletes the group. That is the whole
// interface, so this package is mostly mkdir, write, read and rmdir.
//
// Linux has two versions of that filesystem and minictr speaks both:
//
//   - cgroup v1 ("legacy"): one hierarchy per controller, each mounted at
//     its own place (/sys/fs/cgroup/memory, /sys/fs/cgroup/pids, ...). A
//     container is a directory in every hierarchy it is limited by.
//   - cgroup v2 ("unified"): one tree for all controllers, mounted at
//     /sys/fs/cgroup. A parent hands controllers down to its children by
//     writing "+memory" to its cgroup.subtree_control, and -- the "no internal
//     processes" rule -- a cgroup that hands controllers down may not hold
//     processes itself (the root cgroup excepted).
//
// The device controller is the one guard of package security that lives
// here ([DeviceRule], [Cgroup.SetDevices]): v1 writes devices.deny and
// devices.allow; v2 has no such files and runs an eBPF program of type
// BPF_PROG_TYPE_CGROUP_DEVICE instead, built, loaded and attached with
// github.com/cilium/ebpf (runc's choice: pure Go, no cgo, and it returns the
// kernel verifier's log when a program is refused).
//
// Many hosts of the last decade were "hybrid": v1 hierarchies for the real
// controllers plus an empty-ish v2 tree at /sys/fs/cgroup/unified. [Detect]
// tells the three apart with statfs(2); [New] picks the v1 or v2 driver;
// both implement the small [Cgroup] interface. Limits are plain values
// ([Limits]) turned into file->value maps by pure functions ([Limits.V1Files],
// [Limits.V2Files]) so they can be read and tested without a kernel.
//
// [Cgroup.Freeze] and [Cgroup.Thaw] stop and resume every process of a
// group at once (docker pause, and commit while it reads the container's
// files): v2's cgroup.freeze, v1's freezer controller; freeze.go explains
// both and the wait for the kernel to report the group frozen.
//
// Man pages: cgroups(7), cgroup_namespaces(7), clone3(2) (CLONE_INTO_CGROUP),
// statfs(2), bpf(2) (BPF_PROG_TYPE_CGROUP_DEVICE). Kernel docs:
// Documentation/admin-guide/cgroup-v2.rst and
// Documentation/admin-guide/cgroup-v1/{memory,pids,devices,freezer-subsystem}.rst,
// Documentation/scheduler/sched-bwc.rst (CPU quota and period).
//
// Docs chapter: docs/05-cgroups.md.
package cgroups
