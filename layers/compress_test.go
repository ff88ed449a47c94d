package layers

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestDecompress(t *testing.T) {
	plain := manyFiles(t, 3, 30, 0, 0)
	for _, c := range []Compression{None, Gzip, Zstd, Xz} {
		t.Run(c.String(), func(t *testing.T) {
			blob := compress(t, c, plain)
			if c != None && bytes.Equal(blob, plain) {
				t.Fatal("compress did nothing")
			}
			rc, got, err := Decompress(bytes.NewReader(blob))
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			if got != c {
				t.Errorf("detected %v, want %v", got, c)
			}
			out, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, plain) {
				t.Errorf("decompressed %d bytes differ from the %d-byte original", len(out), len(plain))
			}
		})
	}
}

func TestDecompressEdgeCases(t *testing.T) {
	tests := []struct {
		name, in string
		want     Compression
		wantErr  string
	}{
		{"empty", "", None, ""},
		{"shorter than any magic", "\x1f", None, ""},
		{"gzip magic, bad header", "\x1f\x8b\x00\x00", Gzip, "gzip layer"},
		{"bzip2", "BZh91AY&SY", None, "bzip2 layer: unsupported"},
		{"tar-like text", "hello", None, ""},
	}
	for _, tt := range tests {
		rc, c, err := Decompress(strings.NewReader(tt.in))
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil || c != tt.want {
			t.Errorf("%s: got %v, %v; want %v, nil", tt.name, c, err, tt.want)
			continue
		}
		out, _ := io.ReadAll(rc)
		if string(out) != tt.in {
			t.Errorf("%s: plain data changed: %q", tt.name, out)
		}
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		head []byte
		want Compression
	}{
		{[]byte{0x1f, 0x8b, 8}, Gzip},
		{[]byte{0x28, 0xb5, 0x2f, 0xfd, 0}, Zstd},
		{[]byte{0xfd, '7', 'z', 'X', 'Z', 0}, Xz},
		{[]byte{0xfd, '7', 'z', 'X', 'Z'}, None}, // truncated magic
		{[]byte("usr/"), None},
		{nil, None},
	}
	for _, tt := range tests {
		if got := detect(tt.head); got != tt.want {
			t.Errorf("detect(% x) = %v, want %v", tt.head, got, tt.want)
		}
	}
}
