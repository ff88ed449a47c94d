package layers

import (
	"errors"
	"sync"

	"golang.org/x/sys/unix"
)

// Overlayfs keeps its opaque marks in trusted.* xattrs, and the kernel
// shows trusted.* xattrs only to a process with CAP_SYS_ADMIN
// (xattr(7), "Trusted extended attributes"). To anyone else an opaque
// directory looks like a plain one: listxattr(2) leaves the name out and
// getxattr(2) answers ENODATA, exactly as for a directory that has none.
// Reading an upper directory without the capability would therefore give
// a diff and a layer that silently miss every replaced directory, so both
// refuse instead, with errTrustedHidden.
var errTrustedHidden = errors.New("overlayfs keeps opaque directories in trusted.* xattrs, which only CAP_SYS_ADMIN can read (run as root)")

// canReadTrusted reports whether this process has CAP_SYS_ADMIN in its
// effective set, asked once with capget(2).
var canReadTrusted = sync.OnceValue(func() bool {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return false
	}
	return data[unix.CAP_SYS_ADMIN/32].Effective&(1<<(unix.CAP_SYS_ADMIN%32)) != 0
})
