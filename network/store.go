package network

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/minictr/minictr/layers"
)

// The network's records live in <root>/network, as CNI's host-local IPAM
// keeps them (/var/lib/cni/networks/NAME):
//
//	lock                   flock(2) held while records change
//	config.json            the Config, when not the default
//	addresses/10.77.0.2    one file per address in use, holding the container ID
//	endpoints/ID.json      one file per attached container: its Endpoint
//
// An address is taken by creating its file with O_EXCL, under the lock, so
// two `minictr run`s never get the same one; the file says who has it, so
// `ls addresses/` is the allocation table a student can read.

// Endpoint is one container's place on the bridge, as plain values: what
// the host side created and what the child must configure inside its
// network namespace (ConfigureInside).
type Endpoint struct {
	ContainerID string     `json:"container_id"`
	Bridge      string     `json:"bridge"`
	IP          netip.Addr `json:"ip"`
	PrefixLen   int        `json:"prefix_len"`
	Gateway     netip.Addr `json:"gateway"`
	MAC         string     `json:"mac"`
	HostVeth    string     `json:"host_veth"` // the host end, a port of the bridge
	PeerName    string     `json:"peer_name"` // the other end's name until the child renames it eth0
	Ports       []Port     `json:"ports,omitempty"`
}

// Network is what `minictr network ls/inspect` shows.
type Network struct {
	Config
	Gateway   netip.Addr `json:"gateway"`
	Endpoints []Endpoint `json:"endpoints"`
}

// InsideName is the name the container sees its end of the veth by.
const InsideName = "eth0"

// vethNames gives a container's two veth names: "mv" (host end) and "mp"
// (peer) followed by 8 hex digits of the ID's SHA-256. Interface names are
// at most 15 bytes (IFNAMSIZ), too short for an ID; a hash also works for
// IDs of any shape, and `ip link` shows which host end is whose via the
// endpoint record.
func vethNames(id string) (host, peer string) {
	sum := sha256.Sum256([]byte(id))
	h := hex.EncodeToString(sum[:4])
	return "mv" + h, "mp" + h
}

// storeDir is <root>/network with its subdirectories created.
func storeDir(root string) (string, error) {
	dir := filepath.Join(root, "network")
	for _, d := range []string{"addresses", "endpoints"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			return "", err
		}
	}
	return dir, nil
}

func lockStore(dir string) (*layers.FileLock, error) {
	return layers.LockFile(filepath.Join(dir, "lock"), os.O_RDWR|os.O_CREATE)
}

// readEndpoints loads every endpoint record, sorted by address.
func readEndpoints(dir string) ([]Endpoint, error) {
	ents, err := os.ReadDir(filepath.Join(dir, "endpoints"))
	if err != nil {
		return nil, err
	}
	var eps []Endpoint
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		ep, err := readEndpoint(filepath.Join(dir, "endpoints", e.Name()))
		if err != nil {
			return nil, err
		}
		eps = append(eps, ep)
	}
	slices.SortFunc(eps, func(a, b Endpoint) int { return a.IP.Compare(b.IP) })
	return eps, nil
}

func readEndpoint(path string) (Endpoint, error) {
	var ep Endpoint
	b, err := os.ReadFile(path)
	if err != nil {
		return ep, err
	}
	if err := json.Unmarshal(b, &ep); err != nil {
		return ep, fmt.Errorf("read endpoint %s: %w", path, err)
	}
	return ep, nil
}

// writeEndpoint writes the record through a temporary file and rename(2),
// so a reader never sees half of it.
func writeEndpoint(dir string, ep Endpoint) error {
	b, err := json.MarshalIndent(ep, "", "  ")
	if err != nil {
		return err
	}
	path := endpointPath(dir, ep.ContainerID)
	if err := os.WriteFile(path+".tmp", append(b, '\n'), 0o600); err != nil {
		return err
	}
	return os.Rename(path+".tmp", path)
}

