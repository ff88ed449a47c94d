package mount

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// The checks childSetup runs inside the container.

func pidIsOne() error {
	if os.Getpid() != 1 {
		return fmt.Errorf("pid %d", os.Getpid())
	}
	if self, err := os.Readlink("/proc/self"); err != nil || self != "1" {
		return fmt.Errorf("/proc/self -> %q, %v: /proc is not the new PID namespace's", self, err)
	}
	return nil
}

// oldRootGone: the host's path to the rootfs does not exist in here, and
// "/" is the overlay, the last mount on "/" in mountinfo.
func oldRootGone(hostRootfs string) error {
	if _, err := os.Stat(hostRootfs); !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("host path %s is still reachable: %v", hostRootfs, err)
	}
	mounts, err := ReadMountInfo()
	if err != nil {
		return err
	}
	var root MountInfo
	for _, m := range mounts {
		if m.Target == "/" {
			root = m
		}
		if strings.HasPrefix(m.Target, hostRootfs) {
			return fmt.Errorf("mount with a host path: %+v", m)
		}
	}
	if root.FSType != "overlay" {
		return fmt.Errorf("/ is %s from %s, want the overlay", root.FSType, root.Source)
	}
	return nil
}

// masked checks every path of maskedPaths this kernel has (this test VM's
// kernel has no /proc/kcore, Ubuntu's does): files read as /dev/null,
// directories are empty and read-only.
func masked() error {
	checked := 0
	for _, p := range maskedPaths {
		var st unix.Stat_t
		if err := unix.Stat(p, &st); errors.Is(err, unix.ENOENT) {
			continue
		} else if err != nil {
			return err
		}
		checked++
		if st.Mode&unix.S_IFMT != unix.S_IFDIR {
			if err := isDevNull(p); err != nil {
				return err
			}
			continue
		}
		if entries, err := os.ReadDir(p); err != nil || len(entries) != 0 {
			return fmt.Errorf("%s: %d entries, %v; want an empty tmpfs", p, len(entries), err)
		}
		if err := expectErrno(os.Mkdir(p+"/x", 0o755), unix.EROFS); err != nil {
			return fmt.Errorf("mkdir in %s: %w", p, err)
		}
	}
	if checked == 0 {
		return errors.New("none of the masked paths exists on this kernel: nothing was checked")
	}
	fmt.Printf("    (%d of %d masked paths exist here)\n", checked, len(maskedPaths))
	return nil
}

func isDevNull(path string) error {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != unix.Mkdev(1, 3) {
		return fmt.Errorf("%s: mode %o rdev %d, want /dev/null (char 1:3)", path, st.Mode, st.Rdev)
	}
	if b, err := os.ReadFile(path); err != nil || len(b) != 0 {
		return fmt.Errorf("read %s: %d bytes, %v", path, len(b), err)
	}
	return nil
}

func devNullWorks() error {
	f, err := os.OpenFile("/dev/null", os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Write([]byte("discard me")); err != nil {
		return err
	}
	if n, err := f.Read(make([]byte, 8)); n != 0 || err != io.EOF {
		return fmt.Errorf("read /dev/null: %d, %v; want 0, EOF", n, err)
	}
	return nil
}

func expectLink(path, want string) error {
	got, err := os.Readlink(path)
	if err == nil && got != want {
		err = fmt.Errorf("%s -> %s, want %s", path, got, want)
	}
	return err
}

// childShared is the "break it" case: the same set-up without
// MakePrivate's protection. Make every mount shared (after cutting our
// copies off from the host's peer groups, so nothing can leak to the
// host even on a systemd machine), then try pivot_root.
func childShared(cfg RootfsConfig) error {
	if err := MakePrivate(); err != nil {
		return err
	}
	if err := (Mount{Target: "/", Flags: msRec | msShared}).Apply(); err != nil {
		return err
	}
	if err := mountRootfs(cfg); err != nil {
		return err
	}
	err := PivotRoot(cfg.Rootfs)
	if err == nil {
		return errors.New("pivot_root succeeded on a shared mount")
	}
	fmt.Println("PivotRoot:", err)
	return expectErrno(err, unix.EINVAL)
}

// childNonRoot runs as an ordinary user: mounting needs CAP_SYS_ADMIN.
func childNonRoot(cfg RootfsConfig) error {
	m, cleanup, err := Overlay(cfg.Lowers, cfg.Upper, cfg.Work, cfg.Rootfs)
	if err != nil {
		return err
	}
	defer cleanup()
	err = m.Apply()
	if err == nil {
		return errors.New("an unprivileged user mounted an overlay")
	}
	fmt.Println("Apply:", err)
	return expectErrno(err, unix.EPERM)
}

// escape is the classic chroot break-out, run as root: chroot into a
// subdirectory WITHOUT chdir'ing into it, so the working directory is
// outside the new root, where ".." is not clamped; climb up, and make
// wherever that ends the root. It returns what "/" holds afterwards.
func escape() ([]string, error) {
	if err := os.Mkdir("/.escape", 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, err
	}
	if err := unix.Chroot("/.escape"); err != nil {
		return nil, fmt.Errorf("chroot /.escape: %w", err)
	}
	for i := 0; i < 64; i++ {
		if err := unix.Chdir(".."); err != nil {
			return nil, fmt.Errorf("chdir ..: %w", err)
		}
	}
	if err := unix.Chroot("."); err != nil {
		return nil, fmt.Errorf("chroot .: %w", err)
	}
	entries, err := os.ReadDir("/")
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names, err
}

// childChrootEscape shows why chroot(2) is no container: from a chroot
// into the rootfs, escape() reaches the host's tree (cfg.Upper, a host
// path, is visible again).
func childChrootEscape(cfg RootfsConfig) error {
	if err := unix.Chroot(cfg.Lowers[len(cfg.Lowers)-1]); err != nil {
		return err
	}
	if err := unix.Chdir("/"); err != nil {
		return err
	}
	names, err := escape()
	fmt.Printf("after the escape, / holds: %s\n", strings.Join(names, " "))
	if err != nil {
		return err
	}
	if _, err := os.Stat(cfg.Upper); err != nil {
		return fmt.Errorf("escape did not reach the host (%v): has the kernel changed?", err)
	}
	fmt.Println("escaped: the host path", cfg.Upper, "is reachable")
	return nil
}

// childPivotEscape runs the same escape after SetupRootfs: the old root
// was detached, so ".." from the container's "/" stays at "/".
func childPivotEscape(cfg RootfsConfig) error {
	if err := SetupRootfs(cfg); err != nil {
		return err
	}
	names, err := escape()
	fmt.Printf("after the escape, / holds: %s\n", strings.Join(names, " "))
	if err != nil {
		return err
	}
	if _, err := os.Stat(cfg.Upper); !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("host path %s reachable after pivot_root: %v", cfg.Upper, err)
	}
	fmt.Println("still inside: the host path", cfg.Upper, "does not exist here")
	return nil
}
