package ns

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// DefaultPath is the $PATH a container gets when its image sets none: the
// same list docker and runc use.
const DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// pathFrom returns the PATH in a container's environment (the last one wins,
// as when docker merges image and -e variables), or DefaultPath.
func pathFrom(env []string) string {
	path := DefaultPath
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	return path
}

// lookPath finds file in the colon-separated dirs of pathList the way
// exec.LookPath does -- but with the CONTAINER's $PATH, not this process's,
// and in the current root, which after pivot_root is the container's.
// A name with a slash is used as it is; execve(2) will say if it is missing.
// A file that is not executable is skipped, as execvp(3) and Go do.
func lookPath(file, pathList string) (string, error) {
	if strings.Contains(file, "/") {
		return file, nil
	}
	for _, dir := range filepath.SplitList(pathList) {
		if dir == "" {
			dir = "." // an empty entry means the working directory
		}
		p := filepath.Join(dir, file)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
			return p, nil
		}
	}
	// `exec: "nope": executable file not found in $PATH`, the text docker shows.
	return "", &exec.Error{Name: file, Err: exec.ErrNotFound}
}
