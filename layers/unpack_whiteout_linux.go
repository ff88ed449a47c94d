package layers

import (
	"fmt"
	"path"

	"golang.org/x/sys/unix"
)

// whiteout turns "DIR/.wh.NAME" into overlayfs's whiteout: a character device
// with device number 0:0 named DIR/NAME. When overlayfs looks NAME up in the
// merged view and finds such a device in an upper layer, it answers ENOENT
// and stops looking in the layers below.
//
// The parent is resolved inside the layer like any other (and created if
// this layer does not have it), and NAME is one path component (checked by
// ClassifyWhiteout), so a whiteout can never touch anything outside the
// layer. Its usual job is to hide a LOWER layer's file, so NAME is normally
// absent here.
//
// If NAME does exist in this layer, the OCI spec is explicit: "Files that are
// present in the same layer as a whiteout file can only be hidden by
// whiteout files in subsequent layers." The entry stays. Only if it is a
// directory do we mark it opaque, so that the lower layers' NAME/ (which the
// whiteout deleted) does not show through into it.
func (u *unpacker) whiteout(dir, name string) error {
	pfd, err := u.parent(dir)
	if err != nil {
		return err
	}
	err = unix.Mknodat(pfd, name, unix.S_IFCHR|0, int(unix.Mkdev(0, 0)))
	if err == unix.EEXIST {
		var st unix.Stat_t
		if err := unix.Fstatat(pfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return fmt.Errorf("whiteout %s: %w", path.Join(dir, name), err)
		}
		if st.Mode&unix.S_IFMT == unix.S_IFDIR {
			return setDirXattrs(pfd, name, map[string]string{opaqueXattr: "y"})
		}
		return nil
	}
	if err != nil {
		return withHint("mknod whiteout "+path.Join(dir, name)+" in layer", err)
	}
	return nil
}

// opaque turns "DIR/.wh..wh..opq" into the xattr trusted.overlay.opaque="y"
// on DIR (created if missing). Overlayfs then shows DIR's entries from this
// layer and the layers above it, and none from the layers below: the OCI
// "opaque whiteout". The entries this layer itself puts in DIR stay, whatever
// their order in the tar relative to the marker, which is exactly what the
// spec asks ("applied first ... regardless of the ordering").
func (u *unpacker) opaque(dir string) error {
	fd, err := u.dir(dir, unix.O_RDONLY)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := unix.Fsetxattr(fd, opaqueXattr, []byte("y"), 0); err != nil {
		return withHint("setxattr "+opaqueXattr+" on "+path.Join("/", dir)+" in layer", err)
	}
	return nil
}

// isWhiteoutDevice reports whether st is an overlayfs whiteout (char 0:0).
func isWhiteoutDevice(st *unix.Stat_t) bool {
	return st.Mode&unix.S_IFMT == unix.S_IFCHR && st.Rdev == 0
}
