package ns

import "os"

// SpawnConfig is the command that `minictr exec` starts in the joined
// namespaces.
type SpawnConfig struct {
	Args  []string
	Env   []string
	Dir   string // working directory inside the container
	User  *User  // nil: root, with no supplementary groups
	Stdio [3]*os.File
	// Setctty makes the command lead a new session with its stdin (a pty
	// slave) as controlling terminal, so Ctrl-C reaches it and not us.
	Setctty bool
}
