package image_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/minictr/minictr/image"
	"github.com/minictr/minictr/internal/testutil"
)

// TestTag: a source is found as docker finds IMAGE arguments (by name, by
// ID prefix), a target is normalized, moves to the new image, and may not
// be a digest.
func TestTag(t *testing.T) {
	testutil.RequireRoot(t)
	p := pushTwo(t)
	s := openStore(t)
	var ids []string
	for _, ref := range []image.Reference{p.base, p.multi} {
		res, err := s.Pull(t.Context(), ref, image.PullOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.Image.ID)
	}
	img, err := s.Tag(strings.TrimPrefix(ids[0], "sha256:")[:8], "mine")
	if err != nil || img.ID != ids[0] {
		t.Fatalf("tag by ID prefix: %v, %s", err, img.ID)
	}
	if got, err := s.Get("docker.io/library/mine:latest"); err != nil || got.ID != ids[0] {
		t.Fatalf("mine is %s, %v; want %s", got.ID, err, ids[0])
	}
	if _, err := s.Tag(p.multi.Familiar(), "mine"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get("mine"); got.ID != ids[1] {
		t.Errorf("mine did not move to %s: %s", ids[1], got.ID)
	}
	if _, err := s.Tag("mine", "mine@"+ids[1]); err == nil || !strings.Contains(err.Error(), "digest") {
		t.Errorf("tag to a digest reference: %v", err)
	}
	if _, err := s.Tag("nosuch", "x"); !errors.Is(err, image.ErrNotFound) {
		t.Errorf("tag of an unknown image: %v", err)
	}
}
