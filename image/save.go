package image

import (
	"archive/tar"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
)

// SaveFormat is what Save writes.
type SaveFormat string

const (
	// SaveDocker is what `docker save` writes since docker 25: an OCI image
	// layout (oci-layout, index.json, blobs/sha256/) that also carries the
	// classic manifest.json and repositories, whose paths point into
	// blobs/. One archive, read by every `docker load` old or new, podman,
	// skopeo (docker-archive: and oci-archive:), and minictr's Load.
	SaveDocker SaveFormat = "docker"
	// SaveOCI is the OCI image layout alone (image-spec image-layout.md).
	SaveOCI SaveFormat = "oci"
)

// Save writes the images names name (resolved as Get does) to w as one tar
// archive in format f. Every blob is written once, however many images
// share it, and exactly as the store keeps it: the layers are the
// compressed blobs the images were pulled or loaded with, so a load of the
// archive anywhere gives the same manifest, config and layer digests.
//
// Why docker 25's layout and not the classic one (<id>/layer.tar, one
// uncompressed tar per layer): the classic archive has no place for a
// layer's compressed digest, so whoever loads it must compress again and
// gets other digests. The OCI layout keeps the manifests and blobs
// themselves. manifest.json may point at compressed blobs: docker,
// podman and skopeo decompress what they find there.
func (s *Store) Save(w io.Writer, names []string, f SaveFormat) error {
	if f != SaveDocker && f != SaveOCI {
		return fmt.Errorf("save: unknown format %q: want docker or oci", f)
	}
	if len(names) == 0 {
		return fmt.Errorf("save: no image named")
	}
	st, err := s.newStage()
	if err != nil {
		return err
	}
	defer st.close()
	var xs []saved
	for _, n := range names {
		x, err := s.saveOne(st, n)
		if err != nil {
			return fmt.Errorf("save %s: %w", n, err)
		}
		xs = append(xs, x)
	}
	if err := writeLayout(w, st, xs, f); err != nil {
		return fmt.Errorf("save: %w", err)
	}
	return nil
}

// saved is one image of an archive and the name it is saved under.
type saved struct {
	exactImage
	ref *Reference // nil when saved by ID: no name in the archive
}

func (s *Store) saveOne(st *stage, name string) (saved, error) {
	img, err := s.Get(name)
	if err != nil {
		return saved{}, err
	}
	x, err := s.pinExact(st, img)
	if err != nil {
		return saved{}, err
	}
	out := saved{exactImage: x}
	if ref, err := ParseReference(name); err == nil && !isIDPrefix(img, name) {
		out.ref = &ref // saved by digest (no tag): no name in the archive, as docker
	}
	return out, nil
}

// isIDPrefix reports whether name was img's ID (or a prefix of it), not a name.
func isIDPrefix(img Image, name string) bool {
	h := strings.TrimPrefix(name, "sha256:")
	return len(h) >= 4 && isHex(h) && strings.HasPrefix(strings.TrimPrefix(img.ID, "sha256:"), h)
}

// dockerSaveEntryOut is manifest.json's element as docker 25 writes it.
type dockerSaveEntryOut struct {
	Config   string
	RepoTags []string
	Layers   []string
}

// writeLayout writes blobs (each once), then index.json, oci-layout and,
// for the docker format, manifest.json and repositories.
func writeLayout(w io.Writer, st *stage, xs []saved, f SaveFormat) error {
	tw := tarWriter{tar.NewWriter(w)}
	if err := tw.blobs(st, xs); err != nil {
		return err
	}
	type member struct {
		name string
		v    any
	}
	files := []member{{"index.json", layoutIndex(xs)}, {"oci-layout", map[string]string{"imageLayoutVersion": "1.0.0"}}}
	if f == SaveDocker {
		files = append(files, member{"manifest.json", dockerManifest(xs)}, member{"repositories", repositories(xs)})
	}
	for _, fl := range files {
		if err := tw.json(fl.name, fl.v); err != nil {
			return err
		}
	}
	return tw.Close()
}

