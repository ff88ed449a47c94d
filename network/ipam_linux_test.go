package network

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/vishvananda/netlink"
)

// 30 containers attached at once (30 processes would each take the store
// lock): 30 distinct addresses, each container reaches the gateway, and
// after 30 Detaches nothing is left.
func TestParallelAttach(t *testing.T) {
	m := newManager(t)
	const n = 30
	children := make([]*nsChild, n)
	eps := make([]Endpoint, n)
	errs := make([]error, n)
	for i := range children {
		children[i] = startChild(t)
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			eps[i], errs[i] = m.Attach(fmt.Sprintf("par-%02d", i), children[i].pid(), nil, nil)
		})
	}
	wg.Wait()
	serveHost(t, m.cfg.Gateway().String()+":7002") // the bridge exists now
	seen := map[netip.Addr]string{}
	for i, ep := range eps {
		if errs[i] != nil {
			t.Fatalf("Attach par-%02d: %v", i, errs[i])
		}
		if other, dup := seen[ep.IP]; dup {
			t.Errorf("%s and %s both got %v", other, ep.ContainerID, ep.IP)
		}
		seen[ep.IP] = ep.ContainerID
	}
	for i, c := range children {
		c.configure(t, eps[i])
		if got, want := c.must(t, fmt.Sprintf("dial %v:7002", eps[i].Gateway)), "ping from "+eps[i].IP.String(); got != want {
			t.Errorf("%s -> gateway: %q, want %q", eps[i].ContainerID, got, want)
		}
	}
	for i := range n {
		wg.Go(func() { errs[i] = m.Detach(eps[i].ContainerID) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Detach par-%02d: %v", i, err)
		}
	}
	checkNothingLeft(t, m)
}

// A container killed with its monitor never runs Detach: its records,
// port and rules stay until the next Allocate, told by alive that the
// container is gone, reclaims them.
func TestReclaimStale(t *testing.T) {
	m := newManager(t)
	port := Port{HostPort: 18090, ContainerPort: 80, Protocol: "tcp"}
	dead, epDead := attach(t, m, "ctr-dead", port)
	dead.kill() // its namespace goes, and the kernel deletes both veth ends
	if _, err := m.Allocate("ctr-next", []Port{port}, func(string) bool { return true }); err == nil ||
		!strings.Contains(err.Error(), "already published by container ctr-dead") {
		t.Fatalf("Allocate while ctr-dead counts as alive: %v, want the port refused naming ctr-dead", err)
	}
	alive := func(id string) bool { return id != "ctr-dead" }
	c := startChild(t)
	ep, err := m.Attach("ctr-next", c.pid(), []Port{port}, alive)
	if err != nil {
		t.Fatalf("Attach after the death of ctr-dead: %v", err)
	}
	if ep.IP != epDead.IP {
		t.Errorf("got %v, want the reclaimed %v (the first address)", ep.IP, epDead.IP)
	}
	if r := containerRules(t, "ctr-dead"); len(r) != 0 {
		t.Errorf("rules of ctr-dead left: %q", r)
	}
	if _, ok, _ := m.Endpoint("ctr-dead"); ok {
		t.Error("endpoint record of ctr-dead left")
	}
	b, err := os.ReadFile(filepath.Join(m.dir, "addresses", ep.IP.String()))
	if err != nil || string(b) != "ctr-next" {
		t.Errorf("address record %v: %q, %v; want ctr-next", ep.IP, b, err)
	}
	if err := m.Detach("ctr-next"); err != nil {
		t.Fatal(err)
	}
	checkNothingLeft(t, m)
}

// Bad input fails with one line and leaves no record, veth or rule.
func TestAllocateRefuses(t *testing.T) {
	m := newManager(t)
	attach(t, m, "ctr-holder", Port{HostPort: 18100, ContainerPort: 80, Protocol: "tcp"})
	l, err := net.Listen("tcp4", "127.0.0.1:0") // a host program's port
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	busy := uint16(l.Addr().(*net.TCPAddr).Port)
	for _, tc := range []struct {
		name  string
		id    string
		ports []Port
		want  string
	}{
		{"port published by another container", "ctr-x", []Port{{HostPort: 18100, ContainerPort: 80, Protocol: "tcp"}},
			"host port 18100/tcp is already published by container ctr-holder"},
		{"port given twice", "ctr-x", []Port{{HostPort: 18101, ContainerPort: 80, Protocol: "tcp"}, {HostPort: 18101, ContainerPort: 81, Protocol: "tcp"}},
			"host port 18101/tcp is given twice"},
		{"port a host program listens on", "ctr-x", []Port{{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: busy, ContainerPort: 80, Protocol: "tcp"}},
			"address already in use"},
		{"second attach", "ctr-holder", nil, "the container already has address"},
	} {
		_, err := m.Allocate(tc.id, tc.ports, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want one line with %q", tc.name, err, tc.want)
		}
	}
	if err := m.Detach("ctr-holder"); err != nil {
		t.Fatal(err)
	}
	checkNothingLeft(t, m)
}

// A subnet the host already routes is refused before anything is made.
func TestSubnetOverlapRefused(t *testing.T) {
	m := newManager(t)
	la := netlink.NewLinkAttrs()
	la.Name = "mtlan0"
	lan := &netlink.Bridge{LinkAttrs: la} // any link with an address will do; the bridge module is there
	if err := netlink.LinkAdd(lan); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteLink("mtlan0") })
	addr, _ := netlink.ParseAddr("10.77.5.1/24") // a LAN inside minictr's default subnet
	if err := netlink.AddrAdd(lan, addr); err != nil {
		t.Fatal(err)
	}
	if err := netlink.LinkSetUp(lan); err != nil {
		t.Fatal(err)
	}
	_, err := m.Allocate("ctr-o", nil, nil)
	want := "subnet 10.77.0.0/16 overlaps the host's route to 10.77.5.0/24 on mtlan0"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Allocate: %v, want %q", err, want)
	}
	if _, err := netlink.LinkByName(m.cfg.Bridge); err == nil {
		t.Errorf("bridge %s created despite the overlap", m.cfg.Bridge)
	}
	if r := ourRules(t); len(r) != 0 {
		t.Errorf("rules created despite the overlap: %q", r)
	}
	checkNothingLeft(t, m)

	// Another subnet works.
	if err := m.SetConfig(Config{Bridge: "minictr0", Subnet: netip.MustParsePrefix("10.78.0.0/24")}); err != nil {
		t.Fatal(err)
	}
	_, ep := attach(t, m, "ctr-o")
	if ep.IP != netip.MustParseAddr("10.78.0.2") || ep.Gateway != netip.MustParseAddr("10.78.0.1") || ep.PrefixLen != 24 {
		t.Errorf("endpoint on 10.78.0.0/24: %+v", ep)
	}
	if err := m.Detach("ctr-o"); err != nil {
		t.Fatal(err)
	}
	// Back to the default (the LAN gone): the 10.78 bridge and rules go.
	deleteLink("mtlan0")
	if err := m.SetConfig(DefaultConfig()); err != nil {
		t.Fatal(err)
	}
	if r := ourRules(t); len(r) != 0 {
		t.Errorf("rules of 10.78.0.0/24 left after SetConfig: %q", r)
	}
	_, ep = attach(t, m, "ctr-o")
	if ep.IP != netip.MustParseAddr("10.77.0.2") {
		t.Errorf("after SetConfig(DefaultConfig()): %v", ep.IP)
	}
	checkNftText(t, BridgeRules(m.cfg))
}
