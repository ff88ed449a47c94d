package cgroups

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// The cgroup filesystem is driven with four file operations. These helpers
// make every error name the operation and the file, e.g.
// "write /sys/fs/cgroup/minictr/c1/memory.max: invalid argument".

// writeFile writes value to an existing cgroup interface file with a single
// write(2): the kernel parses each write as one whole value and answers a
// bad one with an errno (EINVAL, EBUSY, ...) on that write.
func writeFile(path, value string) error {
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer unix.Close(fd)
	if _, err := unix.Write(fd, []byte(value)); err != nil {
		return &os.PathError{Op: "write", Path: path, Err: err}
	}
	return nil
}

// writeFiles writes files (name -> value) into dir, in sorted name order
// (see [Limits.V1Files] for why the order matters), skipping optionalFiles
// the kernel does not have.
func writeFiles(dir string, files map[string]string) error {
	for _, name := range sortedKeys(files) {
		err := writeFile(filepath.Join(dir, name), files[name])
		if errors.Is(err, fs.ErrNotExist) && optionalFiles[name] {
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// readValue reads a single-number file ("max" reads as 0); a missing
// optional counter (e.g. memory.peak before Linux 5.19) reads as 0 too.
func readValue(path string, optional bool) (int64, error) {
	b, err := os.ReadFile(path)
	if optional && errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return parseValue(path, string(b))
}

// readKeyed reads a flat keyed file such as memory.events or cpu.stat.
func readKeyed(path string) (map[string]int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseKeyed(string(b)), nil
}

// mkdir creates one cgroup directory. With existOK an existing directory is
// fine (the shared "minictr" parent); otherwise EEXIST is an error, so two
// containers never share a group by accident.
func mkdir(dir string, existOK bool) error {
	err := unix.Mkdir(dir, 0o755)
	if err == nil || (existOK && errors.Is(err, unix.EEXIST)) {
		return nil
	}
	return &os.PathError{Op: "mkdir", Path: dir, Err: err}
}

// rmdir removes an empty cgroup directory. Only rmdir(2) works here: the
// interface files cannot be unlinked, and the kernel removes them with the
// directory. While a process is still in the group -- or has been killed
// but not finished exiting -- rmdir fails with EBUSY, so it is retried for
// about two seconds. A directory that is already gone counts as removed.
func rmdir(dir string) error {
	delay := 5 * time.Millisecond
	for waited := time.Duration(0); ; waited += delay {
		err := unix.Rmdir(dir)
		if err == nil || errors.Is(err, unix.ENOENT) {
			return nil
		}
		if !errors.Is(err, unix.EBUSY) || waited > 2*time.Second {
			return &os.PathError{Op: "rmdir", Path: dir, Err: err}
		}
		time.Sleep(delay)
		delay = min(2*delay, 200*time.Millisecond)
	}
}
