//go:build !linux

package layers

import (
	"errors"
	"io"
)

// WriteLayer reads overlayfs whiteouts and trusted.* xattrs: Linux only.
func WriteLayer(w io.Writer, upper string, opts LayerOptions) (LayerStats, error) {
	return LayerStats{}, errors.ErrUnsupported
}
