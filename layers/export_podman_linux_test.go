package layers_test

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/minictr/minictr/internal/testutil"
	"github.com/minictr/minictr/layers"
)

// TestWriteLayerMatchesPodmanCommit runs commitScript in a podman
// container of the same image, commits it, saves the image as a docker
// archive and compares podman's new layer with WriteLayer's, entry by
// entry: name, type, mode, owner, size, link target, device. Both are
// overlay upper directories turned into OCI whiteouts and opaque markers,
// by two independent writers.
//
// podman's layer also holds what podman itself put into the container
// (etc/mtab -> /proc/mounts, the mount points etc/hosts, etc/resolv.conf,
// etc/hostname, run/ and run/.containerenv); those are dropped before
// comparing. Two differences of form are not compared (tarListing):
// podman writes the file type bits into the mode word (040755 for a
// directory, as Go's tar.FileInfoHeader does; readers mask them off), and
// gives its whiteouts mode 0 and its opaque markers the directory's mode,
// where minictr writes the 0600 the issue asks for (layer.md says only
// "empty regular files").
func TestWriteLayerMatchesPodmanCommit(t *testing.T) {
	testutil.RequireRoot(t)
	img := diffImage(t)
	podman := podmanCmd(t)
	dir := t.TempDir()
	archive := filepath.Join(dir, "image.tar")
	img.WriteDockerArchive(t, archive, []string{"localhost/minictr-commit:test"}, false)
	podman("load", "-q", "-i", archive)
	podman("run", "--name", "minictr-commit", "--runtime", "runc", "--network=none",
		"--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "--cgroup-parent", podmanCgroupParent,
		"--cap-add", "MKNOD", "localhost/minictr-commit:test", "/bin/sh", "-c", commitScript)
	podman("commit", "-q", "minictr-commit", "localhost/minictr-commit:committed")
	saved := filepath.Join(dir, "committed.tar")
	podman("save", "-q", "--format", "docker-archive", "-o", saved, "localhost/minictr-commit:committed")
	podmanOnly := map[string]bool{"etc/mtab": true, "etc/hosts": true, "etc/resolv.conf": true, "etc/hostname": true, "run/": true, "run/.containerenv": true}
	var theirs []string
	for _, e := range tarListing(t, lastLayer(t, saved)) {
		if !podmanOnly[strings.Fields(e)[0]] {
			theirs = append(theirs, e)
		}
	}

	c := newContainer(t, img)
	c.sh(t, commitScript)
	c.unmount(t)
	var buf bytes.Buffer
	if _, err := layers.WriteLayer(&buf, c.Upper, layers.LayerOptions{}); err != nil {
		t.Fatal(err)
	}
	ours := tarListing(t, buf.Bytes())
	t.Logf("minictr's layer:\n%s", strings.Join(ours, "\n"))
	slices.Sort(ours)
	slices.Sort(theirs)
	if !slices.Equal(ours, theirs) {
		t.Errorf("minictr's layer and podman's differ:\nonly minictr: %q\nonly podman:  %q", minus(ours, theirs), minus(theirs, ours))
	}
}

// tarListing describes each entry of a tar in one line, without times,
// with only the permission bits of the mode, and for a whiteout (which
// has no content and no owner to speak of) only its name and type.
func tarListing(t *testing.T, data []byte) []string {
	t.Helper()
	var out []string
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("read layer: %v", err)
		}
		if strings.HasPrefix(path.Base(h.Name), ".wh.") {
			out = append(out, fmt.Sprintf("%s type=%c size=%d", h.Name, h.Typeflag, h.Size))
			continue
		}
		line := fmt.Sprintf("%s type=%c mode=%#o owner=%d:%d size=%d", h.Name, h.Typeflag, h.Mode&0o7777, h.Uid, h.Gid, h.Size)
		if h.Linkname != "" {
			line += " link=" + h.Linkname
		}
		if h.Typeflag == tar.TypeChar || h.Typeflag == tar.TypeBlock {
			line += fmt.Sprintf(" dev=%d,%d", h.Devmajor, h.Devminor)
		}
		out = append(out, line)
	}
}

// lastLayer returns the top layer tar of the one image in a docker save
// archive.
func lastLayer(t *testing.T, archive string) []byte {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	members := map[string][]byte{}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("read %s: %v", archive, err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		members[h.Name] = b
	}
	var manifest []struct{ Layers []string }
	if err := json.Unmarshal(members["manifest.json"], &manifest); err != nil || len(manifest) != 1 || len(manifest[0].Layers) == 0 {
		t.Fatalf("manifest.json of %s: %v %s", archive, err, members["manifest.json"])
	}
	return members[manifest[0].Layers[len(manifest[0].Layers)-1]]
}

// minus returns the elements of a not in b.
func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}
