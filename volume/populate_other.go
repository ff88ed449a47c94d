//go:build !linux

package volume

import "errors"

// Populate needs openat2(2) and a Linux mount namespace.
func Populate(rootfs, target, data string) (bool, error) { return false, errors.ErrUnsupported }
