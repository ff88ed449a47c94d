package layers

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Unpacking a tar is the most dangerous thing a container runtime does with
// untrusted input. The tar is written by whoever pushed the image, the
// unpacker runs as root, and a naive one ("for each entry:
// os.Create(filepath.Join(dir, hdr.Name))") can be steered into writing
// anywhere on the host:
//
//   - a name like "../../etc/cron.d/x" or "/etc/cron.d/x";
//   - a symlink "evil -> /etc" followed by a file "evil/cron.d/x": the
//     kernel follows the symlink while resolving the second name;
//   - a hard link "h -> /etc/shadow" followed by a file "h" whose data is
//     written through the link;
//   - the same tricks with whiteout names.
//
// Docker, containerd, runc and umoci all shipped CVEs of this family. The
// fix is to never hand the kernel a path that can leave the layer: open the
// layer directory once (rootfd), resolve every parent directory with
// openat2(2) and RESOLVE_IN_ROOT (the kernel resolves the path as if rootfd
// were "/": ".." stops at it, an absolute symlink starts from it), and then
// act on the final name relative to that parent fd with the *at syscalls
// and O_NOFOLLOW/AT_SYMLINK_NOFOLLOW, so a symlink planted as the final
// name is replaced, never followed.

// UnpackTar unpacks the tar stream r into dir, which must exist, and returns
// the number of bytes of regular file data written. OCI whiteouts become
// overlayfs whiteouts (see whiteout.go). Nothing outside dir is created,
// changed or read. Entries are applied in order; a later entry for an
// existing path replaces it, except that a directory over a directory keeps
// the directory and takes the new entry's attributes (OCI image-spec
// layer.md, "Changeset over existing files").
//
// Giving files to other owners, device nodes, opaque directories (a
// trusted.* xattr) and security.capability need root; as another user
// UnpackTar fails on them with an error wrapping EPERM. (Whiteout devices
// do not: since Linux 5.8 anyone may mknod the whiteout device 0:0.)
func UnpackTar(ctx context.Context, dir string, r io.Reader) (int64, error) {
	rootfd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, &os.PathError{Op: "open layer dir", Path: dir, Err: err}
	}
	u := &unpacker{root: rootfd, cacheFd: -1, buf: make([]byte, copyBufSize)}
	defer u.close()
	tr := tar.NewReader(r)
	for {
		if err := ctx.Err(); err != nil {
			return u.size, err
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return u.size, fmt.Errorf("read layer tar: %w", err)
		}
		if err := u.entry(ctx, hdr, tr); err != nil {
			return u.size, fmt.Errorf("tar entry %q: %w", hdr.Name, err)
		}
	}
	return u.size, u.finishDirs()
}

// unpacker is the state of one UnpackTar call.
type unpacker struct {
	root int // O_PATH fd of the layer directory; every path is resolved under it

	// Most entries share their parent with the previous entry, so the last
	// resolved parent is kept open. Any removal may change what a path
	// resolves to, so it marks the cache stale (see resolve.go).
	cacheDir string
	cacheFd  int
	stale    bool

	buf  []byte    // file data buffer, reused for every file
	dirs []dirTime // directory times, applied at the end
	size int64
}

// dirTime remembers a directory's times. They are set after everything
// else: creating an entry inside a directory updates its mtime.
type dirTime struct {
	rel          string
	atime, mtime time.Time
}

func (u *unpacker) close() {
	if u.cacheFd >= 0 {
		unix.Close(u.cacheFd)
	}
	unix.Close(u.root)
}

// entry applies one tar header (and its data, read from r).
func (u *unpacker) entry(ctx context.Context, hdr *tar.Header, r io.Reader) error {
	if hdr.Typeflag == tar.TypeXGlobalHeader {
		return nil // archive-wide PAX records (`git archive` writes one), no file
	}
	rel, err := cleanName(hdr.Name)
	if err != nil {
		return err
	}
	dir, base := splitPath(rel)
	if inAufsMeta(dir) {
		return nil
	}
	switch kind, target := ClassifyWhiteout(base); kind {
	case Whiteout:
		return u.whiteout(dir, target)
	case Opaque:
		return u.opaque(dir)
	case AufsMeta:
		return nil
	case BadWhiteout:
		return fmt.Errorf("invalid whiteout name %q", base)
	}
	if rel == "" && hdr.Typeflag != tar.TypeDir {
		return errors.New("only a directory may stand for the layer root")
	}
	pfd, err := u.parent(dir)
	if err != nil {
		return err
	}
	switch hdr.Typeflag {
	case tar.TypeReg, tar.TypeCont, tar.TypeGNUSparse:
		// archive/tar has already expanded sparse maps: r yields zeros
		// for the holes, and copyData turns them back into holes.
		return u.regular(ctx, pfd, base, hdr, r)
	case tar.TypeDir:
		return u.directory(pfd, rel, base, hdr)
	case tar.TypeSymlink:
		return u.symlink(pfd, base, hdr)
	case tar.TypeLink:
		return u.hardlink(pfd, base, hdr)
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		return u.node(pfd, base, hdr)
	}
	return fmt.Errorf("unsupported tar entry type %q", hdr.Typeflag)
}

// finishDirs sets directory times, deepest first: setting a child's times
// does not touch its parent's mtime, but creating the child did, so the
// parent goes after it. A directory that a later entry replaced by a
// non-directory is skipped.
func (u *unpacker) finishDirs() error {
	sort.SliceStable(u.dirs, func(i, j int) bool {
		return depth(u.dirs[i].rel) > depth(u.dirs[j].rel)
	})
	for _, d := range u.dirs {
		dir, base := splitPath(d.rel)
		pfd, err := u.parent(dir)
		if err != nil {
			return fmt.Errorf("directory %q: %w", d.rel, err)
		}
		var st unix.Stat_t
		if err := unix.Fstatat(pfd, base, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil || st.Mode&unix.S_IFMT != unix.S_IFDIR {
			continue
		}
		if err := setTimes(pfd, base, d.atime, d.mtime); err != nil {
			return fmt.Errorf("directory %q: %w", d.rel, err)
		}
	}
	return nil
}

// depth orders paths for finishDirs; the root ("") comes last of all.
func depth(rel string) int {
	if rel == "" {
		return -1
	}
	return strings.Count(rel, "/")
}

// setTimes is utimensat(2) on pfd/base without following a final symlink
// (a symlink's own times are set, as tar records them).
func setTimes(pfd int, base string, atime, mtime time.Time) error {
	ts := []unix.Timespec{
		{Sec: atime.Unix(), Nsec: int64(atime.Nanosecond())},
		{Sec: mtime.Unix(), Nsec: int64(mtime.Nanosecond())},
	}
	if err := unix.UtimesNanoAt(pfd, base, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("utimensat: %w", err)
	}
	return nil
}

// withHint wraps err from operation op. When an unprivileged user hits
// EPERM it adds the one fact they need: most of unpacking requires root.
func withHint(op string, err error) error {
	if errors.Is(err, unix.EPERM) && os.Geteuid() != 0 {
		return fmt.Errorf("%s: %w (run as root)", op, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}
