package network

import (
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/nftables"
)

// dockerForwardDrop makes the chain docker's iptables-nft leaves on a host
// (`iptables -P FORWARD DROP`): `table ip filter`, base chain FORWARD at
// the forward hook, policy drop, with one rule of its own (a jump docker
// would have, here a counter) that minictr must not touch.
func dockerForwardDrop(t *testing.T) {
	t.Helper()
	conn, err := nftables.New()
	if err != nil {
		t.Fatal(err)
	}
	tbl := conn.AddTable(ipTable(filterTable))
	drop := nftables.ChainPolicyDrop
	c := conn.AddChain(&nftables.Chain{Name: filterForwardChain, Table: tbl, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookForward, Priority: nftables.ChainPriorityFilter, Policy: &drop})
	conn.AddRule(&nftables.Rule{Table: tbl, Chain: c, Exprs: new(builder).rule("", "docker's", "").Exprs[:1]})
	if err := conn.Flush(); err != nil {
		t.Fatalf("create ip filter FORWARD policy drop: %v", err)
	}
	t.Cleanup(func() {
		conn.DelTable(tbl)
		conn.Flush()
	})
}

// On a host whose FORWARD policy is DROP (docker's), containers still get
// out and published ports still come in: minictr's accepts sit at the top
// of that chain, readable by iptables, and Prune removes exactly them.
func TestForwardPolicyDrop(t *testing.T) {
	m := newManager(t)
	dockerForwardDrop(t)
	out := outside(t)
	out.must(t, "serve 9000")
	c, ep := attach(t, m, "ctr-docker-host", Port{ContainerPort: 80, Protocol: "tcp"})
	c.must(t, "serve 80")

	if got, want := c.must(t, "dial 198.51.100.2:9000"), "ping from 198.51.100.1"; got != want {
		t.Errorf("container -> outside through FORWARD policy drop: %q, want %q", got, want)
	}
	dial := fmt.Sprintf("dial 198.51.100.1:%d", ep.Ports[0].HostPort)
	if got, want := out.must(t, dial), "ping from 198.51.100.2"; got != want {
		t.Errorf("outside -> published port through FORWARD policy drop: %q, want %q", got, want)
	}
	want := []string{
		"filter FORWARD: minictr: accept from minictr0",
		"filter FORWARD: minictr: accept to minictr0",
	}
	if got := ourRules(t); !slices.Equal(got[:2], want) {
		t.Errorf("first tagged rules: %q, want %q first", got, want)
	}
	if ipt, err := exec.LookPath("iptables-nft"); err == nil {
		// The oracle: iptables itself must still read the chain.
		b, err := exec.Command(ipt, "-w", "-S", "FORWARD").CombinedOutput()
		s := string(b)
		if err != nil || !strings.Contains(s, `-A FORWARD -i minictr0 -m comment --comment "minictr: accept from minictr0" -j ACCEPT`) {
			t.Errorf("iptables-nft -S FORWARD: %v\n%s", err, s)
		}
	}
	// The DNAT rule counted the outside's connection (its first packet:
	// NAT rules see only a connection's first packet, conntrack does the rest).
	listed, err := ListRules()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(listed, func(r ListedRule) bool { return r.Comment == containerComment("ctr-docker-host") })
	if i < 0 || listed[i].Packets != 1 || listed[i].Chain != chainPorts {
		t.Errorf("ListRules: %+v, want the DNAT rule in ports with 1 packet", listed)
	}
	if w, err := FirewallWarnings(m.cfg); err != nil || len(w) != 0 {
		t.Errorf("FirewallWarnings with ip filter FORWARD handled = %q, %v; want none", w, err)
	}
	rules := append(BridgeRules(m.cfg), PortRules(ep.ContainerID, ep.IP, ep.Ports)...)
	checkNftText(t, append(rules, FilterAccepts(m.cfg)...))
	if err := m.Detach("ctr-docker-host"); err != nil {
		t.Fatal(err)
	}
	if ok, err := m.Prune(nil); !ok || err != nil {
		t.Fatalf("Prune = %v, %v", ok, err)
	}
	if got := ourRules(t); len(got) != 0 {
		t.Errorf("after Prune: %q", got)
	}
	if rules := fwdRules(t); len(rules) != 1 {
		t.Errorf("after Prune, FORWARD has %d rules, want docker's 1", len(rules))
	}
}

