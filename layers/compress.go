package layers

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// Compression is how a layer blob is compressed.
type Compression int

const (
	None Compression = iota // a plain tar (media type ...layer.v1.tar)
	Gzip                    // RFC 1952 (...tar+gzip, by far the most common)
	Zstd                    // RFC 8478 (...tar+zstd)
	Xz                      // not in the OCI spec, but Docker accepts it
)

func (c Compression) String() string {
	switch c {
	case None:
		return "none"
	case Gzip:
		return "gzip"
	case Zstd:
		return "zstd"
	case Xz:
		return "xz"
	}
	return fmt.Sprintf("Compression(%d)", int(c))
}

// Every compressed format starts with fixed "magic" bytes, so the blob itself
// says how to read it. Trusting the bytes rather than a media type or file
// name is what `file(1)`, GNU tar and Docker do: a registry may label a blob
// wrongly, the bytes cannot lie about themselves.
var magics = []struct {
	c     Compression
	magic []byte
}{
	{Gzip, []byte{0x1f, 0x8b}},
	{Zstd, []byte{0x28, 0xb5, 0x2f, 0xfd}},
	{Xz, []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}},
}

// bzip2 has a magic too ("BZh"); old Docker accepted it, OCI never did.
var bzip2Magic = []byte("BZh")

// Decompress detects the compression of r by its magic bytes and returns a
// reader of the uncompressed stream. Anything without a known magic is
// passed through as a plain tar (the tar reader will reject it if it is not
// one). Close releases the decoder; it does not close r.
//
// We use github.com/klauspost/compress for gzip and zstd: its gzip is a
// drop-in for compress/gzip that inflates markedly faster, and the standard
// library has no zstd at all. github.com/ulikunitz/xz is a pure-Go xz
// decoder, so the binary stays static (CGO_ENABLED=0) without liblzma.
func Decompress(r io.Reader) (io.ReadCloser, Compression, error) {
	// The decoders read through this buffer too: one bufio, not two.
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(6)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, None, fmt.Errorf("read layer header: %w", err)
	}
	c := detect(head)
	switch c {
	case Gzip:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, c, fmt.Errorf("gzip layer: %w", err)
		}
		return zr, c, nil
	case Zstd:
		// Concurrency 2 lets one goroutine decode the next block while
		// the caller consumes this one, without taking every core.
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(2))
		if err != nil {
			return nil, c, fmt.Errorf("zstd layer: %w", err)
		}
		return zstdCloser{zr}, c, nil
	case Xz:
		xr, err := xz.NewReader(br)
		if err != nil {
			return nil, c, fmt.Errorf("xz layer: %w", err)
		}
		return io.NopCloser(xr), c, nil
	}
	if bytes.HasPrefix(head, bzip2Magic) {
		return nil, None, errors.New("bzip2 layer: unsupported compression (OCI layers are plain, gzip or zstd; minictr also reads xz)")
	}
	return io.NopCloser(br), None, nil
}

// detect is the pure part of Decompress: which magic does head start with?
func detect(head []byte) Compression {
	for _, m := range magics {
		if bytes.HasPrefix(head, m.magic) {
			return m.c
		}
	}
	return None
}

// zstdCloser adapts *zstd.Decoder, whose Close returns nothing, to io.Closer.
type zstdCloser struct{ *zstd.Decoder }

func (z zstdCloser) Close() error {
	z.Decoder.Close()
	return nil
}
