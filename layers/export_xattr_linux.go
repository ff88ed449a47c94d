package layers

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// Extended attributes of the upper directory's files, read through their
// open descriptors (no path to resolve, nothing to follow) and sorted by
// classifyXattr (export.go).

// xattrs reads the extended attributes of the open file fd and sorts them
// with classifyXattr: the ones the layer keeps, and whether fd is an
// opaque directory. Most files have none: one flistxattr(2) call.
func (lw *layerWriter) xattrs(fd int, crel string) (map[string]string, bool, error) {
	list, err := flistxattr(fd, lw.xbuf[:])
	if err != nil {
		return nil, false, &os.PathError{Op: "flistxattr", Path: "/" + crel, Err: err}
	}
	var keep map[string]string
	opaque := false
	for _, name := range list {
		if a := classifyXattr(name, "y"); a == xattrDrop {
			continue // don't even read it
		} else if a == xattrRefuse {
			return nil, false, fmt.Errorf("/%s has overlayfs xattr %s: the upper directory was written with redirect_dir or metacopy on, so it does not hold the whole change; refusing to write a layer that would lack data", crel, name)
		}
		value, err := fgetxattr(fd, name)
		if err != nil {
			return nil, false, &os.PathError{Op: "fgetxattr " + name, Path: "/" + crel, Err: err}
		}
		switch classifyXattr(name, value) {
		case xattrKeep:
			if keep == nil {
				keep = map[string]string{}
			}
			keep[name] = value
		case xattrOpaque:
			opaque = true
		}
	}
	return keep, opaque, nil
}

// flistxattr lists the xattr names of fd, using buf when they fit.
func flistxattr(fd int, buf []byte) ([]string, error) {
	n, err := unix.Flistxattr(fd, buf)
	if errors.Is(err, unix.ERANGE) {
		if n, err = unix.Flistxattr(fd, nil); err == nil {
			buf = make([]byte, n)
			n, err = unix.Flistxattr(fd, buf)
		}
	}
	if errors.Is(err, unix.ENOTSUP) {
		return nil, nil
	}
	if err != nil || n == 0 {
		return nil, err
	}
	return strings.Split(strings.TrimSuffix(string(buf[:n]), "\x00"), "\x00"), nil
}

func fgetxattr(fd int, name string) (string, error) {
	n, err := unix.Fgetxattr(fd, name, nil)
	if err != nil {
		return "", err
	}
	buf := make([]byte, n)
	n, err = unix.Fgetxattr(fd, name, buf)
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}
