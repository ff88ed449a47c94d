package ns

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// joinOrder lists the namespaces `minictr exec` joins, as the files in
// /proc/PID/ns name them, with setns(2)'s flag for each. The mount
// namespace comes last: once it is joined, "/proc" is the container's
// procfs, in which the host PID of the container means nothing -- which is
// why every file is opened first, while /proc is still the host's.
var joinOrder = []struct {
	name string
	flag int
}{
	{"cgroup", unix.CLONE_NEWCGROUP},
	{"ipc", unix.CLONE_NEWIPC},
	{"uts", unix.CLONE_NEWUTS},
	{"net", unix.CLONE_NEWNET},
	{"pid", unix.CLONE_NEWPID},
	{"mnt", unix.CLONE_NEWNS},
}

// Join moves the CALLING THREAD into every namespace of process pid, whose
// start time (field 22 of /proc/PID/stat) must be start: a PID is reused
// once its process is gone, a start time is not. The caller must have
// called runtime.LockOSThread and must never unlock it: after Join this
// thread sees the container's mounts, hostname and network while every
// other thread of the Go runtime still sees the host's.
//
// Three things make setns(2) subtle in Go (docs/07-lifecycle.md):
//
//   - setns acts on one thread, and the Go scheduler moves goroutines
//     between threads: hence LockOSThread. (The runtime helps: it never
//     starts a new thread FROM a locked one, which would inherit its
//     namespaces, and a thread whose goroutine exits locked is destroyed.)
//   - Joining a mount namespace changes the root and working directory,
//     which all threads share (CLONE_FS): the kernel refuses it with EINVAL
//     while the fs_struct has other users. unshare(CLONE_FS) first gives
//     this thread its own copy.
//   - Joining a PID namespace moves nobody: it sets the namespace that the
//     caller's CHILDREN are born in (pid_namespaces(7), "pid_for_children").
//     So the command must be forked after Join, from this thread: see Spawn.
//
// runc does all this in C (nsexec), in a constructor that runs before the
// Go runtime has started its threads; a static CGO_ENABLED=0 binary has no
// such hook, so minictr joins on one locked thread and forks from it.
func Join(pid int, start uint64) error {
	files, err := openNamespaces(pid)
	if err != nil {
		return err
	}
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	// The files are open: the process cannot give them back. If it is
	// not (or no longer) the container's, they are the wrong ones.
	if st, err := ReadProcStat(pid); err != nil || st.Start != start {
		return fmt.Errorf("join namespaces of %d: the container's process has exited", pid)
	}
	trace("unshare", "CLONE_FS")
	if err := unix.Unshare(unix.CLONE_FS); err != nil {
		return fmt.Errorf("unshare CLONE_FS: %w", err)
	}
	for i, ns := range joinOrder {
		trace("setns", files[i].Name(), FlagNames(uintptr(ns.flag)))
		if err := unix.Setns(int(files[i].Fd()), ns.flag); err != nil {
			return fmt.Errorf("setns %s %s: %w", files[i].Name(), FlagNames(uintptr(ns.flag)), err)
		}
	}
	return nil
}

// openNamespaces opens /proc/PID/ns/X for every X in joinOrder.
func openNamespaces(pid int) ([]*os.File, error) {
	var files []*os.File
	for _, ns := range joinOrder {
		f, err := os.Open(filepath.Join("/proc", strconv.Itoa(pid), "ns", ns.name))
		if err != nil {
			for _, f := range files {
				f.Close()
			}
			return nil, err // open /proc/42/ns/net: no such file or directory
		}
		files = append(files, f)
	}
	return files, nil
}

// Undumpable marks this process not dumpable (PR_SET_DUMPABLE 0, prctl(2)):
// its /proc/PID files then belong to root and /proc/PID/exe, /proc/PID/fd
// and /proc/PID/mem can only be opened by a process allowed to ptrace it
// (CAP_SYS_PTRACE). A second line of defence for `minictr exec`: see
// SealedExe for the first. execve(2) makes the command dumpable again.
func Undumpable() error {
	trace("prctl", "PR_SET_DUMPABLE", 0)
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return fmt.Errorf("prctl PR_SET_DUMPABLE 0: %w", err)
	}
	return nil
}

