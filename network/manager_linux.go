package network

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/vishvananda/netlink"
)

// Allocate is the host's first half of attaching a container, before its
// process exists: under the store lock it checks the subnet against the
// host's routes, reclaims the records of containers that alive says are
// gone (their rules, veth and address), checks and chooses the host ports,
// makes sure the bridge and the firewall are there, and takes an address.
// The Endpoint it returns is plain values the caller can hand to the child
// in its config. alive(id) tells whether container id's process still
// runs (a stopped container needs no address); it may be nil (nothing is
// reclaimed).
func (m *Manager) Allocate(containerID string, ports []Port, alive func(containerID string) bool) (Endpoint, error) {
	if err := checkID(containerID); err != nil {
		return Endpoint{}, err
	}
	l, err := lockStore(m.dir)
	if err != nil {
		return Endpoint{}, err
	}
	defer l.Unlock()
	if err := m.checkRoutes(); err != nil {
		return Endpoint{}, err
	}
	eps, err := m.reclaim(containerID, alive)
	if err != nil {
		return Endpoint{}, err
	}
	if ports, err = choosePorts(ports, eps); err != nil {
		return Endpoint{}, err
	}
	if err := ensureBridge(m.cfg); err != nil {
		return Endpoint{}, err
	}
	if err := ensureFirewall(m.cfg); err != nil {
		return Endpoint{}, err
	}
	ip, err := takeAddress(m.dir, m.cfg, containerID)
	if err != nil {
		return Endpoint{}, err
	}
	host, peer := vethNames(containerID)
	ep := Endpoint{
		ContainerID: containerID, Bridge: m.cfg.Bridge,
		IP: ip, PrefixLen: m.cfg.Subnet.Bits(), Gateway: m.cfg.Gateway(), MAC: MAC(ip).String(),
		HostVeth: host, PeerName: peer, Ports: ports,
	}
	if err := writeEndpoint(m.dir, ep); err != nil {
		release(m.dir, ep)
		return Endpoint{}, fmt.Errorf("write endpoint of %s: %w", containerID, err)
	}
	return ep, nil
}

// checkRoutes refuses the subnet when the host routes part of it elsewhere.
func (m *Manager) checkRoutes() error {
	routes, err := hostRoutes()
	if err != nil {
		return err
	}
	return CheckOverlap(m.cfg, routes)
}

// reclaim returns the endpoints of the live containers, after tearing down
// those of containers that are gone (killed with their monitor, say: no
// one ran Detach). It refuses a second attach of containerID.
func (m *Manager) reclaim(containerID string, alive func(string) bool) ([]Endpoint, error) {
	eps, err := readEndpoints(m.dir)
	if err != nil {
		return nil, fmt.Errorf("read endpoints in %s: %w", m.dir, err)
	}
	var live []Endpoint
	for _, ep := range eps {
		// A container started again after its last run died unrecorded
		// (kill -9 of its monitor) finds its old endpoint: given back here.
		if ep.ContainerID == containerID && (alive == nil || alive(containerID)) {
			return nil, fmt.Errorf("attach %s: the container already has address %v", containerID, ep.IP)
		}
		if ep.ContainerID == containerID || alive != nil && !alive(ep.ContainerID) {
			if err := teardown(m.dir, ep); err != nil {
				return nil, fmt.Errorf("reclaim %v from %s: %w", ep.IP, ep.ContainerID, err)
			}
			continue
		}
		live = append(live, ep)
	}
	if err := dropOrphanAddresses(m.dir, eps); err != nil {
		return nil, fmt.Errorf("reclaim addresses in %s: %w", m.dir, err)
	}
	return live, nil
}

// Connect is the host's second half, once the container's process pid
// exists (in its new network namespace, waiting): the veth pair, its host
// end on the bridge, the peer in the container's namespace, and the DNAT
// rules of the published ports. The child then runs ConfigureInside.
// On error the caller runs Detach.
func (m *Manager) Connect(ep Endpoint, pid int) error {
	if err := addVeth(ep, pid); err != nil {
		return err
	}
	return addPortRules(PortRules(ep.ContainerID, ep.IP, ep.Ports))
}

