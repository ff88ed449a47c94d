package network

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/nftables/expr"
)

func TestBridgeRulesText(t *testing.T) {
	want := []string{
		`forward: oifname "minictr0" iifname != "minictr0" ct state new ct status ! dnat counter reject comment "minictr: only published ports into minictr0"`,
		`prerouting: fib daddr type local counter jump ports comment "minictr: published ports"`,
		`output: fib daddr type local counter jump ports comment "minictr: published ports from the host"`,
		`postrouting: ip saddr 10.77.0.0/16 oifname != "minictr0" counter masquerade comment "minictr: containers' way out of 10.77.0.0/16"`,
		`postrouting: oifname "minictr0" ip saddr 127.0.0.0/8 counter masquerade comment "minictr: host's 127.0.0.1 to a published port"`,
		`postrouting: ip saddr 10.77.0.0/16 oifname "minictr0" ct status dnat counter masquerade comment "minictr: hairpin in 10.77.0.0/16"`,
	}
	got := BridgeRules(DefaultConfig())
	if len(got) != len(want) {
		t.Fatalf("%d rules, want %d", len(got), len(want))
	}
	for i, r := range got {
		if s := r.Chain + ": " + r.Text; s != want[i] {
			t.Errorf("rule %d:\n got %s\nwant %s", i, s, want[i])
		}
		if !strings.HasPrefix(r.Comment, bridgeTag) {
			t.Errorf("rule %d: comment %q is not tagged %q", i, r.Comment, bridgeTag)
		}
	}
}

func TestPortRules(t *testing.T) {
	ports := []Port{
		{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: 18080, ContainerPort: 8080, Protocol: "tcp"},
		{HostPort: 5353, ContainerPort: 53, Protocol: "udp"},
	}
	rules := PortRules("c1", netip.MustParseAddr("10.77.0.2"), ports)
	want := []string{
		`ip daddr 127.0.0.1 tcp dport 18080 counter dnat to 10.77.0.2:8080 comment "minictr container c1"`,
		`udp dport 5353 counter dnat to 10.77.0.2:53 comment "minictr container c1"`,
	}
	for i, r := range rules {
		if r.Text != want[i] || r.Chain != chainPorts {
			t.Errorf("rule %d: %s: %s, want ports: %s", i, r.Chain, r.Text, want[i])
		}
	}
	// The bytes the kernel compares: the address and the port in network
	// byte order, the protocol number, and the NAT registers.
	e := rules[0].Exprs
	if c := e[2].(*expr.Cmp); string(c.Data) != "\x7f\x00\x00\x01" {
		t.Errorf("daddr compares %x", c.Data)
	}
	if c := e[4].(*expr.Cmp); c.Data[0] != 6 {
		t.Errorf("l4proto compares %x, want 6 (tcp)", c.Data)
	}
	if c := e[6].(*expr.Cmp); string(c.Data) != "\x46\xa0" { // 18080
		t.Errorf("dport compares %x", c.Data)
	}
	if im := e[8].(*expr.Immediate); string(im.Data) != "\x0a\x4d\x00\x02" {
		t.Errorf("dnat address %x", im.Data)
	}
	if im := e[9].(*expr.Immediate); string(im.Data) != "\x1f\x90" { // 8080
		t.Errorf("dnat port %x", im.Data)
	}
	if n := e[10].(*expr.NAT); n.Type != expr.NATTypeDestNAT || n.RegAddrMin != 1 || n.RegProtoMin != 2 {
		t.Errorf("nat %+v", n)
	}
	if c := rules[1].Exprs[1].(*expr.Cmp); c.Data[0] != 17 {
		t.Errorf("udp rule compares l4proto %x, want 17", c.Data)
	}
}

func TestFilterAccepts(t *testing.T) {
	got := FilterAccepts(DefaultConfig())
	want := []string{
		`iifname "minictr0" counter accept comment "minictr: accept from minictr0"`,
		`oifname "minictr0" counter accept comment "minictr: accept to minictr0"`,
	}
	for i, r := range got {
		if r.Text != want[i] || r.Chain != filterForwardChain {
			t.Errorf("rule %d: %s %s", i, r.Chain, r.Text)
		}
		// iptables-nft's own form of -i/-o: the name and one NUL
		if c := r.Exprs[1].(*expr.Cmp); string(c.Data) != "minictr0\x00" {
			t.Errorf("rule %d compares %q", i, c.Data)
		}
	}
}

func TestNetmask(t *testing.T) {
	for bits, want := range map[int]string{0: "\x00\x00\x00\x00", 8: "\xff\x00\x00\x00", 16: "\xff\xff\x00\x00", 32: "\xff\xff\xff\xff"} {
		if m := netmask(bits); string(m[:]) != want {
			t.Errorf("netmask(%d) = %x", bits, m)
		}
	}
}
