package ns

import (
	"fmt"

	"github.com/vishvananda/netlink"
)

// LoopbackUp brings up "lo" in the network namespace this process is in.
//
// A new network namespace (network_namespaces(7)) starts with exactly one
// device, the loopback, and it is DOWN: even 127.0.0.1 is unreachable until
// someone sets it up. This is `ip link set lo up`, done the way ip(8) does
// it, with an RTM_NEWLINK message over a netlink socket (rtnetlink(7)) that
// sets IFF_UP. The netlink socket belongs to the namespace of the thread
// that opens it; the child's every thread was born in the new namespace, so
// any thread will do.
func LoopbackUp() error {
	lo, err := netlink.LinkByName("lo")
	if err != nil {
		return fmt.Errorf("find link lo: %w", err)
	}
	trace("netlink", "RTM_NEWLINK", "lo", "IFF_UP")
	if err := netlink.LinkSetUp(lo); err != nil {
		return fmt.Errorf("set link lo up: %w", err)
	}
	return nil
}