// Attach is Allocate then Connect, for a caller that already has the
// process; if Connect fails, what Allocate took is given back.
func (m *Manager) Attach(containerID string, pid int, ports []Port, alive func(string) bool) (Endpoint, error) {
	ep, err := m.Allocate(containerID, ports, alive)
	if err != nil {
		return Endpoint{}, err
	}
	if err := m.Connect(ep, pid); err != nil {
		return Endpoint{}, errors.Join(err, m.Detach(containerID))
	}
	return ep, nil
}

// Detach undoes Attach when the container stops or is removed: its DNAT
// rules, its host veth (the peer goes with it; when the namespace died
// first, the kernel deletes both by itself, a little later) and its
// address. Detaching a container without an endpoint does nothing.
//
// The veth is deleted before the store lock is taken: deleting a network
// device waits for RCU grace periods (~20 ms), and 30 containers removed at
// once should not wait for each other's.
func (m *Manager) Detach(containerID string) error {
	if err := checkID(containerID); err != nil {
		return err
	}
	ep, err := readEndpoint(endpointPath(m.dir, containerID))
	if err == nil {
		if err := deleteLink(ep.HostVeth); err != nil {
			return err
		}
	}
	l, err := lockStore(m.dir)
	if err != nil {
		return err
	}
	defer l.Unlock()
	ep, err = readEndpoint(endpointPath(m.dir, containerID))
	if errors.Is(err, fs.ErrNotExist) {
		return deleteContainerRules(containerID)
	}
	if err != nil {
		return err
	}
	return teardown(m.dir, ep)
}

// Release is Detach for a container whose process has exited: its rules
// and endpoint, its address marked draining until the kernel has removed
// the veth (see drain), but not the veth pair itself, which dies with the container's
// network namespace (the kernel deletes both ends once its last process
// is gone). Deleting the link ourselves right after the exit waits for the
// kernel's own teardown of that namespace -- 15-20 ms measured, which
// every `run --rm` would wait for -- and a namespace that lives on (joined
// by --net container:X) keeps its eth0.
func (m *Manager) Release(containerID string) error {
	if err := checkID(containerID); err != nil {
		return err
	}
	l, err := lockStore(m.dir)
	if err != nil {
		return err
	}
	defer l.Unlock()
	ep, err := readEndpoint(endpointPath(m.dir, containerID))
	if errors.Is(err, fs.ErrNotExist) {
		return deleteContainerRules(containerID)
	}
	if err != nil {
		return err
	}
	if err := deleteContainerRules(containerID); err != nil {
		return err
	}
	return drain(m.dir, ep)
}

// Sweep frees the draining addresses whose veth the kernel has removed
// (List and Prune call it, and every Allocate).
func (m *Manager) Sweep() error {
	l, err := lockStore(m.dir)
	if err != nil {
		return err
	}
	defer l.Unlock()
	eps, err := readEndpoints(m.dir)
	if err != nil {
		return err
	}
	return dropOrphanAddresses(m.dir, eps)
}

// linkExists says whether the host has a link of that name.
func linkExists(name string) bool {
	_, err := netlink.LinkByName(name)
	return err == nil
}

func teardown(dir string, ep Endpoint) error {
	if err := deleteContainerRules(ep.ContainerID); err != nil {
		return err
	}
	if err := deleteLink(ep.HostVeth); err != nil {
		return err
	}
	if err := release(dir, ep); err != nil {
		return fmt.Errorf("release %v of %s: %w", ep.IP, ep.ContainerID, err)
	}
	return nil
}

// Prune deletes the bridge and minictr's firewall rules when no container
// is attached (`minictr system prune`), reclaiming dead containers' records
// first as Allocate does. It reports whether it deleted them.
func (m *Manager) Prune(alive func(string) bool) (bool, error) {
	l, err := lockStore(m.dir)
	if err != nil {
		return false, err
	}
	defer l.Unlock()
	live, err := m.reclaim("", alive)
	if err != nil || len(live) > 0 {
		return false, err
	}
	if err := dropKernelState(m.cfg); err != nil {
		return false, err
	}
	return true, nil
}

// dropKernelState deletes the bridge and minictr's rules of config c.
// Without a bridge there is nothing to delete (and a user without
// CAP_NET_ADMIN, who could not list the rules, can still change the config
// of a store whose network was never used).
func dropKernelState(c Config) error {
	if _, err := netlink.LinkByName(c.Bridge); err != nil {
		if _, ok := err.(netlink.LinkNotFoundError); ok {
			return nil
		}
	}
	if err := deleteFirewall(); err != nil {
		return err
	}
	return deleteLink(c.Bridge)
}
