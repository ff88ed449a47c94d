package mount

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Bind is one volume, `-v HOST:CTR[:ro]`: the host path Source appears at
// Target inside the container (an absolute container path, e.g. "/data").
// A bind mount (MS_BIND) does not copy anything: it makes the same
// directory or file reachable at a second place, like a hard link for a
// whole tree, and writes through it land on the host.
type Bind struct {
	Source   string // absolute host path
	Target   string // absolute path inside the container
	ReadOnly bool
}

// ParseBind parses the -v syntax HOST:CTR, HOST:CTR:ro or HOST:CTR:rw.
// Both paths must be absolute (a relative host path would depend on the
// directory minictr happens to run in), and CTR may not be "/" (the root
// is the image's overlay, not a volume). Paths containing ':' cannot be
// expressed, as with docker -v.
func ParseBind(s string) (Bind, error) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return Bind{}, fmt.Errorf("volume %q: want HOST:CONTAINER[:ro|rw]", s)
	}
	b := Bind{Source: parts[0], Target: parts[1]}
	if len(parts) == 3 {
		switch parts[2] {
		case "ro":
			b.ReadOnly = true
		case "rw":
		default:
			return Bind{}, fmt.Errorf("volume %q: unknown mode %q (want ro or rw)", s, parts[2])
		}
	}
	if !filepath.IsAbs(b.Source) {
		return Bind{}, fmt.Errorf("volume %q: host path %q is not absolute", s, b.Source)
	}
	if !filepath.IsAbs(b.Target) {
		return Bind{}, fmt.Errorf("volume %q: container path %q is not absolute", s, b.Target)
	}
	b.Source, b.Target = filepath.Clean(b.Source), filepath.Clean(b.Target)
	if b.Target == "/" {
		return Bind{}, fmt.Errorf("volume %q: cannot mount over the container's root", s)
	}
	return b, nil
}

// String prints b in the -v syntax ParseBind reads.
func (b Bind) String() string {
	if b.ReadOnly {
		return b.Source + ":" + b.Target + ":ro"
	}
	return b.Source + ":" + b.Target
}

// Binds returns the mounts that put vols into the container whose root is
// rootfs, before pivot_root. Each volume is one recursive bind (MS_REC also
// takes the mounts below Source along), and a read-only volume a second
// call: the kernel ignores MS_RDONLY on the call that creates a bind
// mount, so read-only takes a remount of that new mount point with
// MS_BIND|MS_REMOUNT|MS_RDONLY, which changes that one mount and leaves
// the host's view writable.
//
// MountBinds applies these, after creating each target safely inside the
// root; this function is the plan, for printing and for tests.
func Binds(rootfs string, vols []Bind) []Mount {
	var ms []Mount
	for _, v := range vols {
		ms = append(ms, bindMounts(v, filepath.Join(rootfs, v.Target))...)
	}
	return ms
}

// bindMounts is the one or two mounts for v, with the target already
// resolved to a host path.
func bindMounts(v Bind, target string) []Mount {
	ms := []Mount{{Source: v.Source, Target: target, Flags: msBind | msRec}}
	if v.ReadOnly {
		ms = append(ms, remountReadOnly(target))
	}
	return ms
}

// remountReadOnly makes the bind mount at target read-only. The flags of a
// remount replace the mount's per-mount flags, so the apply step adds the
// nosuid/nodev/noexec the mount already has (see keepFlags).
func remountReadOnly(target string) Mount {
	return Mount{Target: target, Flags: msBind | msRemount | msRdonly}
}

// BindSelf bind-mounts path onto itself. pivot_root(2) needs the new root
// to be a mount point; an overlay is one, but a plain directory (a rootfs
// unpacked by hand, as in an OCI bundle) becomes one this way.
func BindSelf(path string) Mount {
	return Mount{Source: path, Target: path, Flags: msBind | msRec}
}
