package image

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// Reference names an image in a registry: where it lives (Domain), which
// repository (Path), and which version, by a mutable Tag or an immutable
// Digest. ParseReference fills it from what a user types; every field is
// then in docker's normalized form:
//
//	alpine                  -> docker.io  library/alpine  latest
//	user/app:1              -> docker.io  user/app        1
//	host:5000/a/b:tag       -> host:5000  a/b             tag
//	alpine@sha256:<64 hex>  -> docker.io  library/alpine  ""      sha256:<64 hex>
type Reference struct {
	Domain string // registry host[:port]: docker.io, ghcr.io, 127.0.0.1:5000
	Path   string // repository inside it: library/alpine
	Tag    string // "latest" when neither a tag nor a digest was given
	Digest string // "sha256:<64 hex>" or ""
}

const (
	// defaultDomain is the registry a name without a host refers to.
	// docker.io is a name, not a server: registryBase maps it to
	// registry-1.docker.io.
	defaultDomain = "docker.io"
	// legacyDomain is docker.io's old name; references using it mean the same.
	legacyDomain = "index.docker.io"
	// officialNamespace holds Docker's "official images": alpine is
	// library/alpine on Docker Hub.
	officialNamespace = "library"
	defaultTag        = "latest"
	// maxNameLength is the distribution spec's limit on domain + "/" + path.
	maxNameLength = 255
)

// The grammar of names, from the distribution project's reference package,
// which docker, containerd and the registry itself all use:
//
//	path component: [a-z0-9]+ joined by one of  .  _  __  -+   (lower case only)
//	domain:         DNS labels joined by dots, or [IPv6], then an optional :port
//	tag:            [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//
// They are compiled on first use, not at start-up: every minictr process,
// the container's init too, would otherwise pay for them. A counted
// repeat such as {0,127} compiles to 127 copies of its pattern, so the
// tag's length is checked in Go instead.
var (
	pathComponentRE = lazyRE(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$`)
	domainRE        = lazyRE(`^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$`)
	tagRE           = lazyRE(`^[\w][\w.-]*$`) // and at most 128 bytes: see validTag
	imageIDRE       = lazyRE(`^[a-f0-9]{64}$`)
)

// lazyRE returns a function that compiles expr the first time it is called.
func lazyRE(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// validTag reports whether tag is [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
func validTag(tag string) bool { return len(tag) <= 128 && tagRE().MatchString(tag) }

// ParseReference turns what a user types into a fully qualified Reference,
// normalizing exactly as docker does:
//
//   - No domain: the name is on Docker Hub (docker.io). A first component is
//     a domain only if it contains "." or ":" or is "localhost" (or has
//     upper case, which a repository may not), so "user/app" is a Hub user's
//     repository but "localhost/app" and "host:5000/app" are registries.
//   - A one-component name on Docker Hub is an official image: alpine is
//     library/alpine. index.docker.io is an old spelling of docker.io.
//   - No tag and no digest means the tag "latest". With a digest and no
//     tag, there is no tag: the digest alone says what to fetch.
//
// A tag is found after the last ":" that follows the last "/", so the ":"
// of a port is never mistaken for one; "localhost:5000" alone is therefore
// the image "localhost" with tag "5000", as in docker.
func ParseReference(s string) (Reference, error) {
	bad := func(format string, a ...any) (Reference, error) {
		return Reference{}, fmt.Errorf("invalid reference %q: %s", s, fmt.Sprintf(format, a...))
	}
	if s == "" {
		return bad("empty name")
	}
	if imageIDRE().MatchString(s) {
		return bad("64 hex digits is an image ID, not a repository name")
	}
	name, digest, hasDigest := strings.Cut(s, "@")
	if hasDigest {
		if err := ValidDigest(digest); err != nil {
			return bad("%v", err)
		}
	}
	var tag string
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		name, tag = name[:i], name[i+1:]
		if !validTag(tag) {
			return bad("tag %q: want letters, digits, _ . - (at most 128, not starting with . or -)", tag)
		}
	}
	domain, path := splitDomain(name)
	if path != strings.ToLower(path) {
		return bad("repository name %q must be lowercase", path)
	}
	if !domainRE().MatchString(domain) {
		return bad("registry host %q is not a host[:port]", domain)
	}
	for _, c := range strings.Split(path, "/") {
		if !pathComponentRE().MatchString(c) {
			return bad("repository path component %q: want lower-case letters and digits separated by . _ __ or -", c)
		}
	}
	if n := len(domain) + 1 + len(path); n > maxNameLength {
		return bad("name is %d characters, more than %d", n, maxNameLength)
	}
	if tag == "" && digest == "" {
		tag = defaultTag
	}
	return Reference{Domain: domain, Path: path, Tag: tag, Digest: digest}, nil
}

// splitDomain separates the registry host from the repository path and
// applies Docker Hub's two rewrites (docker.io, library/).
func splitDomain(name string) (domain, path string) {
	first, rest, found := strings.Cut(name, "/")
	if !found || (!strings.ContainsAny(first, ".:") && first != "localhost" && first == strings.ToLower(first)) {
		domain, path = defaultDomain, name
	} else {
		domain, path = first, rest
	}
	if domain == legacyDomain {
		domain = defaultDomain
	}
	if domain == defaultDomain && !strings.Contains(path, "/") {
		path = officialNamespace + "/" + path
	}
	return domain, path
}

// Repository is the fully qualified name without tag or digest:
// docker.io/library/alpine.
func (r Reference) Repository() string { return r.Domain + "/" + r.Path }

// String is the fully qualified reference, the form minictr stores:
// docker.io/library/alpine:latest, ...@sha256:..., or ...:tag@sha256:....
func (r Reference) String() string { return r.Repository() + r.suffix() }

// FamiliarName is the repository as `docker images` shows it: Docker Hub's
// domain and library/ prefix are left out (alpine, user/app), any other
// registry's host stays (host:5000/a/b).
func (r Reference) FamiliarName() string {
	if r.Domain != defaultDomain {
		return r.Repository()
	}
	if rest, ok := strings.CutPrefix(r.Path, officialNamespace+"/"); ok && !strings.Contains(rest, "/") {
		return rest
	}
	return r.Path
}

// Familiar is the short form users type and error messages use:
// alpine:latest, alpine@sha256:....
func (r Reference) Familiar() string { return r.FamiliarName() + r.suffix() }

// WithDigest is the same repository pinned to digest d, with no tag: what a
// tag resolved to at pull time (docker's RepoDigests).
func (r Reference) WithDigest(d string) Reference {
	return Reference{Domain: r.Domain, Path: r.Path, Digest: d}
}

func (r Reference) suffix() string {
	s := ""
	if r.Tag != "" {
		s += ":" + r.Tag
	}
	if r.Digest != "" {
		s += "@" + r.Digest
	}
	return s
}

// reference is what the registry API calls <reference> in
// /v2/<name>/manifests/<reference>: the digest if there is one (it pins
// the content), else the tag.
func (r Reference) reference() string {
	if r.Digest != "" {
		return r.Digest
	}
	return r.Tag
}
