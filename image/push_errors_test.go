package image_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minictr/minictr/image"
	"github.com/minictr/minictr/internal/testutil"
)

// snapshot is everything a store has on disk that names content.
func snapshot(t *testing.T, s *image.Store) string {
	t.Helper()
	idx, err := os.ReadFile(filepath.Join(s.Root(), "images", "repositories.json"))
	if err != nil {
		t.Fatal(err)
	}
	out := string(idx)
	for _, d := range []string{"blobs/sha256", "layers/sha256"} {
		ents, err := os.ReadDir(filepath.Join(s.Root(), d))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			out += "\n" + d + "/" + e.Name()
		}
	}
	return out
}

// oneLine checks that err is one line and says want.
func oneLine(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one saying %q", want)
	}
	if strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q: want one line saying %q", err, want)
	}
	t.Logf("error: %v", err)
}

func noCredentials(string) (string, string, bool) { return "", "", false }

// TestSavePushErrors: bad input gives a one-line error and leaves the store
// as it was.
func TestSavePushErrors(t *testing.T) {
	testutil.RequireRoot(t)
	p := pushTwo(t)
	s := openStore(t)
	if _, err := s.Pull(t.Context(), p.base, image.PullOptions{}); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, s)
	check := func(t *testing.T) {
		if after := snapshot(t, s); after != before {
			t.Errorf("the store changed:\nbefore %s\nafter  %s", before, after)
		}
	}
	t.Run("save of an unknown image", func(t *testing.T) {
		err := s.Save(new(strings.Builder), []string{p.base.String(), "no/such:image"}, image.SaveDocker)
		oneLine(t, err, "no such image")
		check(t)
	})
	t.Run("push without credentials", func(t *testing.T) {
		target := mustRef(t, testutil.StartRegistryWithAuth(t)+"/rt/auth:v1")
		tagged := tagFor(t, s, p.base, target)
		_, err := s.Push(t.Context(), target, image.PushOptions{Registry: &image.Registry{Credentials: noCredentials}})
		oneLine(t, err, "authentication required")
		if !errors.Is(err, image.ErrAuthRequired) {
			t.Errorf("error does not wrap ErrAuthRequired: %v", err)
		}
		if after := snapshot(t, s); after != tagged {
			t.Errorf("the store changed")
		}
		// With the password it works: basic auth, as `docker login` gives.
		withLogin := &image.Registry{Credentials: func(string) (string, string, bool) {
			return testutil.RegistryUser, testutil.RegistryPassword, true
		}}
		if _, err := s.Push(t.Context(), target, image.PushOptions{Registry: withLogin}); err != nil {
			t.Fatal(err)
		}
		untag(t, s, target)
	})
	t.Run("registry refuses the manifest", func(t *testing.T) {
		target := mustRef(t, refusingProxy(t, p.host)+"/rt/refused:v1")
		tagged := tagFor(t, s, p.base, target)
		_, err := s.Push(t.Context(), target, image.PushOptions{})
		oneLine(t, err, "requested access to the resource is denied")
		if after := snapshot(t, s); after != tagged {
			t.Errorf("the store changed")
		}
		untag(t, s, target)
	})
	t.Run("push with a blob the store lacks", func(t *testing.T) {
		img, err := s.Get(p.base.String())
		if err != nil {
			t.Fatal(err)
		}
		d := storeDigests(t, s, img).Layers[0]
		if err := os.Remove(filepath.Join(s.Root(), "blobs", "sha256", strings.TrimPrefix(d, "sha256:"))); err != nil {
			t.Fatal(err)
		}
		lacking := snapshot(t, s)
		if _, err2 := s.Tag(p.base.String(), p.host+"/rt/base:b2"); err2 != nil {
			t.Fatal(err2)
		}
		_, err = s.Push(t.Context(), mustRef(t, p.host+"/rt/base:b2"), image.PushOptions{})
		oneLine(t, err, d+" is not in the store")
		untag(t, s, mustRef(t, p.host+"/rt/base:b2"))
		if after := snapshot(t, s); after != lacking {
			t.Errorf("the store changed")
		}
	})
}

// tagFor tags src as target and returns the store's snapshot with the tag.
func tagFor(t *testing.T, s *image.Store, src, target image.Reference) string {
	t.Helper()
	if _, err := s.Tag(src.String(), target.String()); err != nil {
		t.Fatal(err)
	}
	return snapshot(t, s)
}

func untag(t *testing.T, s *image.Store, ref image.Reference) {
	t.Helper()
	if _, err := s.Remove(ref.String(), image.RemoveOptions{}); err != nil {
		t.Fatal(err)
	}
}

// refusingProxy is a reverse proxy on loopback in front of the real
// registry at host that refuses every manifest upload as a registry
// denies a write (distribution-spec error code DENIED), and passes
// everything else through.
func refusingProxy(t *testing.T, host string) string {
	t.Helper()
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: host})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}`))
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return u.Host
}
