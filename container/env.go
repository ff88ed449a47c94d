package container

import (
	"io"
	"os"
	"slices"
	"strings"

	"github.com/minictr/minictr/ns"
)

// defaultPath is the PATH a container gets when its image sets none (docker's).
const defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// MergeEnv is base overridden by extra, keeping base's order; PATH is
// added if neither sets it. `run` merges the image's Env with -e, `exec`
// the container's with its own -e.
func MergeEnv(base, extra []string) []string {
	var out []string
	pos := map[string]int{}
	for _, kv := range append(append([]string{}, base...), extra...) {
		k, _, _ := strings.Cut(kv, "=")
		if i, ok := pos[k]; ok {
			out[i] = kv
			continue
		}
		pos[k] = len(out)
		out = append(out, kv)
	}
	if _, ok := pos["PATH"]; !ok {
		out = append([]string{defaultPath}, out...)
	}
	return out
}

// withTerm adds HOSTNAME, and TERM for a terminal, as docker does.
func withTerm(env []string, tty bool, hostname string) []string {
	out := append([]string{}, env...)
	if !hasVar(out, "HOSTNAME") {
		out = append(out, "HOSTNAME="+hostname)
	}
	if tty && !hasVar(out, "TERM") {
		out = append(out, "TERM=xterm")
	}
	return out
}

// withHome adds HOME, as docker does: the user's home directory from the
// container's /etc/passwd, /root for root, unless the environment has one.
func withHome(env []string, u *ns.User) []string {
	if hasVar(env, "HOME") {
		return env
	}
	home := "/root"
	if u != nil {
		home = u.Home
	}
	return append(slices.Clone(env), "HOME="+home)
}

func hasVar(env []string, k string) bool {
	return slices.ContainsFunc(env, func(kv string) bool { return strings.HasPrefix(kv, k+"=") })
}

// lookupUser finds -u (or the image's User) in the container's own
// /etc/passwd and /etc/group: the caller has already entered the
// container's mount namespace and root. nil for "" (root, no change). A
// missing file counts as an empty one: an image without /etc/passwd still
// runs -u 1000, as with docker.
func lookupUser(spec string) (*ns.User, error) {
	if spec == "" {
		return nil, nil
	}
	passwd, closeP := openOrEmpty("/etc/passwd")
	group, closeG := openOrEmpty("/etc/group")
	defer closeP()
	defer closeG()
	u, err := ns.LookupUser(spec, passwd, group)
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// openOrEmpty opens name for reading, or gives an empty reader if it is missing.
func openOrEmpty(name string) (io.Reader, func()) {
	f, err := os.Open(name)
	if err != nil {
		return strings.NewReader(""), func() {}
	}
	return f, func() { f.Close() }
}
