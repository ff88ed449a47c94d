package image_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minictr/minictr/image"
)

// These tests emulate Docker Hub (emulator_test.go): three TLS servers on
// loopback playing registry-1.docker.io, auth.docker.io and
// production.cloudflare.docker.com, reached through the real client.

// hub is the Docker Hub emulation.
type hub struct {
	*emu
	img       *testImage
	token     string       // the one token the auth server hands out
	tokenHits atomic.Int32 // how often it was asked
	cdnHits   atomic.Int32
	mu        sync.Mutex
	served    map[string][]byte // what the registry and CDN send instead, by digest
}

// serveInstead makes the hub send b where the blob or manifest d belongs.
func (h *hub) serveInstead(d string, b []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.served[d] = b
}

// content is what the hub sends for digest d.
func (h *hub) content(d string) ([]byte, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if b, ok := h.served[d]; ok {
		return b, true
	}
	b, ok := h.img.blobs[d]
	return b, ok
}

// newHub starts registry-1.docker.io (401 + Bearer challenge without a
// token; manifests; blobs as 307 redirects), auth.docker.io (checks
// service and scope, counts its hits) and the CDN (fails the test if an
// Authorization header reaches it).
func newHub(t *testing.T) *hub {
	h := &hub{emu: newEmu(t), img: newTestImage(t), token: "hub-token-" + fmt.Sprint(time.Now().UnixNano()),
		served: map[string][]byte{}}
	h.serve("auth.docker.io", "443", true, h.serveToken)
	h.serve("registry-1.docker.io", "443", true, h.serveRegistry)
	h.serve("production.cloudflare.docker.com", "443", true, h.serveCDN)
	return h
}

