package ns

import "testing"

func TestParseStartTime(t *testing.T) {
	for _, tc := range []struct {
		name, stat string
		want       uint64
		ok         bool
	}{
		{"plain", "42 (sleep) S 1 42 42 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 8812345 2453504 134 18446744073709551615", 8812345, true},
		{"spaces and parens in the name", "7 (a) b (c) R 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99 0 0", 99, true},
		{"cut short", "7 (sh) R 1 7", 0, false},
		{"no name", "garbage", 0, false},
	} {
		got, err := parseStartTime(tc.stat)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("%s: parseStartTime = %d, %v; want %d, ok %v", tc.name, got, err, tc.want, tc.ok)
		}
	}
}
