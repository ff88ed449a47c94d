package network

import (
	"fmt"
	"slices"
	"strings"

	"github.com/google/nftables"
	"github.com/google/nftables/userdata"
)

// minictr programs the firewall over netlink (NETLINK_NETFILTER, nft(8)'s
// own channel) with github.com/google/nftables: no iptables or nft binary
// is needed, so it works in the cgroup v2 VM's busybox initramfs and on a
// fresh workshop VM alike. Its rules live in a table of its own, `table ip
// minictr`, which it creates on first use and deletes in Prune.
//
// One subtlety decides the design (docs/11-network.md): with nftables,
// every base chain on a hook sees the packet, in priority order. A DROP --
// a rule's or a chain's policy -- is final; an ACCEPT only ends the packet's
// walk through THAT chain, and the next base chain of the same hook still
// sees it. A host running docker has iptables-nft's `table ip filter`,
// chain FORWARD, policy DROP: an accept in minictr's own forward chain, at
// whatever priority, cannot save a container's packet from that policy.
//
// So, when `ip filter FORWARD` exists (whoever made it: docker, ufw, an
// administrator's iptables), minictr inserts two tagged accepts at its top
// (FilterAccepts: from the bridge, to the bridge), written with the
// expressions iptables-nft itself uses so that `iptables -S` still reads
// them (`-A FORWARD -i minictr0 -m comment --comment "minictr: ..." -j
// ACCEPT`). Docker's own answer for user rules, the DOCKER-USER chain, is
// not used: it exists only where docker runs, and docker flushes nothing
// but its own chains, so a rule at the top of FORWARD survives a docker
// restart too. What may really pass is decided in minictr's own forward
// chain, where a reject IS final: nothing from outside gets into the
// bridge except through a published port.
//
// Not covered: iptables-legacy (x_tables, not nftables: /proc/net/ip_tables_names
// lists "filter") with a DROP policy, and other tables' DROP forward chains
// (firewalld's `inet firewalld`): their owners must allow minictr0.

// ipTable is a table of the ip family (IPv4 only, like the bridge).
func ipTable(name string) *nftables.Table {
	return &nftables.Table{Name: name, Family: nftables.TableFamilyIPv4}
}

// ownChains are the chains of minictr's table: four base chains (with the
// hook and priority that make the kernel call them) and the regular chain
// "ports", which only jumps reach.
func ownChains(t *nftables.Table) map[string]*nftables.Chain {
	base := func(name string, typ nftables.ChainType, hook *nftables.ChainHook, prio *nftables.ChainPriority) *nftables.Chain {
		accept := nftables.ChainPolicyAccept
		return &nftables.Chain{Name: name, Table: t, Type: typ, Hooknum: hook, Priority: prio, Policy: &accept}
	}
	return map[string]*nftables.Chain{
		chainForward:    base(chainForward, nftables.ChainTypeFilter, nftables.ChainHookForward, nftables.ChainPriorityFilter),
		chainPrerouting: base(chainPrerouting, nftables.ChainTypeNAT, nftables.ChainHookPrerouting, nftables.ChainPriorityNATDest),
		chainOutput:     base(chainOutput, nftables.ChainTypeNAT, nftables.ChainHookOutput, nftables.ChainPriorityNATDest),
		chainPost:       base(chainPost, nftables.ChainTypeNAT, nftables.ChainHookPostrouting, nftables.ChainPriorityNATSource),
		chainPorts:      {Name: chainPorts, Table: t},
	}
}

func comment(r *nftables.Rule) string {
	s, _ := userdata.GetString(r.UserData, userdata.TypeComment)
	return s
}

func nftRule(t *nftables.Table, c *nftables.Chain, r Rule) *nftables.Rule {
	return &nftables.Rule{Table: t, Chain: c, Exprs: r.Exprs,
		UserData: userdata.AppendString(nil, userdata.TypeComment, r.Comment)}
}

// ensureFirewall creates minictr's table and chains and adds whichever of
// BridgeRules and FilterAccepts are missing (looked up by their comment),
// so it is cheap to call before every attach and repairs a deleted rule:
// it only reads unless something is missing, and then changes everything
// in one transaction (each nftables commit waits for an RCU grace period,
// milliseconds). The caller holds the store lock.
func ensureFirewall(cfg Config) error {
	conn, err := nftables.New()
	if err != nil {
		return fmt.Errorf("nftables: open netlink: %w", err)
	}
	existing, err := conn.ListChainsOfTableFamily(nftables.TableFamilyIPv4)
	if err != nil {
		return fmt.Errorf("nftables: list chains: %w", err)
	}
	t := ipTable(tableName)
	chains := ownChains(t)
	have := map[string][]string{} // chain -> comments of its rules
	for _, c := range existing {
		if c.Table.Name != tableName || chains[c.Name] == nil {
			continue
		}
		if have[c.Name], err = comments(conn, t, c); err != nil {
			return err
		}
	}
	if len(have) < len(chains) {
		conn.AddTable(t)
		for _, name := range []string{chainPorts, chainForward, chainPrerouting, chainOutput, chainPost} {
			conn.AddChain(chains[name])
		}
	}
	for _, r := range BridgeRules(cfg) {
		if !slices.Contains(have[r.Chain], r.Comment) {
			conn.AddRule(nftRule(t, chains[r.Chain], r))
		}
	}
	if err := insertFilterAccepts(conn, cfg, existing); err != nil {
		return err
	}
	if err := conn.Flush(); err != nil {
		return fmt.Errorf("nftables: add table ip %s and its rules: %w", tableName, err)
	}
	return nil
}

