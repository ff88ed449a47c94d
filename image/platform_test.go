package image

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

func TestParsePlatform(t *testing.T) {
	tests := []struct{ in, want string }{
		{"linux/amd64", "linux/amd64"},
		{"linux/x86_64", "linux/amd64"},
		{"linux/amd64/v1", "linux/amd64"},
		{"linux/amd64/v3", "linux/amd64/v3"},
		{"linux/arm64", "linux/arm64/v8"},
		{"linux/aarch64", "linux/arm64/v8"},
		{"linux/arm64/8", "linux/arm64/v8"},
		{"linux/arm64/v8.0", "linux/arm64/v8"},
		{"linux/arm64/8.0", "linux/arm64/v8"},
		{"linux/arm64/9", "linux/arm64/v9"},
		{"linux/arm64/9.0", "linux/arm64/v9"},
		{"linux/arm64/v9.0", "linux/arm64/v9"},
		{"linux/arm64/v8.2", "linux/arm64/v8.2"},
		{"linux/arm", "linux/arm/v7"},
		{"linux/arm/6", "linux/arm/v6"},
		{"linux/armhf", "linux/arm/v7"},
		{"linux/armel", "linux/arm/v6"},
		{"linux/i386", "linux/386"},
		{"Linux/AMD64", "linux/amd64"},
		{"linux/s390x", "linux/s390x"},
	}
	for _, tt := range tests {
		p, err := ParsePlatform(tt.in)
		if err != nil || p.String() != tt.want {
			t.Errorf("ParsePlatform(%q) = %v, %v; want %s", tt.in, p, err, tt.want)
		}
	}
	for _, bad := range []string{"", "linux", "linux/", "/amd64", "linux/arm/v7/x", "linux//v7", "linux/*", "linux/ amd64", "linux/amd64 ", "linux/arm64/v8*"} {
		if _, err := ParsePlatform(bad); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q", bad)) {
			t.Errorf("ParsePlatform(%q) = %v, want an error naming it", bad, err)
		}
	}
}

func TestHostPlatform(t *testing.T) {
	p := HostPlatform()
	if p.OS != runtime.GOOS || p.Architecture != runtime.GOARCH {
		t.Errorf("HostPlatform() = %v, want %s/%s", p, runtime.GOOS, runtime.GOARCH)
	}
	if (runtime.GOARCH == "arm64") != (p.Variant == "v8") {
		t.Errorf("HostPlatform() = %v: arm64, and only arm64, has variant v8", p)
	}
}

// testIndex is an index as Docker Hub serves busybox: several platforms,
// arm64 labelled without a variant, plus a buildx attestation entry.
func testIndex() *Index {
	entry := func(n byte, os, arch, variant string) Descriptor {
		return Descriptor{MediaType: MediaTypeOCIManifest, Size: 100,
			Digest:   "sha256:" + strings.Repeat(string(rune('a'+n)), 64),
			Platform: &Platform{OS: os, Architecture: arch, Variant: variant}}
	}
	return &Index{SchemaVersion: 2, MediaType: MediaTypeOCIIndex, Manifests: []Descriptor{
		entry(0, "linux", "amd64", ""),
		entry(1, "linux", "arm", "v6"),
		entry(2, "linux", "arm", "v7"),
		entry(3, "linux", "arm64", ""), // docker normalizes this to arm64/v8
		entry(4, "unknown", "unknown", ""),
		{MediaType: MediaTypeOCIManifest, Size: 1, Digest: "sha256:" + strings.Repeat("f", 64)}, // no platform
	}}
}

func TestChoosePlatform(t *testing.T) {
	idx := testIndex()
	tests := []struct {
		want string
		pick int
	}{
		{"linux/amd64", 0},
		{"linux/arm64", 3},
		{"linux/arm64/v8", 3},
		{"linux/arm/v7", 2},
		{"linux/arm/v6", 1},
		{"linux/arm/v8", 2}, // a v8 CPU in 32-bit mode runs v7 code: best compatible
	}
	for _, tt := range tests {
		p, err := ParsePlatform(tt.want)
		if err != nil {
			t.Fatal(err)
		}
		d, err := ChoosePlatform(idx, p)
		if err != nil || d.Digest != idx.Manifests[tt.pick].Digest {
			t.Errorf("ChoosePlatform(%s) = %s, %v; want entry %d", tt.want, d.Digest, err, tt.pick)
		}
	}
}

func TestChoosePlatformNoMatch(t *testing.T) {
	idx := testIndex()
	for _, want := range []Platform{
		{OS: "linux", Architecture: "s390x"},
		{OS: "linux", Architecture: "arm", Variant: "v5"}, // older than anything offered
		{OS: "windows", Architecture: "amd64"},
	} {
		_, err := ChoosePlatform(idx, want)
		msg := fmt.Sprint(err)
		wantMsg := "no manifest for " + want.String() + " in the image index (available: linux/amd64, linux/arm/v6, linux/arm/v7, linux/arm64/v8)"
		if msg != wantMsg {
			t.Errorf("ChoosePlatform(%s):\n got %s\nwant %s", want, msg, wantMsg)
		}
	}
}

func ExampleChoosePlatform() {
	idx := &Index{SchemaVersion: 2, Manifests: []Descriptor{
		{Digest: "sha256:" + strings.Repeat("1", 64), Platform: &Platform{OS: "linux", Architecture: "amd64"}},
		{Digest: "sha256:" + strings.Repeat("2", 64), Platform: &Platform{OS: "linux", Architecture: "arm64"}},
	}}
	arm64, _ := ParsePlatform("linux/arm64")
	d, _ := ChoosePlatform(idx, arm64)
	fmt.Println(arm64, "->", d.Digest[:15]+"...")

	s390x, _ := ParsePlatform("linux/s390x")
	_, err := ChoosePlatform(idx, s390x)
	fmt.Println(err)
	// Output:
	// linux/arm64/v8 -> sha256:22222222...
	// no manifest for linux/s390x in the image index (available: linux/amd64, linux/arm64/v8)
}