// Spawn forks and execs the command from the calling thread, which Join has
// put into the container's namespaces: the child is born in the container's
// PID namespace (it is not PID 1 there: the container's init is), sees its
// root and $PATH, and is in the cgroup this process was put in.
//
// Only the three stdio files reach it: os/exec passes nothing else, and
// every fd Go opens is close-on-exec. Its working directory is set by
// chdir(2) in the child, inside the container's root; nothing of the host's
// file system is open in it (the CVE-2024-21626 class). Errors are
// *ChildError with docker's 126 and 127.
func Spawn(c SpawnConfig) (*exec.Cmd, error) {
	if len(c.Args) == 0 {
		return nil, &ChildError{Stage: "exec", Msg: "exec: no command given", Code: CodeSetup}
	}
	path, err := lookPath(c.Args[0], pathFrom(c.Env))
	if err != nil {
		return nil, &ChildError{Stage: "exec", Msg: err.Error(), Code: execErrorCode(err)}
	}
	if c.Dir != "" {
		if fi, err := os.Stat(c.Dir); err != nil || !fi.IsDir() {
			return nil, &ChildError{Stage: "chdir", Msg: fmt.Sprintf("chdir %s: not a directory in the container", c.Dir), Code: CodeSetup}
		}
	}
	cmd := &exec.Cmd{Path: path, Args: c.Args, Env: c.Env, Dir: c.Dir,
		Stdin: c.Stdio[0], Stdout: c.Stdio[1], Stderr: c.Stdio[2],
		SysProcAttr: &syscall.SysProcAttr{Setsid: c.Setctty, Setctty: c.Setctty, Ctty: 0}}
	if u := c.User; u != nil {
		groups := make([]uint32, len(u.Groups))
		for i, g := range u.Groups {
			groups[i] = uint32(g)
		}
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: uint32(u.UID), Gid: uint32(u.GID), Groups: groups}
	}
	// Only what os/exec passes on may reach the command. Go opens its own
	// fds close-on-exec, but fds this process INHERITED open (from a shell,
	// a CI runner, a leaky parent) would pass through fork and execve: mark
	// them all close-on-exec. runc's CVE-2024-21626 was one such fd, a
	// directory of the host's cgroupfs, reachable as /proc/self/fd/N.
	if err := unix.CloseRange(3, math.MaxUint32, closeRangeCloexec); err != nil {
		return nil, &ChildError{Stage: "exec", Msg: fmt.Sprintf("close_range 3.. CLOSE_RANGE_CLOEXEC: %v", err), Code: CodeSetup}
	}
	trace("fork+execve", path, c.Args)
	if err := cmd.Start(); err != nil {
		return nil, &ChildError{Stage: "exec", Msg: err.Error(), Code: execErrorCode(err)}
	}
	return cmd, nil
}

// Relay forwards every signal this process can catch to process pid until
// stop is called: `minictr exec`'s helper passes on what the parent
// forwards to it (ForwardSignals) to the command. The command is not its
// namespace's init, so the kernel applies default actions as usual.
func Relay(pid int) (stop func()) {
	ch := make(chan os.Signal, 16)
	signal.Notify(ch, forwardedSignals()...)
	go func() {
		for s := range ch {
			trace("kill", pid, s)
			_ = unix.Kill(pid, s.(unix.Signal))
		}
	}()
	return func() { signal.Stop(ch) }
}

// SealedExe returns a copy of this binary in a sealed memfd (memfd_create(2),
// F_SEAL_WRITE and friends, fcntl(2) "File Sealing"): an anonymous file in
// RAM that nobody, root included, can ever write again. Running minictr from
// it (execve /proc/self/fd/N) makes /proc/PID/exe of that process and of
// every process it re-execs point at the copy, not at the host's binary.
//
// This is runc's fix for CVE-2019-5736: a container's root opened
// /proc/PID/exe of a `runc exec` that had joined the container, waited for
// it to exit, and wrote its own program over the host's runc binary, which
// root then ran next time. Writing to the sealed copy fails with EPERM.
func SealedExe() (*os.File, error) {
	src, err := os.Open("/proc/self/exe")
	if err != nil {
		return nil, err
	}
	defer src.Close()
	fd, err := unix.MemfdCreate("minictr", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, fmt.Errorf("memfd_create minictr: %w", err)
	}
	dst := os.NewFile(uintptr(fd), "memfd:minictr")
	if err := sendfile(dst, src); err != nil {
		dst.Close()
		return nil, fmt.Errorf("copy /proc/self/exe to memfd: %w", err)
	}
	const seals = unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, seals); err != nil {
		dst.Close()
		return nil, fmt.Errorf("fcntl F_ADD_SEALS memfd:minictr: %w", err)
	}
	return dst, nil
}

// sendfile copies all of src to dst inside the kernel (sendfile(2)): no
// 32 KiB round trips through user space, as io.Copy would make here since
// copy_file_range(2) refuses to copy between file systems (EXDEV).
func sendfile(dst, src *os.File) error {
	for {
		n, err := unix.Sendfile(int(dst.Fd()), int(src.Fd()), nil, 1<<30)
		switch {
		case err == unix.EINTR:
		case err != nil:
			return fmt.Errorf("sendfile: %w", err)
		case n == 0:
			return nil
		}
	}
}

// ReexecSealed re-executes this process, same arguments and environment,
// from SealedExe's copy, unless it already runs from a sealed file. It
// returns only on failure. Copying costs a few milliseconds per `exec`
// (the binary is ~10 MB); `run` does not need it, since nothing of the
// container can see a process that is not in its PID namespace, and the
// container's init has exec'd the container's command by then.
func ReexecSealed() error {
	if exe, err := os.Open("/proc/self/exe"); err == nil {
		s, err := unix.FcntlInt(exe.Fd(), unix.F_GET_SEALS, 0)
		exe.Close()
		if err == nil && s&unix.F_SEAL_WRITE != 0 {
			return nil
		}
	}
	f, err := SealedExe()
	if err != nil {
		return err
	}
	// The path is resolved before close-on-exec closes fd N.
	path := "/proc/self/fd/" + strconv.Itoa(int(f.Fd()))
	trace("execve", path, os.Args)
	err = unix.Exec(path, os.Args, os.Environ())
	f.Close()
	return &os.PathError{Op: "execve", Path: path, Err: err}
}

// JoinNetwork moves the CALLING THREAD into the network namespace of the
// file path (/proc/PID/ns/net of another container: --net container:X).
// `minictr init` calls it on its locked thread before anything else of the
// container is set up; the command it execs keeps the namespace, since
// execve(2) keeps the calling thread's namespaces.
func JoinNetwork(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("join network namespace: %w", err)
	}
	defer f.Close()
	trace("setns", path, "CLONE_NEWNET")
	if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("setns %s CLONE_NEWNET: %w", path, err)
	}
	return nil
}
