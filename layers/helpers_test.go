package layers

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// Test layers are built in the tests themselves, entry by entry, so each
// test shows exactly what the tar contains.

var testTime = time.Date(2020, 2, 3, 4, 5, 6, 0, time.UTC)

type tarEntry struct {
	tar.Header
	Body []byte
}

func tfile(name, body string) tarEntry {
	return tarEntry{Header: tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, ModTime: testTime}, Body: []byte(body)}
}

func tdir(name string) tarEntry {
	return tarEntry{Header: tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: 0o755, ModTime: testTime}}
}

func tsymlink(name, target string) tarEntry {
	return tarEntry{Header: tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target, Mode: 0o777, ModTime: testTime}}
}

func thardlink(name, target string) tarEntry {
	return tarEntry{Header: tar.Header{Typeflag: tar.TypeLink, Name: name, Linkname: target, ModTime: testTime}}
}

// owned sets the owner of every entry, e.g. to the current user so that
// a non-root test can unpack (chown to yourself is allowed).
func owned(uid, gid int, es ...tarEntry) []tarEntry {
	for i := range es {
		es[i].Uid, es[i].Gid = uid, gid
	}
	return es
}

// makeTar writes the entries as a PAX tar (so atimes and xattrs survive).
func makeTar(t testing.TB, entries ...tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := e.Header
		if h.Typeflag == tar.TypeReg && h.Size == 0 {
			h.Size = int64(len(e.Body))
		}
		h.Format = tar.FormatPAX
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatalf("tar header %s: %v", h.Name, err)
		}
		if _, err := tw.Write(e.Body); err != nil {
			t.Fatalf("tar body %s: %v", h.Name, err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// compress returns data compressed with c, using the same libraries a
// registry client would meet in the wild.
func compress(t testing.TB, c Compression, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	var err error
	switch c {
	case None:
		return data
	case Gzip:
		w = gzip.NewWriter(&buf)
	case Zstd:
		w, err = zstd.NewWriter(&buf)
	case Xz:
		w, err = xz.NewWriter(&buf)
	default:
		t.Fatalf("compress: unknown %v", c)
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sha256Digest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// manyFiles returns a layer of n small files spread over dirs directories,
// the shape of a typical distro layer (/usr/share/..., /usr/lib/...).
func manyFiles(t testing.TB, dirs, n, uid, gid int) []byte {
	t.Helper()
	es := []tarEntry{tdir("usr/"), tdir("usr/share/")}
	body := bytes.Repeat([]byte("minictr layer data\n"), 300) // ~5.7 KB
	for d := range dirs {
		es = append(es, tdir(fmt.Sprintf("usr/share/d%03d/", d)))
		for f := range n / dirs {
			size := 200 + (d*131+f*977)%(len(body)-200)
			es = append(es, tarEntry{Header: tar.Header{Typeflag: tar.TypeReg,
				Name: fmt.Sprintf("usr/share/d%03d/f%04d", d, f), Mode: 0o644, ModTime: testTime},
				Body: body[:size]})
		}
	}
	return makeTar(t, owned(uid, gid, es...)...)
}

// readFile is os.ReadFile that fails the test.
func readFile(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
