package security

// DefaultProfile returns docker's default seccomp profile as Go data: the
// same rules as moby/profiles' seccomp/default.json (2025), in the
// same structure [ParseProfile] reads. Each call returns a fresh copy.
//
// It is an allow-list: a syscall not named here fails with EPERM (the
// defaultAction). About 360 syscalls that any program needs are allowed for
// everyone. The others are allowed only to containers that hold the
// capability the kernel would check anyway (includes.caps): mount, umount2,
// unshare, setns, bpf and clone3 with CAP_SYS_ADMIN, reboot with
// CAP_SYS_BOOT, init_module with CAP_SYS_MODULE, clock_settime with
// CAP_SYS_TIME, ... Two layers, so that one bug in either does not open the
// kernel: a syscall that no container needs is not reachable at all, even
// where the capability check in the kernel had a hole.
//
// Argument rules narrow three syscalls: socket(2) is allowed for every
// address family except AF_VSOCK (40), personality(2) only for the values
// programs use (PER_LINUX, PER_LINUX32, UNAME26 and the query 0xffffffff),
// and clone(2) without CAP_SYS_ADMIN only when no CLONE_NEW* flag is set
// (flags & 0x7e020000 == 0). clone3(2) passes its flags in memory, which a
// filter cannot read, so without CAP_SYS_ADMIN it fails with ENOSYS (38),
// and the C library falls back to clone(2), whose flags it can check.
//
// minictr builds filters for x86_64 and aarch64 only (see [Compile]).
func DefaultProfile() *Profile {
	eperm := uint(1)
	enosys := uint(38)
	return &Profile{
		DefaultAction:   ActErrno,
		DefaultErrnoRet: &eperm,
		ArchMap: []Architecture{
			{Arch: "SCMP_ARCH_X86_64", SubArches: []string{"SCMP_ARCH_X86", "SCMP_ARCH_X32"}},
			{Arch: "SCMP_ARCH_AARCH64", SubArches: []string{"SCMP_ARCH_ARM"}},
		},
		Syscalls: []Syscall{
			{
				Names: []string{
					"accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "cachestat", "capget",
					"capset", "chdir", "chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64",
					"clock_getres", "clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep",
					"clock_nanosleep_time64", "close", "close_range", "connect", "copy_file_range", "creat", "dup",
					"dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait",
					"epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat",
					"exit", "exit_group", "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate",
					"fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchmodat2", "fchown", "fchown32", "fchownat",
					"fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr",
					"fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate",
					"ftruncate64", "futex", "futex_requeue", "futex_time64", "futex_wait", "futex_waitv",
					"futex_wake", "futimesat", "getcpu", "getcwd", "getdents", "getdents64", "getegid",
					"getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32",
					"getitimer", "getpeername", "getpgid", "getpgrp", "getpid", "getppid", "getpriority",
					"getrandom", "getresgid", "getresgid32", "getresuid", "getresuid32", "getrlimit",
					"get_robust_list", "getrusage", "getsid", "getsockname", "getsockopt", "get_thread_area",
					"gettid", "gettimeofday", "getuid", "getuid32", "getxattr", "getxattrat", "inotify_add_watch",
					"inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel", "ioctl", "io_destroy",
					"io_getevents", "io_pgetevents", "io_pgetevents_time64", "ioprio_get", "ioprio_set",
					"io_setup", "io_submit", "ipc", "kill", "landlock_add_rule", "landlock_create_ruleset",
					"landlock_restrict_self", "lchown", "lchown32", "lgetxattr", "link", "linkat", "listen",
					"listmount", "listxattr", "listxattrat", "llistxattr", "_llseek", "lremovexattr", "lseek",
					"lsetxattr", "lstat", "lstat64", "madvise", "map_shadow_stack", "membarrier", "memfd_create",
					"memfd_secret", "mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock", "mlock2",
					"mlockall", "mmap", "mmap2", "mprotect", "mq_getsetattr", "mq_notify", "mq_open",
					"mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64",
					"mq_unlink", "mremap", "mseal", "msgctl", "msgget", "msgrcv", "msgsnd", "msync", "munlock",
					"munlockall", "munmap", "name_to_handle_at", "nanosleep", "newfstatat", "_newselect", "open",
					"openat", "openat2", "pause", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc",
					"pkey_free", "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl", "pread64", "preadv",
					"preadv2", "prlimit64", "process_mrelease", "pselect6", "pselect6_time64", "pwrite64",
					"pwritev", "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv", "recv",
					"recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr",
					"removexattrat", "rename", "renameat", "renameat2", "restart_syscall", "riscv_hwprobe",
					"rmdir", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo",
					"rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64",
					"rt_tgsigqueueinfo", "sched_getaffinity", "sched_getattr", "sched_getparam",
					"sched_get_priority_max", "sched_get_priority_min", "sched_getscheduler",
					"sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr",
					"sched_setparam", "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl", "semget",
					"semop", "semtimedop", "semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg",
					"sendmsg", "sendto", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32",
					"setgroups", "setgroups32", "setitimer", "setpgid", "setpriority", "setregid", "setregid32",
					"setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32", "setrlimit",
					"set_robust_list", "setsid", "setsockopt", "set_thread_area", "set_tid_address", "setuid",
					"setuid32", "setxattr", "setxattrat", "shmat", "shmctl", "shmdt", "shmget", "shutdown",
					"sigaltstack", "signalfd", "signalfd4", "sigprocmask", "sigreturn", "socketcall", "socketpair",
					"splice", "stat", "stat64", "statfs", "statfs64", "statmount", "statx", "symlink", "symlinkat",
					"sync", "sync_file_range", "syncfs", "sysinfo", "tee", "tgkill", "time", "timer_create",
					"timer_delete", "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime",
					"timer_settime64", "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime",
					"timerfd_settime64", "times", "tkill", "truncate", "truncate64", "ugetrlimit", "umask",
					"uname", "unlink", "unlinkat", "uretprobe", "utime", "utimensat", "utimensat_time64", "utimes",
					"vfork", "vmsplice", "wait4", "waitid", "waitpid", "write", "writev",
				},
				Action: ActAllow,
			},
			{
				Names:    []string{"process_vm_readv", "process_vm_writev", "ptrace"},
				Action:   ActAllow,
				Includes: &Filter{MinKernel: "4.8"},
			},
			{
				Names:  []string{"socket"},
				Action: ActAllow,
				Args:   []Arg{{Index: 0, Value: 38, Op: OpLess}},
			},
			{
				Names:  []string{"socket"},
				Action: ActAllow,
				Args:   []Arg{{Index: 0, Value: 39, Op: OpEqual}},
			},
			{
				Names:  []string{"socket"},
				Action: ActAllow,
				Args:   []Arg{{Index: 0, Value: 40, Op: OpGreater}},
			},
			{
				Names:  []string{"personality"},
				Action: ActAllow,
				Args:   []Arg{{Index: 0, Value: 0, Op: OpEqual}},
			},
			{
				Names:  []string{"personality"},
				Action: ActAllow,
				Args:   []Arg{{Index: 0, Value: 8, Op: OpEqual}},
			},
			{
				Names:  []string{"personality"},
				Action: ActAllow,
				Args:   []Arg{{Index: 0, Value: 0x20000, Op: OpEqual}},
			},
			{
				Names:  []string{"personality"},
				Action: ActAllow,
				Args:   []Arg{{Index: 0, Value: 0x20008, Op: OpEqual}},
			},
			{
				Names:  []string{"personality"},
				Action: ActAllow,
				Args:   []Arg{{Index: 0, Value: 0xffffffff, Op: OpEqual}},
			},
			{
				Names:    []string{"sync_file_range2", "swapcontext"},
				Action:   ActAllow,
				Includes: &Filter{Arches: []string{"ppc64le"}},
			},
			{
				Names:    []string{"arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint", "cacheflush", "set_tls"},
				Action:   ActAllow,
				Includes: &Filter{Arches: []string{"arm", "arm64"}},
			},
			{
				Names:    []string{"arch_prctl"},
				Action:   ActAllow,
				Includes: &Filter{Arches: []string{"amd64", "x32"}},
			},
			{
				Names:    []string{"modify_ldt"},
				Action:   ActAllow,
				Includes: &Filter{Arches: []string{"amd64", "x32", "x86"}},
			},
			{
				Names:    []string{"s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr"},
				Action:   ActAllow,
				Includes: &Filter{Arches: []string{"s390", "s390x"}},
			},
			{
				Names:    []string{"riscv_flush_icache"},
				Action:   ActAllow,
				Includes: &Filter{Arches: []string{"riscv64"}},
			},
			{
				Names:    []string{"open_by_handle_at"},
				Action:   ActAllow,
				Includes: &Filter{Caps: []string{"CAP_DAC_READ_SEARCH"}},
			},
			{
				Names: []string{
					"bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick",
					"lookup_dcookie", "lsm_get_self_attr", "lsm_list_modules", "lsm_set_self_attr", "mount",
					"mount_setattr", "move_mount", "open_tree", "perf_event_open", "quotactl", "quotactl_fd",
					"setdomainname", "sethostname", "setns", "syslog", "umount", "umount2", "unshare",
				},
				Action:   ActAllow,
				Includes: &Filter{Caps: []string{"CAP_SYS_ADMIN"}},
			},
			{
				Names:    []string{"clone"},
				Action:   ActAllow,
				Args:     []Arg{{Index: 0, Value: 0x7e020000, Op: OpMaskedEqual}},
				Excludes: &Filter{Caps: []string{"CAP_SYS_ADMIN"}, Arches: []string{"s390", "s390x"}},
			},
			{
				Comment:  "s390 parameter ordering for clone is different",
				Names:    []string{"clone"},
				Action:   ActAllow,
				Args:     []Arg{{Index: 1, Value: 0x7e020000, Op: OpMaskedEqual}},
				Includes: &Filter{Arches: []string{"s390", "s390x"}},
				Excludes: &Filter{Caps: []string{"CAP_SYS_ADMIN"}},
			},
			{
				Names:    []string{"clone3"},
				Action:   ActErrno,
				ErrnoRet: &enosys,
				Excludes: &Filter{Caps: []string{"CAP_SYS_ADMIN"}},
			},
			{
				Names:    []string{"reboot"},
				Action:   ActAllow,
				Includes: &Filter{Caps: []string{"CAP_SYS_BOOT"}},
			},
			{
				Names:    []string{"chroot"},
				Action:   ActAllow,
				Includes: &Filter{Caps: []string{"CAP_SYS_CHROOT"}},
			},
			{
				Names:    []string{"delete_module", "init_module", "finit_module"},
				Action:   ActAllow,
				Includes: &Filter{Caps: []string{"CAP_SYS_MODULE"}},
			},
			{
				Names:    []string{"acct"},
				Action:   ActAllow,
				Includes: &Filter{Caps: []string{"CAP_SYS_PACCT"}},
			},
			{
				Names:    []string{"kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev", "ptrace"},
				Action:   ActAllow,
				Includes: &Filter{Caps: []string{"CAP_SYS_PTRACE"}},
			},
			{
				Names:    []string{"iopl", "ioperm"},
				Action:   ActAllow,
				Includes: &Filter{Caps: []string{"CAP_SYS_RAWIO"}},
			},
			{
				Names:    []string{"settimeofday", "stime", "clock_settime", "clock_settime64"},
				Action:   ActAllow,
				Includes: &Filter{Caps: []string{"CAP_SYS_TIME"}},
			},
			{
				Names:    []string{"vhangup"},
				Action:   ActAllow,
				Includes: &Filter{Caps: []string{"CAP_SYS_TTY_CONFIG"}},
			},
			{
				Names:    []string{"get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"},
				Action:   ActAllow,
				Includes: &Filter{Caps: []string{"CAP_SYS_NICE"}},
			},
			{
				Names:    []string{"syslog"},
				Action:   ActAllow,
				Includes: &Filter{Caps: []string{"CAP_SYSLOG"}},
			},
			{
				Names:    []string{"bpf"},
				Action:   ActAllow,
				Includes: &Filter{Caps: []string{"CAP_BPF"}},
			},
			{
				Names:    []string{"perf_event_open"},
				Action:   ActAllow,
				Includes: &Filter{Caps: []string{"CAP_PERFMON"}},
			},
		},
	}
}
