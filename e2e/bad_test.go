package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
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

// Bad input of every kind gets one line of error, exit 125, and leaves the
// store exactly as it was (a listing of --root before and after is equal).
func TestBadInput(t *testing.T) {
	c := newCLI(t)
	host := testutil.StartRegistry(t)
	img := testutil.BusyboxImage(t)
	img.Push(t, host, "good/busybox", "v1", testutil.OCI)
	img.Push(t, host, "multi/arch", "v1", testutil.OCIIndex)
	// The bad images share busybox's base layer, which the store already
	// has; what is wrong with them is in their top layer, which it has not.
	multi := testutil.MultiLayerImage(t)
	multi.Push(t, host, "good/multi", "v1", testutil.OCI)
	enc := multi.Encode(t, testutil.OCI)
	var m image.Manifest
	json.Unmarshal(enc.Top.Data, &m)
	top := len(m.Layers) - 1
	pushVariant(t, host, "bad/truncated", enc, func(m *image.Manifest, blobs map[string][]byte) {
		truncate(m, blobs, top)
	})
	pushVariant(t, host, "bad/mediatype", enc, func(m *image.Manifest, blobs map[string][]byte) {
		m.Layers[top].MediaType = "application/vnd.example.unknown"
	})
	pushVariant(t, host, "bad/foreign", enc, func(m *image.Manifest, blobs map[string][]byte) {
		m.Layers[top].MediaType = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
	})
	corrupt := corruptingProxy(t, host, m.Layers[top].Digest)
	fake := fakeRegistry(t)
	random := filepath.Join(t.TempDir(), "random.tar")
	os.WriteFile(random, randomBytes(t, 4096), 0o644)

	c.ok("pull", host+"/good/busybox:v1") // a store with something in it
	before := c.snapshot()
	cases := []struct {
		name, want string
		args       []string
	}{
		{"missing tag", "not found", []string{"pull", host + "/good/busybox:nope"}},
		{"missing repo", "not found", []string{"pull", host + "/no/such:v1"}},
		{"digest mismatch", "digest mismatch", []string{"pull", corrupt + "/good/multi:v1"}},
		{"truncated gzip", "unexpected EOF", []string{"pull", host + "/bad/truncated:v1"}},
		{"unknown media type", "application/vnd.example.unknown", []string{"pull", host + "/bad/mediatype:v1"}},
		{"foreign layer", "foreign", []string{"pull", host + "/bad/foreign:v1"}},
		{"no platform", "linux/s390x", []string{"pull", "--platform", "linux/s390x", host + "/multi/arch:v1"}},
		{"wrong platform", "does not match the specified platform", []string{"pull", "--platform", "linux/s390x", host + "/good/multi:v1"}},
		{"401 without token server", "authentication required", []string{"pull", fake + "/auth/needed:v1"}},
		{"malformed manifest", "manifest", []string{"pull", fake + "/malformed/json:v1"}},
		{"schema 1", "schema 1", []string{"pull", fake + "/old/schema1:v1"}},
		{"bad reference", "invalid reference", []string{"pull", "UPPER/Case"}},
		{"load a random file", "not a tar archive", []string{"load", "-i", random}},
		{"import a random file", "random.tar", []string{"import", random, "junk:v1"}},
		{"no such image", "no such image", []string{"rmi", "nothere:v9"}},
		{"bad flag", "unknown flag", []string{"pull", "--nope", "busybox"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			if tc.args[0] == "rmi" {
				if r := c.run(tc.args...); r.code == 0 || !strings.Contains(r.stderr, tc.want) {
					t.Errorf("rmi of a missing image: exit %d, stderr %q", r.code, r.stderr)
				}
			} else {
				t.Log(c.fails(tc.want, tc.args...))
			}
			if after := c.snapshot(); after != before {
				t.Errorf("the store changed:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

// pushVariant pushes enc, single-manifest, with its manifest and blobs
// changed by modify, so that the registry itself serves the bad image.
func pushVariant(t *testing.T, host, repo string, enc testutil.Encoded, modify func(*image.Manifest, map[string][]byte)) {
	var m image.Manifest
	if err := json.Unmarshal(enc.Top.Data, &m); err != nil {
		t.Fatal(err)
	}
	blobs := map[string][]byte{}
	for _, b := range enc.Blobs {
		blobs[b.Digest] = b.Data
	}
	modify(&m, blobs)
	ref, _ := image.ParseReference(host + "/" + repo + ":v1")
	reg := image.NewRegistry(false)
	ctx := context.Background()
	for _, d := range append([]image.Descriptor{m.Config}, m.Layers...) {
		if err := reg.PushBlob(ctx, ref, image.Descriptor{Digest: d.Digest, Size: d.Size}, bytes.NewReader(blobs[d.Digest])); err != nil {
			t.Fatal(err)
		}
	}
	body, _ := json.Marshal(m)
	if err := reg.PushManifest(ctx, ref, m.MediaType, body); err != nil {
		t.Fatal(err)
	}
}

// truncate cuts layer i's blob in half and fixes its descriptor, so the
// blob's digest is right but its gzip stream ends too soon.
func truncate(m *image.Manifest, blobs map[string][]byte, i int) {
	data := blobs[m.Layers[i].Digest]
	data = data[:len(data)/2]
	d := fmt.Sprintf("sha256:%x", sha256Sum(data))
	blobs[d] = data
	m.Layers[i].Digest, m.Layers[i].Size = d, int64(len(data))
}

// corruptingProxy forwards to the real registry at host but flips one byte
// of the blob with digest d: a transfer corrupted on the way.
func corruptingProxy(t *testing.T, host, d string) string {
	u, _ := url.Parse("http://" + host)
	p := httputil.NewSingleHostReverseProxy(u)
	p.ModifyResponse = func(r *http.Response) error {
		if !strings.HasSuffix(r.Request.URL.Path, "/blobs/"+d) || r.StatusCode != 200 {
			return nil
		}
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return err
		}
		b[len(b)/2] ^= 0xff
		r.Body = io.NopCloser(bytes.NewReader(b))
		return nil
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// fakeRegistry answers what a real registry would not serve on purpose: a
// 401 with no way to get a token, a manifest that is not JSON, a schema 1
// manifest.
func fakeRegistry(t *testing.T) string {
	mux := http.NewServeMux()
	mux.HandleFunc("/v2/", func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/v2/auth/"):
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
		case strings.HasPrefix(r.URL.Path, "/v2/malformed/"):
			w.Header().Set("Content-Type", image.MediaTypeOCIManifest)
			io.WriteString(w, `{"schemaVersion": 2, "layers": [`)
		case strings.HasPrefix(r.URL.Path, "/v2/old/"):
			w.Header().Set("Content-Type", "application/vnd.docker.distribution.manifest.v1+prettyjws")
			io.WriteString(w, `{"schemaVersion": 1, "name": "old/schema1", "tag": "v1", "fsLayers": []}`)
		default:
			w.WriteHeader(http.StatusOK)
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}
