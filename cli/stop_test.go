package cli

import (
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseSignal(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want unix.Signal
		err  string
	}{
		{"KILL", unix.SIGKILL, ""}, {"SIGTERM", unix.SIGTERM, ""}, {"hup", unix.SIGHUP, ""},
		{"sigusr1", unix.SIGUSR1, ""}, {"9", unix.SIGKILL, ""}, {"34", 34, ""},
		{"0", 0, "1 to 64"}, {"65", 0, "1 to 64"}, {"BOGUS", 0, "invalid signal"}, {"", 0, "invalid signal"},
	} {
		got, err := parseSignal(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseSignal(%q) = %v, %v; want an error saying %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("parseSignal(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}
