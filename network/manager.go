package network

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
)

// Manager is the bridge network of one minictr store (<root>/network).
// It is safe to use from several processes at once: every change of the
// records happens under the store's flock.
type Manager struct {
	dir string
	cfg Config
}

// Open opens (creating it if needed) the network store under root and
// reads its Config: config.json if SetConfig wrote one, else DefaultConfig.
func Open(root string) (*Manager, error) {
	dir, err := storeDir(root)
	if err != nil {
		return nil, fmt.Errorf("open network store %s: %w", root, err)
	}
	m := &Manager{dir: dir, cfg: DefaultConfig()}
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err == nil {
		err = json.Unmarshal(b, &m.cfg)
	}
	if err == nil {
		err = m.cfg.Validate()
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", filepath.Join(dir, "config.json"), err)
	}
	return m, nil
}

// Config is the network's current shape.
func (m *Manager) Config() Config { return m.cfg }

// SetConfig changes the bridge's name or subnet. It is refused while a
// container is attached (its address would be outside the new subnet);
// the bridge and rules of the old config are deleted; the
// host's routes are checked against it at the next Allocate, which refuses
// an overlapping subnet before anything is created.
func (m *Manager) SetConfig(c Config) error {
	if err := c.Validate(); err != nil {
		return err
	}
	l, err := lockStore(m.dir)
	if err != nil {
		return err
	}
	defer l.Unlock()
	eps, err := readEndpoints(m.dir)
	if err != nil {
		return err
	}
	if len(eps) > 0 {
		return fmt.Errorf("set network config: %d containers are attached (first %s): remove them first", len(eps), eps[0].ContainerID)
	}
	// The old bridge and rules carry the old subnet (the gateway address,
	// the masquerade's source): remove them, the next Allocate makes new ones.
	if err := dropKernelState(m.cfg); err != nil {
		return err
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(m.dir, "config.json")
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return err
	}
	m.cfg = c
	return nil
}

// List returns the network and every attached container's endpoint, for
// `minictr network ls/inspect` and `minictr port`.
func (m *Manager) List() (Network, error) {
	eps, err := readEndpoints(m.dir)
	if err != nil {
		return Network{}, fmt.Errorf("list endpoints in %s: %w", m.dir, err)
	}
	return Network{Config: m.cfg, Gateway: m.cfg.Gateway(), Endpoints: eps}, nil
}

// Endpoint returns the endpoint of one container, and false if it has none.
func (m *Manager) Endpoint(containerID string) (Endpoint, bool, error) {
	if err := checkID(containerID); err != nil {
		return Endpoint{}, false, err
	}
	ep, err := readEndpoint(endpointPath(m.dir, containerID))
	if errors.Is(err, fs.ErrNotExist) {
		return Endpoint{}, false, nil
	}
	return ep, err == nil, err
}

// NetnsPath is the file naming the network namespace of process pid, which
// `--net container:NAME` hands to setns(2) (ns.Join does it for exec; for a
// new container, open it and pass it as the namespace to join).
func NetnsPath(pid int) string {
	return "/proc/" + strconv.Itoa(pid) + "/ns/net"
}

// choosePorts fills in the host port of every "-p CTRPORT" (HostPort 0)
// with one the kernel says is free, and checks that the explicit ones are
// free on the host too: the DNAT rule would steal a port that a host
// program listens on, so a port taken there is refused. held are the ports
// other containers publish (a DNAT rule holds no socket, so the kernel
// does not know them).
func choosePorts(ports []Port, held []Endpoint) ([]Port, error) {
	out := make([]Port, 0, len(ports))
	for _, p := range ports {
		for tries := 0; ; tries++ {
			got, err := probePort(p)
			if err != nil {
				return nil, err
			}
			if checkPorts([]Port{got}, held) == nil && checkPorts(append(out, got), nil) == nil {
				out = append(out, got)
				break
			}
			if p.HostPort != 0 || tries == 100 {
				return nil, checkPorts(append(out, got), held) // names the holder
			}
		}
	}
	return out, nil
}

// probePort binds p's host address and port (port 0: the kernel picks a
// free one) and closes it again, returning p with the port that was bound.
func probePort(p Port) (Port, error) {
	ip := p.HostIP
	if !ip.IsValid() {
		ip = netip.IPv4Unspecified()
	}
	addr := netip.AddrPortFrom(ip, p.HostPort).String()
	var got netip.AddrPort
	if p.Protocol == "udp" {
		c, err := net.ListenPacket("udp4", addr)
		if err != nil {
			return p, fmt.Errorf("publish %s: host port: %w", p, err)
		}
		got = c.LocalAddr().(*net.UDPAddr).AddrPort()
		c.Close()
	} else {
		l, err := net.Listen("tcp4", addr)
		if err != nil {
			return p, fmt.Errorf("publish %s: host port: %w", p, err)
		}
		got = l.Addr().(*net.TCPAddr).AddrPort()
		l.Close()
	}
	p.HostPort = got.Port()
	return p, nil
}
