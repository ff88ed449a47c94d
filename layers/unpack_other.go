//go:build !linux

package layers

import (
	"context"
	"errors"
	"io"
)

// UnpackTar needs openat2(2), mknodat(2) and overlayfs xattrs: Linux only.
// This stub keeps the package building (and `go vet` working) elsewhere.
func UnpackTar(ctx context.Context, dir string, r io.Reader) (int64, error) {
	return 0, errors.ErrUnsupported
}