// blobs writes blobs/sha256/ with every blob of every image, once.
func (tw tarWriter) blobs(st *stage, xs []saved) error {
	if err := tw.dir("blobs/"); err != nil {
		return err
	}
	if err := tw.dir("blobs/sha256/"); err != nil {
		return err
	}
	written := map[string]bool{}
	for _, x := range xs {
		for _, d := range append(x.blobs(), Descriptor{Digest: x.digest(), Size: int64(len(x.manifest))}) {
			if written[d.Digest] {
				continue
			}
			written[d.Digest] = true
			if err := tw.blob(st, d); err != nil {
				return err
			}
		}
	}
	return nil
}

// layoutIndex is index.json: one entry per saved image.
func layoutIndex(xs []saved) Index {
	idx := Index{SchemaVersion: 2, MediaType: MediaTypeOCIIndex, Manifests: []Descriptor{}}
	for _, x := range xs {
		idx.Manifests = append(idx.Manifests, x.descriptor())
	}
	return idx
}

// dockerManifest is manifest.json: config, names and layers of each image,
// as paths into blobs/.
func dockerManifest(xs []saved) []dockerSaveEntryOut {
	var out []dockerSaveEntryOut
	for _, x := range xs {
		e := dockerSaveEntryOut{Config: blobName(x.m.Config.Digest), RepoTags: []string{}, Layers: []string{}}
		for _, l := range x.m.Layers {
			e.Layers = append(e.Layers, blobName(l.Digest))
		}
		if x.ref != nil && x.ref.Tag != "" {
			e.RepoTags = append(e.RepoTags, x.ref.Familiar())
		}
		out = append(out, e)
	}
	return out
}

// repositories is the legacy file docker still writes: repository -> tag
// -> the top layer's ID (here its blob's hex digest).
func repositories(xs []saved) map[string]map[string]string {
	repos := map[string]map[string]string{}
	for _, x := range xs {
		n := len(x.m.Layers)
		if x.ref == nil || x.ref.Tag == "" || n == 0 {
			continue
		}
		repo := x.ref.FamiliarName()
		if repos[repo] == nil {
			repos[repo] = map[string]string{}
		}
		repos[repo][x.ref.Tag] = strings.TrimPrefix(x.m.Layers[n-1].Digest, "sha256:")
	}
	return repos
}

// descriptor is the image's entry in index.json. Like docker 25, it gives
// the full name in io.containerd.image.name (what docker, containerd and
// minictr's Load read) and the tag alone in org.opencontainers.image.ref.name
// (what skopeo's oci:DIR:TAG and umoci's --image DIR:TAG look up).
func (x saved) descriptor() Descriptor {
	d := Descriptor{MediaType: x.mt, Digest: x.digest(), Size: int64(len(x.manifest))}
	if x.ref != nil && x.ref.Tag != "" {
		d.Annotations = map[string]string{
			"io.containerd.image.name":          x.ref.String(),
			"org.opencontainers.image.ref.name": x.ref.Tag,
		}
	}
	return d
}

// tarWriter writes an archive's members with fixed times and modes, so
// that saving the same images twice gives the same bytes.
type tarWriter struct{ *tar.Writer }

var epoch = time.Unix(0, 0).UTC()

func (tw tarWriter) dir(name string) error {
	return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: 0o755, ModTime: epoch})
}

func (tw tarWriter) file(name string, size int64, r io.Reader) error {
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: size, ModTime: epoch}); err != nil {
		return err
	}
	n, err := io.Copy(tw, r)
	if err == nil && n != size {
		err = fmt.Errorf("%s: %d bytes, want %d", name, n, size)
	}
	return err
}

func (tw tarWriter) json(name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tw.file(name, int64(len(b)), strings.NewReader(string(b)))
}

// blob copies a pinned blob into the archive, checking it on the way.
func (tw tarWriter) blob(st *stage, d Descriptor) error {
	f, err := st.open(d.Digest)
	if err != nil {
		return err
	}
	defer f.Close()
	return tw.file(path.Join("blobs", "sha256", strings.TrimPrefix(d.Digest, "sha256:")), d.Size, NewVerifyingReader(f, d))
}
