package cgroups

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// freezeTimeout bounds the wait for the kernel to report a group frozen
// or thawed. Freezing takes microseconds to milliseconds; a task stuck in
// an uninterruptible sleep (a hung NFS read, say) can hold it up for as
// long as it is stuck, and a commit should fail then rather than hang.
const freezeTimeout = 10 * time.Second

func (c *v2) Freeze() error { return setFrozen(c.dir, 2, true) }
func (c *v2) Thaw() error   { return setFrozen(c.dir, 2, false) }

func (c *v1) Freeze() error {
	dir, err := c.freezerDir()
	if err != nil {
		return err
	}
	return setFrozen(dir, 1, true)
}

func (c *v1) Thaw() error {
	dir, err := c.freezerDir()
	if err != nil {
		return err
	}
	return setFrozen(dir, 1, false)
}

// freezerDir is the group's directory in the v1 freezer hierarchy, which a
// host may not mount (or a group made by an older minictr may lack).
func (c *v1) freezerDir() (string, error) {
	dir, ok := c.paths["freezer"]
	if !ok {
		return "", fmt.Errorf("%w: cgroup v1 freezer: the group %s has no freezer directory (is the freezer hierarchy mounted?)",
			ErrControllerMissing, c.paths["memory"])
	}
	return dir, nil
}

// setFrozen writes the freeze (or thaw) request into the group dir and
// polls the status file until the kernel reports the state reached (see
// freeze.go). A v1 group stuck in FREEZING is asked again on every poll,
// as runc does: the v1 freezer retries the tasks it could not stop yet
// only when FROZEN is written again. If freezing times out, the group is
// thawed again, so that no half-frozen container is left behind.
func setFrozen(dir string, version int, frozen bool) error {
	file, value, status := freezeFile(version, frozen)
	op := map[bool]string{true: "freeze", false: "thaw"}[frozen]
	deadline := time.Now().Add(freezeTimeout)
	for delay := 100 * time.Microsecond; ; delay = min(2*delay, 20*time.Millisecond) {
		if err := writeFile(filepath.Join(dir, file), value); err != nil {
			return fmt.Errorf("%s cgroup: %w", op, err)
		}
		b, err := os.ReadFile(filepath.Join(dir, status))
		if err != nil {
			return fmt.Errorf("%s cgroup: %w", op, err)
		}
		if frozenIn(version, string(b), frozen) {
			return nil
		}
		if time.Now().After(deadline) {
			err := fmt.Errorf("%s cgroup %s: %s still reads %q after %v", op, dir, status,
				strings.Join(strings.Fields(string(b)), " "), freezeTimeout)
			if frozen {
				err = errors.Join(err, setFrozen(dir, version, false))
			}
			return err
		}
		time.Sleep(delay)
	}
}
