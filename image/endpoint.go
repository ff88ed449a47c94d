package image

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Where a registry is and how to talk to it: which scheme, which TLS
// checks, and what happens to credentials on a redirect.

// endpoint is the URL of /v2/<name>/<kind>/<reference> on ref's registry.
func (r *Registry) endpoint(ctx context.Context, ref Reference, kind, reference string) (string, error) {
	base, err := r.base(ctx, ref.Domain)
	if err != nil {
		return "", err
	}
	return base + "/v2/" + ref.Path + "/" + kind + "/" + reference, nil
}

// base is the scheme and host to reach a registry at:
//
//   - docker.io is a name; the API is served by registry-1.docker.io;
//   - loopback (localhost, 127.0.0.0/8, ::1) speaks plain HTTP, as docker
//     assumes, since the traffic never leaves the machine;
//   - Insecure: HTTPS if the host answers it at all, else plain HTTP;
//   - anything else: HTTPS, verified.
func (r *Registry) base(ctx context.Context, host string) (string, error) {
	if !r.insecureHost(host) {
		return r.knownBase(host), nil
	}
	r.mu.Lock()
	b, ok := r.bases[host]
	r.mu.Unlock()
	if ok {
		return b, nil
	}
	b = "https://" + host
	if err := r.ping(ctx, b); err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("registry %s: %w", host, ctx.Err())
		}
		b = "http://" + host
	}
	r.mu.Lock()
	if r.bases == nil {
		r.bases = map[string]string{}
	}
	r.bases[host] = b
	r.mu.Unlock()
	return b, nil
}

// knownBase is base without the Insecure probe (whose result it uses when
// there is one).
func (r *Registry) knownBase(host string) string {
	switch {
	case host == defaultDomain:
		return "https://registry-1.docker.io"
	case isLoopback(host):
		return "http://" + host
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if b, ok := r.bases[host]; ok {
		return b
	}
	return "https://" + host
}

// ping asks for /v2/ (end-1); any HTTP answer, 401 included, means the
// scheme works.
func (r *Registry) ping(ctx context.Context, base string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v2/", nil)
	if err != nil {
		return err
	}
	resp, err := r.client(req.URL.Host).Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

func (r *Registry) insecureHost(host string) bool {
	return r.Insecure && host != defaultDomain && !isLoopback(host)
}

// client is Client (or a default), with TLS verification off for an
// insecure host, and with checkRedirect.
func (r *Registry) client(host string) *http.Client {
	c := http.Client{}
	if r.Client != nil {
		c = *r.Client
	}
	if r.insecureHost(host) {
		c.Transport = r.insecureTransport(c.Transport)
	}
	c.CheckRedirect = checkRedirect
	return &c
}

func (r *Registry) insecureTransport(rt http.RoundTripper) http.RoundTripper {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.insecure == nil {
		if rt == nil {
			rt = http.DefaultTransport
		}
		t, ok := rt.(*http.Transport)
		if !ok {
			return rt // a custom RoundTripper decides for itself
		}
		t = t.Clone()
		if t.TLSClientConfig == nil {
			t.TLSClientConfig = &tls.Config{}
		}
		t.TLSClientConfig.InsecureSkipVerify = true
		r.insecure = t
	}
	return r.insecure
}

// checkRedirect follows up to 10 redirects and removes the Authorization
// header whenever the next hop is not the host:port the request was sent
// to. The token proves the right to read this repository from this
// registry; a CDN needs no such proof (its URL is signed), and anyone who
// sees a token can use it until it expires. Go's own rule keeps the header
// for the same host name on another port, so it is not enough here.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if hostPort(req.URL) != hostPort(via[0].URL) {
		req.Header.Del("Authorization")
	}
	return nil
}

// hostPort is u's host with the scheme's default port made explicit.
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// onRegistry says whether u is on host's API endpoint (same host:port).
func (r *Registry) onRegistry(host string, u *url.URL) bool {
	b, err := url.Parse(r.knownBase(host))
	return err == nil && hostPort(u) == hostPort(b)
}

// isLoopback says whether host[:port] names this machine.
func isLoopback(host string) bool {
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	h = strings.Trim(h, "[]")
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
