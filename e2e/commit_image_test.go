package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/minictr/minictr/internal/testutil"
)

// TestCommit: the container's changes become one new layer on the very
// same layer directories; a container of the new image sees them, and
// changed nothing yet (its diff is empty: the mount points minictr made
// in the first container's upper are not in the layer either).
func TestCommit(t *testing.T) {
	c := newCLI(t)
	c.diffImage()
	c.ok("run", "--name", "c1", "-e", "GREETING=hi", "localhost/diff:test", "sh", "-c", testutil.DiffScript)
	id := strings.TrimSpace(c.ok("commit", "-m", "the diff script", "-a", "Ada <ada@example.com>", "-c", "LABEL stage=committed", "-c", `CMD ["cat","/etc/new.conf"]`, "c1", "committed:1"))
	if !strings.HasPrefix(id, "sha256:") || len(id) != 71 {
		t.Fatalf("commit printed %q, want sha256:<64 hex>", id)
	}
	base, img := c.inspect("localhost/diff:test"), c.inspect("committed:1")
	if img.ID != id || len(img.Layers) != len(base.Layers)+1 {
		t.Fatalf("committed image %s has %d layers, base %d", img.ID, len(img.Layers), len(base.Layers))
	}
	for i, l := range base.Layers {
		if inode(t, l.Dir) != inode(t, img.Layers[i].Dir) {
			t.Errorf("layer %d: the committed image's directory %s is not the base's %s", i, img.Layers[i].Dir, l.Dir)
		}
	}
	top := img.Layers[len(img.Layers)-1].Dir
	for _, p := range []string{"etc/hosts", "etc/resolv.conf"} { // mount points minictr made: not the container's
		if _, err := os.Lstat(filepath.Join(top, p)); err == nil {
			t.Errorf("the committed layer has minictr's mount point /%s", p)
		}
	}
	h := img.History[len(img.History)-1]
	if h.Comment != "the diff script" || h.Author != "Ada <ada@example.com>" || !strings.HasPrefix(h.CreatedBy, "sh -c set -e") {
		t.Errorf("history entry %+v", h)
	}
	if !slices.Equal(img.Config.Cmd, []string{"cat", "/etc/new.conf"}) {
		t.Errorf("-c CMD [...] (commas in the flag's value): Cmd %q", img.Config.Cmd)
	}
	if img.Config.Labels["stage"] != "committed" || !slices.Contains(img.Config.Env, "GREETING=hi") {
		t.Errorf("config: labels %v env %v", img.Config.Labels, img.Config.Env)
	}
	out := c.ok("run", "--name", "c2", "committed:1", "sh", "-c",
		"cat /etc/new.conf /opt/tree/fresh; test ! -e /bin/ls && echo ls-gone; test -p /tmp/fifo && echo fifo; ls /opt/tree")
	if want := "new\nx\nls-gone\nfifo\nfresh\n"; out != want {
		t.Errorf("in the committed image: %q, want %q", out, want)
	}
	if d := c.ok("diff", "c2"); d != "" {
		t.Errorf("diff of a fresh container of the committed image: %q, want nothing", d)
	}
	hist := c.ok("history", "committed:1")
	if !strings.Contains(hist, "the diff script") || !strings.Contains(hist, base.ID[7:19]) {
		t.Errorf("history does not show the comment and the base image's ID %s:\n%s", base.ID[7:19], hist)
	}
	// The tree: the base's layers used by both images, the new one by one.
	tree := c.ok("images", "--tree")
	top, baseTop := img.RootFS.ChainIDs[len(img.RootFS.ChainIDs)-1], base.RootFS.ChainIDs[len(base.RootFS.ChainIDs)-1]
	for _, want := range []string{shortHex(baseTop) + "  ", "2 images", shortHex(top) + "  ", "1 image  sh -c set -e", "<- committed:1", "2 images, "} {
		if !strings.Contains(tree, want) {
			t.Errorf("images --tree lacks %q:\n%s", want, tree)
		}
	}
	// Nothing changed: an empty_layer entry and no layer.
	c.ok("commit", "c2", "again:1")
	if again := c.inspect("again:1"); len(again.Layers) != len(img.Layers) || !again.History[len(again.History)-1].EmptyLayer {
		t.Errorf("commit of an unchanged container: %d layers, history %+v", len(again.Layers), again.History)
	}
}

