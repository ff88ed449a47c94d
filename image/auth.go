package image

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Registries authenticate in one of two ways, both announced by a 401
// response's WWW-Authenticate header (RFC 7235):
//
//	Basic realm="Registry"      send "user:password" with every request
//	Bearer realm="https://auth.docker.io/token",service="registry.docker.io",
//	       scope="repository:library/alpine:pull"
//
// Bearer is the "token dance" of Docker Hub and most public registries:
// the client asks the token server (the realm) for a token that grants
// exactly `pull` (or `pull,push`) on exactly this repository, sending the
// user's password to the token server only, and then shows the registry
// just that token. Anonymous pulls of public images get a token too. The
// token expires (expires_in seconds, 60 if not said) and is reused until
// then. Spec: distribution's docs/spec/auth/token.md.

// ErrAuthRequired is wrapped by every "the registry wants credentials we
// do not have, or refused the ones we sent" error.
var ErrAuthRequired = errors.New("authentication required")

// authKey is what a token is good for: one registry, one scope.
type authKey struct{ host, scope string }

// cachedAuth is an Authorization header value; a zero expiry never expires.
type cachedAuth struct {
	header  string
	expires time.Time
}

// scopeFor is the token scope a pull or a push of ref needs.
func scopeFor(ref Reference, push bool) string {
	if push {
		return "repository:" + ref.Path + ":pull,push"
	}
	return "repository:" + ref.Path + ":pull"
}

func (r *Registry) cachedAuth(host, scope string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	a, ok := r.auth[authKey{host, scope}]
	if !ok || (!a.expires.IsZero() && time.Now().After(a.expires)) {
		return ""
	}
	return a.header
}

func (r *Registry) storeAuth(host, scope string, a cachedAuth) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.auth == nil {
		r.auth = map[authKey]cachedAuth{}
	}
	r.auth[authKey{host, scope}] = a
}

// authorize answers a 401: it turns the challenges into an Authorization
// header for scope (ref's repository, and for a mount the repository the
// blob comes from too) and caches it. said is what the registry
// wrote in the 401's body, to quote when nothing works.
func (r *Registry) authorize(ctx context.Context, ref Reference, push bool, scope string, challenges []string, said *RegistryError) error {
	var basic bool
	for _, c := range parseChallenges(challenges) {
		switch c.scheme {
		case "bearer":
			tok, ttl, err := r.fetchToken(ctx, ref, push, c.params["realm"], c.params["service"], scope)
			if err != nil {
				return err
			}
			r.storeAuth(ref.Domain, scope, cachedAuth{"Bearer " + tok, time.Now().Add(ttl)})
			return nil
		case "basic":
			basic = true
		}
	}
	if !basic {
		return accessDenied(ref, push, "registry said: "+said.Error())
	}
	user, pass, ok := r.credentials(ref.Domain)
	if !ok {
		return accessDenied(ref, push, "the registry wants a user name and password and there are none for "+ref.Domain+" in ~/.docker/config.json; run `docker login "+ref.Domain+"`")
	}
	basicAuth := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	r.storeAuth(ref.Domain, scope, cachedAuth{header: "Basic " + basicAuth})
	return nil
}

// fetchToken is the middle of the dance:
// GET realm?service=...&scope=repository:<path>:pull, with Basic
// credentials if there are any for the registry, answered by
// {"token": "...", "expires_in": 300}.
func (r *Registry) fetchToken(ctx context.Context, ref Reference, push bool, realm, service, scope string) (string, time.Duration, error) {
	u, err := url.Parse(realm)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", 0, accessDenied(ref, push, fmt.Sprintf("the registry's token realm %q is not an http(s) URL", realm))
	}
	q := u.Query()
	if service != "" {
		q.Set("service", service)
	}
	q["scope"] = strings.Fields(scope) // one scope= per repository, as docker asks
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", 0, fmt.Errorf("token request to %s: %w", u.Host, err)
	}
	if user, pass, ok := r.credentials(ref.Domain); ok {
		req.SetBasicAuth(user, pass)
	}
	if r.UserAgent != "" {
		req.Header.Set("User-Agent", r.UserAgent)
	}
	resp, err := r.client(ref.Domain).Do(req)
	if err != nil {
		return "", 0, fmt.Errorf("token server of %s: %w", ref.Domain, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", 0, accessDenied(ref, push, "token server "+u.Host+" said: "+readRegistryError(resp).Error())
	}
	defer resp.Body.Close()
	tok, ttl, err := decodeToken(resp.Body)
	if err != nil {
		return "", 0, fmt.Errorf("token server %s: %w", u.Host, err)
	}
	return tok, ttl, nil
}