func (h *hub) serveToken(w http.ResponseWriter, r *http.Request) {
	n := h.tokenHits.Add(1)
	q := r.URL.Query()
	h.t.Logf("auth.docker.io:   GET /token service=%s scope=%s (request %d)", q.Get("service"), q.Get("scope"), n)
	if q.Get("service") != "registry.docker.io" || q.Get("scope") != "repository:library/busybox:pull" {
		h.t.Errorf("token request for service %q scope %q, want registry.docker.io and repository:library/busybox:pull", q.Get("service"), q.Get("scope"))
		writeErrors(w, http.StatusBadRequest, "DENIED", "wrong scope")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"token":%q,"access_token":%q,"expires_in":300,"issued_at":%q}`, h.token, h.token, time.Now().UTC().Format(time.RFC3339))
}

func (h *hub) serveRegistry(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+h.token {
		h.t.Logf("registry-1:       %s %s without a token -> 401", r.Method, shortDigests(r.URL.Path))
		w.Header().Set("WWW-Authenticate", `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"`)
		writeErrors(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/v2/library/busybox/")
	kind, ref, _ := strings.Cut(rest, "/")
	switch {
	case ok && kind == "manifests":
		d := ref
		if ref == "latest" {
			d = h.img.index
		}
		b, found := h.content(d)
		if !found || !strings.Contains(h.img.types[d], "manifest") && !strings.Contains(h.img.types[d], "index") {
			h.t.Logf("registry-1:       GET %s with token -> 404", shortDigests(r.URL.Path))
			writeErrors(w, http.StatusNotFound, "MANIFEST_UNKNOWN", "manifest unknown")
			return
		}
		h.t.Logf("registry-1:       GET %s with token -> 200 %s", shortDigests(r.URL.Path), h.img.types[d])
		w.Header().Set("Content-Type", h.img.types[d])
		w.Header().Set("Docker-Content-Digest", d)
		w.Write(b)
	case ok && kind == "blobs":
		if _, found := h.img.blobs[ref]; !found {
			h.t.Logf("registry-1:       GET %s with token -> 404", shortDigests(r.URL.Path))
			writeErrors(w, http.StatusNotFound, "BLOB_UNKNOWN", "blob unknown to registry")
			return
		}
		hexDigits := strings.TrimPrefix(ref, "sha256:")
		loc := "https://production.cloudflare.docker.com/registry-v2/docker/registry/v2/blobs/sha256/" + hexDigits[:2] + "/" + hexDigits + "/data?verify=signed"
		h.t.Logf("registry-1:       GET %s with token -> 307 to the CDN", shortDigests(r.URL.Path))
		http.Redirect(w, r, loc, http.StatusTemporaryRedirect)
	default:
		writeErrors(w, http.StatusNotFound, "NAME_UNKNOWN", "repository name not known to registry")
	}
}

func (h *hub) serveCDN(w http.ResponseWriter, r *http.Request) {
	h.cdnHits.Add(1)
	if a := r.Header.Get("Authorization"); a != "" {
		h.t.Errorf("the CDN received the registry's Authorization header %q: it must stay with the registry", a)
	}
	parts := strings.Split(r.URL.Path, "/")
	d := "sha256:" + parts[len(parts)-2]
	b, _ := h.content(d)
	h.t.Logf("cdn:              GET %s, no Authorization -> 200, %d bytes", shortDigests(r.URL.Path), len(b))
	w.Write(b)
}

// shortDigests abbreviates the hex of digests in a URL path for the log.
func shortDigests(p string) string {
	return regexp.MustCompile(`([0-9a-f]{12})[0-9a-f]{52}`).ReplaceAllString(p, "$1…")
}

func busybox(t *testing.T, s string) image.Reference {
	t.Helper()
	ref, err := image.ParseReference(s)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// TestHubPull pulls the way `minictr pull busybox` does: tag -> index ->
// the amd64 manifest by digest -> config and layer blobs via the CDN. After
// the first 401, one token serves all four requests.
func TestHubPull(t *testing.T) {
	h := newHub(t)
	reg := h.registry("", "")
	ctx := t.Context()
	ref := busybox(t, "busybox")

	body, mt, dg, err := reg.Manifest(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	m, idx, err := image.DecodeManifest(mt, body)
	if err != nil || m != nil || idx == nil || dg != h.img.index {
		t.Fatalf("tag latest: %s %s, index %v, err %v; want the index %s", mt, dg, idx != nil, err, h.img.index)
	}
	want, _ := image.ParsePlatform("linux/amd64")
	d, err := image.ChoosePlatform(idx, want)
	if err != nil {
		t.Fatal(err)
	}
	body, mt, _, err = reg.Manifest(ctx, ref.WithDigest(d.Digest))
	if err != nil {
		t.Fatal(err)
	}
	if m, _, err = image.DecodeManifest(mt, body); err != nil || m == nil {
		t.Fatalf("platform manifest: %v", err)
	}
	for _, blob := range append([]image.Descriptor{m.Config}, m.Layers...) {
		rc, err := reg.Blob(ctx, ref, blob)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(got, h.img.blobs[blob.Digest]) {
			t.Fatalf("blob %s: %d bytes, err %v", blob.Digest, len(got), err)
		}
	}
	if m.Config.Digest != h.img.config["amd64"].Digest {
		t.Errorf("chose config %s, want amd64's %s", m.Config.Digest, h.img.config["amd64"].Digest)
	}
	if n := h.tokenHits.Load(); n != 1 {
		t.Errorf("token server asked %d times for 4 requests, want once (the token is cached)", n)
	}
	if n := h.cdnHits.Load(); n != 2 {
		t.Errorf("CDN served %d blobs, want 2", n)
	}
}

func TestHubManifestNotFound(t *testing.T) {
	h := newHub(t)
	_, _, _, err := h.registry("", "").Manifest(t.Context(), busybox(t, "busybox:nope"))
	if want := "manifest for busybox:nope not found: manifest unknown"; err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
	t.Logf("error: %v", err)
	var re *image.RegistryError
	if !errors.As(err, &re) || re.StatusCode != 404 || re.Code != "MANIFEST_UNKNOWN" {
		t.Errorf("err does not wrap a 404 MANIFEST_UNKNOWN RegistryError: %#v", re)
	}
}

func TestHubBlobNotFound(t *testing.T) {
	h := newHub(t)
	d := image.Descriptor{MediaType: image.MediaTypeOCILayerGz, Digest: digestOf([]byte("nothing")), Size: 7}
	_, err := h.registry("", "").Blob(t.Context(), busybox(t, "busybox"), d)
	if err == nil || err.Error() != "blob "+d.Digest+" not found in busybox: blob unknown to registry" {
		t.Fatalf("err = %v, want it to name the digest", err)
	}
}

// TestHubBlobDigestMismatch: the CDN serves other bytes of the right size.
// The reader hands them out but ends with an error, never io.EOF.
func TestHubBlobDigestMismatch(t *testing.T) {
	h := newHub(t)
	evil := bytes.Clone(h.img.blobs[h.img.layer.Digest])
	evil[len(evil)/2] ^= 0xff
	h.serveInstead(h.img.layer.Digest, evil)
	rc, err := h.registry("", "").Blob(t.Context(), busybox(t, "busybox"), h.img.layer)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	_, err = io.Copy(io.Discard, rc)
	if !errors.Is(err, image.ErrDigestMismatch) || !strings.Contains(err.Error(), "content hashes to "+digestOf(evil)) {
		t.Fatalf("err = %v, want a digest mismatch naming %s", err, digestOf(evil))
	}
	t.Logf("error: %v", err)
}

// TestHubBlobTruncated: the CDN stops early. With a Content-Length that
// disagrees with the descriptor, Blob refuses at once; without one
// (chunked), the reader finds out at the end.
func TestHubBlobTruncated(t *testing.T) {
	h := newHub(t)
	full := h.img.blobs[h.img.layer.Digest]
	h.serveInstead(h.img.layer.Digest, full[:len(full)-10])
	_, err := h.registry("", "").Blob(t.Context(), busybox(t, "busybox"), h.img.layer)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("the server sends %d bytes, the descriptor says %d", len(full)-10, len(full))) {
		t.Fatalf("Content-Length too short: err = %v", err)
	}

	h.serve("production.cloudflare.docker.com", "443", true, func(w http.ResponseWriter, r *http.Request) {
		w.Write(full[:len(full)-10])
		w.(http.Flusher).Flush() // no Content-Length: chunked
	})
	rc, err := h.registry("", "").Blob(t.Context(), busybox(t, "busybox"), h.img.layer)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	_, err = io.Copy(io.Discard, rc)
	if !errors.Is(err, image.ErrDigestMismatch) || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("chunked and short: err = %v, want a truncation error", err)
	}
}

// TestHubManifestDigestMismatch: asked for a digest, the registry sends
// other bytes. Nothing is returned.
func TestHubManifestDigestMismatch(t *testing.T) {
	h := newHub(t)
	pinned := h.img.manifests["amd64"]
	h.serveInstead(pinned, h.img.blobs[h.img.manifests["arm64"]]) // a swapped manifest
	body, _, _, err := h.registry("", "").Manifest(t.Context(), busybox(t, "busybox@"+pinned))
	if !errors.Is(err, image.ErrDigestMismatch) || body != nil {
		t.Fatalf("body %d bytes, err = %v; want nothing and a digest mismatch", len(body), err)
	}
	if !strings.Contains(err.Error(), "hash to "+h.img.manifests["arm64"]) {
		t.Errorf("err = %v, want it to say what the bytes hash to", err)
	}
	t.Logf("error: %v", err)
}
