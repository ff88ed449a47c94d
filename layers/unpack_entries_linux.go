package layers

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"

	"golang.org/x/sys/unix"
)

// The handlers below create one entry each, named base inside the directory
// pfd (already resolved inside the layer). Order matters for metadata:
//
//	data -> chown -> chmod -> xattrs -> times
//
// chown(2) clears setuid/setgid (and security.capability), so chmod comes
// after it and the capability xattr after both; writing data would also clear
// them, so it comes first. Times come last because every other change
// bumps ctime/mtime.

// regular creates a regular file with O_EXCL|O_NOFOLLOW: if the name is
// taken (by a file, a symlink, a hard link to something else), the old entry
// is unlinked first, so data never goes through an existing link.
func (u *unpacker) regular(ctx context.Context, pfd int, base string, hdr *tar.Header, r io.Reader) error {
	const flags = unix.O_WRONLY | unix.O_CREAT | unix.O_EXCL | unix.O_NOFOLLOW | unix.O_CLOEXEC
	fd, err := unix.Openat(pfd, base, flags, 0o600)
	if err == unix.EEXIST {
		if err = u.removeExisting(pfd, base); err == nil {
			fd, err = unix.Openat(pfd, base, flags, 0o600)
		}
	}
	if err != nil {
		return withHint("openat", err)
	}
	err = u.copyData(ctx, fd, r, hdr.Size)
	if err == nil {
		err = fdMetadata(fd, hdr)
	}
	if cerr := unix.Close(fd); err == nil && cerr != nil {
		err = fmt.Errorf("close: %w", cerr)
	}
	if err != nil {
		return err
	}
	u.size += hdr.Size
	atime, mtime := fileTimes(hdr)
	return setTimes(pfd, base, atime, mtime)
}

// fdMetadata sets owner, mode and xattrs through an open file descriptor.
func fdMetadata(fd int, hdr *tar.Header) error {
	if err := unix.Fchown(fd, hdr.Uid, hdr.Gid); err != nil {
		return withHint(fmt.Sprintf("chown %d:%d", hdr.Uid, hdr.Gid), err)
	}
	if err := unix.Fchmod(fd, uint32(hdr.Mode&0o7777)); err != nil {
		return fmt.Errorf("chmod %o: %w", hdr.Mode&0o7777, err)
	}
	for name, value := range xattrsOf(hdr) {
		if err := unix.Fsetxattr(fd, name, []byte(value), 0); err != nil {
			return withHint("setxattr "+name, err)
		}
	}
	return nil
}

// atMetadata sets owner and mode of pfd/base, which the caller has just
// created (so it is not a symlink and fchmodat, which follows symlinks, is
// safe). Symlinks get only their owner: Linux ignores a symlink's mode.
func atMetadata(pfd int, base string, hdr *tar.Header, isSymlink bool) error {
	if err := unix.Fchownat(pfd, base, hdr.Uid, hdr.Gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return withHint(fmt.Sprintf("chown %d:%d", hdr.Uid, hdr.Gid), err)
	}
	if isSymlink {
		return nil
	}
	if err := unix.Fchmodat(pfd, base, uint32(hdr.Mode&0o7777), 0); err != nil {
		return fmt.Errorf("chmod %o: %w", hdr.Mode&0o7777, err)
	}
	return nil
}

// directory creates a directory, or keeps an existing one (dir over dir)
// and gives it the new entry's attributes. Its times are set at the end.
func (u *unpacker) directory(pfd int, rel, base string, hdr *tar.Header) error {
	err := unix.Mkdirat(pfd, base, 0o700)
	if err == unix.EEXIST {
		err = u.replaceWithDir(pfd, base)
	}
	if err != nil {
		return withHint("mkdirat", err)
	}
	if err := atMetadata(pfd, base, hdr, false); err != nil {
		return err
	}
	if xs := xattrsOf(hdr); len(xs) > 0 {
		if err := setDirXattrs(pfd, base, xs); err != nil {
			return err
		}
	}
	atime, mtime := fileTimes(hdr)
	u.dirs = append(u.dirs, dirTime{rel, atime, mtime})
	return nil
}

