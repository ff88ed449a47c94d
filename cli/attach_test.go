package main

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

func TestHeldPrefix(t *testing.T) {
	keys := []byte{0x10, 0x11, 'x'}
	for _, tc := range []struct {
		data string
		want int
	}{
		{"abc", 0},
		{"abc\x10", 1},
		{"abc\x10\x11", 2},
		{"\x10\x11x", 0}, // complete: found by the caller, never held
		{"\x11", 0},
		{"", 0},
	} {
		if got := heldPrefix([]byte(tc.data), keys); got != tc.want {
			t.Errorf("heldPrefix(%q) = %d, want %d", tc.data, got, tc.want)
		}
	}
}
