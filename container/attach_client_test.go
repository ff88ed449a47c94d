package container

import "testing"

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
