// Package network puts a container on a bridge, as docker's default
// network does: its own network namespace, a veth pair to a bridge on the
// host, an address from the bridge's subnet, NAT out, published ports in,
// and a resolv.conf and hosts file. Everything is done over netlink -- the
// socket family ip(8) and nft(8) use to talk to the kernel -- so no tool
// has to be installed, and a student can follow each packet.
//
// # The pieces
//
// A network namespace (network_namespaces(7)) is a whole network stack:
// its own interfaces, addresses, routes, firewall and /proc/sys/net. A
// new one has only a loopback, down. A container in it sees nothing of
// the host's network until something connects the two.
//
// A veth pair (veth(4)) is that connection: two interfaces joined like the
// two ends of a cable; what goes in one comes out of the other. One end
// stays on the host (mvXXXXXXXX), the other is created directly in the
// container's namespace (IFLA_NET_NS_PID, what `ip link set DEV netns PID`
// sends) and renamed eth0 there.
//
// A bridge (ip-link(8), "type bridge") is a switch in the kernel. Every
// host end is a port of minictr0, so containers reach each other by
// address, as on docker's default bridge (docker resolves container NAMES
// only on user-defined networks, with an embedded DNS server; minictr does
// not do that). The bridge also has an address, the gateway: the
// containers' default route points at it, and from there the host routes.
//
// Routes: inside, "10.77.0.0/16 dev eth0" (the kernel adds it with the
// address) and "default via 10.77.0.1". On the host, "10.77.0.0/16 dev
// minictr0" and net.ipv4.ip_forward=1, without which the host drops every
// packet not addressed to itself.
//
// NAT (nft(8), "NAT statements"): a container's address means nothing
// outside the host, so packets leaving by another interface get the
// host's address as their source (masquerade); conntrack remembers the
// connection and rewrites the replies back. A published port is the
// opposite, DNAT: a connection to the host's port gets the container's
// address and port as its destination, in prerouting (from outside) and in
// output (from the host itself). For 127.0.0.1 two more things are needed,
// as CNI's portmap plugin does them: route_localnet=1 on the bridge (the
// kernel otherwise refuses to route a 127.0.0.1 source out of a real
// interface) and a masquerade of 127.0.0.0/8 into the bridge (a container
// cannot answer 127.0.0.1: that is itself). portmap marks such packets in
// the DNAT chain and masquerades the mark; nftables can match the source
// address in postrouting directly, so minictr does without the mark.
// Docker's alternative, a userland proxy process per port, would cost a
// process and a copy of every byte.
//
// # The firewall: nftables over netlink
//
// The rules are programmed with github.com/google/nftables over
// NETLINK_NETFILTER (netlink(7)), in a table of minictr's own, `table ip
// minictr`, every rule tagged with a comment ("minictr: ..." for the
// bridge's, "minictr container ID" for a published port), which is how
// minictr lists and removes exactly its own rules. No iptables or nft
// binary is used, so a fresh workshop VM and the cgroup v2 test VM (a
// busybox initramfs) work the same as a full host. BridgeRules,
// FilterAccepts and PortRules build the rules as plain values, with their
// text in nft syntax (`nft list table ip minictr` shows the same).
//
// The subtle part: with nftables, every base chain on a hook sees the
// packet. A drop anywhere is final, but an accept only ends the walk of
// its own chain. Docker sets iptables' FORWARD policy to DROP (through
// iptables-nft that is `table ip filter`, chain FORWARD), and no accept in
// minictr's table can override it. So when that chain exists, minictr
// inserts two tagged accepts at its top (from and to the bridge), built
// from the expressions iptables-nft uses itself, so that `iptables -S`
// still reads them; and it decides what may really pass in its own forward
// chain, where a reject is final: nothing from outside enters the bridge
// unless a published port's DNAT sent it. See firewall_linux.go for why
// not docker's DOCKER-USER chain, and what is not covered (iptables-legacy,
// firewalld).
//
// # The subnet
//
// DefaultSubnet, 10.77.0.0/16, collides with neither docker's pools
// (172.17-31.0.0/16, 192.168.0.0/16) nor podman's 10.88.0.0/16 nor the
// VirtualBox/Vagrant NAT 10.0.2.0/24 (nor Kubernetes' usual ranges). A
// subnet that overlaps a route the host already has is refused
// (CheckOverlap): the kernel would send packets for part of that network
// into the bridge. Config and Manager.SetConfig choose another.
//
// # Addresses
//
// Addresses are allocated as CNI's host-local plugin does: one record file
// per address (<root>/network/addresses/10.77.0.2 holds the container ID),
// created with O_EXCL under the store's flock, released by Detach. A
// container killed with its monitor never detaches: the next Allocate asks
// the caller's alive(containerID) and reclaims the records, rules and veth
// of the dead. A published host port is recorded in the container's
// endpoint record; a second container asking for it is refused, naming
// the holder.
//
// # Who does what
//
// Host side (the runtime, as root, in the host's namespaces):
// [Manager.Allocate] before the container's process exists (address,
// ports, bridge, firewall), [Manager.Connect] once it does (veth, DNAT),
// or [Manager.Attach] for both; [Manager.Detach] on stop or rm;
// [Manager.Prune] in `system prune`; [Manager.List] for `network ls`.
// Child side: [ConfigureInside], in the re-exec'd init that was born in
// the new namespace, so no Go thread ever has to setns(2) (containernetworking's
// pkg/ns README explains why that is so easy to get wrong in Go). Pure:
// [ParsePublish], [ResolvConf], [Hosts], [CheckOverlap], [BridgeRules],
// [PortRules], [FilterAccepts], [MAC], [NetnsPath].
//
// Man pages: network_namespaces(7), veth(4), ip-link(8), ip-route(8),
// netlink(7), rtnetlink(7), nft(8), resolv.conf(5), hosts(5), flock(2).
//
// Chapter: docs/11-network.md.
package network
