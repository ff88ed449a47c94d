package network

import (
	"fmt"
	"os"
	"strings"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
)

// ListedRule is one of minictr's rules as the kernel has it now, with its
// counter: what `minictr network inspect` shows, and what the lab of
// docs/11-network.md watches while a packet goes by.
type ListedRule struct {
	Table   string `json:"table"`
	Chain   string `json:"chain"`
	Comment string `json:"comment"`
	Packets uint64 `json:"packets"`
	Bytes   uint64 `json:"bytes"`
}

// ListRules lists every rule tagged as minictr's, in minictr's table and
// in `ip filter FORWARD`, in the kernel's order.
func ListRules() ([]ListedRule, error) {
	conn, err := nftables.New()
	if err != nil {
		return nil, fmt.Errorf("nftables: open netlink: %w", err)
	}
	chains, err := conn.ListChainsOfTableFamily(nftables.TableFamilyIPv4)
	if err != nil {
		return nil, fmt.Errorf("nftables: list chains: %w", err)
	}
	var out []ListedRule
	for _, c := range chains {
		if c.Table.Name != tableName && (c.Table.Name != filterTable || c.Name != filterForwardChain) {
			continue
		}
		rules, err := conn.GetRules(c.Table, c)
		if err != nil {
			return nil, fmt.Errorf("nftables: list chain %s %s: %w", c.Table.Name, c.Name, err)
		}
		for _, r := range rules {
			if s := comment(r); strings.HasPrefix(s, "minictr") {
				lr := ListedRule{Table: c.Table.Name, Chain: c.Name, Comment: s}
				for _, e := range r.Exprs {
					if ctr, ok := e.(*expr.Counter); ok {
						lr.Packets, lr.Bytes = ctr.Packets, ctr.Bytes
					}
				}
				out = append(out, lr)
			}
		}
	}
	return out, nil
}

// FirewallWarnings names what could still drop the bridge's traffic and
// minictr does not handle: base chains of other nftables tables on the
// forward hook with policy drop (firewalld's, a hand-written `inet
// filter`), where an accept of minictr's would not help, and the legacy
// x_tables filter table (iptables-legacy), which netlink cannot read.
// Each warning is one line saying what to allow.
func FirewallWarnings(c Config) ([]string, error) {
	var out []string
	conn, err := nftables.New()
	if err != nil {
		return nil, fmt.Errorf("nftables: open netlink: %w", err)
	}
	chains, err := conn.ListChains()
	if err != nil {
		return nil, fmt.Errorf("nftables: list chains: %w", err)
	}
	for _, ch := range chains {
		ours := ch.Table.Name == tableName || ch.Table.Name == filterTable && ch.Name == filterForwardChain && ch.Table.Family == nftables.TableFamilyIPv4
		if !ours && ch.Hooknum != nil && *ch.Hooknum == *nftables.ChainHookForward &&
			ch.Policy != nil && *ch.Policy == nftables.ChainPolicyDrop {
			out = append(out, fmt.Sprintf("nftables chain %s %s drops forwarded packets: allow iifname %q and oifname %q there",
				ch.Table.Name, ch.Name, c.Bridge, c.Bridge))
		}
	}
	if b, err := os.ReadFile("/proc/net/ip_tables_names"); err == nil && strings.Contains(string(b), "filter") {
		out = append(out, fmt.Sprintf("iptables-legacy has a filter table: if its FORWARD policy is DROP, run iptables-legacy -I FORWARD -i %s -j ACCEPT and -I FORWARD -o %s -j ACCEPT", c.Bridge, c.Bridge))
	}
	return out, nil
}