func comments(conn *nftables.Conn, t *nftables.Table, c *nftables.Chain) ([]string, error) {
	rules, err := conn.GetRules(t, c)
	if err != nil {
		return nil, fmt.Errorf("nftables: list chain %s %s: %w", t.Name, c.Name, err)
	}
	var out []string
	for _, r := range rules {
		out = append(out, comment(r))
	}
	return out, nil
}

// filterForward finds iptables' `ip filter FORWARD` base chain, or nil.
func filterForward(conn *nftables.Conn) (*nftables.Chain, error) {
	chains, err := conn.ListChainsOfTableFamily(nftables.TableFamilyIPv4)
	if err != nil {
		return nil, fmt.Errorf("nftables: list chains: %w", err)
	}
	return findFilterForward(chains), nil
}

func findFilterForward(chains []*nftables.Chain) *nftables.Chain {
	for _, c := range chains {
		if c.Table.Name == filterTable && c.Name == filterForwardChain && c.Hooknum != nil {
			return c
		}
	}
	return nil
}

// insertFilterAccepts queues FilterAccepts at the top of `ip filter
// FORWARD` when that chain exists and lacks them.
func insertFilterAccepts(conn *nftables.Conn, cfg Config, chains []*nftables.Chain) error {
	fwd := findFilterForward(chains)
	if fwd == nil {
		return nil
	}
	have, err := comments(conn, fwd.Table, fwd)
	if err != nil {
		return err
	}
	acc := FilterAccepts(cfg)
	for i := len(acc) - 1; i >= 0; i-- { // each insert goes first: insert the last first
		if !slices.Contains(have, acc[i].Comment) {
			conn.InsertRule(nftRule(fwd.Table, fwd, acc[i]))
		}
	}
	return nil
}

// addPortRules adds a container's DNAT rules to the "ports" chain.
func addPortRules(rules []Rule) error {
	if len(rules) == 0 {
		return nil
	}
	conn, err := nftables.New()
	if err != nil {
		return fmt.Errorf("nftables: open netlink: %w", err)
	}
	t := ipTable(tableName)
	c := ownChains(t)[chainPorts]
	for _, r := range rules {
		conn.AddRule(nftRule(t, c, r))
	}
	if err := conn.Flush(); err != nil {
		return fmt.Errorf("nftables: add rule to chain %s %s: %w", tableName, chainPorts, err)
	}
	return nil
}

// deleteRules deletes the rules of chain c whose comment is want, or
// starts with want when prefix is set. A missing table or chain means
// there is nothing to delete.
func deleteRules(conn *nftables.Conn, c *nftables.Chain, want string, prefix bool) error {
	rules, err := conn.GetRules(c.Table, c)
	if err != nil {
		return nil // no such table or chain: nothing of ours in it
	}
	for _, r := range rules {
		if s := comment(r); s == want || prefix && strings.HasPrefix(s, want) {
			if err := conn.DelRule(r); err != nil {
				return fmt.Errorf("nftables: delete rule %q: %w", s, err)
			}
		}
	}
	return nil
}

// deleteContainerRules removes the DNAT rules tagged with the container's ID.
func deleteContainerRules(containerID string) error {
	conn, err := nftables.New()
	if err != nil {
		return fmt.Errorf("nftables: open netlink: %w", err)
	}
	t := ipTable(tableName)
	if err := deleteRules(conn, ownChains(t)[chainPorts], containerComment(containerID), false); err != nil {
		return err
	}
	if err := conn.Flush(); err != nil {
		return fmt.Errorf("nftables: delete rules of container %s: %w", containerID, err)
	}
	return nil
}

// deleteFirewall removes minictr's table (all its chains and rules go with
// it) and its tagged accepts in `ip filter FORWARD`.
func deleteFirewall() error {
	conn, err := nftables.New()
	if err != nil {
		return fmt.Errorf("nftables: open netlink: %w", err)
	}
	if fwd, err := filterForward(conn); err != nil {
		return err
	} else if fwd != nil {
		if err := deleteRules(conn, fwd, bridgeTag, true); err != nil {
			return err
		}
	}
	tables, err := conn.ListTablesOfFamily(nftables.TableFamilyIPv4)
	if err != nil {
		return fmt.Errorf("nftables: list tables: %w", err)
	}
	for _, t := range tables {
		if t.Name == tableName {
			conn.DelTable(t)
		}
	}
	if err := conn.Flush(); err != nil {
		return fmt.Errorf("nftables: delete table ip %s: %w", tableName, err)
	}
	return nil
}
