package cli

import (
	"bytes"
	"testing"
)

func TestParseDetachKeys(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []byte
		ok   bool
	}{
		{"ctrl-p,ctrl-q", []byte{0x10, 0x11}, true}, // docker's default
		{"CTRL-A,x", []byte{0x01, 'x'}, true},
		{"ctrl-@", []byte{0x00}, true},
		{"ctrl-[", []byte{0x1b}, true}, // Escape
		{"a,b,c", []byte("abc"), true},
		{"ctrl-", nil, false},
		{"ctrlp", nil, false},
		{"ab", nil, false},
		{"", nil, false},
	} {
		got, err := parseDetachKeys(tc.in)
		if (err == nil) != tc.ok || !bytes.Equal(got, tc.want) {
			t.Errorf("parseDetachKeys(%q) = %v, %v; want %v (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
	}
}