// checkNftText uses nft(8), when installed, as the oracle for Rule.Text:
// nft decompiles the kernel's expressions back into its syntax, which must
// be our text (counters aside).
func checkNftText(t *testing.T, rules []Rule) {
	t.Helper()
	nft, err := exec.LookPath("nft")
	if err != nil {
		return
	}
	b, err := exec.Command(nft, "list", "ruleset").CombinedOutput()
	if err != nil {
		t.Fatalf("nft list ruleset: %v\n%s", err, b)
	}
	listed := counters.ReplaceAllString(string(b), "counter")
	for _, r := range rules {
		if !strings.Contains(listed, r.Text) {
			t.Errorf("nft list ruleset lacks %s", r.Text)
		}
	}
	if t.Failed() {
		t.Logf("nft list ruleset:\n%s", b)
	}
}

var counters = regexp.MustCompile(`counter packets \d+ bytes \d+`)

func fwdRules(t *testing.T) []*nftables.Rule {
	t.Helper()
	conn, _ := nftables.New()
	fwd, err := filterForward(conn)
	if err != nil || fwd == nil {
		t.Fatalf("ip filter FORWARD: %v, %v", fwd, err)
	}
	rules, err := conn.GetRules(fwd.Table, fwd)
	if err != nil {
		t.Fatal(err)
	}
	return rules
}

// Prune keeps the bridge while a container uses it, and removes bridge
// and table once none does; ensureFirewall repairs a deleted rule.
func TestPruneAndRepair(t *testing.T) {
	m := newManager(t)
	attach(t, m, "ctr-p1")
	if ok, err := m.Prune(nil); ok || err != nil {
		t.Fatalf("Prune with a container attached = %v, %v; want false", ok, err)
	}
	before := ourRules(t)
	conn, _ := nftables.New()
	post := ownChains(ipTable(tableName))[chainPost]
	if err := deleteRules(conn, post, bridgeTag+"containers' way out of "+m.cfg.Subnet.String(), false); err != nil || conn.Flush() != nil {
		t.Fatal(err)
	}
	if err := ensureFirewall(m.cfg); err != nil {
		t.Fatal(err)
	}
	after := ourRules(t)
	slices.Sort(before)
	slices.Sort(after) // the repaired rule comes last in its chain: order among masquerades does not matter
	if !slices.Equal(before, after) {
		t.Errorf("ensureFirewall did not restore the rules:\nbefore %q\nafter  %q", before, after)
	}
	if err := m.Detach("ctr-p1"); err != nil {
		t.Fatal(err)
	}
	if ok, err := m.Prune(nil); !ok || err != nil {
		t.Fatalf("Prune = %v, %v", ok, err)
	}
	if _, err := netlinkLink(m.cfg.Bridge); err == nil {
		t.Errorf("bridge %s is left after Prune", m.cfg.Bridge)
	}
	if got := ourRules(t); len(got) != 0 {
		t.Errorf("rules left after Prune: %q", got)
	}
}

// A DROP forward chain of another table (firewalld's, say) is not
// minictr's to change: FirewallWarnings names it.
func TestFirewallWarnings(t *testing.T) {
	m := newManager(t)
	conn, err := nftables.New()
	if err != nil {
		t.Fatal(err)
	}
	tbl := conn.AddTable(&nftables.Table{Name: "firewalld", Family: nftables.TableFamilyINet})
	drop := nftables.ChainPolicyDrop
	conn.AddChain(&nftables.Chain{Name: "filter_FORWARD", Table: tbl, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookForward, Priority: nftables.ChainPriorityFilter, Policy: &drop})
	if err := conn.Flush(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.DelTable(tbl)
		conn.Flush()
	})
	w, err := FirewallWarnings(m.cfg)
	want := `nftables chain firewalld filter_FORWARD drops forwarded packets: allow iifname "minictr0" and oifname "minictr0" there`
	if err != nil || len(w) != 1 || w[0] != want {
		t.Errorf("FirewallWarnings = %q, %v; want [%q]", w, err, want)
	}
}
