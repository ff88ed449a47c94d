package layers

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// Store tests use layers owned by the user running the test (chown to
// yourself needs no privilege), so they also run without root.
func userLayer(t testing.TB) []byte {
	return manyFiles(t, 4, 200, os.Getuid(), os.Getgid())
}

func openTestStore(t *testing.T) *Store {
	t.Helper()
	s, err := OpenStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// storeState lists what is on disk in the parts of the store Unpack may
// touch, to assert "store unchanged".
func storeState(t *testing.T, s *Store) (layers, tmp []string) {
	t.Helper()
	for _, d := range []struct {
		dir string
		out *[]string
	}{{"layers/sha256", &layers}, {"tmp", &tmp}} {
		entries, err := os.ReadDir(filepath.Join(s.Root(), d.dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			*d.out = append(*d.out, e.Name())
		}
	}
	return layers, tmp
}

func TestStoreUnpackAndLayout(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	tar1 := userLayer(t)
	tar2 := makeTar(t, owned(os.Getuid(), os.Getgid(), tdir("etc/"), tfile("etc/motd", "hi"))...)
	l1, err := s.Unpack(ctx, "", sha256Digest(tar1), bytes.NewReader(compress(t, Gzip, tar1)))
	if err != nil {
		t.Fatal(err)
	}
	l2, err := s.Unpack(ctx, l1.ChainID, "", bytes.NewReader(compress(t, Zstd, tar2)))
	if err != nil {
		t.Fatal(err)
	}
	if l1.DiffID != sha256Digest(tar1) || l1.ChainID != l1.DiffID || l1.Parent != "" {
		t.Errorf("base layer %+v: want chain ID = diff ID = sha256 of the tar", l1)
	}
	if l2.DiffID != sha256Digest(tar2) || l2.ChainID != ChainID(l1.ChainID, l2.DiffID) || l2.Parent != l1.ChainID {
		t.Errorf("second layer %+v", l2)
	}
	if l2.Size != 2 {
		t.Errorf("second layer size %d, want 2", l2.Size)
	}
	hex2 := strings.TrimPrefix(l2.ChainID, "sha256:")
	dir2 := filepath.Join(s.Root(), "layers/sha256", hex2)
	if l2.Dir != filepath.Join(dir2, "diff") {
		t.Errorf("Dir = %s, want %s/diff", l2.Dir, dir2)
	}
	for name, want := range map[string]string{"diffid": l2.DiffID, "parent": l1.ChainID, "size": "2", "diff/etc/motd": "hi"} {
		if got := readFile(t, filepath.Join(dir2, name)); got != want {
			t.Errorf("%s = %q, want %q (no trailing newline)", name, got, want)
		}
	}
	if _, err := os.Stat(filepath.Join(s.Root(), "layers/sha256", strings.TrimPrefix(l1.ChainID, "sha256:"), "parent")); !os.IsNotExist(err) {
		t.Errorf("a base layer has no parent file: %v", err)
	}
	list, err := s.List()
	if err != nil || len(list) != 2 {
		t.Fatalf("List = %v, %v; want 2 layers", list, err)
	}
	for _, l := range list {
		want := l1
		if l.ChainID == l2.ChainID {
			want = l2
		}
		if l != want {
			t.Errorf("List has %+v, Unpack returned %+v", l, want)
		}
	}
	if got, err := s.Get(l2.ChainID); err != nil || got != l2 {
		t.Errorf("Get = %+v, %v; want %+v", got, err, l2)
	}
	if _, tmp := storeState(t, s); len(tmp) != 0 {
		t.Errorf("tmp/ not empty after Unpack: %v", tmp)
	}
}

// Every compression of one tar gives one diff ID and so one layer.
func TestStoreCompressionsGiveOneLayer(t *testing.T) {
	s := openTestStore(t)
	tarball := userLayer(t)
	for _, c := range []Compression{Gzip, Zstd, Xz, None} {
		l, err := s.Unpack(context.Background(), "", "", bytes.NewReader(compress(t, c, tarball)))
		if err != nil {
			t.Fatalf("%v: %v", c, err)
		}
		if l.DiffID != sha256Digest(tarball) {
			t.Errorf("%v: diff ID %s, want sha256 of the uncompressed tar %s", c, l.DiffID, sha256Digest(tarball))
		}
	}
	if layers, tmp := storeState(t, s); len(layers) != 1 || len(tmp) != 0 {
		t.Errorf("after 4 unpacks of one layer: layers %v, tmp %v; want 1 layer, empty tmp", layers, tmp)
	}
}

// failingReader returns err after n bytes, like a dropped connection.
type failingReader struct {
	r   io.Reader
	n   int
	err error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, f.err
	}
	n, err := f.r.Read(p[:min(len(p), f.n)])
	f.n -= n
	return n, err
}

func TestStoreUnpackFailureLeavesNothing(t *testing.T) {
	s := openTestStore(t)
	blob := compress(t, Gzip, userLayer(t))
	boom := errors.New("connection reset by peer")
	_, err := s.Unpack(context.Background(), "", "", &failingReader{bytes.NewReader(blob), len(blob) / 2, boom})
	if !errors.Is(err, boom) {
		t.Fatalf("Unpack error = %v, want it to wrap %v", err, boom)
	}
	if layers, tmp := storeState(t, s); len(layers) != 0 || len(tmp) != 0 {
		t.Errorf("after a failed Unpack: layers %v, tmp %v; want both empty", layers, tmp)
	}
}

func TestStoreUnpackWrongDiffID(t *testing.T) {
	s := openTestStore(t)
	tarball := userLayer(t)
	want := sha256Digest([]byte("something else"))
	_, err := s.Unpack(context.Background(), "", want, bytes.NewReader(compress(t, Gzip, tarball)))
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), sha256Digest(tarball)) {
		t.Fatalf("Unpack with a wrong diff ID: %v; want an error naming both digests", err)
	}
	t.Log(err)
	if layers, tmp := storeState(t, s); len(layers) != 0 || len(tmp) != 0 {
		t.Errorf("after a diff ID mismatch: layers %v, tmp %v; want both empty", layers, tmp)
	}
}

