package network

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"

	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"
)

// Rule is one nftables rule as a plain value: the chain it goes in, the
// comment that tags it as minictr's, its text in nft(8) syntax (what
// `nft list ruleset` shows, and what docs/11-network.md explains) and the
// expressions the kernel runs -- the bytecode of nftables' small virtual
// machine: load a packet field into a register, compare, then a verdict.
type Rule struct {
	Chain   string
	Comment string
	Text    string
	Exprs   []expr.Any
}

// Chains of minictr's own table (`table ip minictr`).
const (
	tableName       = "minictr"
	chainForward    = "forward"     // filter, hook forward
	chainPrerouting = "prerouting"  // nat, hook prerouting: published ports from outside
	chainOutput     = "output"      // nat, hook output: published ports from the host itself
	chainPorts      = "ports"       // regular chain: one DNAT rule per published port
	chainPost       = "postrouting" // nat, hook postrouting: masquerade
)

// Chain of another table that minictr inserts into (see firewall_linux.go).
const (
	filterTable        = "filter"
	filterForwardChain = "FORWARD"
)

// Comments: "minictr: ..." for the bridge's own rules, "minictr container
// ID" for a container's published ports. They are the only way minictr
// recognizes its rules, so it lists and deletes exactly those.
const (
	bridgeTag    = "minictr: "
	containerTag = "minictr container "
)

func containerComment(id string) string { return containerTag + id }

// builder collects the expressions of one rule and their nft text side by
// side, so that the text can never drift from what the kernel runs.
type builder struct {
	text  []string
	exprs []expr.Any
}

func (b *builder) add(text string, e ...expr.Any) *builder {
	b.text = append(b.text, text)
	b.exprs = append(b.exprs, e...)
	return b
}

// ifname compares an interface name as iptables-nft does (the name and
// its NUL), so that `iptables -S` can read the rules minictr puts in
// iptables' own chains.
func (b *builder) ifname(key expr.MetaKey, word, name string, op expr.CmpOp) *builder {
	not := ""
	if op == expr.CmpOpNeq {
		not = "!= "
	}
	return b.add(fmt.Sprintf("%s %s%q", word, not, name),
		&expr.Meta{Key: key, Register: 1},
		&expr.Cmp{Op: op, Register: 1, Data: append([]byte(name), 0)})
}

func (b *builder) iif(name string, op expr.CmpOp) *builder {
	return b.ifname(expr.MetaKeyIIFNAME, "iifname", name, op)
}

func (b *builder) oif(name string, op expr.CmpOp) *builder {
	return b.ifname(expr.MetaKeyOIFNAME, "oifname", name, op)
}

// ipPrefix matches the IPv4 source (offset 12) or destination (16) address
// against a prefix: load 4 bytes of the header, AND the mask, compare.
func (b *builder) ipPrefix(word string, offset uint32, p netip.Prefix) *builder {
	mask := netmask(p.Bits())
	net := p.Masked().Addr().As4()
	text := fmt.Sprintf("ip %s %v", word, p)
	if p.Bits() == 32 {
		text = fmt.Sprintf("ip %s %v", word, p.Addr())
	}
	return b.add(text,
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: offset, Len: 4},
		&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4, Mask: mask[:], Xor: make([]byte, 4)},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: net[:]})
}

func netmask(bits int) [4]byte {
	var m [4]byte
	binary.BigEndian.PutUint32(m[:], ^uint32(0)<<(32-bits))
	if bits == 0 {
		m = [4]byte{}
	}
	return m
}

// dport matches the layer-4 protocol and destination port (offset 2 of
// both the TCP and the UDP header).
func (b *builder) dport(proto string, port uint16) *builder {
	num := byte(unix.IPPROTO_TCP)
	if proto == "udp" {
		num = unix.IPPROTO_UDP
	}
	return b.add(fmt.Sprintf("%s dport %d", proto, port),
		&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{num}},
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 2, Len: 2},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: be16(port)})
}

func be16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }

// ne32 is a 32-bit value in the host's byte order: conntrack state and
// status bits and fib's address type are kernel integers, not packet bytes.
func ne32(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }

// fibLocal matches packets whose destination is an address of this host
// ("fib daddr type local"): the kernel's own routing table answers, so the
// rule follows the host's addresses as they change.
func (b *builder) fibLocal() *builder {
	return b.add("fib daddr type local",
		&expr.Fib{Register: 1, FlagDADDR: true, ResultADDRTYPE: true},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: ne32(unix.RTN_LOCAL)})
}

// ctBits matches connection tracking's state or status bits: set (op Neq
// 0) or clear (op Eq 0).
func (b *builder) ctBits(text string, key expr.CtKey, bits uint32, op expr.CmpOp) *builder {
	return b.add(text,
		&expr.Ct{Register: 1, Key: key},
		&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4, Mask: ne32(bits), Xor: ne32(0)},
		&expr.Cmp{Op: op, Register: 1, Data: ne32(0)})
}

// ICMP "port unreachable" (RFC 792 code 3): for a TCP SYN the sender's
// kernel turns it into ECONNREFUSED at once, where a silent drop would
// leave it retrying for minutes.
const icmpPortUnreach = 3

// IPS_DST_NAT: conntrack's status bit for "this connection was DNAT'ed".
const ipsDstNAT = 1 << 5

// rule ends the builder with a counter (so `nft list ruleset` shows how
// many packets each rule saw) and the verdict.
func (b *builder) rule(chain, comment, verdict string, v ...expr.Any) Rule {
	b.add("counter", &expr.Counter{})
	b.add(verdict, v...)
	text := strings.Join(b.text, " ") + fmt.Sprintf(" comment %q", comment)
	return Rule{Chain: chain, Comment: comment, Text: text, Exprs: b.exprs}
}

func accept() expr.Any { return &expr.Verdict{Kind: expr.VerdictAccept} }
