// Package security holds the three guards that keep a container's root
// from owning its host, with docker's defaults, and the two switches that
// loosen or tighten them (--privileged, no_new_privs).
//
// A container's root is the host's root (there is no user namespace), so
// namespaces alone only hide things: a root process with every capability
// can still mknod the host's disk and mount it, load kernel modules, or set
// the clock. docker, podman, runc and crun stop this with three guards that
// work independently, so a hole in one is caught by another:
//
//  1. Capabilities (capabilities(7)). Root's power is split into about
//     forty capabilities; a container keeps docker's 14 ([DefaultCaps]) in
//     its bounding, permitted and effective sets, and nothing in the
//     inheritable and ambient ones. Without CAP_SYS_ADMIN, mount(2) fails;
//     without CAP_SYS_MODULE, init_module(2) does. [ResolveCaps] applies
//     --cap-add and --cap-drop as docker does.
//  2. The device cgroup (cgroups(7), and the kernel's
//     Documentation/admin-guide/cgroup-v1/devices.rst): the container may
//     mknod any node (CAP_MKNOD is in the 14), but may open only null,
//     zero, full, random, urandom, tty, console, ptmx and its ptys. It lives
//     in package cgroups ([cgroups.DeviceRule], [cgroups.Cgroup.SetDevices]),
//     because it is a controller of the container's cgroup: devices.allow
//     and devices.deny on cgroup v1, an eBPF program on v2 (bpf(2),
//     BPF_PROG_TYPE_CGROUP_DEVICE). The host side sets it before the
//     container's first process runs.
//  3. seccomp (seccomp(2)): a classic BPF program the kernel runs on every
//     syscall. docker's profile ([DefaultProfile]) is an allow-list: about
//     360 syscalls for everyone, a few more only with the capability they
//     need (mount with CAP_SYS_ADMIN, ...), everything else fails with
//     EPERM; the architecture is checked first. [Compile] turns a profile
//     (docker's JSON format, [ParseProfile]) into the program; /proc/PID/status
//     shows "Seccomp: 2" inside.
//
// no_new_privs (prctl(2) PR_SET_NO_NEW_PRIVS) is off by default, as with
// docker: with it, execve never grants privileges (set-user-ID programs
// like su stop working). --privileged switches the three guards off:
// every capability, every device, no filter.
//
// # Where the pieces run
//
// [Resolve] turns the flags into a [Config] of plain values in `run` (and
// compiles the filter there, once per container). The host adds the device
// rules to the container's cgroup. The init, the re-executed minictr in the
// container's namespaces, calls [ApplyChild] on its locked thread as the
// very last step before execve; its doc comment gives the order and why.
//
// # Dependencies
//
// golang.org/x/net/bpf assembles the classic BPF program (jump offsets,
// opcodes) and runs it in a virtual machine in the tests ([bpf.NewVM]), so
// each rule is tested on synthetic seccomp_data without a kernel. The usual
// alternative, libseccomp, needs cgo and a C library, which the static
// minictr binary does not have. For the v2 device program, package cgroups
// uses github.com/cilium/ebpf (what runc uses): pure Go, no cgo; it
// assembles eBPF, loads it with bpf(2) and attaches it, and reports the
// kernel verifier's log when a program is refused.
//
// Man pages: capabilities(7), capget(2)/capset(2), prctl(2)
// (PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_SET_KEEPCAPS, PR_SET_NO_NEW_PRIVS),
// seccomp(2), bpf(2), cgroups(7) (devices), mknod(2).
//
// Docs chapter: docs/12-security.md.
package security