// eofReader records whether its reader was read to the end, the way a
// digest-verifying reader around a registry blob needs it to be.
type eofReader struct {
	r   io.Reader
	eof bool
}

func (e *eofReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF {
		e.eof = true
	}
	return n, err
}

func TestStoreUnpackReadsBlobToEOF(t *testing.T) {
	s := openTestStore(t)
	// A tar is followed by padding to a 10 KiB record and, here, junk
	// after the compressed stream that only a full read would see.
	blob := compress(t, None, userLayer(t))
	r := &eofReader{r: bytes.NewReader(append(blob, make([]byte, 64<<10)...))}
	l, err := s.Unpack(context.Background(), "", "", r)
	if err != nil {
		t.Fatal(err)
	}
	if !r.eof {
		t.Error("Unpack returned without reading the blob to EOF")
	}
	if l.DiffID != sha256Digest(append(blob, make([]byte, 64<<10)...)) {
		t.Error("diff ID does not cover the bytes after the tar's end marker")
	}
}

func TestStoreUnpackTwiceKeepsOne(t *testing.T) {
	s := openTestStore(t)
	blob := compress(t, Gzip, userLayer(t))
	a, err := s.Unpack(context.Background(), "", "", bytes.NewReader(blob))
	if err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(a.Dir, "marker") // proves the second call kept the first copy
	if err := os.WriteFile(marker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := s.Unpack(context.Background(), "", "", bytes.NewReader(blob))
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("second Unpack returned %+v, first %+v", b, a)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("the existing layer was replaced: %v", err)
	}
	if layers, tmp := storeState(t, s); len(layers) != 1 || len(tmp) != 0 {
		t.Errorf("layers %v, tmp %v; want one layer and an empty tmp", layers, tmp)
	}
}

