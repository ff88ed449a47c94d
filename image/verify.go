package image

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
)

// A digest names content by its hash: "sha256:" + the 64 lower-case hex
// digits of the SHA-256 of the exact bytes. Everything in an image is
// addressed this way (manifests, configs, layers), so whoever holds a
// digest can check that what a registry, a CDN or a tar file handed over
// is exactly what was meant, and the image ID (the config's digest) is the
// same wherever the image came from. "Exact bytes" matters: re-encoding a
// manifest's JSON, even only its whitespace, gives another digest.
//
// The OCI image spec (descriptor.md, "Digests") also registers sha512;
// nothing in the wild uses it, and minictr keeps one algorithm so that a
// digest and a store path map one to one.

// ErrDigestMismatch is wrapped by every "content is not what its digest
// says" error, so callers can tell corruption or tampering from I/O errors.
var ErrDigestMismatch = errors.New("digest mismatch")

// ValidDigest checks that d is "sha256:" followed by 64 lower-case hex
// digits: the only digest form minictr accepts anywhere.
func ValidDigest(d string) error {
	algo, hexPart, ok := strings.Cut(d, ":")
	switch {
	case !ok:
		return fmt.Errorf("invalid digest %q: want sha256:<64 hex digits>", d)
	case algo == "sha512" || algo == "sha384" || algo == "blake3":
		return fmt.Errorf("invalid digest %q: only sha256 digests are supported, not %s", d, algo)
	case algo != "sha256":
		return fmt.Errorf("invalid digest %q: unknown algorithm %q, want sha256", d, algo)
	case len(hexPart) != sha256.Size*2:
		return fmt.Errorf("invalid digest %q: want 64 hex digits after sha256:, got %d", d, len(hexPart))
	}
	for _, c := range hexPart {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return fmt.Errorf("invalid digest %q: %q is not a lower-case hex digit", d, c)
		}
	}
	return nil
}

// sha256Digest is the digest of b in the "sha256:<hex>" form.
func sha256Digest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// verifyingReader hashes and counts a blob as it streams by. See
// NewVerifyingReader.
type verifyingReader struct {
	rc   io.ReadCloser
	d    Descriptor
	h    hash.Hash
	n    int64
	err  error // sticky: once set, every Read returns it
	done bool  // the end was reached and checked
}

// NewVerifyingReader wraps a blob stream so that it is checked against its
// descriptor while it is read, never buffered whole (layers are hundreds of
// megabytes):
//
//   - more bytes than d.Size: an error, and the extra bytes are withheld;
//   - the end of the stream with fewer bytes, or with a SHA-256 other than
//     d.Digest: an error wrapping ErrDigestMismatch, in place of io.EOF.
//
// The check happens as soon as d.Size bytes have been read (one more read
// of the source confirms it has ended), so a consumer that stops exactly at
// the end, as a gzip reader may, still gets the verdict. A consumer that
// treats only io.EOF as success therefore can never commit a bad blob.
func NewVerifyingReader(rc io.ReadCloser, d Descriptor) io.ReadCloser {
	v := &verifyingReader{rc: rc, d: d, h: sha256.New()}
	if err := ValidDigest(d.Digest); err != nil {
		v.err = err
	} else if d.Size < 0 {
		v.err = fmt.Errorf("blob %s: negative size %d in descriptor", d.Digest, d.Size)
	}
	return v
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	if v.done {
		return 0, io.EOF
	}
	// Never ask the source for more than one byte past the declared size:
	// a server streaming garbage forever costs us one byte, not a disk.
	if left := v.d.Size - v.n; int64(len(p)) > left+1 {
		p = p[:left+1]
	}
	n, err := v.rc.Read(p)
	if v.n+int64(n) > v.d.Size {
		n = int(v.d.Size - v.n)
		v.err = fmt.Errorf("blob %s: more than the %d bytes its descriptor says", v.d.Digest, v.d.Size)
	}
	v.h.Write(p[:n])
	v.n += int64(n)
	switch {
	case v.err != nil:
		return n, v.err
	case err == io.EOF:
		return n, v.finish()
	case err != nil:
		v.err = fmt.Errorf("read blob %s: %w", v.d.Digest, err)
		return n, v.err
	case v.n == v.d.Size:
		return n, v.probeEnd()
	}
	return n, nil
}

// probeEnd is called when exactly d.Size bytes have arrived: one more read
// must report the end of the stream, then the digest decides.
func (v *verifyingReader) probeEnd() error {
	var one [1]byte
	for range 100 { // io.Reader allows (0, nil); don't spin forever on it
		n, err := v.rc.Read(one[:])
		if n > 0 {
			v.err = fmt.Errorf("blob %s: more than the %d bytes its descriptor says", v.d.Digest, v.d.Size)
			return v.err
		}
		if err == io.EOF {
			return v.finish()
		}
		if err != nil {
			v.err = fmt.Errorf("read blob %s: %w", v.d.Digest, err)
			return v.err
		}
	}
	v.err = fmt.Errorf("read blob %s: source returns no data and no end", v.d.Digest)
	return v.err
}

// finish compares what was read with the descriptor at the end of the stream.
func (v *verifyingReader) finish() error {
	if v.n != v.d.Size {
		v.err = fmt.Errorf("blob %s: %w: got %d bytes, descriptor says %d (truncated download?)", v.d.Digest, ErrDigestMismatch, v.n, v.d.Size)
		return v.err
	}
	if got := "sha256:" + hex.EncodeToString(v.h.Sum(nil)); got != v.d.Digest {
		v.err = fmt.Errorf("blob %s: %w: content hashes to %s", v.d.Digest, ErrDigestMismatch, got)
		return v.err
	}
	v.done = true
	return io.EOF
}

func (v *verifyingReader) Close() error { return v.rc.Close() }
