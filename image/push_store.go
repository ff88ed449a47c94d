package image

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// PushOptions are `push`'s knobs.
type PushOptions struct {
	Registry *Registry
	// Progress, when set, is told how each layer is doing, in docker's
	// words: Preparing, Layer already exists, Mounted from <repository>,
	// Pushing (with Current and Total bytes), Pushed.
	Progress func(Progress)
	// Chunk is the size of the pieces a blob larger than it is uploaded in
	// (default 32 MiB; negative: always in one request).
	Chunk int64
}

// PushResult says what a push did.
type PushResult struct {
	Digest string // of the manifest, as the registry now serves it
	Size   int64  // of the manifest
}

// defaultChunk is the piece size of a chunked upload.
const defaultChunk = 32 << 20

// Push sends the image named ref (a local name) to ref's registry and
// repository, as `docker push` does, pushing being pulling backwards,
// children first (push.go): every layer blob, then the config, then the
// manifest under ref's tag. For each blob it asks first (HEAD) and skips
// what the repository has ("Layer already exists"); a blob known to live
// in another repository of the same registry (where it was pulled from or
// pushed to: the index's sources) is mounted from there, which copies
// nothing; the rest is uploaded. The manifest is the one the store kept,
// byte for byte, so its digest is the one the image was pulled by: push
// never recompresses a layer (an image the store cannot send unchanged is
// refused, see pinExact).
func (s *Store) Push(ctx context.Context, ref Reference, opt PushOptions) (PushResult, error) {
	if ref.Tag == "" {
		return PushResult{}, fmt.Errorf("push %s: name a tag to push", ref.Familiar())
	}
	reg := opt.Registry
	if reg == nil {
		reg = NewRegistry(false)
	}
	img, err := s.Get(ref.String())
	if err != nil {
		return PushResult{}, fmt.Errorf("push %s: %w", ref.Familiar(), err)
	}
	st, err := s.newStage()
	if err != nil {
		return PushResult{}, err
	}
	defer st.close()
	x, err := s.pinExact(st, img)
	if err != nil {
		return PushResult{}, fmt.Errorf("push %s: %w", ref.Familiar(), err)
	}
	sources, err := s.sources()
	if err != nil {
		return PushResult{}, err
	}
	report := func(p Progress) {
		if opt.Progress != nil {
			opt.Progress(p)
		}
	}
	for _, d := range x.m.Layers {
		report(Progress{ID: shortID(d.Digest), Status: "Preparing"})
	}
	for i, d := range x.blobs() {
		isLayer := i < len(x.m.Layers)
		if err := s.pushBlob(ctx, reg, st, ref, d, sources[d.Digest], opt.Chunk, isLayer, report); err != nil {
			return PushResult{}, fmt.Errorf("push %s: %w", ref.Familiar(), err)
		}
	}
	if err := reg.PushManifest(ctx, ref, x.mt, x.manifest); err != nil {
		return PushResult{}, err
	}
	return PushResult{Digest: x.digest(), Size: int64(len(x.manifest))}, s.pushed(ref, x)
}

// pushBlob makes sure ref's repository has blob d: HEAD, else a mount
// from a repository of the same registry that has it, else an upload.
func (s *Store) pushBlob(ctx context.Context, reg *Registry, st *stage, ref Reference, d Descriptor, from []string, chunk int64, isLayer bool, report func(Progress)) error {
	id := shortID(d.Digest)
	say := func(p Progress) {
		if isLayer { // docker shows layers only; the config goes up silently
			p.ID = id
			report(p)
		}
	}
	there, err := reg.HasBlob(ctx, ref, d.Digest)
	if err != nil {
		return err
	}
	if there {
		say(Progress{Status: "Layer already exists"})
		return nil
	}
	for _, repo := range mountSources(ref, from) {
		mounted, err := reg.UploadBlob(ctx, ref, d, Upload{From: repo})
		if err == nil && mounted {
			say(Progress{Status: "Mounted from " + repo})
			return nil
		}
		// A registry that would not mount opened a plain upload session
		// (202), left to expire; one whose token does not cover the other
		// repository says 401. Either way: upload the bytes.
		if err != nil && !errors.Is(err, ErrAuthRequired) {
			return err
		}
	}
	return s.uploadBlob(ctx, reg, st, ref, d, chunk, say)
}

func (s *Store) uploadBlob(ctx context.Context, reg *Registry, st *stage, ref Reference, d Descriptor, chunk int64, say func(Progress)) error {
	f, err := st.open(d.Digest)
	if err != nil {
		return err
	}
	defer f.Close()
	if chunk == 0 {
		chunk = defaultChunk
	}
	var last int64
	up := Upload{Body: NewVerifyingReader(f, d), Chunk: chunk, Progress: func(n int64) {
		if n-last >= 512<<10 || n == d.Size {
			last = n
			say(Progress{Status: "Pushing", Current: n, Total: d.Size})
		}
	}}
	if _, err := reg.UploadBlob(ctx, ref, d, up); err != nil {
		return err
	}
	say(Progress{Status: "Pushed", Current: d.Size, Total: d.Size})
	return nil
}

// mountSources are the repositories of ref's registry, other than ref's
// own, that hold the blob: "127.0.0.1:5000/a/b" -> "a/b".
func mountSources(ref Reference, from []string) []string {
	var out []string
	for _, f := range from {
		host, path, ok := strings.Cut(f, "/")
		if ok && host == ref.Domain && path != ref.Path {
			out = append(out, path)
		}
	}
	return out
}

// sources reads the index's map of blob -> repositories.
func (s *Store) sources() (map[string][]string, error) {
	idx, err := s.readIndex()
	if err != nil {
		return nil, err
	}
	return idx.Sources, nil
}

// pushed records what a push made true: ref's repository holds the image's
// blobs (a later push elsewhere on that registry can mount them), and the
// image has the repo digest ref@<manifest digest>, as after a pull.
func (s *Store) pushed(ref Reference, x exactImage) error {
	return s.update(func(idx *index) error {
		if _, ok := idx.Images[x.img.ID]; !ok {
			return nil // removed while it was pushed
		}
		var digests []string
		for _, d := range x.blobs() {
			digests = append(digests, d.Digest)
		}
		idx.addSource(ref.Domain+"/"+ref.Path, digests...)
		idx.Refs[ref.WithDigest(x.digest()).String()] = x.img.ID
		return nil
	})
}
