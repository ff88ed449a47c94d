package image

import (
	"fmt"
	"runtime"
	"strings"
)

// A container shares the host's kernel, so an image's binaries must be
// built for the host's OS and CPU: an arm64 busybox cannot run on amd64
// (without qemu-user and binfmt_misc). A multi-platform tag points at an
// index with one manifest per platform, and the client picks its own.
//
// ARM adds a variant, the architecture version: v6 and v7 for 32-bit arm,
// v8 for arm64. Images label it inconsistently ("arm64", "arm64/v8"), so
// both sides are normalized before comparing, as docker does: arm64 always
// has variant v8 and arm defaults to v7.

// String is the platform as users type it: linux/amd64, linux/arm64/v8.
func (p Platform) String() string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// ParsePlatform parses "os/arch[/variant]" (the --platform flag) and
// normalizes it: "linux/arm64" becomes linux/arm64/v8, "linux/aarch64"
// too, "linux/x86_64" becomes linux/amd64.
func ParsePlatform(s string) (Platform, error) {
	parts := strings.Split(strings.ToLower(s), "/")
	if len(parts) < 2 || len(parts) > 3 {
		return Platform{}, fmt.Errorf("invalid platform %q: want os/arch or os/arch/variant, such as linux/amd64", s)
	}
	for _, part := range parts {
		if part == "" {
			return Platform{}, fmt.Errorf("invalid platform %q: empty part", s)
		}
		// containerd's rule: letters, digits, '_', '.', '-' only. A typo
		// like "linux/*" or "linux/ amd64" is refused here, not later as
		// "no manifest".
		if strings.Trim(part, "abcdefghijklmnopqrstuvwxyz0123456789_.-") != "" {
			return Platform{}, fmt.Errorf("invalid platform %q: %q may hold only letters, digits, '_', '.' and '-'", s, part)
		}
	}
	p := Platform{OS: parts[0], Architecture: parts[1]}
	if len(parts) == 3 {
		p.Variant = parts[2]
	}
	return normalizePlatform(p), nil
}

// HostPlatform is the platform this binary runs on, normalized.
func HostPlatform() Platform {
	return normalizePlatform(Platform{OS: runtime.GOOS, Architecture: runtime.GOARCH})
}

// normalizePlatform maps the names images and users use for the same CPU
// onto Go's, with docker's default variants.
func normalizePlatform(p Platform) Platform {
	p.OS = strings.ToLower(p.OS)
	arch, variant := strings.ToLower(p.Architecture), strings.ToLower(p.Variant)
	switch arch {
	case "x86_64", "x86-64", "amd64":
		arch = "amd64"
		if variant == "v1" {
			variant = ""
		}
	case "i386", "i686", "386":
		arch = "386"
	case "aarch64", "arm64":
		arch = "arm64"
		switch variant { // containerd's spellings of the same ARMv8.0 and v9.0
		case "", "8", "v8", "8.0", "v8.0":
			variant = "v8"
		case "9", "9.0", "v9.0":
			variant = "v9"
		}
	case "armhf":
		arch, variant = "arm", "v7"
	case "armel":
		arch, variant = "arm", "v6"
	case "arm":
		switch variant {
		case "", "7":
			variant = "v7"
		case "5", "6", "8":
			variant = "v" + variant
		}
	}
	p.Architecture, p.Variant = arch, variant
	return p
}

// ChoosePlatform picks the manifest for want from an index: an entry whose
// normalized OS, architecture and variant equal want's. If none matches
// exactly, a 32-bit arm host takes an older variant (a v7 CPU runs v6 and
// v5 code, newest first), and a want with no variant takes any variant.
// Entries without a platform or labelled unknown/unknown (build
// attestations that buildx adds) are never chosen.
func ChoosePlatform(idx *Index, want Platform) (Descriptor, error) {
	want = normalizePlatform(want)
	for _, variant := range compatibleVariants(want) {
		for _, d := range idx.Manifests {
			if d.Platform == nil {
				continue
			}
			p := normalizePlatform(*d.Platform)
			if p.OS == want.OS && p.Architecture == want.Architecture && (p.Variant == variant || variant == "*") {
				return d, nil
			}
		}
	}
	var avail []string
	for _, d := range idx.Manifests {
		if d.Platform != nil && d.Platform.OS != "unknown" {
			avail = append(avail, normalizePlatform(*d.Platform).String())
		}
	}
	return Descriptor{}, fmt.Errorf("no manifest for %s in the image index (available: %s)", want, strings.Join(avail, ", "))
}

// compatibleVariants lists the variants want can run, best first; "*"
// means any.
func compatibleVariants(want Platform) []string {
	if want.Variant == "" {
		return []string{"", "*"}
	}
	if want.Architecture == "arm" {
		switch want.Variant {
		case "v8":
			return []string{"v8", "v7", "v6", "v5"}
		case "v7":
			return []string{"v7", "v6", "v5"}
		case "v6":
			return []string{"v6", "v5"}
		}
	}
	return []string{want.Variant}
}
