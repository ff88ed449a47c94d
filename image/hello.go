package image

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"time"
)

// HelloName is the built-in image `minictr run hello` uses.
const HelloName = "hello:latest"

// helloLabel records which minictr binary the hello image was made from, so
// a rebuilt minictr makes a new hello image.
const helloLabel = "org.minictr.binary.sha256"

// Hello returns the built-in hello image, making it first if it is missing
// or was made from another build of minictr. It needs no network: its one
// layer holds minictr's own static binary (exe) as /minictr, and its entry
// point, `minictr tour`, prints what a process sees from inside a container.
func (s *Store) Hello(ctx context.Context, exe string) (Image, error) {
	sum, err := fileSHA256(exe)
	if err != nil {
		return Image{}, err
	}
	if img, err := s.Get(HelloName); err == nil && img.Config.Config.Labels[helloLabel] == sum {
		return img, nil
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeHelloLayer(pw, exe)) }()
	defer pr.Close()
	ref, _ := ParseReference(HelloName)
	img, err := s.addOneLayer(ctx, pr, []Reference{ref}, func(diffID string) Config {
		now := time.Now().UTC().Truncate(time.Second)
		host := HostPlatform()
		return Config{
			Created: &now, Architecture: host.Architecture, OS: host.OS, Variant: host.Variant,
			Config: ContainerConfig{
				Entrypoint: []string{"/minictr", "tour"},
				Env:        []string{"PATH=/"},
				Labels:     map[string]string{helloLabel: sum},
			},
			RootFS: RootFS{Type: "layers", DiffIDs: []string{diffID}},
			History: []History{
				{Created: &now, CreatedBy: "COPY minictr /minictr # minictr's own static binary"},
				{Created: &now, CreatedBy: `ENTRYPOINT ["/minictr" "tour"]`, EmptyLayer: true},
			},
		}
	})
	if err != nil {
		return Image{}, fmt.Errorf("make the hello image: %w", err)
	}
	return img, nil
}

// writeHelloLayer writes the hello image's only layer: the directories a
// container needs to mount /proc, /sys, /dev and /tmp on, and the binary.
func writeHelloLayer(w io.Writer, exe string) error {
	f, err := os.Open(exe)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	tw := tar.NewWriter(w)
	mt := fi.ModTime()
	for _, d := range []struct {
		name string
		mode int64
	}{{"dev/", 0o755}, {"etc/", 0o755}, {"proc/", 0o555}, {"sys/", 0o555}, {"tmp/", 0o1777}} {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d.name, Mode: d.mode, ModTime: mt}); err != nil {
			return err
		}
	}
	h := &tar.Header{Typeflag: tar.TypeReg, Name: "minictr", Mode: 0o755, Size: fi.Size(), ModTime: mt}
	if err := tw.WriteHeader(h); err != nil {
		return err
	}
	if _, err := io.Copy(tw, f); err != nil {
		return err
	}
	return tw.Close()
}

func fileSHA256(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", name, err)
	}
	return fmt.Sprintf("sha256:%x", h.Sum(nil)), nil
}
