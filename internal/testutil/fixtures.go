package testutil

import (
	"io/fs"
	"testing"

	"github.com/minictr/minictr/image"
)

// Layer is one step of a test image's history: the layer tar it produced
// and the instruction that made it. A Layer with a nil Tar stands for an
// instruction that changed only the config (ENV, CMD, WORKDIR): like
// `docker build`, Encode gives it a history entry marked empty_layer and
// no blob.
type Layer struct {
	Tar       []byte
	CreatedBy string
}

// TestImage is an image before it is encoded: its layers, bottom first,
// and the parts of its config a test sets (Config.Config for Env, Cmd,
// WorkingDir, User...). Encode fills in architecture, os, rootfs.diff_ids,
// history and the creation time.
type TestImage struct {
	Layers []Layer
	Config image.Config
}

// PathEnv is the PATH every test image sets, as the official images do.
const PathEnv = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// BusyboxImage is a one-layer image of BusyboxRoot that runs /bin/sh: the
// smallest image a container can really start from.
func BusyboxImage(t testing.TB) TestImage {
	t.Helper()
	img := TestImage{Layers: []Layer{{Tar: TarLayer(t, BusyboxRoot(t)), CreatedBy: "ADD busybox-static /"}}}
	img.Config.Config.Env = []string{PathEnv}
	img.Config.Config.Cmd = []string{"/bin/sh"}
	return img
}

// MultiLayerImage is the image the layer and overlay tests check against:
// four layers and one config-only step, exercising every kind of entry and
// every whiteout rule. After all layers are applied:
//
//	opt/setuid        -rwsr-xr-x            (setuid kept)
//	opt/secret        -rw------- 1000:1000   (owner kept)
//	opt/hard1, opt/hard2, opt/tree-link      one inode (hard links)
//	opt/abs-link -> /etc/passwd, opt/rel-link -> ../etc/group
//	opt/gone          absent                 (.wh.gone in layer 3)
//	opt/tree/         only new-file          (opaque .wh..wh..opq in layer 3)
//	opt/replaced      a file                 (dir whited out, file added, same layer)
//	opt/retyped       a file                 (dir replaced by a file, docker's way)
//	bin/hostname      absent                 (a busybox link deleted)
//	app/hello.sh, etc/motd                   added by layer 4
func MultiLayerImage(t testing.TB) TestImage {
	t.Helper()
	img := TestImage{Layers: []Layer{
		{Tar: TarLayer(t, BusyboxRoot(t)), CreatedBy: "ADD busybox-static /"},
		{Tar: TarLayer(t, optFiles()), CreatedBy: "COPY opt/ /opt/"},
		{CreatedBy: "ENV GREETING=hello"},
		{Tar: TarLayer(t, cleanupFiles()), CreatedBy: "RUN rm -rf /opt/gone /opt/tree/* /opt/replaced /opt/retyped /bin/hostname && ..."},
		{Tar: TarLayer(t, appFiles()), CreatedBy: "COPY app/ /app/"},
	}}
	c := &img.Config.Config
	c.Env = []string{PathEnv, "GREETING=hello"}
	c.Cmd = []string{"/bin/sh", "-c", "echo $GREETING from $(pwd)"}
	c.WorkingDir = "/app"
	return img
}

// optFiles is layer 2: one of each kind of entry a layer can hold.
func optFiles() []File {
	return []File{
		Dir("opt", 0o755),
		Reg("opt/setuid", fs.ModeSetuid|0o755, "#!/bin/sh\nid\n"),
		{Name: "opt/secret", Mode: 0o600, Uid: 1000, Gid: 1000, Data: []byte("app's secret\n")},
		{Name: "opt/shared", Mode: fs.ModeDir | fs.ModeSetgid | 0o775, Gid: 1000},
		Reg("opt/hard1", 0o644, "one inode, two names\n"),
		Hardlink("opt/hard2", "opt/hard1"),
		Symlink("opt/abs-link", "/etc/passwd"),
		Symlink("opt/rel-link", "../etc/group"),
		Symlink("opt/dangling", "/does/not/exist"),
		{Name: "opt/fifo", Mode: fs.ModeNamedPipe | 0o644},
		{Name: "opt/xattr", Mode: 0o644, Data: []byte("labelled\n"), Xattrs: map[string]string{"user.minictr.test": "hello"}},
		Reg("opt/gone", 0o644, "deleted by the next layer\n"),
		Dir("opt/tree", 0o755),
		Dir("opt/tree/a", 0o755),
		Reg("opt/tree/a/old", 0o644, "hidden by the opaque marker\n"),
		Reg("opt/tree/keep-me-not", 0o644, "hidden too\n"),
		Hardlink("opt/tree-link", "opt/hard1"),
		Dir("opt/replaced", 0o755),
		Reg("opt/replaced/x", 0o644, "x\n"),
		Reg("opt/replaced/y", 0o644, "y\n"),
		Dir("opt/retyped", 0o755),
		Reg("opt/retyped/z", 0o644, "z\n"),
	}
}

// cleanupFiles is layer 3: deletions. Directories that change are listed
// before their contents, as docker writes them.
//
// A directory that becomes a file appears in two forms in the wild. Docker
// and containerd compute the change as "modify opt/retyped" and write only
// the new file (moby pkg/archive changes.go: "we only recurse on the old dir
// if the new info is a directory"), so an unpacker must itself remove the
// old directory. Other tools first white the old path out and then add the
// file in the same layer, which the spec allows because a whiteout applies
// only to the layers below it (image-spec layer.md, "Whiteouts").
func cleanupFiles() []File {
	return []File{
		Dir("bin", 0o755),
		Whiteout("bin/hostname"),
		Dir("opt", 0o755),
		Whiteout("opt/gone"),
		Whiteout("opt/replaced"),
		Reg("opt/replaced", 0o640, "a directory became this file\n"),
		Reg("opt/retyped", 0o644, "and this one, docker's way\n"),
		Dir("opt/tree", 0o755),
		Whiteout("opt/tree/"),
		Reg("opt/tree/new-file", 0o644, "the only file left in opt/tree\n"),
	}
}

// appFiles is layer 4: ordinary additions on top.
func appFiles() []File {
	return []File{
		Dir("app", 0o755),
		Reg("app/hello.sh", 0o755, "#!/bin/sh\necho \"$GREETING from $(hostname 2>/dev/null || cat /etc/hostname)\"\n"),
		Dir("etc", 0o755),
		Reg("etc/motd", 0o644, "built by internal/testutil\n"),
	}
}
