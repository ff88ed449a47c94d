package image

import (
	"encoding/base64"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseChallenges(t *testing.T) {
	type c = challenge
	p := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		in   []string
		want []challenge
	}{
		{[]string{`Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"`},
			[]c{{"bearer", p("realm", "https://auth.docker.io/token", "service", "registry.docker.io", "scope", "repository:library/alpine:pull")}}},
		{[]string{`Basic realm="Registry Realm"`}, []c{{"basic", p("realm", "Registry Realm")}}},
		// Scopes for push contain a comma inside the quotes.
		{[]string{`Bearer realm="https://ghcr.io/token", service="ghcr.io", scope="repository:a/b:pull,push"`},
			[]c{{"bearer", p("realm", "https://ghcr.io/token", "service", "ghcr.io", "scope", "repository:a/b:pull,push")}}},
		// Two challenges in one header, and a token (unquoted) value, and an escape.
		{[]string{`Basic realm=r1, Bearer realm="https://x/t\"q",error="insufficient_scope"`},
			[]c{{"basic", p("realm", "r1")}, {"bearer", p("realm", `https://x/t"q`, "error", "insufficient_scope")}}},
		// Two headers; scheme and keys are case-insensitive.
		{[]string{`BASIC Realm="a"`, `bearer REALM="b"`},
			[]c{{"basic", p("realm", "a")}, {"bearer", p("realm", "b")}}},
		{[]string{`Bearer`}, []c{{"bearer", p()}}},
		{[]string{``}, nil},
		{[]string{`Bearer realm="unterminated`}, []c{{"bearer", p("realm", "unterminated")}}},
	}
	for _, tt := range tests {
		if got := parseChallenges(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseChallenges(%q)\n got %+v\nwant %+v", tt.in, got, tt.want)
		}
	}
}

func TestCredentialsFrom(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	config := `{"auths":{
		"https://index.docker.io/v1/": {"auth": "` + b64("hubuser:hub:pass") + `"},
		"localhost:5000": {"username": "local", "password": "pw"},
		"https://ghcr.io": {"auth": "` + b64("gh:tok") + `"},
		"broken.example": {"auth": "not base64!"},
		"helper.example": {}
	}, "credsStore": "desktop"}`
	tests := []struct {
		host, user, pass string
		ok               bool
	}{
		{"docker.io", "hubuser", "hub:pass", true}, // only the first ":" separates
		{"localhost:5000", "local", "pw", true},
		{"ghcr.io", "gh", "tok", true},
		{"localhost", "", "", false}, // the port is part of the key
		{"broken.example", "", "", false},
		{"helper.example", "", "", false},
		{"quay.io", "", "", false},
	}
	for _, tt := range tests {
		u, p, ok := credentialsFrom([]byte(config), tt.host)
		if u != tt.user || p != tt.pass || ok != tt.ok {
			t.Errorf("credentialsFrom(%s) = %q, %q, %v; want %q, %q, %v", tt.host, u, p, ok, tt.user, tt.pass, tt.ok)
		}
	}
	if _, _, ok := credentialsFrom([]byte(`not json`), "docker.io"); ok {
		t.Error("credentials found in a broken config")
	}
}

func TestDockerCredentialsFile(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("DOCKER_CONFIG", dir)
	if _, _, ok := DockerCredentials("docker.io"); ok {
		t.Fatal("credentials found without a config file")
	}
	cfg := `{"auths":{"registry.test:443":{"username":"u","password":"p"}}}`
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if u, p, ok := DockerCredentials("registry.test:443"); u != "u" || p != "p" || !ok {
		t.Errorf("DockerCredentials = %q, %q, %v; want u, p, true", u, p, ok)
	}
}

func TestReadRegistryError(t *testing.T) {
	tests := []struct {
		status     int
		body, code string
		want       string
	}{
		{404, `{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"nope"}}]}`,
			"MANIFEST_UNKNOWN", "manifest unknown"},
		{429, `{"errors":[{"code":"TOOMANYREQUESTS","message":"You have reached your pull rate limit."}]}`,
			"TOOMANYREQUESTS", "toomanyrequests: You have reached your pull rate limit."},
		{401, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"},{"code":"DENIED"}]}`,
			"UNAUTHORIZED", "unauthorized: authentication required; denied"},
		{400, `{"errors":[{"code":"DIGEST_INVALID","message":"provided digest\ndid not match"}]}`,
			"DIGEST_INVALID", "digest invalid: provided digest did not match"},
		{502, `<html>Bad Gateway</html>`, "", "502 bad gateway"},
		{404, ``, "", "404 not found"},
	}
	for _, tt := range tests {
		resp := &http.Response{StatusCode: tt.status, Status: strconv.Itoa(tt.status) + " " + http.StatusText(tt.status),
			Body: io.NopCloser(strings.NewReader(tt.body))}
		e := readRegistryError(resp)
		if e.Error() != tt.want || e.Code != tt.code || e.StatusCode != tt.status {
			t.Errorf("readRegistryError(%d %s) = %q (code %q), want %q (code %q)", tt.status, tt.body, e, e.Code, tt.want, tt.code)
		}
	}
}

// TestAuthCache: an entry serves its (host, scope) only, until it expires;
// Basic entries (no expiry) never do.
func TestAuthCache(t *testing.T) {
	var r Registry
	r.storeAuth("h", "repository:a:pull", cachedAuth{"Bearer fresh", time.Now().Add(time.Hour)})
	r.storeAuth("h", "repository:b:pull", cachedAuth{"Bearer stale", time.Now().Add(-time.Second)})
	r.storeAuth("h", "repository:c:pull", cachedAuth{header: "Basic xyz"})
	for _, tt := range []struct{ host, scope, want string }{
		{"h", "repository:a:pull", "Bearer fresh"},
		{"h", "repository:a:pull,push", ""}, // a pull token does not push
		{"other", "repository:a:pull", ""},
		{"h", "repository:b:pull", ""},
		{"h", "repository:c:pull", "Basic xyz"},
	} {
		if got := r.cachedAuth(tt.host, tt.scope); got != tt.want {
			t.Errorf("cachedAuth(%s, %s) = %q, want %q", tt.host, tt.scope, got, tt.want)
		}
	}
}

func TestDecodeToken(t *testing.T) {
	for _, tt := range []struct {
		body, tok string
		ttl       time.Duration
		err       string
	}{
		{`{"token":"a","expires_in":300}`, "a", 300 * time.Second, ""},
		{`{"access_token":"b"}`, "b", 60 * time.Second, ""},
		{`{"token":"c","access_token":"d","expires_in":0}`, "c", 60 * time.Second, ""},
		{`{"expires_in":30}`, "", 0, "answer has no token"},
		{`<html>`, "", 0, "bad answer"},
	} {
		tok, ttl, err := decodeToken(strings.NewReader(tt.body))
		if tok != tt.tok || ttl != tt.ttl || (err == nil) != (tt.err == "") || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("decodeToken(%s) = %q, %v, %v; want %q, %v, %q", tt.body, tok, ttl, err, tt.tok, tt.ttl, tt.err)
		}
	}
}
