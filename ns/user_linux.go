package ns

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// SetUser switches the calling process to u, in the one order that works:
//
//  1. setgroups(2) first: replacing the supplementary groups needs
//     CAP_SETGID, and without this call the command would keep root's
//     groups from the host.
//  2. setgid(2) next, also while we are still root.
//  3. setuid(2) last: once the uid is not 0 the capabilities are gone, and a
//     setgid after it would fail -- or, if its error were ignored, leave the
//     process running with gid 0.
//
// Go's setuid and setgid apply to every thread of the process; x/sys's
// setgroups applies to the calling thread, which is the locked thread that
// will exec (see Exec), so the command gets all three.
func SetUser(u User) error {
	trace("setgroups", u.Groups)
	if err := unix.Setgroups(u.Groups); err != nil {
		return fmt.Errorf("setgroups %v: %w", u.Groups, err)
	}
	trace("setgid", u.GID)
	if err := unix.Setgid(u.GID); err != nil {
		return fmt.Errorf("setgid %d: %w", u.GID, err)
	}
	trace("setuid", u.UID)
	if err := unix.Setuid(u.UID); err != nil {
		return fmt.Errorf("setuid %d: %w", u.UID, err)
	}
	return nil
}
