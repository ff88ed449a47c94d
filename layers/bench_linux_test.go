package layers

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// BenchmarkUnpack measures the whole pipeline on a generated layer of many
// small files (the shape that stresses syscalls, not bandwidth), and GNU tar
// on the same .tar.gz in the same run, since timings on a shared machine
// are only comparable within one run. Files are owned by the user running
// the benchmark, so it runs without root too.
//
//	go test -run '^$' -bench Unpack -benchtime 20x ./layers/
func BenchmarkUnpack(b *testing.B) {
	tarball := manyFiles(b, 100, 10000, os.Getuid(), os.Getgid())
	gz := compress(b, Gzip, tarball)
	b.Run("UnpackTar-plain", func(b *testing.B) {
		b.SetBytes(int64(len(tarball)))
		for b.Loop() {
			dir := freshDir(b)
			if _, err := UnpackTar(context.Background(), dir, bytes.NewReader(tarball)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Store.Unpack-gzip", func(b *testing.B) {
		b.SetBytes(int64(len(tarball)))
		s, err := OpenStore(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			l, err := s.Unpack(context.Background(), "", "", bytes.NewReader(gz))
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if err := s.Remove(l.ChainID); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
	})
	b.Run("gnu-tar-xzf", func(b *testing.B) {
		tarBin, err := exec.LookPath("tar")
		if err != nil {
			b.Skip("tar not found: install the Debian package tar")
		}
		blob := filepath.Join(b.TempDir(), "layer.tar.gz")
		if err := os.WriteFile(blob, gz, 0o644); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(tarball)))
		for b.Loop() {
			dir := freshDir(b)
			if out, err := exec.Command(tarBin, "-xzf", blob, "-C", dir).CombinedOutput(); err != nil {
				b.Fatalf("tar: %v: %s", err, out)
			}
		}
	})
}

// freshDir returns an empty directory, removing it outside the timer.
func freshDir(b *testing.B) string {
	b.StopTimer()
	defer b.StartTimer()
	dir, err := os.MkdirTemp(b.TempDir(), "unpack")
	if err != nil {
		b.Fatal(err)
	}
	return dir
}
