package network

import (
	"fmt"
	"net"

	"github.com/minictr/minictr/ns"
	"github.com/vishvananda/netlink"
)

// ConfigureInside is the child's half of attaching: it runs in the
// re-exec'd `minictr init`, which was born in the container's network
// namespace, so every netlink socket it opens talks to that namespace and
// no thread has to setns(2) anywhere (containernetworking's pkg/ns explains
// how easily a Go program gets that wrong). It must run after the host's
// Connect (the parent's Continue tells it so):
//
//	ip link set mpXXXXXXXX name eth0
//	ip link set eth0 address 02:6d:0a:4d:00:02
//	ip addr add 10.77.0.2/16 dev eth0
//	ip link set eth0 up; ip link set lo up
//	ip route add default via 10.77.0.1 dev eth0
func ConfigureInside(ep Endpoint) error {
	link, err := netlink.LinkByName(ep.PeerName)
	if err != nil {
		return fmt.Errorf("find link %s: %w", ep.PeerName, err)
	}
	if err := netlink.LinkSetName(link, InsideName); err != nil { // renaming needs the link down: it is
		return fmt.Errorf("rename link %s to %s: %w", ep.PeerName, InsideName, err)
	}
	mac, err := net.ParseMAC(ep.MAC)
	if err != nil {
		return fmt.Errorf("endpoint of %s: %w", ep.ContainerID, err)
	}
	if err := netlink.LinkSetHardwareAddr(link, mac); err != nil {
		return fmt.Errorf("set address %s of %s: %w", mac, InsideName, err)
	}
	addr := &net.IPNet{IP: ep.IP.AsSlice(), Mask: net.CIDRMask(ep.PrefixLen, 32)}
	if err := netlink.AddrAdd(link, &netlink.Addr{IPNet: addr}); err != nil {
		return fmt.Errorf("add address %v to %s: %w", addr, InsideName, err)
	}
	if err := netlink.LinkSetUp(link); err != nil {
		return fmt.Errorf("set link %s up: %w", InsideName, err)
	}
	if err := ns.LoopbackUp(); err != nil {
		return err
	}
	// The default route: everything not on the subnet goes to the
	// gateway, the bridge's address on the host.
	route := &netlink.Route{LinkIndex: link.Attrs().Index, Gw: ep.Gateway.AsSlice()}
	if err := netlink.RouteAdd(route); err != nil {
		return fmt.Errorf("add default route via %v dev %s: %w", ep.Gateway, InsideName, err)
	}
	return nil
}
