package cgroups

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"testing"
)

// The root tests need processes inside a cgroup that do one thing: sit
// there, eat memory, fork, or burn CPU. They re-execute this test binary
// with childEnv set, and TestMain runs the child's job instead of the tests.
// Every job first waits for one byte on stdin, the "go" signal, so the
// parent can move it into the group before it starts (the v1 way; see
// startChild).
const childEnv = "MINICTR_CGROUPS_TEST_CHILD"

func TestMain(m *testing.M) {
	if job := os.Getenv(childEnv); job != "" {
		os.Exit(runChild(job))
	}
	os.Exit(m.Run())
}

func runChild(job string) int {
	in := bufio.NewReader(os.Stdin)
	if _, err := in.ReadByte(); err != nil {
		return 10 // parent went away before the go signal
	}
	switch job {
	case "wait": // sleep until stdin closes
		io.Copy(io.Discard, in)
		return 0
	case "hog":
		return hog(200)
	case "forkloop":
		return forkLoop(in)
	case "open":
		return openNodes(os.Getenv("OPEN_NODES"))
	case "spin":
		for {
		}
	case "count": // count up forever in the first 8 bytes of $COUNT_FILE
		return count(os.Getenv("COUNT_FILE"))
	}
	fmt.Fprintf(os.Stderr, "unknown child job %q\n", job)
	return 11
}

// hog allocates mb MiB and touches every page, so the memory is really
// charged to the cgroup (untouched anonymous memory costs nothing).
func hog(mb int) int {
	var keep [][]byte
	for i := 0; i < mb; i++ {
		b := make([]byte, 1<<20)
		for j := 0; j < len(b); j += 4096 {
			b[j] = 1
		}
		keep = append(keep, b)
	}
	fmt.Printf("allocated and touched %d MiB (%d chunks): not killed\n", mb, len(keep))
	return 0
}

// forkLoop starts `sleep` processes until starting one fails, reports the
// error on stdout, waits for stdin to close, then kills and reaps the
// sleeps it started. Exit 0 means the failure was EAGAIN (pids.max).
func forkLoop(in io.Reader) int {
	var started []*exec.Cmd
	var err error
	for len(started) < 1000 {
		cmd := exec.Command(os.Getenv("SLEEP"), "1000")
		if err = cmd.Start(); err != nil {
			break
		}
		started = append(started, cmd)
	}
	fmt.Printf("started %d processes, then: %v\n", len(started), err)
	io.Copy(io.Discard, in)
	for _, cmd := range started {
		cmd.Process.Kill()
		cmd.Wait()
	}
	if errors.Is(err, syscall.EAGAIN) {
		return 0
	}
	return 3
}

// child is a re-executed test binary running a job inside a cgroup.
type child struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
}

// startChild starts job inside cg (or, with cg nil, in the test's own
// cgroups) and sends it the go signal. With cgroup v2 the kernel puts the child
// into the group as part of clone3(2) (CLONE_INTO_CGROUP): it is in the
// group before its first instruction. With v1 there is no such flag, so the
// child starts outside, is moved with AddProcess, and only then receives the
// go signal on its stdin pipe: the same order a container runtime uses to
// keep the container's process from running unlimited for a moment.
func startChild(t *testing.T, cg Cgroup, job string, env ...string) *child {
	t.Helper()
	cmd := exec.Command("/proc/self/exe")
	cmd.Env = append(append(os.Environ(), childEnv+"="+job, "GOMAXPROCS=1"), env...)
	cmd.Stderr = os.Stderr
	if fd, ok := fdOf(cg); ok {
		cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: fd}
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s child: %v", job, err)
	}
	t.Cleanup(func() { // ends only the process this test started, by PID
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	if _, ok := fdOf(cg); !ok && cg != nil {
		if err := cg.AddProcess(cmd.Process.Pid); err != nil {
			t.Fatalf("AddProcess(%d): %v", cmd.Process.Pid, err)
		}
	}
	if _, err := stdin.Write([]byte{'!'}); err != nil {
		t.Fatalf("send go to %s child: %v", job, err)
	}
	return &child{cmd: cmd, stdin: stdin, stdout: bufio.NewReader(stdout)}
}

func fdOf(cg Cgroup) (int, bool) {
	if cg == nil {
		return -1, false
	}
	return cg.FD()
}
