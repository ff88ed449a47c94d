//go:build !linux

package build

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

func owner(fs.FileInfo) (int, int, error) {
	return 0, 0, fmt.Errorf("file owner: %w", errors.ErrUnsupported)
}

func xattrs(string) (map[string][]byte, error) { return nil, nil }

func openNoFollow(abs string) (*os.File, error) { return os.Open(abs) }
