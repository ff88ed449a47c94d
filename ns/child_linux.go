package ns

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// The child's ends of the config pipe and the sync pipe, picked up from the
// environment before main runs (see init below). nil when this process was
// not started by Start.
var childConfig, childSync *os.File

// init runs in every process that imports ns, before main. In the child of
// Start it finds fds 3 and 4, and marks them close-on-exec at once: os/exec
// had to clear that flag to pass them on, and they must not leak into the
// container's command (the parent would never see end-of-file on the sync
// pipe) nor into anything init starts. It also removes the two variables, so
// the container's environment does not carry them.
func init() {
	childConfig = inheritedFile(envConfigFD, "config-pipe")
	childSync = inheritedFile(envSyncFD, "sync-pipe")
}

func inheritedFile(env, name string) *os.File {
	s, ok := os.LookupEnv(env)
	if !ok {
		return nil
	}
	os.Unsetenv(env)
	fd, err := strconv.Atoi(s)
	if err != nil || fd < 3 {
		return nil
	}
	unix.CloseOnExec(fd)
	return os.NewFile(uintptr(fd), name)
}

var errNotStarted = errors.New("not started by ns.Start: no " + envSyncFD + " in the environment")

// ReadConfig decodes the parent's StartConfig.Config into v. Call it first in
// the child, exactly once: the parent is blocked in Start until it is read.
func ReadConfig(v any) error {
	if childConfig == nil {
		return fmt.Errorf("read init config: %w", errNotStarted)
	}
	defer func() { childConfig.Close(); childConfig = nil }()
	b, err := io.ReadAll(childConfig)
	if err != nil {
		return fmt.Errorf("read init config: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode init config: %w", err)
	}
	return nil
}

// WaitContinue blocks until the parent calls Proc.Continue. Call it right
// after ReadConfig, before any mount: by then a cgroup v1 parent has moved
// this process into its cgroup, so what follows is accounted there.
//
// If the parent asks for it, WaitContinue then creates the cgroup namespace
// with unshare(CLONE_NEWCGROUP): a cgroup namespace's root is the cgroup its
// creator is in at that moment, so it has to be made after the move.
// unshare acts on the calling thread only, which is why init must call
// runtime.LockOSThread first and exec from that same thread.
func WaitContinue() error {
	if childSync == nil {
		return fmt.Errorf("wait for parent: %w", errNotStarted)
	}
	m, err := recv(childSync, 0)
	if errors.Is(err, io.EOF) {
		return errors.New("wait for parent: sync pipe closed before continue")
	}
	if err != nil {
		return fmt.Errorf("wait for parent: %w", err)
	}
	if m.Type != "continue" {
		return fmt.Errorf("wait for parent: unexpected message %q", m.Type)
	}
	if m.UnshareCgroup {
		trace("unshare", "CLONE_NEWCGROUP")
		if err := unix.Unshare(unix.CLONE_NEWCGROUP); err != nil {
			return fmt.Errorf("unshare CLONE_NEWCGROUP: %w", err)
		}
	}
	return nil
}

// ReportError sends err to the parent as a *ChildError and returns the exit
// code the child should now exit with: `os.Exit(ns.ReportError("mount", err, 125))`.
// If err is (or wraps) a *ChildError, as Exec's errors are, its stage and code
// are kept. Without a sync pipe (not started by Start) the error goes to stderr.
func ReportError(stage string, err error, code int) int {
	var ce *ChildError
	if !errors.As(err, &ce) {
		ce = &ChildError{Stage: stage, Msg: err.Error(), Code: code}
	}
	if childSync == nil || send(childSync, message{Type: "error", Error: ce}) != nil {
		fmt.Fprintln(os.Stderr, ce.Error())
	}
	return ce.Code
}
