package image

import (
	"fmt"
	"strings"
	"testing"
)

const testHex = "d366a4665ab44f0648d7a00ae3fae139d55e32f9712c67accd604bb55df9d05a"

// TestParseReference is docker's normalization, case by case: what is a
// domain, when library/ is added, when "latest" is implied.
func TestParseReference(t *testing.T) {
	dg := "sha256:" + testHex
	tests := []struct {
		in                         string
		domain, path, tag, digest  string
		str, familiarName, familar string
	}{
		{"alpine", "docker.io", "library/alpine", "latest", "",
			"docker.io/library/alpine:latest", "alpine", "alpine:latest"},
		{"alpine:3.19", "docker.io", "library/alpine", "3.19", "",
			"docker.io/library/alpine:3.19", "alpine", "alpine:3.19"},
		{"library/alpine", "docker.io", "library/alpine", "latest", "",
			"docker.io/library/alpine:latest", "alpine", "alpine:latest"},
		{"docker.io/alpine", "docker.io", "library/alpine", "latest", "",
			"docker.io/library/alpine:latest", "alpine", "alpine:latest"},
		{"index.docker.io/library/alpine:edge", "docker.io", "library/alpine", "edge", "",
			"docker.io/library/alpine:edge", "alpine", "alpine:edge"},
		{"user/app:1", "docker.io", "user/app", "1", "",
			"docker.io/user/app:1", "user/app", "user/app:1"},
		{"test_com/foo", "docker.io", "test_com/foo", "latest", "",
			"docker.io/test_com/foo:latest", "test_com/foo", "test_com/foo:latest"},
		// library/ is only stripped from one-component official names.
		{"library/foo/bar", "docker.io", "library/foo/bar", "latest", "",
			"docker.io/library/foo/bar:latest", "library/foo/bar", "library/foo/bar:latest"},
		{"host:5000/a/b:tag", "host:5000", "a/b", "tag", "",
			"host:5000/a/b:tag", "host:5000/a/b", "host:5000/a/b:tag"},
		{"localhost/x", "localhost", "x", "latest", "",
			"localhost/x:latest", "localhost/x", "localhost/x:latest"},
		{"localhost:5000/x", "localhost:5000", "x", "latest", "",
			"localhost:5000/x:latest", "localhost:5000/x", "localhost:5000/x:latest"},
		// Without a "/", the ":" can only start a tag: the image "localhost", tag 5000.
		{"localhost:5000", "docker.io", "library/localhost", "5000", "",
			"docker.io/library/localhost:5000", "localhost", "localhost:5000"},
		{"127.0.0.1:5000/debian", "127.0.0.1:5000", "debian", "latest", "",
			"127.0.0.1:5000/debian:latest", "127.0.0.1:5000/debian", "127.0.0.1:5000/debian:latest"},
		{"[::1]:5000/debian", "[::1]:5000", "debian", "latest", "",
			"[::1]:5000/debian:latest", "[::1]:5000/debian", "[::1]:5000/debian:latest"},
		{"xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo", "latest", "",
			"xn--n3h.com:18080/foo:latest", "xn--n3h.com:18080/foo", "xn--n3h.com:18080/foo:latest"},
		// An upper-case first component can only be a host.
		{"LOCALDOMAIN/debian", "LOCALDOMAIN", "debian", "latest", "",
			"LOCALDOMAIN/debian:latest", "LOCALDOMAIN/debian", "LOCALDOMAIN/debian:latest"},
		{"ghcr.io/org/team/app:v1.2.3-rc_1", "ghcr.io", "org/team/app", "v1.2.3-rc_1", "",
			"ghcr.io/org/team/app:v1.2.3-rc_1", "ghcr.io/org/team/app", "ghcr.io/org/team/app:v1.2.3-rc_1"},
		{"dock__er---x/a.b_c", "docker.io", "dock__er---x/a.b_c", "latest", "",
			"docker.io/dock__er---x/a.b_c:latest", "dock__er---x/a.b_c", "dock__er---x/a.b_c:latest"},
		// A digest alone: no "latest".
		{"alpine@" + dg, "docker.io", "library/alpine", "", dg,
			"docker.io/library/alpine@" + dg, "alpine", "alpine@" + dg},
		{"busybox:latest@" + dg, "docker.io", "library/busybox", "latest", dg,
			"docker.io/library/busybox:latest@" + dg, "busybox", "busybox:latest@" + dg},
		{"host:5000/a@" + dg, "host:5000", "a", "", dg,
			"host:5000/a@" + dg, "host:5000/a", "host:5000/a@" + dg},
		// 64 hex digits are an ID alone, but fine as a path after a host.
		{"docker.io/" + testHex, "docker.io", "library/" + testHex, "latest", "",
			"docker.io/library/" + testHex + ":latest", testHex, testHex + ":latest"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, err := ParseReference(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			want := Reference{Domain: tt.domain, Path: tt.path, Tag: tt.tag, Digest: tt.digest}
			if r != want {
				t.Errorf("got %+v, want %+v", r, want)
			}
			if got := r.String(); got != tt.str {
				t.Errorf("String() = %q, want %q", got, tt.str)
			}
			if got := r.FamiliarName(); got != tt.familiarName {
				t.Errorf("FamiliarName() = %q, want %q", got, tt.familiarName)
			}
			if got := r.Familiar(); got != tt.familar {
				t.Errorf("Familiar() = %q, want %q", got, tt.familar)
			}
			// The fully qualified form parses back to the same reference.
			again, err := ParseReference(r.String())
			if err != nil || again != r {
				t.Errorf("ParseReference(%q) = %+v, %v; want %+v", r.String(), again, err, r)
			}
		})
	}
}

