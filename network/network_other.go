//go:build !linux

package network

import "errors"

// Bridges, veths and nftables are Linux's: elsewhere the package builds,
// so that its pure parts (ParsePublish, ResolvConf, CheckOverlap) and go vet
// work on a laptop, and the kernel parts report errors.ErrUnsupported.

func (m *Manager) Allocate(containerID string, ports []Port, alive func(string) bool) (Endpoint, error) {
	return Endpoint{}, errors.ErrUnsupported
}

func (m *Manager) Connect(ep Endpoint, pid int) error { return errors.ErrUnsupported }

func (m *Manager) Attach(containerID string, pid int, ports []Port, alive func(string) bool) (Endpoint, error) {
	return Endpoint{}, errors.ErrUnsupported
}

func (m *Manager) Detach(containerID string) error { return errors.ErrUnsupported }

func (m *Manager) Release(containerID string) error { return errors.ErrUnsupported }

func (m *Manager) Prune(alive func(string) bool) (bool, error) { return false, errors.ErrUnsupported }

func ConfigureInside(ep Endpoint) error { return errors.ErrUnsupported }

// ListedRule is one of minictr's rules with its counter (Linux only).
type ListedRule struct {
	Table, Chain, Comment string
	Packets, Bytes        uint64
}

func ListRules() ([]ListedRule, error) { return nil, errors.ErrUnsupported }

func FirewallWarnings(c Config) ([]string, error) { return nil, errors.ErrUnsupported }

func dropKernelState(c Config) error { return nil }

func (m *Manager) Sweep() error { return errors.ErrUnsupported }

func linkExists(name string) bool { return false }
