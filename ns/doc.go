// Package ns starts a process in new Linux namespaces and runs the child-side
// setup that ends in exec'ing the container's command.
//
// # Re-exec yourself, don't fork
//
// A C container runtime can fork(2), set things up in the child and execve.
// A Go program cannot: the Go runtime is already multi-threaded before main
// runs (the garbage collector, sysmon, the netpoller), and fork copies only the
// calling thread, so the child would inherit a heap whose locks may be held by
// threads that no longer exist. unshare(2) and setns(2) have the same problem
// in reverse: they change the namespaces of ONE thread, and the Go scheduler
// moves goroutines between threads at will.
//
// So minictr does what runc and lizrice/containers-from-scratch do: it lets the
// kernel create the namespaces at clone time (SysProcAttr.Cloneflags, which Go
// passes to clone(2) in the tiny fork-then-exec window where no Go code runs)
// and immediately execve's /proc/self/exe -- a fresh copy of this binary, with
// a fresh runtime -- running the hidden command `minictr init`. Every thread of
// that new process is born inside the new namespaces. init locks itself to one
// OS thread (runtime.LockOSThread) because a few steps (setgroups, unshare of
// the cgroup namespace, execve) act on the calling thread only.
//
// Parent side: [Start], [Proc.Continue], [Proc.Wait], [ForwardSignals].
// Child side (inside `minictr init`): [ReadConfig], [WaitContinue],
// [SetHostname], [LoopbackUp], [SetUser], [Exec], [ReportError].
// Pure helpers: [Options.CloneFlags], [LookupUser], [ExitStatus.ExitCode].
//
// # Joining a running container (`minictr exec`)
//
// setns(2) into a PID namespace affects only the caller's future children,
// and the mount namespace refuses a process whose threads share its
// filesystem context. So the exec helper locks one thread, unshares
// CLONE_FS, joins every namespace of the container's PID 1 on that thread
// ([Join]) and forks the command from it ([Spawn]): the command is born in
// the container's PID namespace and is not its PID 1. Against the runc
// escapes of CVE-2019-5736 (overwriting the runtime's binary through
// /proc/PID/exe) it runs from a sealed memfd copy of the binary
// ([SealedExe], [ReexecSealed]) and is undumpable ([Undumpable]); against
// CVE-2024-21626 (a host fd leaking in) every fd above 2 is close-on-exec
// before the fork. [Relay] forwards signals to the command.
//
// Man pages: namespaces(7), pid_namespaces(7), network_namespaces(7),
// uts_namespaces(7), cgroup_namespaces(7), clone(2), unshare(2), setns(2),
// execve(2), sethostname(2), setgroups(2), setuid(2), unix(7), rtnetlink(7),
// memfd_create(2), fcntl(2) (F_ADD_SEALS), prctl(2) (PR_SET_DUMPABLE),
// close_range(2).
//
// Chapters: docs/04-namespaces.md, docs/07-lifecycle.md.
package ns
