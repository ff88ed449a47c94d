//go:build !linux

package cgroups

import "errors"

// Cgroups exist only on Linux. Elsewhere the package builds (so editors and
// `go vet` work on any laptop) and every call fails with ErrUnsupported.

// Detect is Linux-only.
func Detect() (Mode, error) { return 0, errors.ErrUnsupported }

// New is Linux-only.
func New(name string, l Limits) (Cgroup, error) { return nil, errors.ErrUnsupported }

// Load is Linux-only.
func Load(paths map[string]string) (Cgroup, error) {
	return nil, errors.ErrUnsupported
}
