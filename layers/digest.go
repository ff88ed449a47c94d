package layers

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// Two digests name a layer, and they answer different questions.
//
// The diff ID is sha256 over the layer's UNCOMPRESSED tar stream. It says
// "these file changes", whatever compression the registry happened to use
// (the same tar gzipped and zstd-compressed has two blob digests but one diff
// ID). An image config lists its layers' diff IDs in rootfs.diff_ids.
//
// The chain ID says "these file changes ON TOP OF exactly these lower
// layers". A layer's tar only makes sense on its parents: a whiteout for
// /etc/motd hides the motd of whatever lies beneath. So the unpacked
// directory is named by the chain ID, which folds the whole stack below it
// into one digest (OCI image-spec config.md, "Layer ChainID"):
//
//	ChainID(L0) = DiffID(L0)
//	ChainID(Ln) = "sha256:" + hex(sha256(ChainID(Ln-1) + " " + DiffID(Ln)))
//
// The "sha256:" prefixes are part of the hashed text.

// ChainID returns the chain ID of a layer with diff ID diffID stacked on the
// layer whose chain ID is parent. For a base layer (parent == "") the chain
// ID is the diff ID itself.
func ChainID(parent, diffID string) string {
	if parent == "" {
		return diffID
	}
	sum := sha256.Sum256([]byte(parent + " " + diffID))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// ChainIDs returns the chain ID of every prefix of an image's diff IDs, in
// order: element i names layers 0..i stacked. The last one names the whole
// root filesystem.
func ChainIDs(diffIDs []string) []string {
	out := make([]string, len(diffIDs))
	parent := ""
	for i, d := range diffIDs {
		parent = ChainID(parent, d)
		out[i] = parent
	}
	return out
}

// digestHex checks that d is "sha256:" followed by 64 lower-case hex digits
// and returns the hex part, which is what the store uses as a directory
// name. Checking here keeps a hostile ID such as "sha256:../../etc" from
// ever becoming a path.
func digestHex(d string) (string, error) {
	h, ok := strings.CutPrefix(d, "sha256:")
	if !ok || len(h) != 64 {
		return "", fmt.Errorf("invalid digest %q: want sha256:<64 hex digits>", d)
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return "", fmt.Errorf("invalid digest %q: want sha256:<64 hex digits>", d)
		}
	}
	return h, nil
}
