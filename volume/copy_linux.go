package volume

import (
	"io"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// copyDir copies the entries of the open directory src into the open
// directory dst. Every step is relative to a directory fd and opens with
// O_NOFOLLOW (or asks AT_SYMLINK_NOFOLLOW), so the copy never leaves the
// tree it was given: a symlink is copied as a symlink, never followed,
// whether it points to /etc or to ../../... srcPath and dstPath are for
// error messages only.
//
// Kept: directories, regular files (content, via copy_file_range(2)),
// symlinks, fifos and device nodes, each with owner, mode (setuid, setgid,
// sticky too) and times. Not kept: hard links (each name becomes its own
// copy), extended attributes, sockets.
func copyDir(src, dst int, srcPath, dstPath string) error {
	d, err := unix.Dup(src) // the *os.File below closes its own fd
	if err != nil {
		return &os.PathError{Op: "dup", Path: srcPath, Err: err}
	}
	dir := os.NewFile(uintptr(d), srcPath)
	names, err := dir.Readdirnames(-1)
	dir.Close()
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := copyEntry(src, dst, name, filepath.Join(srcPath, name), filepath.Join(dstPath, name)); err != nil {
			return err
		}
	}
	return nil
}

// copyEntry copies one entry of src (by name, never following it) to dst.
func copyEntry(src, dst int, name, srcPath, dstPath string) error {
	var st unix.Stat_t
	if err := unix.Fstatat(src, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &os.PathError{Op: "fstatat", Path: srcPath, Err: err}
	}
	var err error
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		err = copySubdir(src, dst, name, srcPath, dstPath)
	case unix.S_IFREG:
		err = copyFile(src, dst, name, srcPath, dstPath)
	case unix.S_IFLNK:
		var target string
		if target, err = readlinkat(src, name); err == nil {
			err = unix.Symlinkat(target, dst, name)
		}
	case unix.S_IFIFO, unix.S_IFCHR, unix.S_IFBLK:
		err = unix.Mknodat(dst, name, st.Mode, int(st.Rdev))
	default:
		return nil // a socket: meaningless without the process that listened
	}
	if err != nil {
		return &os.PathError{Op: "copy", Path: srcPath + " to " + dstPath, Err: err}
	}
	return setMeta(dst, name, dstPath, &st)
}

func copySubdir(src, dst int, name, srcPath, dstPath string) error {
	if err := unix.Mkdirat(dst, name, 0o700); err != nil {
		return err
	}
	s, err := unix.Openat(src, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(s)
	d, err := unix.Openat(dst, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(d)
	return copyDir(s, d, srcPath, dstPath)
}

// copyFile copies a regular file's bytes. O_EXCL: the name must be new
// (it also never follows a symlink at that name).
func copyFile(src, dst int, name, srcPath, dstPath string) error {
	s, err := unix.Openat(src, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	in := os.NewFile(uintptr(s), srcPath)
	defer in.Close()
	d, err := unix.Openat(dst, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return err
	}
	out := os.NewFile(uintptr(d), dstPath)
	defer out.Close()
	_, err = io.Copy(out, in) // copy_file_range(2) when the kernel can
	return err
}

// setMeta gives dir/name the owner, mode and times of st. The order
// matters: chown(2) clears setuid and setgid, so the mode comes after it;
// the times come last, since every change above updates them.
func setMeta(dir int, name, path string, st *unix.Stat_t) error {
	if err := unix.Fchownat(dir, name, int(st.Uid), int(st.Gid), unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &os.PathError{Op: "fchownat", Path: path, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFLNK { // a symlink's mode is always 0777
		if err := unix.Fchmodat(dir, name, st.Mode&0o7777, 0); err != nil {
			return &os.PathError{Op: "fchmodat", Path: path, Err: err}
		}
	}
	ts := []unix.Timespec{st.Atim, st.Mtim}
	if err := unix.UtimesNanoAt(dir, name, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &os.PathError{Op: "utimensat", Path: path, Err: err}
	}
	return nil
}

// readlinkat reads a symlink's target, growing the buffer as needed.
func readlinkat(dir int, name string) (string, error) {
	for size := 256; ; size *= 2 {
		buf := make([]byte, size)
		n, err := unix.Readlinkat(dir, name, buf)
		if err != nil {
			return "", err
		}
		if n < size {
			return string(buf[:n]), nil
		}
	}
}
