package network

import (
	"fmt"
	"net/netip"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/minictr/minictr/internal/testutil"
)

// Two containers on the bridge talk to each other by address, the host
// reaches a container, and a container reaches the gateway (the host's
// address on the bridge).
func TestBridgeTraffic(t *testing.T) {
	m := newManager(t)
	a, epA := attach(t, m, "ctr-a")
	b, epB := attach(t, m, "ctr-b")
	if epA.IP == epB.IP {
		t.Fatalf("both containers got %v", epA.IP)
	}
	b.must(t, "serve 7000")
	a.must(t, "serve 7000")

	if got, want := a.must(t, fmt.Sprintf("dial %v:7000", epB.IP)), "ping from "+epA.IP.String(); got != want {
		t.Errorf("a -> b: %q, want %q (no NAT between containers)", got, want)
	}
	got, err := ping(fmt.Sprintf("%v:7000", epA.IP))
	if want := "ping from " + m.cfg.Gateway().String(); err != nil || got != want {
		t.Errorf("host -> a: %q, %v; want %q", got, err, want)
	}
	serveHost(t, m.cfg.Gateway().String()+":7001")
	if got, want := b.must(t, fmt.Sprintf("dial %v:7001", epB.Gateway)), "ping from "+epB.IP.String(); got != want {
		t.Errorf("b -> gateway: %q, want %q", got, want)
	}
	if err := m.Detach("ctr-a"); err != nil {
		t.Fatal(err)
	}
	// The gateway's MAC does not follow the ports (b's ARP cache stays right).
	br, err := netlinkLink(m.cfg.Bridge)
	if err != nil {
		t.Fatal(err)
	}
	if got := br.Attrs().HardwareAddr.String(); got != MAC(m.cfg.Gateway()).String() {
		t.Errorf("bridge MAC after a port left: %v, want %v", got, MAC(m.cfg.Gateway()))
	}
	if err := m.Detach("ctr-b"); err != nil {
		t.Fatal(err)
	}
	checkNothingLeft(t, m)
}

// NAT: a container's connection to a machine outside arrives with the
// host's address as its source (the masquerade rule), and the container's
// own address is not reachable from outside (the forward chain's reject),
// while a published port is.
func TestMasqueradeAndPublish(t *testing.T) {
	m := newManager(t)
	out := outside(t)
	out.must(t, "serve 9000")
	lo := netip.MustParseAddr("127.0.0.1")
	c, ep := attach(t, m, "ctr-web",
		Port{HostIP: lo, HostPort: 18080, ContainerPort: 8080, Protocol: "tcp"},
		Port{ContainerPort: 8081, Protocol: "tcp"})
	c.must(t, "serve 8080")
	c.must(t, "serve 8081")
	free := ep.Ports[1].HostPort
	if free == 0 {
		t.Fatalf("no host port chosen for -p 8081: %+v", ep.Ports)
	}

	if got, want := c.must(t, "dial 198.51.100.2:9000"), "ping from 198.51.100.1"; got != want {
		t.Errorf("container -> outside: %q, want %q (masqueraded to the host's address)", got, want)
	}
	// From the host itself, on 127.0.0.1: DNAT in the output hook, and the
	// source masqueraded to the gateway (a container cannot answer 127.0.0.1).
	for _, p := range []uint16{18080, free} {
		got, err := ping(fmt.Sprintf("127.0.0.1:%d", p))
		if want := "ping from " + ep.Gateway.String(); err != nil || got != want {
			t.Errorf("host -> 127.0.0.1:%d: %q, %v; want %q", p, got, err, want)
		}
	}
	// From outside, on the host's address: DNAT in prerouting, the source
	// kept. 18080 is published on 127.0.0.1 only: nothing answers there.
	if got, want := out.must(t, fmt.Sprintf("dial 198.51.100.1:%d", free)), "ping from 198.51.100.2"; got != want {
		t.Errorf("outside -> host:%d: %q, want %q", free, got, want)
	}
	checkHairpin(t, m, ep.Gateway, free)
	if got, ok := out.do(t, "dial 198.51.100.1:18080"); ok || !strings.Contains(got, "connection refused") {
		t.Errorf("outside -> host:18080 (published on 127.0.0.1 only): %q, want connection refused", got)
	}
	// The container's own address from outside (whose default route is the
	// host): forwarded into the bridge, but refused by minictr's forward
	// chain, as it was not DNAT'ed.
	if got, ok := out.do(t, fmt.Sprintf("dial %v:8080", ep.IP)); ok || !strings.Contains(got, "connection refused") {
		t.Errorf("outside -> %v:8080 directly: %q, want connection refused", ep.IP, got)
	}
	if err := m.Detach("ctr-web"); err != nil {
		t.Fatal(err)
	}
	if _, err := ping("127.0.0.1:18080"); err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("after Detach, 127.0.0.1:18080: %v, want connection refused (the rule is gone)", err)
	}
	checkNothingLeft(t, m)
}

