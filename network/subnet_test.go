package network

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		c   Config
		err string
	}{
		{DefaultConfig(), ""},
		{Config{Bridge: "br", Subnet: netip.MustParsePrefix("10.1.2.0/30")}, ""},
		{Config{Bridge: "br", Subnet: netip.MustParsePrefix("10.1.2.0/31")}, "too small"},
		{Config{Bridge: "br", Subnet: netip.MustParsePrefix("10.1.2.3/24")}, "host bits set"},
		{Config{Bridge: "br", Subnet: netip.MustParsePrefix("fd00::/64")}, "not an IPv4"},
		{Config{Bridge: "br"}, "not an IPv4"},
		{Config{Bridge: "a-very-long-bridge-name", Subnet: DefaultSubnet}, "1 to 15"},
	} {
		err := tc.c.Validate()
		if (tc.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.err) {
			t.Errorf("Validate(%+v) = %v, want %q", tc.c, err, tc.err)
		}
	}
}

func TestCheckOverlap(t *testing.T) {
	c := DefaultConfig()
	pfx := netip.MustParsePrefix
	for _, tc := range []struct {
		name   string
		routes []Route
		err    string
	}{
		{"docker, podman, vagrant, default route", []Route{
			{Dst: pfx("172.17.0.0/16"), Dev: "docker0"},
			{Dst: pfx("10.88.0.0/16"), Dev: "cni-podman0"},
			{Dst: pfx("10.0.2.0/24"), Dev: "eth0"},
			{Dev: "eth0"}, {Dst: pfx("0.0.0.0/0"), Dev: "eth0"},
		}, ""},
		{"our own bridge's route", []Route{{Dst: pfx("10.77.0.0/16"), Dev: "minictr0"}}, ""},
		{"a LAN inside the subnet", []Route{{Dst: pfx("10.77.3.0/24"), Dev: "eth1"}},
			"subnet 10.77.0.0/16 overlaps the host's route to 10.77.3.0/24 on eth1"},
		{"a VPN around the subnet", []Route{{Dst: pfx("10.0.0.0/8"), Dev: "tun0"}}, "10.0.0.0/8 on tun0"},
		{"IPv6 routes ignored", []Route{{Dst: pfx("::/0"), Dev: "eth0"}, {Dst: pfx("fe80::/64"), Dev: "eth0"}}, ""},
	} {
		err := CheckOverlap(c, tc.routes)
		if (tc.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: CheckOverlap = %v, want %q", tc.name, err, tc.err)
		}
	}
}

func TestHostsAndGateway(t *testing.T) {
	c := Config{Bridge: "br", Subnet: netip.MustParsePrefix("10.1.2.0/29")}
	if g := c.Gateway(); g != netip.MustParseAddr("10.1.2.1") {
		t.Errorf("Gateway = %v", g)
	}
	var got []string
	for a := range c.hosts {
		got = append(got, a.String())
	}
	want := []string{"10.1.2.2", "10.1.2.3", "10.1.2.4", "10.1.2.5", "10.1.2.6"}
	if !slices.Equal(got, want) {
		t.Errorf("hosts = %v, want %v", got, want)
	}
	if m := MAC(netip.MustParseAddr("10.77.0.2")).String(); m != "02:6d:0a:4d:00:02" {
		t.Errorf("MAC = %s", m)
	}
}
