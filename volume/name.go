package volume

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"sync"
)

// nameRE is docker's rule for local volume names: a letter or digit, then
// at least one more of letters, digits, '_', '.', '-'. No '/', so a name
// is always one directory under <root>/volumes, and never starts with '.',
// so it never collides with the store's .tmp- and .rm- entries.
var nameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`) })

// ValidName checks a volume name. The hint matters: `-v data/x:/x` and
// `-v ./x:/x` are usually meant as host paths, which must be absolute.
func ValidName(name string) error {
	if !nameRE().MatchString(name) {
		return fmt.Errorf("invalid volume name %q: use [a-zA-Z0-9][a-zA-Z0-9_.-]+ (a host directory must be an absolute path)", name)
	}
	return nil
}

// NewName makes the name of an anonymous volume: 64 random hex digits, as
// docker does (a container ID has the same form).
func NewName() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("volume name: %w", err)
	}
	return hex.EncodeToString(b), nil
}
