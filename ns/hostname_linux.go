package ns

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// SetHostname sets the hostname of the UTS namespace this process is in.
// Called in the child after clone(CLONE_NEWUTS), it changes only the
// container's name: the new namespace started as a copy of the host's
// hostname and domainname, and from now on the two are separate
// (uts_namespaces(7), sethostname(2)). Without a new UTS namespace this
// would rename the host -- which is why `--uts host` must skip it.
func SetHostname(name string) error {
	trace("sethostname", name)
	if err := unix.Sethostname([]byte(name)); err != nil {
		return fmt.Errorf("sethostname %q: %w", name, err)
	}
	return nil
}