// -p PORT/udp: a datagram to the published port, from the host and from
// outside, reaches the container and the answer comes back.
func TestPublishUDP(t *testing.T) {
	m := newManager(t)
	out := outside(t)
	c, ep := attach(t, m, "ctr-dns", Port{ContainerPort: 53, Protocol: "udp"})
	c.must(t, "userve 53")
	port := ep.Ports[0].HostPort
	got, err := pingUDP(fmt.Sprintf("127.0.0.1:%d", port))
	if want := "ping from " + ep.Gateway.String(); err != nil || got != want {
		t.Errorf("host -> 127.0.0.1:%d/udp: %q, %v; want %q", port, got, err, want)
	}
	if got, want := out.must(t, fmt.Sprintf("udial 198.51.100.1:%d", port)), "ping from 198.51.100.2"; got != want {
		t.Errorf("outside -> host:%d/udp: %q, want %q", port, got, want)
	}
	if err := m.Detach("ctr-dns"); err != nil {
		t.Fatal(err)
	}
	checkNothingLeft(t, m)
}

// Connect into a process that is gone fails, and Attach gives back what
// Allocate took: no record, no veth, no rule.
func TestAttachDeadProcess(t *testing.T) {
	m := newManager(t)
	c := startChild(t)
	c.kill()
	_, err := m.Attach("ctr-gone", c.pid(), []Port{{HostPort: 18110, ContainerPort: 80, Protocol: "tcp"}}, nil)
	if err == nil || !strings.Contains(err.Error(), "add veth") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("Attach to a dead pid: %v, want one line about add veth", err)
	}
	checkNothingLeft(t, m)
}

// checkHairpin: another container uses a published port on the host's
// address; without the hairpin masquerade the answer would go straight
// back over the bridge from an address the client never called (unless
// br_netfilter is loaded, as on this machine: then conntrack sees bridged
// frames too and the test passes either way; the VM has no br_netfilter).
func checkHairpin(t *testing.T, m *Manager, gw netip.Addr, port uint16) {
	t.Helper()
	b, _ := attach(t, m, "ctr-client")
	if got, want := b.must(t, fmt.Sprintf("dial %v:%d", gw, port)), "ping from "+gw.String(); got != want {
		t.Errorf("container -> gateway:%d (hairpin): %q, want %q", port, got, want)
	}
	if err := m.Detach("ctr-client"); err != nil {
		t.Fatal(err)
	}
}

// ping(8), ICMP this time: busybox's, run in the container's namespace by
// nsenter (both busybox applets), to the other container and the gateway.
func TestICMPPing(t *testing.T) {
	m := newManager(t)
	bb := testutil.RequireTool(t, "busybox", "busybox-static")
	a, _ := attach(t, m, "ctr-ping-a")
	_, epB := attach(t, m, "ctr-ping-b")
	for _, dst := range []netip.Addr{epB.IP, epB.Gateway} {
		cmd := exec.Command(bb, "nsenter", "-t", strconv.Itoa(a.pid()), "-n", bb, "ping", "-c", "1", "-W", "20", dst.String())
		if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "1 packets received") {
			t.Errorf("ping %v from ctr-ping-a: %v\n%s", dst, err, out)
		}
	}
}
