package mount

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// Apply makes the mount(2) call m describes. It is the one place in
// minictr that calls mount(2), so --debug sees every mount (through Trace)
// and every failure reads the same way:
//
//	mount overlay on /var/lib/minictr/containers/c1/rootfs: invalid argument
//
// When m.Dir is set (an overlay whose lowerdir uses short relative links),
// Apply chdirs into m.Dir for the call and back afterwards. The working
// directory belongs to the whole process, not to one goroutine, so Apply
// must not run concurrently with code that uses relative paths; the
// container's init runs its set-up steps one after another, so that holds.
func (m Mount) Apply() error {
	if m.Dir == "" {
		return m.mount()
	}
	return m.mountIn()
}

func (m Mount) mount() error {
	var data any = null{}
	if m.Data != "" {
		data = m.Data
	}
	trace("mount", m.Source, m.Target, m.FSType, MountFlags(m.Flags), data)
	err := unix.Mount(m.Source, m.Target, m.FSType, m.Flags, m.Data)
	switch {
	case err == nil:
		return nil
	case m.FSType == "overlay" && errors.Is(err, unix.EINVAL):
		// mount(2) has only errno to say what went wrong; overlayfs writes
		// the real reason ("upper fs does not support tmpfile", "workdir
		// and upperdir must reside under the same mount") to the kernel log.
		return fmt.Errorf("%s: %w (overlayfs logs the reason: dmesg | tail)", m.describe(), err)
	default:
		return fmt.Errorf("%s: %w", m.describe(), err)
	}
}

// mountIn runs m.mount with m.Dir as the working directory, then returns to
// the directory it came from through a file descriptor, which works even if
// that directory's path is no longer reachable.
func (m Mount) mountIn() (err error) {
	back, err := unix.Open(".", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: ".", Err: err}
	}
	defer unix.Close(back)
	trace("chdir", m.Dir)
	if err := unix.Chdir(m.Dir); err != nil {
		return &os.PathError{Op: "chdir", Path: m.Dir, Err: err}
	}
	defer func() {
		trace("fchdir", back)
		if e := unix.Fchdir(back); e != nil && err == nil {
			err = fmt.Errorf("chdir back after %s: %w", m.describe(), e)
		}
	}()
	return m.mount()
}

// Unmount detaches the mount at target with umount2(target, MNT_DETACH):
// the mount disappears from the tree at once and the kernel frees it when
// the last file open on it is closed, so a busy mount never blocks clean-up.
func Unmount(target string) error {
	trace("umount2", target, "MNT_DETACH")
	if err := unix.Unmount(target, unix.MNT_DETACH); err != nil {
		return &os.PathError{Op: "umount", Path: target, Err: err}
	}
	return nil
}
