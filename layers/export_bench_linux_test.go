package layers

import (
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
)

// BenchmarkWriteTar measures what `commit` does with a container's upper
// directory, on ~100 MB in 5,000 files of text-like data: WriteLayer
// through gzip, with the two digests a layer needs (sha256 of the tar, the
// diff ID, and of the gzip stream, the blob digest), side by side with GNU
// `tar -czf` of the same directory in the same run (timings on a shared
// machine compare only within one run).
//
//	go test -run '^$' -bench WriteTar -benchtime 5x ./layers/
func BenchmarkWriteTar(b *testing.B) {
	dir := b.TempDir()
	total := writeTextTree(b, dir, 50, 100, 20<<10)
	b.Run("WriteLayer+gzip+sha256", func(b *testing.B) {
		b.SetBytes(total)
		var compressed int64
		for b.Loop() {
			compressed = writeGzipLayer(b, dir)
		}
		b.ReportMetric(float64(compressed)/float64(total), "gz/tar")
	})
	b.Run("tar-czf", func(b *testing.B) {
		if _, err := exec.LookPath("tar"); err != nil {
			b.Skip("GNU tar not installed")
		}
		b.SetBytes(total)
		var out countingWriter
		for b.Loop() {
			cmd := exec.Command("tar", "-czf", "-", "-C", dir, ".")
			var stderr strings.Builder
			out = countingWriter{w: io.Discard}
			cmd.Stdout, cmd.Stderr = &out, &stderr
			if err := cmd.Run(); err != nil {
				b.Fatalf("tar -czf: %v\n%s", err, stderr.String())
			}
		}
		b.ReportMetric(float64(out.n)/float64(total), "gz/tar")
	})
}

// writeGzipLayer is the pipeline of a commit: tar -> sha256 (diff ID) and
// gzip -> sha256 (blob digest). It returns the compressed size.
func writeGzipLayer(b *testing.B, dir string) int64 {
	diffID, blob := sha256.New(), sha256.New()
	counter := &countingWriter{w: blob}
	zw := gzip.NewWriter(counter)
	if _, err := WriteLayer(io.MultiWriter(diffID, zw), dir, LayerOptions{}); err != nil {
		b.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		b.Fatal(err)
	}
	_, _ = diffID.Sum(nil), blob.Sum(nil)
	return counter.n
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// writeTextTree fills dir with dirs*files files of text-like data (words
// drawn from a small vocabulary, so it compresses about as well as the
// source files and configs a container writes), sizes spread around
// avg, and returns the bytes written.
func writeTextTree(b *testing.B, dir string, dirs, files, avg int) int64 {
	b.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	vocab := make([]string, 512)
	for i := range vocab {
		vocab[i] = fmt.Sprintf("%x", rng.Uint64()>>(rng.IntN(48)+8))
	}
	var total int64
	var sb strings.Builder
	for d := range dirs {
		sub := filepath.Join(dir, fmt.Sprintf("d%03d", d))
		if err := os.Mkdir(sub, 0o755); err != nil {
			b.Fatal(err)
		}
		for f := range files {
			sb.Reset()
			size := avg/4 + rng.IntN(avg*3/2)
			for sb.Len() < size {
				sb.WriteString(vocab[rng.IntN(len(vocab))])
				sb.WriteByte(" \n"[rng.IntN(2)])
			}
			if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%04d.txt", f)), []byte(sb.String()), 0o644); err != nil {
				b.Fatal(err)
			}
			total += int64(sb.Len())
		}
	}
	return total
}
