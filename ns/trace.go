package ns

// Trace, when set, is called just before each system call that this package
// makes on the container's behalf, with the arguments the kernel will get:
// Trace("clone", "CLONE_NEWNS|CLONE_NEWPID", "/proc/self/exe", []string{"init"}),
// Trace("sethostname", "c1"), Trace("execve", "/bin/sh", argv, env) and so on.
// `minictr run --verbose` prints these so a student can map each step to its
// man page. It is a plain variable: set it once at start-up, before Start or
// (in the child) before the first setup call. nil means off.
var Trace func(syscall string, args ...any)

func trace(syscall string, args ...any) {
	if Trace != nil {
		Trace(syscall, args...)
	}
}
