package ns

// Options says which namespaces the container gets. Every field true is a
// normal container; a false field shares the host's namespace of that kind
// (`--net host` sets Net false, `--pid host` sets PID false).
//
// There is no user namespace here: minictr runs as root and the container's
// root is the host's root, as with docker's default. See namespaces(7).
type Options struct {
	PID    bool // CLONE_NEWPID: the command is PID 1 and sees only its descendants
	Mount  bool // CLONE_NEWNS: a private mount table, so overlay and pivot_root stay inside
	UTS    bool // CLONE_NEWUTS: its own hostname and domainname
	IPC    bool // CLONE_NEWIPC: its own System V IPC objects and POSIX message queues
	Net    bool // CLONE_NEWNET: its own devices, addresses, routes, ports; only lo at first
	Cgroup bool // CLONE_NEWCGROUP: /proc/self/cgroup shows its own cgroup as "/"
}

// AllNew returns Options with every namespace new: the default for `minictr run`.
func AllNew() Options {
	return Options{PID: true, Mount: true, UTS: true, IPC: true, Net: true, Cgroup: true}
}
