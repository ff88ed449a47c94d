package ns

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

func TestExecErrorCode(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{&exec.Error{Name: "nope", Err: exec.ErrNotFound}, 127},
		{&os.PathError{Op: "exec", Path: "/nope", Err: syscall.ENOENT}, 127},
		{&os.PathError{Op: "exec", Path: "/etc/passwd/x", Err: syscall.ENOTDIR}, 127},
		{&os.PathError{Op: "exec", Path: "/etc/passwd", Err: syscall.EACCES}, 126},
		{&os.PathError{Op: "exec", Path: "/etc", Err: syscall.EISDIR}, 126},
		{&os.PathError{Op: "exec", Path: "/bin/garbage", Err: syscall.ENOEXEC}, 126},
		{&os.PathError{Op: "exec", Path: "/bin/sh", Err: syscall.ENOMEM}, 125},
		{errors.New("something else"), 125},
	}
	for _, tt := range tests {
		if got := execErrorCode(tt.err); got != tt.want {
			t.Errorf("execErrorCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

func TestPathFrom(t *testing.T) {
	tests := []struct {
		env  []string
		want string
	}{
		{nil, DefaultPath},
		{[]string{"HOME=/root"}, DefaultPath},
		{[]string{"PATH=/opt/bin"}, "/opt/bin"},
		{[]string{"PATH=/a", "TERM=xterm", "PATH=/b"}, "/b"}, // later wins, as with -e over the image's ENV
		{[]string{"PATH="}, ""},                              // set but empty: nothing is found, as in a shell
		{[]string{"XPATH=/x"}, DefaultPath},
	}
	for _, tt := range tests {
		if got := pathFrom(tt.env); got != tt.want {
			t.Errorf("pathFrom(%q) = %q, want %q", tt.env, got, tt.want)
		}
	}
}

func TestLookPath(t *testing.T) {
	dir1, dir2 := t.TempDir(), t.TempDir()
	write := func(path string, mode os.FileMode) {
		t.Helper()
		if err := os.WriteFile(path, []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir1, "noexec"), 0o644) // found but not executable: skipped
	write(filepath.Join(dir2, "noexec"), 0o755)
	write(filepath.Join(dir2, "tool"), 0o700)
	if err := os.Mkdir(filepath.Join(dir1, "adir"), 0o755); err != nil {
		t.Fatal(err)
	}
	path := dir1 + ":" + dir2
	tests := []struct {
		file, path, want, wantErr string
	}{
		{"tool", path, filepath.Join(dir2, "tool"), ""},
		{"noexec", path, filepath.Join(dir2, "noexec"), ""},
		{"noexec", dir1, "", `exec: "noexec": executable file not found in $PATH`},
		{"adir", dir1, "", `exec: "adir": executable file not found in $PATH`},
		{"nope", path, "", `exec: "nope": executable file not found in $PATH`},
		{"tool", "", "", `exec: "tool": executable file not found in $PATH`},
		{"/abs/nope", path, "/abs/nope", ""}, // a slash: execve decides
		{"./rel", path, "./rel", ""},
	}
	for _, tt := range tests {
		got, err := lookPath(tt.file, tt.path)
		if got != tt.want || (err == nil) != (tt.wantErr == "") || (err != nil && err.Error() != tt.wantErr) {
			t.Errorf("lookPath(%q, %q) = %q, %v; want %q, %q", tt.file, tt.path, got, err, tt.want, tt.wantErr)
		}
	}
}
