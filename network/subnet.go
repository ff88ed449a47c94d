package network

import (
	"fmt"
	"net"
	"net/netip"
)

// DefaultSubnet is the bridge's subnet unless configured otherwise.
//
// It must not collide with the networks a student's machine already has,
// or packets meant for them would go into the bridge instead:
//
//   - docker: 172.17.0.0/16 for docker0, then 172.18-31.0.0/16 and
//     192.168.0.0/16 (in /20s) for the networks it creates;
//   - podman: 10.88.0.0/16;
//   - VirtualBox/Vagrant NAT: 10.0.2.0/24 (the workshop VM's own uplink);
//   - Kubernetes: services 10.96.0.0/12, flannel 10.244.0.0/16, k3s
//     10.42-43.0.0/16, weave 10.32.0.0/12; libvirt 192.168.122.0/24.
//
// 10.77.0.0/16 is in none of them. A host may still route it (a VPN, a
// corporate LAN): CheckOverlap refuses the subnet then, and the error says
// to configure another one.
var DefaultSubnet = netip.MustParsePrefix("10.77.0.0/16")

// DefaultBridge is the name of the bridge device minictr creates.
const DefaultBridge = "minictr0"

// Config is the network's shape: the bridge's name and its subnet. The
// bridge gets the subnet's first address (the gateway); containers get the
// following ones.
type Config struct {
	Bridge string       `json:"bridge"`
	Subnet netip.Prefix `json:"subnet"`
}

// DefaultConfig is minictr0 on DefaultSubnet.
func DefaultConfig() Config {
	return Config{Bridge: DefaultBridge, Subnet: DefaultSubnet}
}

// Validate checks the config's own shape (not the host's routes: see
// CheckOverlap): an IPv4 network address with room for a gateway and at
// least one container, and a bridge name the kernel accepts (IFNAMSIZ).
func (c Config) Validate() error {
	s := c.Subnet
	if !s.IsValid() || !s.Addr().Is4() {
		return fmt.Errorf("subnet %v: not an IPv4 prefix", s)
	}
	if s.Masked() != s {
		return fmt.Errorf("subnet %v: host bits set (the network is %v)", s, s.Masked())
	}
	if s.Bits() > 30 {
		return fmt.Errorf("subnet %v: too small, it needs a gateway and a container (at most /30)", s)
	}
	if c.Bridge == "" || len(c.Bridge) > 15 {
		return fmt.Errorf("bridge name %q: must be 1 to 15 characters", c.Bridge)
	}
	return nil
}

// Gateway is the bridge's address: the subnet's first host address.
func (c Config) Gateway() netip.Addr {
	return c.Subnet.Addr().Next()
}

// Route is what CheckOverlap needs to know of one route of the host.
type Route struct {
	Dst netip.Prefix // the zero Prefix for the default route
	Dev string
}

// CheckOverlap refuses a subnet that overlaps a route the host already has,
// other than the default route and routes through the bridge itself (which
// minictr made). Two routes to one address would make the kernel pick the
// more specific one: a container's reply to a host on that LAN could go
// into the bridge, or the bridge's traffic out to the LAN.
func CheckOverlap(c Config, routes []Route) error {
	for _, r := range routes {
		if !r.Dst.IsValid() || r.Dst.Bits() == 0 || r.Dev == c.Bridge || !r.Dst.Addr().Is4() {
			continue
		}
		if r.Dst.Overlaps(c.Subnet) {
			return fmt.Errorf("subnet %v overlaps the host's route to %v on %s: choose another subnet for the bridge", c.Subnet, r.Dst, r.Dev)
		}
	}
	return nil
}

// hosts yields the subnet's container addresses in order: after the
// gateway, before the broadcast address.
func (c Config) hosts(yield func(netip.Addr) bool) {
	last := lastAddr(c.Subnet)
	for a := c.Gateway().Next(); a.IsValid() && a.Less(last); a = a.Next() {
		if !yield(a) {
			return
		}
	}
}

// lastAddr is a prefix's last (broadcast) address.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().As4()
	for i := p.Bits(); i < 32; i++ {
		b[i/8] |= 1 << (7 - i%8)
	}
	return netip.AddrFrom4(b)
}

// MAC derives a container's MAC address from its IPv4 address, as docker
// does (02:42:ac:11:00:02 for 172.17.0.2): 02 sets the "locally
// administered" bit and clears the multicast one, the 0x6d ('m') marks
// minictr, and the last four bytes are the address, so two containers never
// share one and an ARP table is readable.
func MAC(ip netip.Addr) net.HardwareAddr {
	b := ip.As4()
	return net.HardwareAddr{0x02, 0x6d, b[0], b[1], b[2], b[3]}
}
