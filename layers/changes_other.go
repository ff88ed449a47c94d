//go:build !linux

package layers

import "errors"

// Changes reads overlayfs whiteouts and trusted.* xattrs: Linux only.
func Changes(upper string, lowers []string) ([]Change, error) {
	return nil, errors.ErrUnsupported
}
