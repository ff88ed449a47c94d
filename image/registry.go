package image

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// Registry is a client for the OCI distribution API (docker's "Registry
// HTTP API V2"): plain HTTP GETs of content by digest, plus a token dance
// for permission. The endpoints it calls, with the spec's names:
//
//	end-1  GET  /v2/                                 ping (Insecure only)
//	end-3  GET  /v2/<name>/manifests/<tag|digest>    Manifest
//	end-2  GET  /v2/<name>/blobs/<digest>            Blob (may redirect to a CDN)
//	end-2  HEAD /v2/<name>/blobs/<digest>            HasBlob: already there?
//	end-4a POST /v2/<name>/blobs/uploads/            UploadBlob: open an upload
//	end-11 POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<other>
//	                                                 UploadBlob: mount from another repository
//	end-5  PATCH <upload location>                   UploadBlob: one chunk
//	end-6  PUT  <upload location>?digest=<digest>    UploadBlob: the bytes in one go, or the end
//	end-7  PUT  /v2/<name>/manifests/<tag|digest>    PushManifest
//
// A Registry caches tokens and is safe for concurrent use; share one for a
// whole pull. Spec: https://github.com/opencontainers/distribution-spec
type Registry struct {
	// Client sends the requests; nil means a default client. Tests set one
	// whose Transport dials emulated hostnames on loopback.
	Client *http.Client
	// Insecure allows registries on other hosts than loopback to serve
	// HTTPS with a certificate that does not verify, or plain HTTP
	// (docker's --insecure-registry). Docker Hub is always verified.
	Insecure bool
	// Credentials returns the user name and password for a registry host;
	// nil means DockerCredentials (~/.docker/config.json).
	Credentials func(host string) (user, pass string, ok bool)
	// UserAgent is sent with every request when set.
	UserAgent string

	mu       sync.Mutex
	auth     map[authKey]cachedAuth // auth.go
	bases    map[string]string      // insecure host -> the scheme that worked
	insecure http.RoundTripper      // Client's transport, TLS unverified
}

// NewRegistry returns a Registry that reads credentials from docker's
// config file.
func NewRegistry(insecure bool) *Registry {
	return &Registry{Insecure: insecure, Credentials: DockerCredentials, UserAgent: "minictr"}
}

// maxManifestSize bounds a manifest or index read into memory. The
// distribution registry refuses to store larger ones.
const maxManifestSize = 4 << 20

// manifestAccept lists the manifest media types minictr reads. A registry
// picks the served type from this list; schema 1 is listed only so that an
// old image produces a clear error instead of a confusing 404.
var manifestAccept = strings.Join([]string{
	MediaTypeOCIIndex, MediaTypeDockerManifestList,
	MediaTypeOCIManifest, MediaTypeDockerManifest,
	MediaTypeDockerSchema1Signed, MediaTypeDockerSchema1,
}, ", ")

// Manifest fetches the manifest (or index) ref names: by digest when ref
// has one, else by tag. It returns the exact bytes, their media type and
// their digest. With a digest in ref, bytes that hash to anything else are
// an error: pinning by digest means trusting nothing but the hash.
func (r *Registry) Manifest(ctx context.Context, ref Reference) (body []byte, mediaType, digest string, err error) {
	u, err := r.endpoint(ctx, ref, "manifests", ref.reference())
	if err != nil {
		return nil, "", "", err
	}
	resp, err := r.do(ctx, ref, false, request{method: http.MethodGet, url: u, accept: manifestAccept})
	if err != nil {
		return nil, "", "", err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return nil, "", "", fmt.Errorf("manifest for %s not found: %w", ref.Familiar(), readRegistryError(resp))
	default:
		return nil, "", "", fmt.Errorf("get manifest %s: %w", ref.Familiar(), readRegistryError(resp))
	}
	body, err = io.ReadAll(io.LimitReader(resp.Body, maxManifestSize+1))
	if err != nil {
		return nil, "", "", fmt.Errorf("read manifest %s: %w", ref.Familiar(), err)
	}
	if len(body) > maxManifestSize {
		return nil, "", "", fmt.Errorf("manifest %s is larger than %d bytes", ref.Familiar(), maxManifestSize)
	}
	digest = sha256Digest(body)
	if ref.Digest != "" && digest != ref.Digest {
		return nil, "", "", fmt.Errorf("manifest %s: %w: the registry sent bytes that hash to %s", ref.Familiar(), ErrDigestMismatch, digest)
	}
	if mediaType, err = manifestMediaType(resp.Header.Get("Content-Type"), body); err != nil {
		return nil, "", "", fmt.Errorf("manifest %s: %w", ref.Familiar(), err)
	}
	return body, mediaType, digest, nil
}