func endpointPath(dir, id string) string {
	return filepath.Join(dir, "endpoints", id+".json")
}

// takeAddress claims the first free address of c for id: the first whose
// record file it can create (O_EXCL: the kernel says whether it existed).
func takeAddress(dir string, c Config, id string) (netip.Addr, error) {
	for a := range c.hosts {
		path := filepath.Join(dir, "addresses", a.String())
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return netip.Addr{}, err
		}
		_, err = f.WriteString(id)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
			return netip.Addr{}, err
		}
		return a, nil
	}
	return netip.Addr{}, fmt.Errorf("allocate address for %s: subnet %v is full", id, c.Subnet)
}

// release removes a container's records: its address file (only if it
// still holds this container's ID) and its endpoint record.
func release(dir string, ep Endpoint) error {
	if ep.IP.IsValid() {
		path := filepath.Join(dir, "addresses", ep.IP.String())
		if b, err := os.ReadFile(path); err == nil && string(b) == ep.ContainerID {
			if err := os.Remove(path); err != nil {
				return err
			}
		}
	}
	err := os.Remove(endpointPath(dir, ep.ContainerID))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// checkPorts refuses ports that one of the other endpoints already
// publishes, or that repeat within the request, naming the holder.
func checkPorts(ports []Port, eps []Endpoint) error {
	for i, p := range ports {
		if p.HostPort == 0 {
			continue
		}
		for _, ep := range eps {
			for _, q := range ep.Ports {
				if p.conflicts(q) {
					return fmt.Errorf("publish %s: host port %d/%s is already published by container %s", p, p.HostPort, p.Protocol, ep.ContainerID)
				}
			}
		}
		for _, q := range ports[:i] {
			if p.conflicts(q) {
				return fmt.Errorf("publish %s: host port %d/%s is given twice", p, p.HostPort, p.Protocol)
			}
		}
	}
	return nil
}

// drainingPrefix marks an address record whose container has exited but
// whose veth may still exist (Manager.Release): "draining mvXXXXXXXX". The
// address is not given out again until the kernel has removed that veth
// with the container's namespace, so two live interfaces never share it.
const drainingPrefix = "draining "

// drain marks ep's address record as draining and removes its endpoint.
func drain(dir string, ep Endpoint) error {
	if ep.IP.IsValid() {
		path := filepath.Join(dir, "addresses", ep.IP.String())
		if b, err := os.ReadFile(path); err == nil && string(b) == ep.ContainerID {
			if err := os.WriteFile(path+".tmp", []byte(drainingPrefix+ep.HostVeth), 0o600); err != nil {
				return err
			}
			if err := os.Rename(path+".tmp", path); err != nil {
				return err
			}
		}
	}
	err := os.Remove(endpointPath(dir, ep.ContainerID))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// dropOrphanAddresses removes address records whose container has no
// endpoint record: left by a crash between takeAddress and writeEndpoint.
// The caller holds the lock, so no allocation is half done.
func dropOrphanAddresses(dir string, eps []Endpoint) error {
	ents, err := os.ReadDir(filepath.Join(dir, "addresses"))
	if err != nil {
		return err
	}
	for _, e := range ents {
		path := filepath.Join(dir, "addresses", e.Name())
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if veth, ok := strings.CutPrefix(string(b), drainingPrefix); ok {
			if linkExists(veth) {
				continue // its namespace is still being torn down: not yet free
			}
			if err := os.Remove(path); err != nil {
				return err
			}
			continue
		}
		if !slices.ContainsFunc(eps, func(ep Endpoint) bool { return ep.ContainerID == string(b) }) {
			if err := os.Remove(path); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkID refuses a container ID that cannot name a record file.
func checkID(id string) error {
	if id == "" || id == "." || id == ".." || strings.ContainsAny(id, "/\x00") {
		return fmt.Errorf("container ID %q: not usable as a file name", id)
	}
	return nil
}