func TestParseReferenceInvalid(t *testing.T) {
	tests := []struct{ in, why string }{
		{"", "empty"},
		{" ", "path component"},
		{"$$$", "path component"},
		{"::", "tag"},
		{"a:b:c", "path component"},
		{"Alpine", "must be lowercase"},
		{"docker/Docker", "must be lowercase"},
		{"docker.io/docker/Docker", "must be lowercase"},
		{"https://github.com/docker/docker", "registry host"},
		{"docker://quay.io/library/foo:bar", "registry host"},
		{"-docker", "path component"},
		{"-docker/docker", "path component"},
		{"docker-/docker", "path component"},
		{"-docker.io/docker/docker", "registry host"},
		{"docker///docker", "path component"},
		{"docker.io/docker///docker", "path component"},
		{"____/____", "path component"},
		{"_docker/_docker", "path component"},
		// A "." makes the first component a host, and these are bad hosts.
		{"dock..er/docker", "registry host"},
		{"dock_.er/docker", "registry host"},
		{"dock-.er/docker", "registry host"},
		{"dock..er", "path component"},
		{"a/dock_.er", "path component"},
		{"docker/", "path component"},
		{testHex, "image ID"},
		{"alpine:-tag", "tag"},
		{"alpine:" + strings.Repeat("t", 129), "tag"},
		{"alpine:", "tag"},
		{"alpine@sha256:abc", "64 hex"},
		{"alpine@sha256:" + strings.ToUpper(testHex), "hex digit"},
		{"alpine@sha512:" + testHex + testHex, "only sha256"},
		{"alpine@md5:0123", "unknown algorithm"},
		{"alpine@", "sha256:<64 hex digits>"},
		{strings.Repeat("a", 128) + "/" + strings.Repeat("b", 128), "more than 255"},
	}
	for _, tt := range tests {
		_, err := ParseReference(tt.in)
		if err == nil {
			t.Errorf("ParseReference(%q) succeeded, want an error about %s", tt.in, tt.why)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, fmt.Sprintf("%q", tt.in)) || !strings.Contains(msg, tt.why) {
			t.Errorf("ParseReference(%q): error %q should name the input and say %q", tt.in, msg, tt.why)
		}
	}
}

func TestWithDigest(t *testing.T) {
	r, err := ParseReference("alpine:3.19")
	if err != nil {
		t.Fatal(err)
	}
	d := "sha256:" + testHex
	got := r.WithDigest(d)
	if want := (Reference{Domain: "docker.io", Path: "library/alpine", Digest: d}); got != want {
		t.Errorf("WithDigest = %+v, want %+v", got, want)
	}
	if got.String() != "docker.io/library/alpine@"+d || got.reference() != d || r.reference() != "3.19" {
		t.Errorf("String() = %q, reference() = %q / %q", got.String(), got.reference(), r.reference())
	}
}

func ExampleParseReference() {
	for _, s := range []string{"alpine", "user/app:1", "localhost:5000/a/b:tag"} {
		r, err := ParseReference(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%-24s %-14s %-16s %-6s %s\n", s, r.Domain, r.Path, r.Tag, r.Familiar())
	}
	_, err := ParseReference("Alpine")
	fmt.Println(err)
	// Output:
	// alpine                   docker.io      library/alpine   latest alpine:latest
	// user/app:1               docker.io      user/app         1      user/app:1
	// localhost:5000/a/b:tag   localhost:5000 a/b              tag    localhost:5000/a/b:tag
	// invalid reference "Alpine": repository name "library/Alpine" must be lowercase
}
