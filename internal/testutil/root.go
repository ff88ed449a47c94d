package testutil

import (
	"os"
	"os/exec"
	"testing"
)

// RootHint is the one sentence every skipped root test prints, so a student
// who runs `go test ./...` as a normal user learns how to run the real thing.
const RootHint = "needs root (real mounts, namespaces, cgroups, registry): run `sudo make test`"

// RequireRoot skips t unless the test runs as root. Tests that need a
// specific capability (a cgroup controller, overlayfs) should probe for it
// after this call and skip with a message naming what is missing.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip(RootHint)
	}
}

// RequireTool skips t when the command name is not on PATH, naming the
// Debian package that provides it. `sudo make test` installs all of them.
func RequireTool(t testing.TB, name, debianPackage string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not found: install the Debian package %s (`sudo make test` does)", name, debianPackage)
	}
	return p
}
