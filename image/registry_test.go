package image_test

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/minictr/minictr/image"
)

// serveImage answers manifest and blob GETs for img in any repository,
// "latest" being its index, as a registry does once a client is let in.
func serveImage(img *testImage, w http.ResponseWriter, r *http.Request) {
	_, rest, _ := strings.Cut(r.URL.Path, "/manifests/")
	if rest != "" {
		if rest == "latest" {
			rest = img.index
		}
		w.Header().Set("Content-Type", img.types[rest])
		w.Write(img.blobs[rest])
		return
	}
	if _, d, ok := strings.Cut(r.URL.Path, "/blobs/"); ok {
		if b, found := img.blobs[d]; found {
			w.Write(b)
			return
		}
	}
	writeErrors(w, http.StatusNotFound, "NAME_UNKNOWN", "repository name not known to registry")
}

func appRef(t *testing.T, host string) image.Reference {
	t.Helper()
	ref, err := image.ParseReference(host + "/team/app")
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// TestBasicAuth: a registry that asks for Basic credentials gets them
// after its first 401 and with every later request, and a clear error
// when there are none or they are wrong.
func TestBasicAuth(t *testing.T) {
	e := newEmu(t)
	img := newTestImage(t)
	var challenges atomic.Int32
	e.serve("registry.example.test", "443", true, func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "alice" || p != "s3cret" {
			challenges.Add(1)
			w.Header().Set("WWW-Authenticate", `Basic realm="Registry Realm"`)
			writeErrors(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
			return
		}
		serveImage(img, w, r)
	})
	ref := appRef(t, "registry.example.test")

	reg := e.registry("alice", "s3cret")
	for range 3 {
		if _, _, _, err := reg.Manifest(t.Context(), ref); err != nil {
			t.Fatal(err)
		}
	}
	if n := challenges.Load(); n != 1 {
		t.Errorf("%d 401s for 3 requests, want 1: the credentials should be sent from then on", n)
	}

	_, _, _, err := e.registry("", "").Manifest(t.Context(), ref)
	want := "pull access denied for registry.example.test/team/app: authentication required (the registry wants a user name and password and there are none for registry.example.test in ~/.docker/config.json; run `docker login registry.example.test`)"
	if err == nil || err.Error() != want || !errors.Is(err, image.ErrAuthRequired) {
		t.Errorf("no credentials:\n got %v\nwant %s", err, want)
	}
	_, _, _, err = e.registry("alice", "wrong").Manifest(t.Context(), ref)
	want = "pull access denied for registry.example.test/team/app: authentication required (registry said: unauthorized: authentication required)"
	if err == nil || err.Error() != want {
		t.Errorf("wrong password:\n got %v\nwant %s", err, want)
	}
}

// TestBearerWithCredentials: the password goes to the token server only;
// the registry sees nothing but the token, scoped for push when pushing.
func TestBearerWithCredentials(t *testing.T) {
	e := newEmu(t)
	img := newTestImage(t)
	var scopes []string
	e.serve("auth.example.test", "443", true, func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "bob" || p != "pw" {
			writeErrors(w, http.StatusUnauthorized, "UNAUTHORIZED", "incorrect username or password")
			return
		}
		scopes = append(scopes, r.URL.Query().Get("scope"))
		w.Write([]byte(`{"access_token":"tok-for-bob"}`)) // OAuth name, no expires_in: 60 s
	})
	e.serve("registry.example.test", "443", true, func(w http.ResponseWriter, r *http.Request) {
		if a := r.Header.Get("Authorization"); a != "Bearer tok-for-bob" {
			if strings.HasPrefix(a, "Basic") {
				t.Errorf("the registry received the password (%s)", a)
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="https://auth.example.test/token",service="registry.example.test"`)
			writeErrors(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
			return
		}
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusOK) // every blob "exists": PushBlob stops after HEAD
			return
		}
		serveImage(img, w, r)
	})
	ref := appRef(t, "registry.example.test")
	reg := e.registry("bob", "pw")
	if _, _, _, err := reg.Manifest(t.Context(), ref); err != nil {
		t.Fatal(err)
	}
	if err := reg.PushBlob(t.Context(), ref, img.layer, strings.NewReader("unused")); err != nil {
		t.Fatal(err)
	}
	if want := "repository:team/app:pull repository:team/app:pull,push"; strings.Join(scopes, " ") != want {
		t.Errorf("token scopes asked for: %q, want %q", scopes, want)
	}

	_, _, _, err := e.registry("bob", "nope").Manifest(t.Context(), ref)
	want := "pull access denied for registry.example.test/team/app: authentication required (token server auth.example.test said: unauthorized: incorrect username or password)"
	if err == nil || err.Error() != want {
		t.Errorf("wrong password:\n got %v\nwant %s", err, want)
	}
}

// TestUnauthorizedNoChallenge: a 401 that says nothing about how to
// authenticate is an error quoting the registry.
func TestUnauthorizedNoChallenge(t *testing.T) {
	e := newEmu(t)
	e.serve("registry.example.test", "443", true, func(w http.ResponseWriter, r *http.Request) {
		writeErrors(w, http.StatusUnauthorized, "UNAUTHORIZED", "access to the requested resource is not authorized")
	})
	_, _, _, err := e.registry("", "").Manifest(t.Context(), appRef(t, "registry.example.test"))
	want := "pull access denied for registry.example.test/team/app: authentication required (registry said: unauthorized: access to the requested resource is not authorized)"
	if err == nil || err.Error() != want {
		t.Fatalf("\n got %v\nwant %s", err, want)
	}
}

// TestRedirectKeepsAuthOnHostPort: a registry on 127.0.0.1:A redirects a
// blob to 127.0.0.1:B. Same host name, so Go's client would forward the
// Authorization header; the other port makes it another server, which must
// not get it.
func TestRedirectKeepsAuthOnHostPort(t *testing.T) {
	e := newEmu(t)
	img := newTestImage(t)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a := r.Header.Get("Authorization"); a != "" {
			t.Errorf("the server on the other port received Authorization %q", a)
		}
		serveImage(img, w, r)
	}))
	t.Cleanup(other.Close)
	reg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, _, ok := r.BasicAuth(); !ok || u != "carol" {
			w.Header().Set("WWW-Authenticate", `Basic realm="r"`)
			writeErrors(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
			return
		}
		if strings.Contains(r.URL.Path, "/blobs/") {
			http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
			return
		}
		serveImage(img, w, r)
	}))
	t.Cleanup(reg.Close)
	host := strings.TrimPrefix(reg.URL, "http://") // 127.0.0.1:PORT: loopback, plain HTTP
	rc, err := e.registry("carol", "pw").Blob(t.Context(), appRef(t, host), img.layer)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if b, err := io.ReadAll(rc); err != nil || len(b) != int(img.layer.Size) {
		t.Fatalf("read %d bytes, %v", len(b), err)
	}
}

// TestInsecure: --insecure accepts a certificate that does not verify, and
// falls back to plain HTTP for a registry that has no TLS at all.
func TestInsecure(t *testing.T) {
	e := newEmu(t)
	img := newTestImage(t)
	// A certificate the client does not trust, from another "CA".
	untrusted, _ := newCert(t, "registry.example.test")
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { serveImage(img, w, r) }))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{untrusted}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	e.alias("registry.example.test:443", srv.Listener.Addr().String())
	plain := e.serve("plain.example.test", "443", false, func(w http.ResponseWriter, r *http.Request) { serveImage(img, w, r) })
	e.alias("plain.example.test:80", plain.Listener.Addr().String())

	for _, host := range []string{"registry.example.test", "plain.example.test"} {
		ref := appRef(t, host)
		reg := e.registry("", "")
		if _, _, _, err := reg.Manifest(t.Context(), ref); err == nil {
			t.Errorf("%s: fetched without --insecure", host)
		} else {
			t.Logf("without --insecure: %v", err)
		}
		reg.Insecure = true
		if _, mt, _, err := reg.Manifest(t.Context(), ref); err != nil || mt != image.MediaTypeOCIIndex {
			t.Errorf("%s with --insecure: %s, %v", host, mt, err)
		}
	}
}

// TestRegistryErrorText: other failures quote the registry's JSON errors.
func TestRegistryErrorText(t *testing.T) {
	e := newEmu(t)
	e.serve("registry.example.test", "443", true, func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("User-Agent"); got != "minictr-test" {
			t.Errorf("User-Agent = %q", got)
		}
		writeErrors(w, http.StatusTooManyRequests, "TOOMANYREQUESTS", "You have reached your pull rate limit.")
	})
	_, _, _, err := e.registry("", "").Manifest(t.Context(), appRef(t, "registry.example.test"))
	want := "get manifest registry.example.test/team/app:latest: toomanyrequests: You have reached your pull rate limit."
	if err == nil || err.Error() != want {
		t.Fatalf("\n got %v\nwant %s", err, want)
	}
}

// TestBearerMount: a cross-repository mount asks the token server for
// pull access to the source repository as well as push to the target, one
// scope= each, and the registry mounts (201) with that token.
func TestBearerMount(t *testing.T) {
	e := newEmu(t)
	img := newTestImage(t)
	var asked [][]string
	e.serve("auth.example.test", "443", true, func(w http.ResponseWriter, r *http.Request) {
		scopes := r.URL.Query()["scope"]
		asked = append(asked, scopes)
		tok := "tok-push"
		if len(scopes) == 2 && scopes[1] == "repository:other/base:pull" {
			tok = "tok-mount"
		}
		w.Write([]byte(`{"token":"` + tok + `"}`))
	})
	e.serve("registry.example.test", "443", true, func(w http.ResponseWriter, r *http.Request) {
		mount := r.URL.Query().Get("mount")
		want := "Bearer tok-push"
		if mount != "" {
			want = "Bearer tok-mount"
		}
		if r.Header.Get("Authorization") != want {
			w.Header().Set("WWW-Authenticate", `Bearer realm="https://auth.example.test/token",service="registry.example.test"`)
			writeErrors(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
			return
		}
		if r.Method == http.MethodPost && mount == img.layer.Digest && r.URL.Query().Get("from") == "other/base" {
			w.WriteHeader(http.StatusCreated)
			return
		}
		t.Errorf("unexpected %s %s", r.Method, r.URL)
		w.WriteHeader(http.StatusBadRequest)
	})
	mounted, err := e.registry("bob", "pw").UploadBlob(t.Context(), appRef(t, "registry.example.test"), img.layer, image.Upload{From: "other/base"})
	if err != nil || !mounted {
		t.Fatalf("mount: %v, mounted %v", err, mounted)
	}
	if want := "[[repository:team/app:pull,push repository:other/base:pull]]"; fmt.Sprint(asked) != want {
		t.Errorf("token scopes asked for: %v, want %s", asked, want)
	}
}
