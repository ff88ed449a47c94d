package layers

import "strings"

// A layer tar can add and change files, but a tar has no way to say "delete".
// The OCI image-spec (layer.md, "Whiteouts", inherited from AUFS) encodes
// deletions as empty marker files:
//
//	etc/.wh.motd       "etc/motd exists in a lower layer: hide it"
//	etc/.wh..wh..opq   "hide EVERYTHING lower layers have in etc/" (opaque)
//
// Overlayfs has its own form of the same two ideas (kernel
// Documentation/filesystems/overlayfs.rst, "whiteouts and opaque
// directories"):
//
//	etc/motd           a character device with device number 0:0
//	etc/               a directory with xattr trusted.overlay.opaque="y"
//
// Unpacking converts the first form into the second, so the unpacked layer
// is a ready-made overlay lowerdir and the kernel does the hiding at lookup
// time. ClassifyWhiteout is the pure half of that conversion.

// WhiteoutKind says what a tar entry's base name means.
type WhiteoutKind int

const (
	NotWhiteout WhiteoutKind = iota // an ordinary name
	Whiteout                        // ".wh.NAME": hide NAME of lower layers
	Opaque                          // ".wh..wh..opq": hide all lower entries of this directory
	AufsMeta                        // ".wh..wh.*" other than opaque: AUFS bookkeeping, skipped
	BadWhiteout                     // ".wh.", ".wh..", ".wh...": no valid NAME, refused
)

// opaqueXattr marks a directory whose lower-layer contents overlayfs must
// not show (overlayfs.rst: "A directory is made opaque by setting the xattr
// trusted.overlay.opaque to y"). trusted.* xattrs need CAP_SYS_ADMIN.
const opaqueXattr = "trusted.overlay.opaque"

const (
	whiteoutPrefix = ".wh."
	whiteoutMeta   = ".wh..wh."
	whiteoutOpaque = ".wh..wh..opq"
)

func (k WhiteoutKind) String() string {
	switch k {
	case NotWhiteout:
		return "not-whiteout"
	case Whiteout:
		return "whiteout"
	case Opaque:
		return "opaque"
	case AufsMeta:
		return "aufs-meta"
	case BadWhiteout:
		return "bad-whiteout"
	}
	return "WhiteoutKind(?)"
}

// ClassifyWhiteout looks at one base name (no slashes) of a tar entry and
// says whether it is a whiteout and, for Whiteout, which sibling it hides.
//
// Old AUFS-built images can carry ".wh..wh.plnk" and ".wh..wh.aufs"
// entries (AUFS's hard-link and state bookkeeping); like Docker we skip
// them. A whiteout whose target would be "", "." or ".." can only be an
// attempt to whiteout the directory itself or its parent: BadWhiteout.
func ClassifyWhiteout(name string) (kind WhiteoutKind, target string) {
	if !strings.HasPrefix(name, whiteoutPrefix) {
		return NotWhiteout, ""
	}
	if name == whiteoutOpaque {
		return Opaque, ""
	}
	if strings.HasPrefix(name, whiteoutMeta) {
		return AufsMeta, ""
	}
	target = name[len(whiteoutPrefix):]
	if target == "" || target == "." || target == ".." || strings.ContainsAny(target, "/\x00") {
		return BadWhiteout, ""
	}
	return Whiteout, target
}
