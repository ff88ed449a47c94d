package ns_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/minictr/minictr/ns"
	"golang.org/x/sys/unix"
)

// The main goroutine keeps the main thread for itself. A goroutine that
// joins a container's namespaces locks its thread and never unlocks it, so
// that the thread dies with it -- but the main thread never dies: if the
// joining goroutine ran there, the thread-group leader, whose namespaces
// /proc/self/ns shows for the whole process, would stay in the container's
// namespaces and mislead every later test.
func init() { runtime.LockOSThread() }

// Join puts one locked thread into every namespace of a running "container"
// (a test init in new namespaces); Spawn from that thread starts a process
// that shares all six namespaces with it and is not its PID 1.
func TestJoinSpawn(t *testing.T) {
	_, env := busybox(t)
	c := start(t, childConfig{Hostname: "joined", Argv: []string{"sh", "-c", "echo ready; read x"}, Env: env}, nil)
	if err := c.p.Continue(); err != nil {
		t.Fatal(err)
	}
	c.waitFor(t, "ready")
	ctr := c.p.Pid()

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	inR, inW, err := os.Pipe() // `read x` waits on it until the test ends
	if err != nil {
		t.Fatal(err)
	}
	defer inW.Close()
	type result struct {
		pid int
		err error
	}
	done := make(chan result)
	go func() {
		// Never unlocked: when this goroutine ends, its thread, which is
		// in the container's namespaces, ends with it.
		runtime.LockOSThread()
		if err := ns.Join(ctr, startTime(t, ctr)); err != nil {
			done <- result{err: err}
			return
		}
		cmd, err := ns.Spawn(ns.SpawnConfig{Args: []string{"sh", "-c", "hostname; echo $$; read x"},
			Env: append(env, "X=1"), Stdio: [3]*os.File{inR, w, w}})
		if err != nil {
			done <- result{err: err}
			return
		}
		done <- result{pid: cmd.Process.Pid}
		cmd.Wait()
	}()
	res := <-done
	w.Close()
	inR.Close()
	if res.err != nil {
		t.Fatal(res.err)
	}
	out := make([]byte, 100)
	n, _ := io.ReadAtLeast(r, out, len("joined\n2\n"))
	lines := strings.Fields(string(out[:n]))
	if len(lines) != 2 || lines[0] != "joined" || lines[1] == "1" {
		t.Errorf("hostname and PID in the joined namespaces: %q, want joined and not 1", out[:n])
	}
	want, _ := ns.NamespaceInodes(ctr)
	got, err := ns.NamespaceInodes(res.pid)
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"mnt", "uts", "ipc", "net", "pid", "cgroup"} {
		if got[kind] != want[kind] || want[kind] == 0 {
			t.Errorf("%s namespace: spawned %d, container %d", kind, got[kind], want[kind])
		}
	}
	unix.Kill(res.pid, unix.SIGKILL) // ours, by PID
}

// A PID whose start time does not match is not the container any more:
// Join refuses before it changes anything.
func TestJoinWrongProcess(t *testing.T) {
	done := make(chan error)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread() // safe: Join failed before setns
		done <- ns.Join(os.Getpid(), 1)
	}()
	if err := <-done; err == nil || !strings.Contains(err.Error(), "has exited") {
		t.Errorf("Join with a wrong start time: %v", err)
	}
	go func() { done <- ns.Join(1<<22+1, 1) }()
	if err := <-done; !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Join of a missing PID: %v", err)
	}
}

// The sealed copy holds this binary, and nobody can write to it.
func TestSealedExe(t *testing.T) {
	f, err := ns.SealedExe()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	self, err := os.ReadFile("/proc/self/exe")
	if err != nil {
		t.Fatal(err)
	}
	copied, err := os.ReadFile("/proc/self/fd/" + strconv.Itoa(int(f.Fd())))
	if err != nil || !bytes.Equal(copied, self) {
		t.Fatalf("the sealed copy differs from /proc/self/exe (%v)", err)
	}
	if _, err := f.WriteAt([]byte("pwned"), 0); !errors.Is(err, unix.EPERM) {
		t.Errorf("write to the sealed copy: %v, want EPERM", err)
	}
	w, err := os.OpenFile("/proc/self/fd/"+strconv.Itoa(int(f.Fd())), os.O_WRONLY, 0)
	if err == nil {
		_, err = w.Write([]byte("pwned"))
		w.Close()
	}
	if !errors.Is(err, unix.EPERM) {
		t.Errorf("write through a reopened path: %v, want EPERM", err)
	}
}

func startTime(t *testing.T, pid int) uint64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Error(err)
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	n, _ := strconv.ParseUint(f[19], 10, 64)
	return n
}