// replaceWithDir handles mkdirat's EEXIST: keep a directory, replace
// anything else. If what it replaces is an overlay whiteout from earlier in
// this same layer ("delete lower X, then create X/ anew"), the new
// directory is made opaque so the lower X's contents stay hidden.
func (u *unpacker) replaceWithDir(pfd int, base string) error {
	var st unix.Stat_t
	if err := unix.Fstatat(pfd, base, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		return nil
	}
	if err := u.removeExisting(pfd, base); err != nil {
		return err
	}
	if err := unix.Mkdirat(pfd, base, 0o700); err != nil {
		return err
	}
	if isWhiteoutDevice(&st) {
		return setDirXattrs(pfd, base, map[string]string{opaqueXattr: "y"})
	}
	return nil
}

func setDirXattrs(pfd int, base string, xs map[string]string) error {
	fd, err := unix.Openat(pfd, base, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("openat: %w", err)
	}
	defer unix.Close(fd)
	for name, value := range xs {
		if err := unix.Fsetxattr(fd, name, []byte(value), 0); err != nil {
			return withHint("setxattr "+name, err)
		}
	}
	return nil
}

// symlink creates a symlink. Its target is stored verbatim: it is data that
// only means something inside the container's root. The unpacker itself
// never follows it out of the layer (openat2 RESOLVE_IN_ROOT), and a later
// entry of the same name replaces the link instead of following it.
func (u *unpacker) symlink(pfd int, base string, hdr *tar.Header) error {
	err := unix.Symlinkat(hdr.Linkname, pfd, base)
	if err == unix.EEXIST {
		if err = u.removeExisting(pfd, base); err == nil {
			err = unix.Symlinkat(hdr.Linkname, pfd, base)
		}
	}
	if err != nil {
		return withHint("symlinkat", err)
	}
	if err := atMetadata(pfd, base, hdr, true); err != nil {
		return err
	}
	atime, mtime := fileTimes(hdr)
	return setTimes(pfd, base, atime, mtime)
}

// hardlink links base to an entry unpacked earlier. The target name is
// cleaned and resolved inside the layer like any other name, so
// "../../etc/shadow" is refused and "/etc/shadow" means the LAYER's
// /etc/shadow; linkat(2) without AT_SYMLINK_FOLLOW links a symlink itself,
// never what it points to. Hard links to directories are refused (the
// kernel would too). Owner, mode and times belong to the shared inode,
// which its first entry already set.
func (u *unpacker) hardlink(pfd int, base string, hdr *tar.Header) error {
	trel, err := cleanName(hdr.Linkname)
	if err != nil {
		return fmt.Errorf("hard link target %q: %w", hdr.Linkname, err)
	}
	if trel == "" {
		return errors.New("hard link to the layer root")
	}
	tdir, tbase := splitPath(trel)
	tfd, err := u.openInRoot(tdir, unix.O_PATH|unix.O_DIRECTORY)
	if err != nil {
		return fmt.Errorf("hard link target %q: %w", hdr.Linkname, err)
	}
	defer unix.Close(tfd)
	var st unix.Stat_t
	if err := unix.Fstatat(tfd, tbase, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("hard link target %q: %w", hdr.Linkname, err)
	}
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		return fmt.Errorf("hard link target %q is a directory", hdr.Linkname)
	}
	err = unix.Linkat(tfd, tbase, pfd, base, 0)
	if err == unix.EEXIST {
		if err = u.removeExisting(pfd, base); err == nil {
			err = unix.Linkat(tfd, tbase, pfd, base, 0)
		}
	}
	if err != nil {
		return withHint("linkat "+hdr.Linkname, err)
	}
	return nil
}

// node creates a character or block device or a FIFO with mknodat(2).
// Device nodes inside a layer are fine: they are inert files until a
// process in a container opens them, and the container's device cgroup
// decides whether it may.
func (u *unpacker) node(pfd int, base string, hdr *tar.Header) error {
	mode := uint32(unix.S_IFIFO)
	switch hdr.Typeflag {
	case tar.TypeChar:
		mode = unix.S_IFCHR
	case tar.TypeBlock:
		mode = unix.S_IFBLK
	}
	dev := int(unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor)))
	err := unix.Mknodat(pfd, base, mode|0o600, dev)
	if err == unix.EEXIST {
		if err = u.removeExisting(pfd, base); err == nil {
			err = unix.Mknodat(pfd, base, mode|0o600, dev)
		}
	}
	if err != nil {
		return withHint("mknodat", err)
	}
	if err := atMetadata(pfd, base, hdr, false); err != nil {
		return err
	}
	atime, mtime := fileTimes(hdr)
	return setTimes(pfd, base, atime, mtime)
}
