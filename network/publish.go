package network

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Port is one published port (`-p`): connections to HostIP:HostPort on the
// host are sent on to ContainerPort in the container by a DNAT rule.
//
// HostIP is the zero netip.Addr for "every address of the host" (docker's
// 0.0.0.0). HostPort 0 means "choose a free one" until Allocate has chosen.
type Port struct {
	HostIP        netip.Addr `json:"host_ip,omitzero"`
	HostPort      uint16     `json:"host_port"`
	ContainerPort uint16     `json:"container_port"`
	Protocol      string     `json:"protocol"` // "tcp" or "udp"
}

// String gives the port back in -p's syntax, as `minictr port` prints it:
// 127.0.0.1:18080:8080/tcp, or 8080:80/udp when HostIP is every address;
// before Allocate has chosen a host port, 53/udp or 127.0.0.1::80/tcp.
func (p Port) String() string {
	host := ""
	if p.HostPort != 0 {
		host = fmt.Sprint(p.HostPort) + ":"
	}
	if p.HostIP.IsValid() {
		host = p.HostIP.String() + ":" + host
		if p.HostPort == 0 {
			host += ":"
		}
	}
	return fmt.Sprintf("%s%d/%s", host, p.ContainerPort, p.Protocol)
}

// ParsePublish parses docker's -p syntax for one port:
//
//	CTRPORT[/PROTO]                      a free host port on every address
//	HOSTPORT:CTRPORT[/PROTO]             every address of the host
//	IP:HOSTPORT:CTRPORT[/PROTO]          one address of the host
//	IP::CTRPORT[/PROTO]                  a free host port on one address
//
// PROTO is tcp (the default) or udp. Only IPv4 is supported, because the
// bridge is IPv4-only; docker's port ranges (8000-8010:80) are refused.
func ParsePublish(s string) (Port, error) {
	p := Port{Protocol: "tcp"}
	spec, proto, hasProto := strings.Cut(s, "/")
	if hasProto {
		if proto != "tcp" && proto != "udp" {
			return Port{}, fmt.Errorf("publish %q: protocol %q is neither tcp nor udp", s, proto)
		}
		p.Protocol = proto
	}
	parts := strings.Split(spec, ":")
	var hostIP, hostPort, ctrPort string
	switch len(parts) {
	case 1:
		ctrPort = parts[0]
	case 2:
		hostPort, ctrPort = parts[0], parts[1]
	case 3:
		hostIP, hostPort, ctrPort = parts[0], parts[1], parts[2]
	default:
		return Port{}, fmt.Errorf("publish %q: want [IP:]HOSTPORT:CTRPORT[/tcp|/udp] or CTRPORT", s)
	}
	var err error
	if p.ContainerPort, err = parsePortNumber(s, "container port", ctrPort, false); err != nil {
		return Port{}, err
	}
	if p.HostPort, err = parsePortNumber(s, "host port", hostPort, true); err != nil {
		return Port{}, err
	}
	if hostIP != "" {
		ip, err := netip.ParseAddr(hostIP)
		if err != nil || !ip.Is4() {
			return Port{}, fmt.Errorf("publish %q: host address %q is not an IPv4 address", s, hostIP)
		}
		if !ip.IsUnspecified() { // 0.0.0.0 is "every address", as docker reads it
			p.HostIP = ip
		}
	}
	return p, nil
}

// parsePortNumber reads one port number of the -p string s; empty is 0
// ("choose one") where emptyOK.
func parsePortNumber(s, what, v string, emptyOK bool) (uint16, error) {
	if v == "" && emptyOK {
		return 0, nil
	}
	if strings.Contains(v, "-") {
		return 0, fmt.Errorf("publish %q: port ranges are not supported", s)
	}
	n, err := strconv.ParseUint(v, 10, 16)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("publish %q: %s %q is not a number from 1 to 65535", s, what, v)
	}
	return uint16(n), nil
}

// conflicts reports whether p and q claim the same host port: same protocol
// and number, and their addresses overlap (either is "every address", or
// they are the same address).
func (p Port) conflicts(q Port) bool {
	if p.Protocol != q.Protocol || p.HostPort != q.HostPort {
		return false
	}
	return !p.HostIP.IsValid() || !q.HostIP.IsValid() || p.HostIP == q.HostIP
}
