package ns_test

import (
	"encoding/json"
	"errors"
	"syscall"
	"testing"

	"github.com/minictr/minictr/ns"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		status ns.ExitStatus
		want   int
	}{
		{ns.ExitStatus{Code: 0}, 0},
		{ns.ExitStatus{Code: 42}, 42},
		{ns.ExitStatus{Code: 255}, 255},
		{ns.ExitStatus{Signal: syscall.SIGHUP}, 129},
		{ns.ExitStatus{Signal: syscall.SIGINT}, 130},
		{ns.ExitStatus{Signal: syscall.SIGKILL}, 137},
		{ns.ExitStatus{Signal: syscall.SIGSEGV}, 139},
		{ns.ExitStatus{Signal: syscall.SIGTERM}, 143},
	}
	for _, tt := range tests {
		if got := tt.status.ExitCode(); got != tt.want {
			t.Errorf("%+v.ExitCode() = %d, want %d", tt.status, got, tt.want)
		}
	}
}

// The child sends a ChildError to the parent as JSON over the sync pipe:
// it must arrive whole and still read as the child wrote it.
func TestChildErrorRoundTrip(t *testing.T) {
	sent := &ns.ChildError{Stage: "exec", Msg: "exec /nope: no such file or directory", Code: ns.CodeNotFound}
	b, err := json.Marshal(sent)
	if err != nil {
		t.Fatal(err)
	}
	var got *ns.ChildError
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if *got != *sent {
		t.Errorf("round trip: got %+v, want %+v (wire: %s)", got, sent, b)
	}
	if want := "container init: exec /nope: no such file or directory"; got.Error() != want {
		t.Errorf("Error() = %q, want %q", got.Error(), want)
	}
	var wrapped error = errors.Join(errors.New("run c1"), got)
	var ce *ns.ChildError
	if !errors.As(wrapped, &ce) || ce.Code != 127 {
		t.Errorf("errors.As through a wrapper: got %v", ce)
	}
}
