//go:build !linux

package security

import "errors"

// Capabilities, seccomp, no_new_privs and device nodes are Linux's. The
// pure parts (ResolveCaps, ParseProfile, Compile) work everywhere, so a
// profile can be checked on any laptop; applying them is Linux-only.

// ApplyChild is Linux-only.
func ApplyChild(c Config, setUser func() error) error { return errors.ErrUnsupported }

// SetNoNewPrivs is Linux-only.
func SetNoNewPrivs() error { return errors.ErrUnsupported }

// InstallFilter is Linux-only.
func InstallFilter(p *Program) error { return errors.ErrUnsupported }

// ParseDevice is Linux-only.
func ParseDevice(spec string) (Device, error) { return Device{}, errors.ErrUnsupported }

func kernelRelease() string { return "" }
