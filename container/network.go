package container

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/minictr/minictr/network"
)

// A container's network, as `--net` chose it (docs/11-network.md):
//
//	bridge (default)   its own network namespace, a veth pair to the bridge
//	                   minictr0, an address from the store (network/), NAT out
//	none               its own network namespace with lo only
//	host               the host's network namespace
//	container:NAME     the network namespace of another running container
//
// For bridge the host's part has two steps around the clone of init: an
// address is allocated before (so init's spec can carry it), and the veth
// is made and its peer moved into init's namespace after, before init is
// let go on (Continue); init then configures eth0 from inside
// (network.ConfigureInside). The address and rules go when the life ends.

// IsBridge reports whether net is the bridge (the default: "" too).
func IsBridge(net string) bool { return net == "" || net == "bridge" }

// joinedContainer is the container whose network namespace --net
// container:X joins, or "" for the other modes.
func joinedContainer(net string) string {
	name, ok := strings.CutPrefix(net, "container:")
	if !ok {
		return ""
	}
	return name
}

// allocateNetwork is the host's first step for a bridged container: an
// address (and the published ports) recorded in the store under its lock.
// nil for the other modes.
func allocateNetwork(root string, ctr *Container) (*network.Endpoint, error) {
	if !IsBridge(ctr.Net) {
		return nil, nil
	}
	m, err := network.Open(root)
	if err != nil {
		return nil, err
	}
	ep, err := m.Allocate(ctr.ID, ctr.Publish, alive(root))
	if err != nil {
		return nil, err
	}
	return &ep, nil
}

// connectNetwork is the host's second step: the veth pair, its host end on
// the bridge, its peer moved into the network namespace of init (pid).
func connectNetwork(root string, ep *network.Endpoint, pid int) error {
	if ep == nil {
		return nil
	}
	m, err := network.Open(root)
	if err != nil {
		return err
	}
	return m.Connect(*ep, pid)
}

// ReleaseNetwork gives back the address and rules of a bridged container
// whose process has exited; its veth goes with its namespace (see
// network.Manager.Release for why not by hand).
func ReleaseNetwork(root, id string) error {
	m, err := network.Open(root)
	if err != nil {
		return err
	}
	return m.Release(id)
}

// DetachNetwork gives back what a bridged container held: its address,
// its published ports' rules, its veth if the kernel has not removed it
// with the namespace. A container that holds nothing is no error.
func DetachNetwork(root, id string) error {
	m, err := network.Open(root)
	if err != nil {
		return err
	}
	return m.Detach(id)
}

// alive says whether a container's process runs: the network store gives
// back the addresses of containers that died unrecorded (kill -9).
func alive(root string) func(id string) bool { return IsRunning(root) }

// IsRunning is the predicate the network store asks: may container id
// still need its address? Yes while it runs, and while it is being started
// (created: its address is allocated before its process runs); no once it
// exited (also unrecorded, after a kill -9: State says Lost) or is gone.
func IsRunning(root string) func(id string) bool {
	return func(id string) bool {
		c, err := Load(root, id)
		if err != nil {
			return false
		}
		st, err := c.State()
		return err == nil && st.Status != Exited
	}
}

// netnsOf is the network namespace file of the running container that
// --net container:NAME names, checked now: joining a stopped one is an
// error, as in docker.
func netnsOf(root, name string) (string, error) {
	c, err := Find(root, name)
	if err != nil {
		return "", fmt.Errorf("--net container:%s: %w", name, err)
	}
	st, err := c.State()
	if err != nil {
		return "", err
	}
	if st.Status != Running {
		return "", fmt.Errorf("--net container:%s: the container is not running (status %s): start it first", name, st.Status)
	}
	return network.NetnsPath(st.Pid), nil
}

// hostsAndResolv are the container's /etc/hosts and /etc/resolv.conf: the
// hostname on its bridge address; the host's name servers (systemd-
// resolved's upstream ones when the host names only 127.0.0.53) for bridge
// and host, none for --net none.
func hostsAndResolv(ctr *Container, ep *network.Endpoint) (hosts, resolv []byte) {
	var ip = network.Endpoint{}.IP
	if ep != nil {
		ip = ep.IP
	}
	hosts = []byte(network.Hosts(ctr.Hostname, ip))
	if ctr.Net == "none" {
		return hosts, []byte("# no network (--net none): no nameserver\n")
	}
	dns, err := network.ReadHostDNS()
	if err != nil {
		fmt.Fprintln(os.Stderr, "minictr: "+err.Error())
	}
	return hosts, []byte(dns)
}

// root is the store the container lives in: its directory is
// <root>/containers/<id>.
func (c *Container) root() string { return filepath.Dir(filepath.Dir(c.Dir)) }
