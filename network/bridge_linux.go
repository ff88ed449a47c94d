package network

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// A Linux bridge (ip-link(8) "type bridge") is a virtual switch inside the
// kernel: frames that arrive on one of its ports go out of the port that
// has the destination MAC, as on a hardware switch. Each container's host
// veth end is a port. The bridge is also an interface of the host with an
// address of its own, the gateway: packets for anywhere else leave the
// switch into the host's routing, where NAT and forwarding happen.

// hostRoutes lists the host's IPv4 routes of the main table as CheckOverlap
// wants them (RTM_GETROUTE, rtnetlink(7)).
func hostRoutes() ([]Route, error) {
	rs, err := netlink.RouteList(nil, netlink.FAMILY_V4)
	if err != nil {
		return nil, fmt.Errorf("list routes: %w", err)
	}
	var out []Route
	for _, r := range rs {
		var rt Route
		if r.Dst != nil {
			a, _ := netip.AddrFromSlice(r.Dst.IP.To4())
			ones, _ := r.Dst.Mask.Size()
			rt.Dst = netip.PrefixFrom(a, ones)
		}
		if l, err := netlink.LinkByIndex(r.LinkIndex); err == nil {
			rt.Dev = l.Attrs().Name
		}
		out = append(out, rt)
	}
	return out, nil
}

// ensureBridge creates the bridge with the gateway address if it is not
// there (`ip link add minictr0 type bridge; ip addr add 10.77.0.1/16 dev
// minictr0; ip link set minictr0 up`) and turns on what the host must do
// for it: forward packets between interfaces, and accept 127.0.0.1 as a
// source on the bridge. The caller holds the store lock.
func ensureBridge(c Config) error {
	link, err := netlink.LinkByName(c.Bridge)
	if _, ok := err.(netlink.LinkNotFoundError); ok {
		la := netlink.NewLinkAttrs()
		la.Name = c.Bridge
		// A bridge without an address of its own takes the lowest MAC of
		// its ports, and changes it when that port goes: every container's
		// ARP entry for the gateway would turn stale. A fixed one (as
		// docker sets on docker0) never changes.
		la.HardwareAddr = MAC(c.Gateway())
		if err := netlink.LinkAdd(&netlink.Bridge{LinkAttrs: la}); err != nil {
			return fmt.Errorf("add bridge %s: %w", c.Bridge, err)
		}
		link, err = netlink.LinkByName(c.Bridge)
	}
	if err != nil {
		return fmt.Errorf("find link %s: %w", c.Bridge, err)
	}
	if link.Type() != "bridge" {
		return fmt.Errorf("link %s is a %s, not a bridge", c.Bridge, link.Type())
	}
	gw := &net.IPNet{IP: c.Gateway().AsSlice(), Mask: net.CIDRMask(c.Subnet.Bits(), 32)}
	err = netlink.AddrAdd(link, &netlink.Addr{IPNet: gw})
	if err != nil && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("add address %v to %s: %w", gw, c.Bridge, err)
	}
	if err := netlink.LinkSetUp(link); err != nil {
		return fmt.Errorf("set link %s up: %w", c.Bridge, err)
	}
	// ip_forward: without it the host drops every packet not addressed to
	// itself, and no container gets out. route_localnet: without it the
	// kernel refuses to route a packet whose source is 127.0.0.1 out of a
	// real interface ("martian source"), which is what the host's own
	// `curl 127.0.0.1:PORT` becomes after the DNAT to a container.
	if err := sysctl("/proc/sys/net/ipv4/ip_forward", "1"); err != nil {
		return err
	}
	return sysctl("/proc/sys/net/ipv4/conf/"+c.Bridge+"/route_localnet", "1")
}

// sysctl writes value to a /proc/sys file unless it already holds it
// (writing ip_forward resets other per-interface settings).
func sysctl(path, value string) error {
	if b, err := os.ReadFile(path); err == nil && string(b) == value+"\n" {
		return nil
	}
	if err := os.WriteFile(path, []byte(value), 0o644); err != nil {
		return fmt.Errorf("sysctl: %w", err)
	}
	return nil
}

// deleteLink deletes a link if it exists (RTM_DELLINK). Deleting one end
// of a veth pair deletes the other.
func deleteLink(name string) error {
	link, err := netlink.LinkByName(name)
	if _, ok := err.(netlink.LinkNotFoundError); ok {
		return nil
	}
	if err != nil {
		return fmt.Errorf("find link %s: %w", name, err)
	}
	if err := netlink.LinkDel(link); err != nil && !errors.Is(err, unix.ENODEV) {
		return fmt.Errorf("delete link %s: %w", name, err)
	}
	return nil
}

// addVeth creates the container's veth pair: the host end as a port of
// the bridge, up; the peer born directly in the network namespace of
// process pid (IFLA_NET_NS_PID in the peer's attributes: what `ip link set
// DEV netns PID` and netlink.LinkSetNsPid send, here in the same
// RTM_NEWLINK that creates it, so a failure leaves no half-moved peer on
// the host). The peer stays down with its temporary name until the child
// configures it (ConfigureInside).
func addVeth(ep Endpoint, pid int) error {
	br, err := netlink.LinkByName(ep.Bridge)
	if err != nil {
		return fmt.Errorf("find link %s: %w", ep.Bridge, err)
	}
	// The same container started again right after its last run ended
	// finds that run's veth (named after the container) still there while
	// the kernel tears down the old namespace: it goes now.
	if err := deleteLink(ep.HostVeth); err != nil {
		return err
	}
	la := netlink.NewLinkAttrs()
	la.Name = ep.HostVeth
	la.MasterIndex = br.Attrs().Index
	veth := &netlink.Veth{LinkAttrs: la, PeerName: ep.PeerName, PeerNamespace: netlink.NsPid(pid)}
	if err := netlink.LinkAdd(veth); err != nil {
		return fmt.Errorf("add veth %s (peer %s in %s): %w", ep.HostVeth, ep.PeerName, NetnsPath(pid), err)
	}
	if err := netlink.LinkSetUp(veth); err != nil {
		deleteLink(ep.HostVeth)
		return fmt.Errorf("set link %s up: %w", ep.HostVeth, err)
	}
	return nil
}
