package ns

import "testing"

func TestParseProcStat(t *testing.T) {
	for _, tc := range []struct {
		name, stat string
		want       ProcStat
		ok         bool
	}{
		{"plain", "42 (sleep) S 1 42 42 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 8812345 2453504 134 18446744073709551615", ProcStat{"S", 1, 8812345}, true},
		{"spaces and parens in the name", "7 (a) b (c) R 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99 0 0", ProcStat{"R", 1, 99}, true},
		{"zombie", "9 (x) Z 3 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0", ProcStat{"Z", 3, 5}, true},
		{"cut short", "7 (sh) R 1 7", ProcStat{}, false},
		{"no name", "garbage", ProcStat{}, false},
	} {
		got, err := ParseProcStat(tc.stat)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("%s: ParseProcStat = %+v, %v; want %+v, ok %v", tc.name, got, err, tc.want, tc.ok)
		}
	}
}
