package image_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/minictr/minictr/image"
	"github.com/minictr/minictr/internal/testutil"
)

// raceRounds bounds how often each racer repeats its command: enough that
// the pruner hits the moments between "blobs written" and "image
// recorded" many times, with no clock in the test.
const raceRounds = 100

// TestStoreStaysWholeUnderRace is issue 9's stress test at the Go level:
// pulls, a load, an import, a commit, tag, save, rmi and prune loop
// together on one store, each
// in its own goroutine (flock excludes two open files even in one
// process, so goroutines race exactly as processes do). None of them may
// fail for any other reason than "no such image", and afterwards every
// image the index lists must be whole: its config, its layers, and the
// exact blobs save and push send. Before blobs were staged (stage.go),
// prune deleted the config a pull had written but not yet recorded, and
// List failed with "read blob ...: no such file or directory".
func TestStoreStaysWholeUnderRace(t *testing.T) {
	testutil.RequireRoot(t)
	host := testutil.StartRegistry(t)
	// Small images, so that the racers go round many times: the race is
	// about the store's bookkeeping, not about bytes.
	base := testutil.Layer{Tar: testutil.TarLayer(t, []testutil.File{testutil.Dir("etc", 0o755), testutil.Reg("etc/base", 0o644, "base\n")}), CreatedBy: "ADD base /"}
	app := testutil.Layer{Tar: testutil.TarLayer(t, []testutil.File{testutil.Dir("app", 0o755), testutil.Reg("app/run", 0o755, "#!/bin/sh\n")}), CreatedBy: "COPY app /app"}
	small := testutil.TestImage{Layers: []testutil.Layer{base}}
	multi := testutil.TestImage{Layers: []testutil.Layer{base, app}}
	small.Push(t, host, "race/busybox", "v1", testutil.OCI)
	multi.Push(t, host, "race/multi", "v1", testutil.Docker)
	dir := t.TempDir()
	archive := filepath.Join(dir, "multi.tar")
	multi.WriteDockerArchive(t, archive, []string{"race/loaded:v1"}, false)
	rootfs := app.Tar
	commitBase := testutil.TestImage{Layers: []testutil.Layer{base}}
	commitBase.Config.Config.Cmd = []string{"/app/run"} // another config: another image, on the same layer
	commitBase.Push(t, host, "race/base", "v1", testutil.OCI)
	s, err := image.OpenStore(filepath.Join(dir, "store"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	reg := image.NewRegistry(false)
	// The base of the commits is never removed, as a container's image
	// would not be; everything else comes and goes.
	pulled, err := s.Pull(ctx, mustRef(t, host+"/race/base:v1"), image.PullOptions{Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	pull := func(name string) func() error {
		ref := mustRef(t, host+"/"+name)
		return func() error {
			_, err := s.Pull(ctx, ref, image.PullOptions{Registry: reg})
			return err
		}
	}
	racers := map[string]func() error{
		"pull busybox": pull("race/busybox:v1"),
		"pull multi":   pull("race/multi:v1"),
		"load": func() error {
			f, err := os.Open(archive)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = s.Load(ctx, f, archive)
			return err
		},
		"import": func() error {
			_, err := s.Import(ctx, bytes.NewReader(rootfs), "rootfs.tar", []image.Reference{mustRef(t, "race/imported:v1")})
			return err
		},
		"commit": func() error {
			_, err := s.Commit(ctx, image.CommitOptions{Base: pulled.Image, Layer: bytes.NewReader(app.Tar),
				History: image.History{CreatedBy: "race"}, Names: []image.Reference{mustRef(t, "race/committed:v1")}})
			return err
		},
		"tag":  func() error { _, err := s.Tag(pulled.Image.ID, "race/tagged:v1"); return err },
		"save": func() error { return s.Save(io.Discard, []string{pulled.Image.ID}, image.SaveDocker) },
		"rmi": func() error {
			for _, n := range []string{host + "/race/busybox:v1", host + "/race/multi:v1", "race/loaded:v1", "race/imported:v1", "race/committed:v1", "race/tagged:v1"} {
				if _, err := s.Remove(n, image.RemoveOptions{}); err != nil && !errors.Is(err, image.ErrNotFound) {
					return err
				}
			}
			return nil
		},
		"prune":         func() error { _, err := s.Prune(nil); return err },
		"another prune": func() error { _, err := s.Prune(nil); return err },
	}
	errs := runRacers(racers)
	for _, err := range errs {
		t.Error(err)
	}
	checkStoreWhole(t, s)
}

// runRacers runs every racer raceRounds times, all at once, and returns
// their errors.
func runRacers(racers map[string]func() error) []error {
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for name, fn := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range raceRounds {
				if err := fn(); err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("%s, round %d: %w", name, i, err))
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return errs
}

// checkStoreWhole resolves every image the index lists: config, layers,
// and (when the image keeps them) the manifest and layer blobs.
func checkStoreWhole(t *testing.T, s *image.Store) {
	t.Helper()
	imgs, err := s.List()
	if err != nil {
		t.Fatalf("images after the race: %v", err)
	}
	for _, img := range imgs {
		if _, err := s.Blob(img.ID); err != nil {
			t.Errorf("image %s %v: %v", img.ShortID(), img.RepoTags, err)
		}
		if _, err := s.LayersOf(img); err != nil {
			t.Errorf("image %s %v: %v", img.ShortID(), img.RepoTags, err)
		}
		if err := checkExact(s, img); err != nil {
			t.Errorf("image %s %v: %v", img.ShortID(), img.RepoTags, err)
		}
	}
	t.Logf("%d images whole after the race", len(imgs))
}

func mustRef(t *testing.T, s string) image.Reference {
	t.Helper()
	r, err := image.ParseReference(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// checkExact checks that the store keeps what save and push send: the
// image manifest, naming this config, and every layer blob it lists.
func checkExact(s *image.Store, img image.Image) error {
	if img.ImageManifest == "" {
		return fmt.Errorf("no image manifest kept")
	}
	b, err := s.Blob(img.ImageManifest)
	if err != nil {
		return err
	}
	m, _, err := image.DecodeManifest("", b)
	if err != nil {
		return err
	}
	if m.Config.Digest != img.ID || len(m.Layers) != len(img.ChainIDs) {
		return fmt.Errorf("manifest %s names config %s and %d layers, the image is %s with %d", img.ImageManifest, m.Config.Digest, len(m.Layers), img.ID, len(img.ChainIDs))
	}
	for _, l := range m.Layers {
		if _, err := os.Stat(filepath.Join(s.Root(), "blobs", "sha256", strings.TrimPrefix(l.Digest, "sha256:"))); err != nil {
			return fmt.Errorf("layer blob: %w", err)
		}
	}
	return nil
}
