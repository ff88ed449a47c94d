package mount

import (
	"fmt"
	"os"
	"path/filepath"
)

// Files writes the container's /etc/hostname, /etc/hosts (hosts, or when
// nil HostsFile's) and (when resolv is not nil) /etc/resolv.conf into dir, the container's own directory on
// the host, and returns the Binds that put them over the image's files.
// Pass them to MountBinds with the volumes.
//
// Why bind-mount instead of writing into the rootfs? Written through the
// merged rootfs they would be copied up into the container's upper layer,
// and every diff or commit of the container would show three files the
// user never touched. Docker keeps them in the container's directory and
// bind-mounts them, and so does minictr: the image stays clean, and the
// runtime can update them while the container runs. Each file is written to
// a temporary name and renamed, so a crash never leaves half a file.
func Files(dir, hostname string, hosts, resolv []byte) ([]Bind, error) {
	if hostname == "" {
		return nil, fmt.Errorf("container files in %s: empty hostname", dir)
	}
	type file struct {
		name string
		data []byte
	}
	if hosts == nil {
		hosts = HostsFile(hostname)
	}
	files := []file{{"hostname", []byte(hostname + "\n")}, {"hosts", hosts}}
	if resolv != nil {
		files = append(files, file{"resolv.conf", resolv})
	}
	var binds []Bind
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		if err := writeFileAtomic(path, f.data); err != nil {
			return nil, err
		}
		binds = append(binds, Bind{Source: path, Target: "/etc/" + f.name})
	}
	return binds, nil
}

// HostsFile is the container's /etc/hosts: the loopback names, with the
// container's hostname on them so that `ping $(hostname)` and programs
// that look up their own name work without a network.
func HostsFile(hostname string) []byte {
	return []byte("127.0.0.1\tlocalhost " + hostname + "\n" +
		"::1\tlocalhost ip6-localhost ip6-loopback " + hostname + "\n")
}

// writeFileAtomic writes data to path through a temporary file in the
// same directory and rename(2), which replaces path in one step.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
