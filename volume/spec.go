package volume

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/minictr/minictr/mount"
)

// Mount types, as `inspect` shows them (docker's names).
const (
	TypeBind   = "bind"   // a host directory or file: -v /srv/data:/data
	TypeVolume = "volume" // a directory in the store: -v data:/data, -v /data
)

// Spec is one -v flag, parsed. For a bind, Source is the host path; for a
// volume it is empty and Name says which volume ("" for an anonymous one,
// which gets a name when it is created).
type Spec struct {
	Type string
	Name string
	mount.Bind
}

// ParseSpec parses docker's three -v forms:
//
//	-v /srv/data:/data[:ro|rw]  bind: the host path on /data
//	-v ./data:/data             bind: a host path relative to cwd (docker 23+)
//	-v data:/data[:ro|rw]       the named volume "data" (created if missing)
//	-v /data                    a new anonymous volume on /data
//
// The first part decides: a leading '/' is a host path, a leading '.' a
// host path relative to cwd (a volume name never starts with '.'), anything
// else a volume name. As in docker, "/data:ro" is an error (an anonymous
// volume takes no mode), an empty mode ("data:/data:") too, and the
// container path must be absolute and not "/".
func ParseSpec(s, cwd string) (Spec, error) {
	parts := strings.Split(s, ":")
	if strings.HasPrefix(s, ".") && len(parts) > 1 {
		parts[0] = filepath.Join(cwd, parts[0])
		s = strings.Join(parts, ":")
	}
	if strings.HasPrefix(s, "/") && len(parts) > 1 {
		b, err := mount.ParseBind(s)
		return Spec{Type: TypeBind, Bind: b}, err
	}
	sp := Spec{Type: TypeVolume}
	mode := ""
	switch len(parts) {
	case 1:
		sp.Target = parts[0]
	case 2, 3:
		sp.Name, sp.Target = parts[0], parts[1]
		if len(parts) == 3 {
			mode = parts[2]
		}
	default:
		return Spec{}, fmt.Errorf("volume %q: want [HOST:|NAME:]CONTAINER[:ro|rw]", s)
	}
	if len(parts) > 1 {
		if err := ValidName(sp.Name); err != nil {
			return Spec{}, fmt.Errorf("volume %q: %w", s, err)
		}
	}
	switch {
	case mode == "ro":
		sp.ReadOnly = true
	case mode == "rw", len(parts) < 3:
	default:
		return Spec{}, fmt.Errorf("volume %q: unknown mode %q (want ro or rw)", s, mode)
	}
	target, err := CleanTarget(sp.Target)
	if err != nil {
		return Spec{}, fmt.Errorf("volume %q: %w", s, err)
	}
	sp.Target = target
	return sp, nil
}

// CleanTarget checks a container path a volume goes on (from -v, or from
// the image's VOLUME list) and cleans it: absolute, and not "/" (the root
// is the image's overlay, not a volume).
func CleanTarget(p string) (string, error) {
	if !filepath.IsAbs(p) {
		return "", fmt.Errorf("container path %q is not absolute", p)
	}
	if p = filepath.Clean(p); p == "/" {
		return "", fmt.Errorf("cannot mount a volume over the container's root")
	}
	return p, nil
}