// Blob starts downloading the blob d describes. Docker Hub and most cloud
// registries answer with a redirect to a CDN or an object store URL that
// carries its own short-lived signature; the client follows it, and the
// registry's Authorization header stays behind (see checkRedirect). The
// returned reader verifies size and digest as it streams
// (NewVerifyingReader): reading it to io.EOF proves the content.
func (r *Registry) Blob(ctx context.Context, ref Reference, d Descriptor) (io.ReadCloser, error) {
	if err := ValidDigest(d.Digest); err != nil {
		return nil, err
	}
	u, err := r.endpoint(ctx, ref, "blobs", d.Digest)
	if err != nil {
		return nil, err
	}
	resp, err := r.do(ctx, ref, false, request{method: http.MethodGet, url: u})
	if err != nil {
		return nil, err
	}
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		defer resp.Body.Close()
		return nil, fmt.Errorf("blob %s not found in %s: %w", d.Digest, ref.FamiliarName(), readRegistryError(resp))
	default:
		defer resp.Body.Close()
		return nil, fmt.Errorf("get blob %s of %s: %w", d.Digest, ref.FamiliarName(), readRegistryError(resp))
	}
	if resp.ContentLength >= 0 && resp.ContentLength != d.Size {
		resp.Body.Close()
		return nil, fmt.Errorf("blob %s: the server sends %d bytes, the descriptor says %d", d.Digest, resp.ContentLength, d.Size)
	}
	return NewVerifyingReader(resp.Body, d), nil
}

// request is one call of the API. body is resent when a 401 makes the
// call go again; stream (a blob upload) cannot be, so it is sent only once.
type request struct {
	method, url  string
	accept       string
	contentType  string
	contentRange string // of a chunk: "start-end", inclusive (end-5)
	mountFrom    string // a mount's source repository, whose pull scope the token needs too
	body         []byte
	stream       io.Reader
	length       int64 // of stream
}

// do sends q with the Authorization the cache holds for ref's repository.
// A 401 is the registry's way to say how to authenticate: authorize
// answers its challenge, and the request is sent once more.
func (r *Registry) do(ctx context.Context, ref Reference, push bool, q request) (*http.Response, error) {
	scope := scopeFor(ref, push)
	if q.mountFrom != "" {
		// A mount reads the blob from the other repository: the registry
		// wants pull access to it too (distribution's token.md, "Requesting
		// a Token": a request may list several scopes).
		scope += " repository:" + q.mountFrom + ":pull"
	}
	resp, err := r.send(ctx, ref.Domain, scope, q)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	challenges := resp.Header.Values("WWW-Authenticate")
	said := readRegistryError(resp)
	if err := r.authorize(ctx, ref, push, scope, challenges, said); err != nil {
		return nil, err
	}
	if q.stream != nil {
		return nil, accessDenied(ref, push, "the upload was refused before authentication: "+said.Error())
	}
	if resp, err = r.send(ctx, ref.Domain, scope, q); err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	return nil, accessDenied(ref, push, "registry said: "+readRegistryError(resp).Error())
}

// send makes one HTTP exchange. Authorization is attached only when the
// URL is on the registry's own endpoint (an upload Location may be
// elsewhere).
func (r *Registry) send(ctx context.Context, host, scope string, q request) (*http.Response, error) {
	var body io.Reader
	if q.body != nil {
		body = bytes.NewReader(q.body)
	} else if q.stream != nil {
		body = q.stream
	}
	req, err := http.NewRequestWithContext(ctx, q.method, q.url, body)
	if err != nil {
		return nil, fmt.Errorf("registry %s: %w", host, err)
	}
	if q.stream != nil {
		req.ContentLength = q.length
	}
	if q.accept != "" {
		req.Header.Set("Accept", q.accept)
	}
	if q.contentType != "" {
		req.Header.Set("Content-Type", q.contentType)
	}
	if q.contentRange != "" {
		req.Header.Set("Content-Range", q.contentRange)
	}
	if r.UserAgent != "" {
		req.Header.Set("User-Agent", r.UserAgent)
	}
	if a := r.cachedAuth(host, scope); a != "" && r.onRegistry(host, req.URL) {
		req.Header.Set("Authorization", a)
	}
	resp, err := r.client(host).Do(req)
	if err != nil {
		return nil, fmt.Errorf("registry %s: %w", host, err)
	}
	return resp, nil
}

// RegistryError is an error response of the registry API, whose body is
// {"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}
// (distribution-spec "Error Codes"), or just a status when it is not.
type RegistryError struct {
	StatusCode int
	Code       string // of the first error: MANIFEST_UNKNOWN, DENIED, TOOMANYREQUESTS
	Message    string // all of them, on one line
}

func (e *RegistryError) Error() string { return e.Message }

// readRegistryError reads (a bounded part of) an error response and closes it.
func readRegistryError(resp *http.Response) *RegistryError {
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	e := &RegistryError{StatusCode: resp.StatusCode}
	var doc struct {
		Errors []struct{ Code, Message string }
	}
	var parts []string
	if json.Unmarshal(b, &doc) == nil {
		for _, x := range doc.Errors {
			if e.Code == "" {
				e.Code = x.Code
			}
			if p := describeError(x.Code, x.Message); !slices.Contains(parts, p) {
				parts = append(parts, p) // one per blob would repeat itself
			}
		}
	}
	if len(parts) == 0 {
		parts = []string{strings.ToLower(resp.Status)}
	}
	e.Message = strings.Join(strings.Fields(strings.Join(parts, "; ")), " ")
	return e
}

// describeError words one error as docker does, "toomanyrequests: You
// have reached your pull rate limit", but without repeating the code when
// the message already says it: "manifest unknown", "blob unknown to
// registry".
func describeError(code, message string) string {
	c := strings.ToLower(strings.ReplaceAll(code, "_", " "))
	switch {
	case message == "":
		return c
	case c == "" || strings.HasPrefix(strings.ToLower(message), c):
		return message
	}
	return c + ": " + message
}
