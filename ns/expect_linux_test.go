package ns_test

import (
	"os"
	"strings"
	"testing"
	"time"
)

// expect collects what a pty master says, for tests that wait for a string.
type expect struct {
	chunks chan string
	buf    strings.Builder
}

func newExpect(master *os.File) *expect {
	e := &expect{chunks: make(chan string, 64)}
	go func() {
		b := make([]byte, 4096)
		for {
			n, err := master.Read(b)
			if n > 0 {
				e.chunks <- string(b[:n])
			}
			if err != nil {
				close(e.chunks)
				return
			}
		}
	}()
	return e
}

// until returns all output up to and including want. The minute is a guard
// against a hung test, not a timing assertion.
func (e *expect) until(t *testing.T, want string) string {
	t.Helper()
	for !strings.Contains(e.buf.String(), want) {
		select {
		case s, ok := <-e.chunks:
			if !ok {
				t.Fatalf("pty closed before %q; got %q", want, e.buf.String())
			}
			e.buf.WriteString(s)
		case <-time.After(time.Minute):
			t.Fatalf("no %q from the pty after a minute; got %q", want, e.buf.String())
		}
	}
	s := e.buf.String()
	i := strings.Index(s, want) + len(want)
	e.buf.Reset()
	e.buf.WriteString(s[i:])
	return s[:i]
}
