package network

import (
	"fmt"
	"net/netip"

	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"
)

// BridgeRules are the rules of minictr's own table for the bridge of c,
// in order. They do not depend on any container:
//
//	forward:     refuse NEW connections from outside into the bridge unless
//	             a published port's DNAT sent them (a container is reached
//	             from outside only through -p, as with docker; containers on
//	             another bridge, docker0's say, are "outside" too). Replies
//	             and the host's own connections (output, not forward) pass.
//	prerouting,
//	output:      packets to one of the host's own addresses go through the
//	             "ports" chain, where each published port has a DNAT rule
//	postrouting: masquerade the subnet leaving by another interface (the
//	             containers' way out); masquerade 127.0.0.0/8 going into the
//	             bridge (the host's own `curl 127.0.0.1:PORT` after DNAT: a
//	             container cannot answer 127.0.0.1, that is itself); and
//	             masquerade connections DNAT'ed back into the bridge they
//	             came from (hairpin: a container using a published port of
//	             another one, whose reply would otherwise go straight back
//	             over the bridge without being un-DNAT'ed). This one matches
//	             the source subnet, not "iifname minictr0": the postrouting
//	             hook is not told the input interface (ip_output passes none)
func BridgeRules(c Config) []Rule {
	br, tag := c.Bridge, func(s string) string { return bridgeTag + s }
	reject := &expr.Reject{Type: unix.NFT_REJECT_ICMP_UNREACH, Code: icmpPortUnreach}
	return []Rule{
		new(builder).oif(br, expr.CmpOpEq).iif(br, expr.CmpOpNeq).
			ctBits("ct state new", expr.CtKeySTATE, expr.CtStateBitNEW, expr.CmpOpNeq).
			ctBits("ct status ! dnat", expr.CtKeySTATUS, ipsDstNAT, expr.CmpOpEq).
			rule(chainForward, tag("only published ports into "+br), "reject", reject),
		new(builder).fibLocal().
			rule(chainPrerouting, tag("published ports"), "jump "+chainPorts, &expr.Verdict{Kind: expr.VerdictJump, Chain: chainPorts}),
		new(builder).fibLocal().
			rule(chainOutput, tag("published ports from the host"), "jump "+chainPorts, &expr.Verdict{Kind: expr.VerdictJump, Chain: chainPorts}),
		new(builder).ipPrefix("saddr", 12, c.Subnet).oif(br, expr.CmpOpNeq).
			rule(chainPost, tag("containers' way out of "+c.Subnet.String()), "masquerade", &expr.Masq{}),
		new(builder).oif(br, expr.CmpOpEq).ipPrefix("saddr", 12, netip.MustParsePrefix("127.0.0.0/8")).
			rule(chainPost, tag("host's 127.0.0.1 to a published port"), "masquerade", &expr.Masq{}),
		new(builder).ipPrefix("saddr", 12, c.Subnet).oif(br, expr.CmpOpEq).
			ctBits("ct status dnat", expr.CtKeySTATUS, ipsDstNAT, expr.CmpOpNeq).
			rule(chainPost, tag("hairpin in "+c.Subnet.String()), "masquerade", &expr.Masq{}),
	}
}

// FilterAccepts are the rules minictr inserts at the top of iptables'
// `table ip filter` chain FORWARD when that chain exists (docker's, or an
// administrator's, often with policy DROP): traffic from and to the bridge
// is accepted there, and minictr's own forward chain decides what of it
// really passes. Only matches iptables-nft itself uses (iifname/oifname,
// counter, accept, a comment) are used, so `iptables -S FORWARD` still
// reads the chain.
func FilterAccepts(c Config) []Rule {
	br := c.Bridge
	return []Rule{
		new(builder).iif(br, expr.CmpOpEq).rule(filterForwardChain, bridgeTag+"accept from "+br, "accept", accept()),
		new(builder).oif(br, expr.CmpOpEq).rule(filterForwardChain, bridgeTag+"accept to "+br, "accept", accept()),
	}
}

// PortRules are the DNAT rules of one container's published ports, in the
// "ports" chain: packets to HostIP (any of the host's addresses when it is
// not set) and HostPort get the container's address and port as their new
// destination; conntrack remembers it and rewrites the replies back.
func PortRules(containerID string, ip netip.Addr, ports []Port) []Rule {
	var rules []Rule
	for _, p := range ports {
		b := new(builder)
		if p.HostIP.IsValid() {
			b.ipPrefix("daddr", 16, netip.PrefixFrom(p.HostIP, 32))
		}
		b.dport(p.Protocol, p.HostPort)
		to := netip.AddrPortFrom(ip, p.ContainerPort)
		a := ip.As4()
		rules = append(rules, b.rule(chainPorts, containerComment(containerID), fmt.Sprintf("dnat to %v", to),
			&expr.Immediate{Register: 1, Data: a[:]},
			&expr.Immediate{Register: 2, Data: be16(p.ContainerPort)},
			&expr.NAT{Type: expr.NATTypeDestNAT, Family: unix.NFPROTO_IPV4, RegAddrMin: 1, RegProtoMin: 2, Specified: true}))
	}
	return rules
}