// TestCommitRunning freezes a running container while its upper is read
// and thaws it after: it still runs, and a volume is named in the output.
func TestCommitRunning(t *testing.T) {
	c := newCLI(t)
	bb := c.busybox()
	id := c.detached("--name", "r1", "-v", "/data", bb, "sh", "-c", "echo x > /made; exec sleep 1000")
	waitFile(t, filepath.Join(c.root, "containers", id, "upper", "made"))
	r := c.run("commit", "r1", "live:1")
	if r.code != 0 || !strings.Contains(r.stderr, "not part of the committed layer: /data") {
		t.Fatalf("commit of a running container with a volume: exit %d\n%s", r.code, r.stderr)
	}
	if st := c.state("r1"); st.Status != "running" || st.Pid == 0 {
		t.Fatalf("after commit: %+v", st)
	}
	if frozen := frozenNow(t, c.state("r1").Cgroup); frozen != "" {
		t.Errorf("container still frozen after commit: %s", frozen)
	}
	if out := c.ok("run", "--rm", "live:1", "cat", "/made"); out != "x\n" {
		t.Errorf("committed file: %q", out)
	}
}

// TestSaveReadByPeers: a committed image saved by `save` is read by
// podman load and skopeo inspect docker-archive:, with the same layers.
func TestSaveReadByPeers(t *testing.T) {
	c := newCLI(t)
	c.diffImage()
	c.ok("run", "--name", "c1", "localhost/diff:test", "sh", "-c", testutil.DiffScript)
	c.ok("commit", "c1", "localhost/committed:1")
	archive := filepath.Join(t.TempDir(), "committed.tar")
	c.ok("save", "-o", archive, "localhost/committed:1")
	img := c.inspect("localhost/committed:1")
	testutil.RequireTool(t, "skopeo", "skopeo")
	out := testutil.Run(t, "skopeo", "inspect", "--config", "docker-archive:"+archive)
	for _, d := range img.RootFS.DiffIDs {
		if !strings.Contains(out, d) {
			t.Errorf("skopeo inspect --config lacks diff ID %s:\n%s", d, out)
		}
	}
	// skopeo copies it to an OCI layout; umoci unpacks that on its own:
	// the tree must equal the committed image's layers merged by overlayfs.
	layout := filepath.Join(t.TempDir(), "layout")
	testutil.Run(t, "skopeo", "copy", "--quiet", "docker-archive:"+archive, "oci:"+layout+":committed")
	if d := testutil.DiffTrees(c.merged("localhost/committed:1"), testutil.UmociUnpack(t, layout, "committed")); len(d) > 0 {
		t.Errorf("umoci's unpack of the saved image differs from minictr's layers:\n%s", strings.Join(d, "\n"))
	}
	// --format oci: the layout alone. skopeo 1.9 reads an OCI layout's
	// image only when its manifest is an OCI one, so this image comes in
	// as an OCI archive: its committed child keeps the OCI media types.
	ociIn := filepath.Join(t.TempDir(), "in-oci.tar")
	testutil.DiffImage(t).WriteOCIArchive(t, ociIn, "in", false)
	loaded := c.ok("load", "-i", ociIn)
	c.ok("run", "--name", "o1", strings.TrimSpace(loaded[strings.LastIndex(loaded, " ")+1:]), "sh", "-c", "echo oci > /oci")
	c.ok("commit", "o1", "localhost/ocicommit:1")
	oci := filepath.Join(t.TempDir(), "oci.tar")
	c.ok("save", "--format", "oci", "-o", oci, "localhost/ocicommit:1")
	ociImg := c.inspect("localhost/ocicommit:1")
	if out := testutil.Run(t, "skopeo", "inspect", "--config", "oci-archive:"+oci+":1"); !strings.Contains(out, ociImg.RootFS.DiffIDs[len(ociImg.RootFS.DiffIDs)-1]) {
		t.Errorf("skopeo inspect oci-archive: lacks the committed layer's diff ID:\n%s", out)
	}
	podman := testutil.Podman(t, "/minictr-e2e-save")
	podman("load", "-q", "-i", archive)
	if got := podman("run", "--rm", "--cgroup-parent", "/minictr-e2e-save", "--runtime", "runc", "--network=none",
		"--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "localhost/committed:1", "cat", "/etc/new.conf"); got != "new\n" {
		t.Errorf("podman run of the saved image: %q", got)
	}
}

func inode(t *testing.T, path string) uint64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}

// frozenNow says where a group is frozen (v1 freezer.state, v2
// cgroup.events), "" when it is not; it fails when it finds no freezer.
func frozenNow(t *testing.T, paths map[string]string) string {
	t.Helper()
	if dir, ok := paths["freezer"]; ok {
		b, err := os.ReadFile(filepath.Join(dir, "freezer.state"))
		if err != nil {
			t.Fatal(err)
		}
		if s := strings.TrimSpace(string(b)); s != "THAWED" {
			return dir + ": " + s
		}
		return ""
	}
	if dir, ok := paths[""]; ok {
		b, err := os.ReadFile(filepath.Join(dir, "cgroup.events"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "frozen 1") {
			return dir + ": frozen 1"
		}
		return ""
	}
	t.Fatalf("no freezer in the container's cgroup %v", paths)
	return ""
}

// shortHex is a chain ID or image ID as the CLI prints it: 12 hex digits.
func shortHex(id string) string { return strings.TrimPrefix(id, "sha256:")[:12] }