// decodeToken reads the token server's answer.
func decodeToken(body io.Reader) (string, time.Duration, error) {
	var tr struct {
		Token       string `json:"token"`
		AccessToken string `json:"access_token"` // the OAuth 2 name for the same thing
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := json.NewDecoder(io.LimitReader(body, 1<<20)).Decode(&tr); err != nil {
		return "", 0, fmt.Errorf("bad answer: %w", err)
	}
	if tr.Token == "" {
		tr.Token = tr.AccessToken
	}
	if tr.Token == "" {
		return "", 0, errors.New("answer has no token")
	}
	// The lifetime is counted from now, not from the server's issued_at,
	// so a skewed clock on either side cannot make a fresh token look stale.
	ttl := time.Duration(tr.ExpiresIn) * time.Second
	if tr.ExpiresIn <= 0 {
		ttl = 60 * time.Second
	}
	return tr.Token, ttl, nil
}

// accessDenied words a failed authentication as docker does:
// "pull access denied for alpine: authentication required (...)".
func accessDenied(ref Reference, push bool, detail string) error {
	op := "pull"
	if push {
		op = "push"
	}
	return fmt.Errorf("%s access denied for %s: %w (%s)", op, ref.FamiliarName(), ErrAuthRequired, detail)
}

func (r *Registry) credentials(host string) (string, string, bool) {
	if r.Credentials == nil {
		return DockerCredentials(host)
	}
	return r.Credentials(host)
}

// challenge is one scheme of a WWW-Authenticate header with its parameters.
type challenge struct {
	scheme string // lower case: bearer, basic
	params map[string]string
}

// parseChallenges parses WWW-Authenticate header values: a scheme, then
// key=value or key="quoted, value" pairs separated by commas; one header
// may hold several challenges, each starting with a bare scheme word.
func parseChallenges(headers []string) []challenge {
	var out []challenge
	for _, h := range headers {
		s := h
		for {
			s = strings.TrimLeft(s, " \t,")
			if s == "" {
				break
			}
			var word string
			word, s = cutToken(s)
			if word == "" { // a stray character: skip it
				s = s[1:]
				continue
			}
			if rest := strings.TrimLeft(s, " \t"); strings.HasPrefix(rest, "=") && len(out) > 0 {
				var v string
				v, s = cutValue(strings.TrimLeft(rest[1:], " \t"))
				out[len(out)-1].params[strings.ToLower(word)] = v
				continue
			}
			out = append(out, challenge{scheme: strings.ToLower(word), params: map[string]string{}})
		}
	}
	return out
}

// cutToken splits an RFC 7230 token off the front of s.
func cutToken(s string) (token, rest string) {
	i := strings.IndexFunc(s, func(c rune) bool {
		return c <= ' ' || c >= 0x7f || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, c)
	})
	if i < 0 {
		return s, ""
	}
	return s[:i], s[i:]
}

// cutValue splits a parameter value (a token or a quoted string with \
// escapes) off the front of s.
func cutValue(s string) (value, rest string) {
	if !strings.HasPrefix(s, `"`) {
		i := strings.IndexAny(s, ", \t")
		if i < 0 {
			return s, ""
		}
		return s[:i], s[i:]
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == '"':
			return b.String(), s[i+1:]
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), "" // unterminated: take what there is
}

// DockerCredentials reads the user name and password for a registry host
// from docker's config file ($DOCKER_CONFIG/config.json, else
// ~/.docker/config.json), where `docker login` writes them. Docker Hub's
// entry is keyed "https://index.docker.io/v1/". Credential helpers
// (credsStore, credHelpers) are not consulted.
func DockerCredentials(host string) (user, pass string, ok bool) {
	dir := os.Getenv("DOCKER_CONFIG")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", "", false
		}
		dir = filepath.Join(home, ".docker")
	}
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		return "", "", false
	}
	return credentialsFrom(b, host)
}

// credentialsFrom finds host's entry in a docker config.json's "auths":
// either "auth" (base64 of user:password) or "username" and "password".
func credentialsFrom(config []byte, host string) (user, pass string, ok bool) {
	var cfg struct {
		Auths map[string]struct{ Auth, Username, Password string }
	}
	if json.Unmarshal(config, &cfg) != nil {
		return "", "", false
	}
	want := []string{host}
	if host == defaultDomain {
		want = []string{"index.docker.io", "docker.io", "registry-1.docker.io"}
	}
	for _, w := range want {
		for key, a := range cfg.Auths {
			if credentialHost(key) != w {
				continue
			}
			if a.Auth != "" {
				dec, err := base64.StdEncoding.DecodeString(a.Auth)
				if u, p, found := strings.Cut(string(dec), ":"); err == nil && found {
					return u, p, true
				}
			}
			if a.Username != "" {
				return a.Username, a.Password, true
			}
		}
	}
	return "", "", false
}

// credentialHost reduces a config key ("https://index.docker.io/v1/",
// "localhost:5000") to host[:port].
func credentialHost(key string) string {
	key = strings.TrimPrefix(strings.TrimPrefix(key, "https://"), "http://")
	host, _, _ := strings.Cut(key, "/")
	return host
}
