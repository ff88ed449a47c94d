package layers

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"time"

	"golang.org/x/sys/unix"
)

// WriteLayer writes the upper directory of a container's overlay as one
// layer tar in OCI form to w (see export.go for the rules) and reports
// what it wrote. The tar is not compressed; the caller pipes w through
// gzip and the digests. The root directory itself gets no entry, as in
// docker's layers.
//
// The upper directory is read through directory file descriptors, one
// component at a time with O_NOFOLLOW, never by full path: a container
// that is still running could otherwise swap a directory for a symlink
// between two steps and have the host's files read into the layer. Freeze
// the container while WriteLayer runs for a consistent layer; a file that
// changes type under it makes WriteLayer fail rather than guess.
//
// Reading an upper directory that has subdirectories needs CAP_SYS_ADMIN
// (trusted_linux.go); without it WriteLayer fails rather than miss opaque
// directories.
//
// Owners, modes (with setuid, setgid and sticky), mtimes (whole seconds),
// symlink targets (never followed), device numbers, fifos, the xattrs
// user.* and security.capability (as PAX records) and hard links (a file
// with several names in the upper directory is written once, its other
// names as tar hard links to the first) are kept. Sockets are skipped:
// a socket file means nothing without the process listening on it, and
// tar has no type for it.
func WriteLayer(w io.Writer, upper string, opts LayerOptions) (LayerStats, error) {
	fd, err := unix.Open(upper, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return LayerStats{}, &os.PathError{Op: "open upper directory", Path: upper, Err: err}
	}
	lw := &layerWriter{tw: tar.NewWriter(w), opts: opts, upper: upper,
		buf: make([]byte, copyBufSize), links: map[inodeKey]string{}}
	if err := lw.dir(os.NewFile(uintptr(fd), upper), ""); err != nil {
		return lw.stats, fmt.Errorf("write layer from %s: %w", upper, err)
	}
	if err := lw.tw.Close(); err != nil {
		return lw.stats, fmt.Errorf("write layer from %s: %w", upper, err)
	}
	return lw.stats, nil
}

type inodeKey struct{ dev, ino uint64 }

// layerWriter is the state of one WriteLayer call.
type layerWriter struct {
	tw    *tar.Writer
	opts  LayerOptions
	upper string
	buf   []byte              // file data buffer, reused
	xbuf  [1024]byte          // xattr name list buffer, reused
	links map[inodeKey]string // first name written of each multiply-linked file
	stats LayerStats
}

// dir writes the entries of the directory d (rel is its path in the layer,
// "" for the root) and closes d.
func (lw *layerWriter) dir(d *os.File, rel string) error {
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return fmt.Errorf("readdir /%s: %w", rel, err)
	}
	fd := int(d.Fd())
	children := make([]childName, 0, len(names))
	stats := make(map[string]*unix.Stat_t, len(names))
	for _, name := range names {
		st := new(unix.Stat_t)
		if err := unix.Fstatat(fd, name, st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return &os.PathError{Op: "lstat", Path: "/" + path.Join(rel, name), Err: err}
		}
		kind := kindOther
		if isWhiteoutDevice(st) {
			kind = kindWhiteout
		} else if err := checkName(path.Join(rel, name), name); err != nil {
			return err
		}
		if st.Mode&unix.S_IFMT == unix.S_IFSOCK {
			continue
		}
		if lw.opts.Skip != nil && lw.opts.Skip("/"+path.Join(rel, name)) {
			continue
		}
		children = append(children, childName{name, kind})
		stats[name] = st
	}
	orderChildren(children)
	for _, c := range children {
		if err := lw.entry(fd, rel, c, stats[c.Name]); err != nil {
			return err
		}
	}
	return nil
}

// entry writes one entry named c.Name of the directory fd.
func (lw *layerWriter) entry(fd int, rel string, c childName, st *unix.Stat_t) error {
	crel := path.Join(rel, c.Name)
	mtime := layerTime(time.Unix(st.Mtim.Sec, st.Mtim.Nsec), lw.opts)
	if c.Kind == kindWhiteout {
		return lw.write(whiteoutHeader(crel, mtime))
	}
	hdr := &tar.Header{Name: crel, Mode: int64(st.Mode & 0o7777), Uid: int(st.Uid), Gid: int(st.Gid), ModTime: mtime}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		return lw.directory(fd, crel, c.Name, hdr, st)
	case unix.S_IFREG:
		return lw.regular(fd, crel, c.Name, hdr, st)
	case unix.S_IFLNK:
		target, err := readlinkat(fd, c.Name)
		if err != nil {
			return &os.PathError{Op: "readlink", Path: "/" + crel, Err: err}
		}
		hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, target
	case unix.S_IFCHR, unix.S_IFBLK:
		hdr.Typeflag = tar.TypeChar
		if st.Mode&unix.S_IFMT == unix.S_IFBLK {
			hdr.Typeflag = tar.TypeBlock
		}
		hdr.Devmajor, hdr.Devminor = int64(unix.Major(st.Rdev)), int64(unix.Minor(st.Rdev))
	case unix.S_IFIFO:
		hdr.Typeflag = tar.TypeFifo
	default:
		return fmt.Errorf("/%s: unknown file type %#o", crel, st.Mode&unix.S_IFMT)
	}
	return lw.write(hdr)
}