// Two pullers of one layer: with LockLayer around "Has? else Unpack", the
// layer is unpacked exactly once.
func TestStoreLockLayerUnpacksOnce(t *testing.T) {
	s := openTestStore(t)
	blob := compress(t, Gzip, userLayer(t))
	chain := sha256Digest(userLayer(t))
	var unpacks atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			unlock, err := s.LockLayer(context.Background(), chain)
			if err != nil {
				errs <- err
				return
			}
			defer unlock()
			if s.Has(chain) {
				return
			}
			unpacks.Add(1)
			if _, err := s.Unpack(context.Background(), "", chain, bytes.NewReader(blob)); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := unpacks.Load(); n != 1 {
		t.Errorf("layer unpacked %d times, want 1", n)
	}
}

func TestLockLayerExcludes(t *testing.T) {
	s := openTestStore(t)
	chain := sha256Digest([]byte("x"))
	unlock, err := s.LockLayer(context.Background(), chain)
	if err != nil {
		t.Fatal(err)
	}
	// While it is held, a second locker waits; with its context done it
	// gives up with the context's error instead of taking the lock.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.LockLayer(ctx, chain); !errors.Is(err, context.Canceled) {
		t.Fatalf("LockLayer on a held lock = %v, want context.Canceled", err)
	}
	unlock()
	unlock2, err := s.LockLayer(ctx, chain) // free now: taken at once, even with ctx done
	if err != nil {
		t.Fatalf("LockLayer after unlock: %v", err)
	}
	unlock2()
	if _, err := s.LockLayer(ctx, "sha256:../../x"); err == nil {
		t.Error("LockLayer accepted an invalid chain ID")
	}
}

func TestStoreRemove(t *testing.T) {
	s := openTestStore(t)
	l, err := s.Unpack(context.Background(), "", "", bytes.NewReader(compress(t, Gzip, userLayer(t))))
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := s.LockLayer(context.Background(), l.ChainID)
	if err != nil {
		t.Fatal(err)
	}
	lockFile := filepath.Join(s.Root(), "locks", "layer-"+strings.TrimPrefix(l.ChainID, "sha256:"))
	if _, err := os.Stat(lockFile); err != nil {
		t.Fatalf("lock file while the lock is held: %v", err)
	}
	unlock()
	if _, err := os.Stat(lockFile); !os.IsNotExist(err) {
		t.Errorf("lock file outlives its unlock: %v", err)
	}
	if err := s.Remove(l.ChainID); err != nil {
		t.Fatal(err)
	}
	if s.Has(l.ChainID) {
		t.Error("Has after Remove")
	}
	if _, err := s.Get(l.ChainID); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Get after Remove = %v, want fs.ErrNotExist", err)
	}
	if _, err := os.Stat(lockFile); !os.IsNotExist(err) {
		t.Errorf("lock file still there: %v", err)
	}
	if layers, tmp := storeState(t, s); len(layers) != 0 || len(tmp) != 0 {
		t.Errorf("after Remove: layers %v, tmp %v", layers, tmp)
	}
	if err := s.Remove(l.ChainID); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("second Remove = %v, want fs.ErrNotExist", err)
	}
}

func TestStoreRejectsBadIDs(t *testing.T) {
	s := openTestStore(t)
	bad := "sha256:../../../etc"
	if _, err := s.Get(bad); err == nil || errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Get(%q) = %v, want an invalid-digest error", bad, err)
	}
	if s.Has(bad) {
		t.Errorf("Has(%q)", bad)
	}
	if err := s.Remove(bad); err == nil {
		t.Errorf("Remove(%q) succeeded", bad)
	}
	if _, err := s.Unpack(context.Background(), bad, "", bytes.NewReader(nil)); err == nil {
		t.Errorf("Unpack with parent %q succeeded", bad)
	}
}
