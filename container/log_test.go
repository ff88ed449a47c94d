package container

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Copy cuts output into entries at newlines, keeps a last line without
// one, and splits a line longer than maxLogLine; ReadLog gives them back.
func TestLogCopyRead(t *testing.T) {
	long := strings.Repeat("x", maxLogLine+10)
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"a\n", []string{"a\n"}},
		{"a\nb\n", []string{"a\n", "b\n"}},
		{"a\nno newline", []string{"a\n", "no newline"}},
		{"\n\n", []string{"\n", "\n"}},
		{long + "\n", []string{long[:maxLogLine], long[maxLogLine:] + "\n"}},
	}
	for _, tt := range tests {
		c := &Container{Dir: t.TempDir(), Config: Config{ID: strings.Repeat("0", 64)}}
		w, err := c.OpenLog()
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Copy("stderr", strings.NewReader(tt.in)); err != nil {
			t.Fatal(err)
		}
		w.Close()
		entries, off, err := ReadLog(c.LogPath(), 0)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range entries {
			if e.Stream != "stderr" || e.Time.IsZero() {
				t.Errorf("%q: entry %+v", tt.in, e)
			}
			got = append(got, e.Log)
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("Copy(%.20q): entries %.60q, want %.60q", tt.in, got, tt.want)
		}
		if fi, _ := os.Stat(c.LogPath()); fi != nil && fi.Size() != off {
			t.Errorf("%q: offset %d after reading a %d-byte log", tt.in, off, fi.Size())
		}
	}
}

// A line the monitor is still writing is left for the next read.
func TestParseLogPartial(t *testing.T) {
	b := []byte(`{"stream":"stdout","time":"2026-11-24T13:00:00Z","log":"a\n"}` + "\n" + `{"stream":"std`)
	entries, n, err := ParseLog(b)
	if err != nil || len(entries) != 1 || entries[0].Log != "a\n" || n != strings.IndexByte(string(b), '\n')+1 {
		t.Errorf("ParseLog: %+v, %d, %v", entries, n, err)
	}
	if _, _, err := ParseLog([]byte("not json\n")); err == nil {
		t.Error("ParseLog of a bad line: no error")
	}
	if entries, off, err := ReadLog(filepath.Join(t.TempDir(), "missing.json"), 0); err != nil || len(entries) != 0 || off != 0 {
		t.Errorf("ReadLog of a missing log: %v %d %v", entries, off, err)
	}
}

func ExampleParseLog() {
	log := `{"stream":"stdout","time":"2026-11-24T13:00:00Z","log":"hello\n"}
{"stream":"stderr","time":"2026-11-24T13:00:01Z","log":"oops\n"}
`
	entries, _, _ := ParseLog([]byte(log))
	for _, e := range entries {
		fmt.Printf("%s %s %q\n", e.Time.Format("15:04:05"), e.Stream, e.Log)
	}
	// Output:
	// 13:00:00 stdout "hello\n"
	// 13:00:01 stderr "oops\n"
}
