package testutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The oracle: to know what rootfs an image SHOULD give, ask tools that
// other runtimes trust. skopeo (containers/image, podman's library) pulls
// the image from the registry into an OCI layout; umoci (the OCI's own
// reference unpacker) applies its layers, whiteouts included, into one
// directory. A test then compares minictr's merged overlay against that
// tree with DiffTrees: two independent implementations of the same spec.

// UmociTree pulls host/repo:tag from a plain-HTTP loopback registry with
// skopeo, unpacks it with `umoci raw unpack` and returns the Tree of the
// result. As root, umoci keeps the owners from the layers; as a normal
// user it runs --rootless and every file belongs to the caller, so compare
// Uid/Gid only when root.
func UmociTree(t testing.TB, registryHost, repo, tag string) map[string]Entry {
	t.Helper()
	RequireTool(t, "skopeo", "skopeo")
	RequireTool(t, "umoci", "umoci")
	dir := t.TempDir()
	layout := filepath.Join(dir, "layout")
	// umoci 0.4.7 reads no zstd layers ("blob is not correct mediatype"),
	// so skopeo decompresses every layer, checks it and stores it gzipped.
	Run(t, "skopeo", "copy", "--quiet", "--src-tls-verify=false", "--dest-compress-format=gzip",
		"docker://"+registryHost+"/"+repo+":"+tag, "oci:"+layout+":"+tag)
	return UmociUnpack(t, layout, tag)
}

// UmociUnpack unpacks the image named tag of the OCI layout at layout
// with `umoci raw unpack` and returns the Tree of the rootfs.
func UmociUnpack(t testing.TB, layout, tag string) map[string]Entry {
	t.Helper()
	RequireTool(t, "umoci", "umoci")
	rootfs := filepath.Join(t.TempDir(), "rootfs")
	args := []string{"raw", "unpack"}
	if os.Geteuid() != 0 {
		args = append(args, "--rootless")
	}
	args = append(args, "--image", layout+":"+tag, rootfs)
	Run(t, "umoci", args...)
	return Tree(t, rootfs)
}

// Run runs a command to completion and fails the test with the command
// line and everything it printed if it does not exit 0. It returns stdout.
func Run(t testing.TB, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}
