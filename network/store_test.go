package network

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The address records need no root: they are files under a lock.
func TestTakeAddressConcurrent(t *testing.T) {
	dir, err := storeDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c := Config{Bridge: "br", Subnet: netip.MustParsePrefix("10.1.0.0/26")} // 61 addresses
	var mu sync.Mutex
	got := map[netip.Addr]bool{}
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			l, err := lockStore(dir)
			if err != nil {
				t.Error(err)
				return
			}
			defer l.Unlock()
			a, err := takeAddress(dir, c, "c"+string(rune('A'+i)))
			mu.Lock()
			defer mu.Unlock()
			if err != nil || got[a] {
				t.Errorf("takeAddress: %v, %v (taken twice: %v)", a, err, got[a])
			}
			got[a] = true
		})
	}
	wg.Wait()
	if len(got) != 40 {
		t.Errorf("%d distinct addresses, want 40", len(got))
	}
}

func TestTakeAddressFullAndRelease(t *testing.T) {
	dir, err := storeDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c := Config{Bridge: "br", Subnet: netip.MustParsePrefix("10.1.0.0/30")} // one address: .2
	a, err := takeAddress(dir, c, "one")
	if err != nil || a != netip.MustParseAddr("10.1.0.2") {
		t.Fatalf("takeAddress = %v, %v", a, err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "addresses", "10.1.0.2")); string(b) != "one" {
		t.Errorf("record holds %q, want the container ID", b)
	}
	if _, err := takeAddress(dir, c, "two"); err == nil || !strings.Contains(err.Error(), "subnet 10.1.0.0/30 is full") {
		t.Errorf("second takeAddress: %v, want full", err)
	}
	// A release by a container that does not hold the address keeps it.
	if err := release(dir, Endpoint{ContainerID: "two", IP: a}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "addresses", "10.1.0.2")); err != nil {
		t.Errorf("release by another container removed the record: %v", err)
	}
	if err := release(dir, Endpoint{ContainerID: "one", IP: a}); err != nil {
		t.Fatal(err)
	}
	if a2, err := takeAddress(dir, c, "two"); err != nil || a2 != a {
		t.Errorf("after release: %v, %v", a2, err)
	}
}

func TestSetConfigAndOpen(t *testing.T) {
	root := t.TempDir()
	m, err := Open(root)
	if err != nil || m.Config() != DefaultConfig() {
		t.Fatalf("Open = %+v, %v", m, err)
	}
	c := Config{Bridge: "br1", Subnet: netip.MustParsePrefix("10.99.0.0/24")}
	if err := m.SetConfig(c); err != nil {
		t.Fatal(err)
	}
	if m2, err := Open(root); err != nil || m2.Config() != c {
		t.Errorf("Open after SetConfig = %+v, %v", m2.Config(), err)
	}
	ep := Endpoint{ContainerID: "c1", IP: netip.MustParseAddr("10.99.0.2"), Ports: []Port{{HostPort: 80, ContainerPort: 80, Protocol: "tcp"}}}
	if err := writeEndpoint(m.dir, ep); err != nil {
		t.Fatal(err)
	}
	if err := m.SetConfig(DefaultConfig()); err == nil || !strings.Contains(err.Error(), "1 containers are attached (first c1)") {
		t.Errorf("SetConfig with a container attached: %v", err)
	}
	n, err := m.List()
	if err != nil || len(n.Endpoints) != 1 || n.Endpoints[0].ContainerID != "c1" || n.Gateway != netip.MustParseAddr("10.99.0.1") {
		t.Errorf("List = %+v, %v", n, err)
	}
	if got, ok, err := m.Endpoint("c1"); !ok || err != nil || got.Ports[0] != ep.Ports[0] {
		t.Errorf("Endpoint(c1) = %+v, %v, %v", got, ok, err)
	}
	if _, ok, err := m.Endpoint("nope"); ok || err != nil {
		t.Errorf("Endpoint(nope) = %v, %v", ok, err)
	}
}

func TestVethNames(t *testing.T) {
	h, p := vethNames("4f1c0b2e9a7d")
	if len(h) > 15 || len(p) > 15 || h[:2] != "mv" || p[:2] != "mp" || h[2:] != p[2:] {
		t.Errorf("vethNames = %q, %q", h, p)
	}
	if h2, _ := vethNames("another"); h2 == h {
		t.Errorf("two IDs, one name %q", h)
	}
}

func TestNetnsPath(t *testing.T) {
	if got := NetnsPath(42); got != "/proc/42/ns/net" {
		t.Errorf("NetnsPath(42) = %q", got)
	}
}

func TestDropOrphanAddresses(t *testing.T) {
	dir, err := storeDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c := Config{Bridge: "br", Subnet: netip.MustParsePrefix("10.1.0.0/24")}
	kept, _ := takeAddress(dir, c, "has-endpoint")
	orphan, _ := takeAddress(dir, c, "crashed")
	if err := dropOrphanAddresses(dir, []Endpoint{{ContainerID: "has-endpoint", IP: kept}}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "addresses", kept.String())); err != nil {
		t.Errorf("record of a container with an endpoint removed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "addresses", orphan.String())); !os.IsNotExist(err) {
		t.Errorf("orphan record %v kept: %v", orphan, err)
	}
}

func TestCheckID(t *testing.T) {
	for id, ok := range map[string]bool{"4f1c0b2e9a7d": true, "web-1": true, "": false, ".": false, "..": false, "a/b": false, "a\x00": false} {
		if err := checkID(id); (err == nil) != ok {
			t.Errorf("checkID(%q) = %v", id, err)
		}
	}
}
