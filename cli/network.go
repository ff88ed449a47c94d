package cli

import (
	"fmt"
	"net/netip"
	"os"
	"sort"
	"text/tabwriter"

	"github.com/minictr/minictr/container"
	"github.com/minictr/minictr/network"
)

// NetworkCmd groups `minictr network ...` (docs/11-network.md). minictr has
// one network, docker's default bridge: minictr0.
type NetworkCmd struct {
	Ls      NetworkLsCmd      `cmd:"" aliases:"list" help:"List networks (minictr has one: the bridge)."`
	Inspect NetworkInspectCmd `cmd:"" help:"Show the bridge: subnet, gateway, and each container's address, MAC, veth and ports."`
	Config  NetworkConfigCmd  `cmd:"" help:"Set the bridge's subnet (no container may be on it)."`
}

// NetworkConfigCmd is `minictr network config --subnet CIDR`: the subnet
// minictr0 gives addresses from, kept in the store. It is refused while a
// container is attached, and when it overlaps a route the host has.
type NetworkConfigCmd struct {
	Subnet string `required:"" help:"IPv4 subnet for the bridge, e.g. 10.77.0.0/16." placeholder:"CIDR"`
}

func (c *NetworkConfigCmd) Run(g *Globals) error {
	m, err := container.OpenNetwork()
	if err != nil {
		return err
	}
	prefix, err := netip.ParsePrefix(c.Subnet)
	if err != nil {
		return fmt.Errorf("invalid --subnet %q: %w", c.Subnet, err)
	}
	cfg := m.Config()
	cfg.Subnet = prefix.Masked()
	if err := m.SetConfig(cfg); err != nil {
		return err
	}
	fmt.Printf("%s: subnet %s, gateway %s\n", cfg.Bridge, cfg.Subnet, cfg.Gateway())
	return nil
}

// NetworkLsCmd is `minictr network ls`.
type NetworkLsCmd struct{}

func (NetworkLsCmd) Run(g *Globals) error {
	n, err := bridgeNetwork()
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 8, 3, ' ', 0)
	fmt.Fprintln(w, "NAME\tDRIVER\tSUBNET\tGATEWAY\tCONTAINERS")
	fmt.Fprintf(w, "%s\tbridge\t%s\t%s\t%d\n", n.Bridge, n.Subnet, n.Gateway, len(n.Endpoints))
	return w.Flush()
}

// bridgeNetwork is the bridge as ls and inspect show it, after freeing the
// addresses whose veth the kernel has removed since (network.Manager.Sweep).
func bridgeNetwork() (network.Network, error) {
	m, err := container.OpenNetwork()
	if err != nil {
		return network.Network{}, err
	}
	if err := m.Sweep(); err != nil {
		return network.Network{}, err
	}
	return m.List()
}

// NetworkInspectCmd is `minictr network inspect`.
type NetworkInspectCmd struct {
	Names []string `arg:"" optional:"" name:"network" help:"minictr0 (the default)."`
}

func (c *NetworkInspectCmd) Run(g *Globals) error {
	n, err := bridgeNetwork()
	if err != nil {
		return err
	}
	for _, name := range c.Names {
		if name != n.Bridge && name != "bridge" {
			return fmt.Errorf("no such network: %s (minictr has one: %s)", name, n.Bridge)
		}
	}
	sort.Slice(n.Endpoints, func(i, j int) bool { return n.Endpoints[i].IP.Less(n.Endpoints[j].IP) })
	if n.Endpoints == nil {
		n.Endpoints = []network.Endpoint{}
	}
	return printJSON([]network.Network{n})
}

// PortCmd is `minictr port CONTAINER`: the container's published ports,
// docker's way ("8080/tcp -> 0.0.0.0:18080").
type PortCmd struct {
	Container string `arg:"" help:"Container name or ID (a unique prefix will do)."`
}

func (c *PortCmd) Run(g *Globals) error {
	ctr, err := container.Find(g.Root, c.Container)
	if err != nil {
		return err
	}
	for _, p := range publishedPorts(g.Root, ctr) {
		fmt.Printf("%d/%s -> %s\n", p.ContainerPort, p.Protocol, hostAddr(p))
	}
	return nil
}

// publishedPorts are the ports as the bridge holds them now (a -p CTRPORT
// has its host port chosen), or as config.json asked while it is stopped.
func publishedPorts(root string, ctr *container.Container) []network.Port {
	if m, err := container.OpenNetwork(); err == nil {
		if ep, ok, err := m.Endpoint(ctr.ID); err == nil && ok {
			return ep.Ports
		}
	}
	return ctr.Publish
}

// hostAddr is "0.0.0.0:18080", "127.0.0.1:18080".
func hostAddr(p network.Port) string {
	ip := "0.0.0.0"
	if p.HostIP.IsValid() {
		ip = p.HostIP.String()
	}
	return fmt.Sprintf("%s:%d", ip, p.HostPort)
}

// portsColumn is ps's PORTS: "0.0.0.0:18080->8080/tcp, ...".
func portsColumn(ports []network.Port) string {
	var s string
	for i, p := range ports {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s->%d/%s", hostAddr(p), p.ContainerPort, p.Protocol)
	}
	return s
}