// directory writes a directory, its opaque marker if it has one, and
// everything inside it.
func (lw *layerWriter) directory(fd int, crel, name string, hdr *tar.Header, st *unix.Stat_t) error {
	if !canReadTrusted() {
		return fmt.Errorf("/%s: %w", crel, errTrustedHidden)
	}
	cfd, err := openChild(fd, name, unix.O_DIRECTORY, st)
	if err != nil {
		return &os.PathError{Op: "open", Path: "/" + crel, Err: err}
	}
	d := os.NewFile(uintptr(cfd), "/"+crel)
	xattrs, opaque, err := lw.xattrs(cfd, crel)
	if err != nil {
		d.Close()
		return err
	}
	hdr.Typeflag, hdr.Name = tar.TypeDir, crel+"/"
	withXattrs(hdr, xattrs)
	if err := lw.write(hdr); err != nil {
		d.Close()
		return err
	}
	if opaque {
		if err := lw.write(opaqueHeader(crel, hdr.ModTime)); err != nil {
			d.Close()
			return err
		}
	}
	return lw.dir(d, crel)
}

// regular writes a regular file: its data, or, for a second name of a
// file already written, a hard link to the first name.
func (lw *layerWriter) regular(fd int, crel, name string, hdr *tar.Header, st *unix.Stat_t) error {
	key := inodeKey{st.Dev, st.Ino}
	if first, ok := lw.links[key]; ok && st.Nlink > 1 {
		hdr.Typeflag, hdr.Linkname = tar.TypeLink, first
		return lw.write(hdr)
	}
	cfd, err := openChild(fd, name, unix.O_NONBLOCK, st)
	if err != nil {
		return &os.PathError{Op: "open", Path: "/" + crel, Err: err}
	}
	f := os.NewFile(uintptr(cfd), "/"+crel)
	defer f.Close()
	xattrs, _, err := lw.xattrs(cfd, crel)
	if err != nil {
		return err
	}
	hdr.Typeflag, hdr.Size = tar.TypeReg, st.Size
	withXattrs(hdr, xattrs)
	if err := lw.write(hdr); err != nil {
		return err
	}
	n, err := io.CopyBuffer(lw.tw, io.LimitReader(f, st.Size), lw.buf)
	if err != nil {
		return fmt.Errorf("read /%s: %w", crel, err)
	}
	if n != st.Size {
		return fmt.Errorf("read /%s: file shrank from %d to %d bytes while being written (freeze the container first)", crel, st.Size, n)
	}
	lw.stats.Bytes += n
	if st.Nlink > 1 {
		lw.links[key] = crel
	}
	return nil
}

// openChild opens name in the directory fd without following a symlink
// and checks that it is still the inode fstatat saw.
func openChild(fd int, name string, flags int, want *unix.Stat_t) (int, error) {
	cfd, err := unix.Openat(fd, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC|flags, 0)
	if err != nil {
		return -1, err
	}
	var st unix.Stat_t
	if err := unix.Fstat(cfd, &st); err != nil {
		unix.Close(cfd)
		return -1, err
	}
	if st.Ino != want.Ino || st.Dev != want.Dev || st.Mode&unix.S_IFMT != want.Mode&unix.S_IFMT {
		unix.Close(cfd)
		return -1, errors.New("replaced while being read (freeze the container first)")
	}
	return cfd, nil
}

func (lw *layerWriter) write(hdr *tar.Header) error {
	if err := lw.tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("tar header %s: %w", hdr.Name, err)
	}
	lw.stats.Entries++
	return nil
}

// readlinkat returns the target of the symlink name in the directory fd.
// symlink(2) refuses targets of PATH_MAX (4096) bytes or more, so one
// buffer of that size always holds the whole target.
func readlinkat(fd int, name string) (string, error) {
	var buf [unix.PathMax]byte
	n, err := unix.Readlinkat(fd, name, buf[:])
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}
