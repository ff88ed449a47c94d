// Package container is a container's directory, its config and state, and
// its life.
//
// On disk, one directory per container under <root>/containers/<id>/ holds
// its writable layer (upper/), overlay's scratch directory (work/), the
// mount point of its root filesystem (rootfs/), config.json (Config: what
// `run` was asked for, written once) and state.json (State: what happened,
// rewritten whole at every change).
//
// Its life takes that plain value, never a flag struct:
//
//	Create, CreateWithVolumes   the directory (container.go, volumes.go)
//	Run                         one life in the foreground (life.go)
//	StartDetached, Monitor      one life through a monitor process (monitor.go)
//	Exec, ExecInit              one more process inside it (exec.go)
//	Attach                      a terminal joins a detached one (attach_client.go)
//	Stop, Kill, Delete          from the host (stop.go)
//	Guards and its helpers      capabilities, device cgroup, seccomp (security.go)
//
// Each re-exec of minictr has both of its ends here: what the parent sends
// and what the child does with it (init.go: newInitSpec and Init; exec.go:
// execSpec and ExecInit; monitor.go: MonitorArgs and Monitor). The stage
// packages (mount, ns, cgroups, tty, volume) never see this package: it
// hands them plain values.
//
// Man pages: clone(2), execve(2), wait4(2), setns(2), kill(2), setsid(2),
// pid_namespaces(7), pty(7).
//
// See docs/06-run.md, docs/07-lifecycle.md and docs/12-security.md.
package container
