package layers

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Crash safety in the store rests on one rule: nothing is ever built under
// its final name. Everything is written under <root>/tmp and then moved into
// place with rename(2), which is atomic within one filesystem: a reader (or
// a minictr started after a crash) sees the old state or the new one, never
// half a layer. What a crash leaves behind is only litter in tmp/, and
// every tmp entry starts with the pid of its writer, so litter is easy to
// tell from work in progress: if that pid is no longer running, the entry
// is garbage (CleanTemp).

// TempDir creates a fresh directory <root>/tmp/<pid>-<name>-<random> and
// returns its path. name says what it is for ("unpack", "pull").
func TempDir(root, name string) (string, error) {
	if name == "" || strings.ContainsAny(name, "/*") {
		return "", fmt.Errorf("temp dir name %q: must be non-empty, without '/' or '*'", name)
	}
	tmp := filepath.Join(root, "tmp")
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return "", err
	}
	return os.MkdirTemp(tmp, fmt.Sprintf("%d-%s-", os.Getpid(), name))
}

// CleanTemp removes the entries of <root>/tmp whose owning process is gone.
// Entries of live processes (including this one) are kept, and so are
// names that do not start with "<pid>-": they are not ours.
func CleanTemp(root string) error {
	tmp := filepath.Join(root, "tmp")
	entries, err := os.ReadDir(tmp)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range entries {
		pid, ok := tempOwner(e.Name())
		if !ok || pidAlive(pid) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(tmp, e.Name())); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// tempOwner parses the pid from a tmp entry name "<pid>-<name>-<rand>".
func tempOwner(name string) (pid int, ok bool) {
	s, _, found := strings.Cut(name, "-")
	if !found {
		return 0, false
	}
	pid, err := strconv.Atoi(s)
	if err != nil || pid <= 0 || strconv.Itoa(pid) != s {
		return 0, false
	}
	return pid, true
}

// pidAlive asks the kernel with kill(pid, 0): signal 0 is never delivered,
// but the permission and existence checks are made. ESRCH means no such
// process; EPERM means it exists but belongs to someone else.
func pidAlive(pid int) bool {
	err := unix.Kill(pid, 0)
	return err == nil || err == unix.EPERM
}

// WriteFileAtomic replaces path with data the crash-safe way: write a temp
// file under <root>/tmp, fsync it (the data is on disk before the name is),
// rename it over path, and fsync path's directory (the rename itself is on
// disk). path must be on the same filesystem as root; it is, for everything
// in the store.
func WriteFileAtomic(root, path string, data []byte, perm os.FileMode) (err error) {
	tmp := filepath.Join(root, "tmp")
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(tmp, fmt.Sprintf("%d-write-", os.Getpid()))
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Chmod(perm); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// syncDir fsyncs a directory, making the names in it (a rename) durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
