package image_test

import (
	"bytes"
	"slices"
	"testing"

	"github.com/minictr/minictr/image"
	"github.com/minictr/minictr/internal/testutil"
)

// upperTar is what the layers package writes for a container's upper
// directory: a new file, a changed file, a deleted file from a lower layer
// (a whiteout) and a directory whose lower content is gone (opaque).
func upperTar(t *testing.T) []byte {
	return testutil.TarLayer(t, []testutil.File{
		testutil.Dir("app", 0o755),
		testutil.Reg("app/hello.sh", 0o755, "#!/bin/sh\necho committed\n"),
		testutil.Dir("etc", 0o755),
		testutil.Whiteout("etc/motd"),
		testutil.Reg("etc/new", 0o644, "made in a container\n"),
		testutil.Dir("opt", 0o755),
		testutil.Dir("opt/tree", 0o755),
		testutil.Whiteout("opt/tree/"),
	})
}

// TestCommit: the committed image stands on the base's very layers, holds
// the change, says so in its config and history, and goes out (push) and
// comes back (pull into an empty store) with the same digests.
func TestCommit(t *testing.T) {
	testutil.RequireRoot(t)
	p := pushTwo(t)
	s := openStore(t)
	res, err := s.Pull(t.Context(), p.multi, image.PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	base := res.Image
	cc := base.Config.Config
	cc.Cmd = []string{"/app/hello.sh"}
	img, err := s.Commit(t.Context(), image.CommitOptions{
		Base:    base,
		Layer:   bytes.NewReader(upperTar(t)),
		History: image.History{CreatedBy: "/bin/sh -c edit", Comment: "a change", Author: "student"},
		Config:  &cc,
		Names:   []image.Reference{mustRef(t, p.host+"/rt/committed:v1")},
	})
	if err != nil {
		t.Fatal(err)
	}
	n := len(base.ChainIDs)
	if len(img.ChainIDs) != n+1 || !slices.Equal(img.ChainIDs[:n], base.ChainIDs) {
		t.Fatalf("committed chain %v does not extend the base's %v", img.ChainIDs, base.ChainIDs)
	}
	h := img.Config.History[len(img.Config.History)-1]
	if h.CreatedBy != "/bin/sh -c edit" || h.Comment != "a change" || h.EmptyLayer || img.Config.Author != "student" {
		t.Errorf("history entry %+v, author %q", h, img.Config.Author)
	}
	if !slices.Equal(img.Config.Config.Cmd, cc.Cmd) || !slices.Equal(img.Config.Config.Env, base.Config.Config.Env) {
		t.Errorf("config %+v, want the base's with Cmd %v", img.Config.Config, cc.Cmd)
	}
	checkCommittedTree(t, s, img)

	var third progressLog
	pushed, err := s.Push(t.Context(), mustRef(t, p.host+"/rt/committed:v1"), image.PushOptions{Progress: third.add})
	if err != nil {
		t.Fatal(err)
	}
	if third.lines[len(third.lines)-1] != "Pushed" {
		t.Errorf("push of the committed image said %q, want the base layers already there and the new one pushed", third.lines)
	}
	empty := openStore(t)
	back, err := empty.Pull(t.Context(), mustRef(t, p.host+"/rt/committed:v1"), image.PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if back.Image.ID != img.ID || back.Digest != pushed.Digest || pushed.Digest != img.ImageManifest {
		t.Errorf("pulled back %s by %s; committed %s with manifest %s, pushed as %s", back.Image.ID, back.Digest, img.ID, img.ImageManifest, pushed.Digest)
	}
}

// checkCommittedTree mounts the committed image's layers and looks.
func checkCommittedTree(t *testing.T, s *image.Store, img image.Image) {
	t.Helper()
	ls, err := s.LayersOf(img)
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, l := range ls {
		dirs = append(dirs, l.Dir)
	}
	tree := testutil.MergedTree(t, dirs)
	for _, gone := range []string{"etc/motd", "opt/tree/new-file"} {
		if _, ok := tree[gone]; ok {
			t.Errorf("%s is still there", gone)
		}
	}
	for _, there := range []string{"app/hello.sh", "etc/new", "opt/tree", "bin/busybox"} {
		if _, ok := tree[there]; !ok {
			t.Errorf("%s is missing", there)
		}
	}
}

// An empty upper makes an empty_layer history entry and no layer.
func TestCommitEmpty(t *testing.T) {
	testutil.RequireRoot(t)
	p := pushTwo(t)
	s := openStore(t)
	res, err := s.Pull(t.Context(), p.base, image.PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	img, err := s.Commit(t.Context(), image.CommitOptions{Base: res.Image, History: image.History{CreatedBy: "true"}})
	if err != nil {
		t.Fatal(err)
	}
	h := img.Config.History[len(img.Config.History)-1]
	if !slices.Equal(img.ChainIDs, res.Image.ChainIDs) || !h.EmptyLayer || img.ID == res.Image.ID {
		t.Errorf("empty commit: chain %v (base %v), history %+v, ID %s", img.ChainIDs, res.Image.ChainIDs, h, img.ID)
	}
	if len(img.RepoTags) != 0 {
		t.Errorf("a commit without a name is named %v", img.RepoTags)
	}
}
