package container

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
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

// NetworkRoot is where the bridge's records live (network.Open): one
// place for the whole host, not one per store. The bridge minictr0, its
// subnet and the nftables table belong to the kernel and are shared by
// every minictr of the host, whatever its --root; records kept per store
// gave two containers of two stores the same address on the one bridge,
// and let `system prune` in an empty store delete the bridge from under
// another store's running containers. /run is a tmpfs: emptied at boot,
// when the veths and rules are gone too.
const NetworkRoot = "/run/minictr"

// OpenNetwork opens the host's bridge network store.
func OpenNetwork() (*network.Manager, error) { return network.Open(NetworkRoot) }

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
func allocateNetwork(ctr *Container) (*network.Endpoint, error) {
	if !IsBridge(ctr.Net) {
		return nil, nil
	}
	start, _ := StartTime(os.Getpid())
	owner := netOwner{Minictr: os.Getpid(), MinictrStart: start}
	if err := writeOwner(ctr.ID, owner); err != nil {
		return nil, err
	}
	m, err := OpenNetwork()
	if err != nil {
		return nil, err
	}
	ep, err := m.Allocate(ctr.ID, ctr.Publish, NetworkAlive)
	if err != nil {
		os.Remove(ownerPath(ctr.ID))
		return nil, err
	}
	return &ep, nil
}

// connectNetwork is the host's second step: the veth pair, its host end on
// the bridge, its peer moved into the network namespace of init (pid).
func connectNetwork(ep *network.Endpoint, pid int) error {
	if ep == nil {
		return nil
	}
	if err := addInitOwner(ep.ContainerID, pid); err != nil {
		return err
	}
	m, err := OpenNetwork()
	if err != nil {
		return err
	}
	return m.Connect(*ep, pid)
}

// ReleaseNetwork gives back the address and rules of a bridged container
// whose process has exited, before its exit is recorded (a `start` right
// after must not have its new endpoint taken by this late release); its
// veth goes with its namespace, and its address drains until then (see
// network.Manager.Release for why not by hand).
func ReleaseNetwork(id string) error {
	m, err := OpenNetwork()
	if err != nil {
		return err
	}
	if err := m.Release(id); err != nil {
		return err
	}
	if err := os.Remove(ownerPath(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove network owner of %s: %w", id, err)
	}
	return nil
}

// DetachNetwork gives back what a bridged container held: its address,
// its published ports' rules, its veth if the kernel has not removed it
// with the namespace. A container that holds nothing is no error.
func DetachNetwork(id string) error {
	m, err := OpenNetwork()
	if err != nil {
		return err
	}
	if err := m.Detach(id); err != nil {
		return err
	}
	if err := os.Remove(ownerPath(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove network owner of %s: %w", id, err)
	}
	return nil
}

// ownerPath records which processes hold container id's endpoint: the
// minictr living its life (the foreground `run` or the monitor) and, once
// cloned, its init. NetworkAlive asks whether either still runs. It is
// kept with the records, not in the container's directory, because the
// containers of every store share the bridge, and the network store must
// answer "is this address still used?" without knowing their stores.
func ownerPath(id string) string { return filepath.Join(NetworkRoot, "owners", id+".json") }

type netOwner struct {
	Minictr      int    `json:"minictr"`
	MinictrStart uint64 `json:"minictrStart"`
	Init         int    `json:"init,omitempty"`
	InitStart    uint64 `json:"initStart,omitempty"`
}

func writeOwner(id string, o netOwner) error {
	if err := os.MkdirAll(filepath.Dir(ownerPath(id)), 0o700); err != nil {
		return fmt.Errorf("network owner of %s: %w", id, err)
	}
	b, _ := json.Marshal(o)
	tmp := ownerPath(id) + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("network owner of %s: %w", id, err)
	}
	return os.Rename(tmp, ownerPath(id))
}

func readOwner(id string) (netOwner, error) {
	var o netOwner
	b, err := os.ReadFile(ownerPath(id))
	if err == nil {
		err = json.Unmarshal(b, &o)
	}
	return o, err
}

// addInitOwner records init (pid) as a holder of the endpoint too: a
// detached container whose monitor is killed keeps its address while its
// process runs.
func addInitOwner(id string, pid int) error {
	o, err := readOwner(id)
	if err != nil {
		return fmt.Errorf("network owner of %s: %w", id, err)
	}
	o.Init = pid
	o.InitStart, _ = StartTime(pid)
	return writeOwner(id, o)
}

// NetworkAlive is the predicate the network store asks (Allocate, Prune):
// may container id, of any store, still need its address? Yes while the
// minictr that started it or its init runs (PIDs checked with their start
// times: PIDs are reused); no after both died (kill -9) or it detached.
func NetworkAlive(id string) bool {
	o, err := readOwner(id)
	if err != nil {
		return false
	}
	return Alive(o.Minictr, o.MinictrStart) || Alive(o.Init, o.InitStart)
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
	var ip netip.Addr
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
