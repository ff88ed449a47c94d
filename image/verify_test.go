package image

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestValidDigest(t *testing.T) {
	good := "sha256:" + testHex
	if err := ValidDigest(good); err != nil {
		t.Errorf("ValidDigest(%q) = %v", good, err)
	}
	bad := []struct{ in, why string }{
		{"", "want sha256:<64 hex digits>"},
		{testHex, "want sha256:<64 hex digits>"},
		{"sha256:" + testHex[:63], "got 63"},
		{"sha256:" + testHex + "0", "got 65"},
		{"sha256:" + strings.ToUpper(testHex), "lower-case hex"},
		{"sha256:" + testHex[:63] + "g", "lower-case hex"},
		{"sha512:" + testHex + testHex, "only sha256 digests are supported, not sha512"},
		{"md5:" + testHex, "unknown algorithm"},
	}
	for _, tt := range bad {
		err := ValidDigest(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.why) || !strings.Contains(err.Error(), tt.in) {
			t.Errorf("ValidDigest(%q) = %v, want an error naming it and saying %q", tt.in, err, tt.why)
		}
	}
}

// blobOf is a descriptor that truly describes b.
func blobOf(b []byte) Descriptor {
	return Descriptor{MediaType: MediaTypeOCILayer, Digest: sha256Digest(b), Size: int64(len(b))}
}

func TestVerifyingReader(t *testing.T) {
	content := bytes.Repeat([]byte("layer data "), 1000)
	d := blobOf(content)
	wrong := bytes.Clone(content)
	wrong[500] ^= 1
	tests := []struct {
		name    string
		src     []byte
		d       Descriptor
		wantErr string // "" means: reads to io.EOF, all bytes
		digest  bool   // the error wraps ErrDigestMismatch
	}{
		{"exact", content, d, "", false},
		{"empty blob", nil, blobOf(nil), "", false},
		{"one bit flipped", wrong, d, "content hashes to " + sha256Digest(wrong), true},
		{"truncated", content[:len(content)-1], d, "got 10999 bytes, descriptor says 11000", true},
		{"too long", append(bytes.Clone(content), 'x'), d, "more than the 11000 bytes", false},
		{"bad digest", content, Descriptor{Digest: "sha256:abc", Size: 11000}, "invalid digest", false},
		{"negative size", content, Descriptor{Digest: d.Digest, Size: -1}, "negative size", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// OneByteReader makes every path through Read happen.
			for _, src := range []io.Reader{bytes.NewReader(tt.src), iotest.OneByteReader(bytes.NewReader(tt.src))} {
				got, err := io.ReadAll(NewVerifyingReader(io.NopCloser(src), tt.d))
				if tt.wantErr == "" {
					if err != nil || !bytes.Equal(got, tt.src) {
						t.Fatalf("read %d bytes, err %v; want all %d bytes and no error", len(got), err, len(tt.src))
					}
					continue
				}
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one saying %q", err, tt.wantErr)
				}
				if errors.Is(err, ErrDigestMismatch) != tt.digest {
					t.Errorf("errors.Is(err, ErrDigestMismatch) = %v, want %v", !tt.digest, tt.digest)
				}
				if len(got) > 0 && int64(len(got)) > tt.d.Size {
					t.Errorf("handed out %d bytes, more than the descriptor's %d", len(got), tt.d.Size)
				}
			}
		})
	}
}

// TestVerifyingReaderVerdictAtSize: a consumer that reads exactly Size
// bytes and stops (as a gzip reader may) gets the verdict with the last
// byte, without asking for more.
func TestVerifyingReaderVerdictAtSize(t *testing.T) {
	content := []byte("exactly this")
	for _, tt := range []struct {
		name string
		src  []byte
		want error
	}{
		{"good", content, io.EOF},
		{"bad", []byte("exactly that"), ErrDigestMismatch},
	} {
		v := NewVerifyingReader(io.NopCloser(bytes.NewReader(tt.src)), blobOf(content))
		buf := make([]byte, len(content))
		n, err := v.Read(buf)
		if n != len(content) || !errors.Is(err, tt.want) {
			t.Errorf("%s: Read = %d, %v; want %d, %v", tt.name, n, err, len(content), tt.want)
		}
		// The verdict sticks.
		if _, err2 := v.Read(buf); !errors.Is(err2, tt.want) {
			t.Errorf("%s: second Read err = %v, want %v", tt.name, err2, tt.want)
		}
	}
}

// TestVerifyingReaderSourceError: an I/O error is passed on, wrapped, and
// is never io.EOF.
func TestVerifyingReaderSourceError(t *testing.T) {
	content := []byte("some bytes")
	src := io.MultiReader(bytes.NewReader(content[:4]), iotest.ErrReader(errors.New("connection reset")))
	_, err := io.ReadAll(NewVerifyingReader(io.NopCloser(src), blobOf(content)))
	if err == nil || !strings.Contains(err.Error(), "connection reset") {
		t.Fatalf("err = %v, want the source's error", err)
	}
}
