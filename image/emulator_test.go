package image_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/minictr/minictr/image"
)

// The emulation the HTTP tests run against: servers on 127.0.0.1 that play
// named hosts (registry-1.docker.io, auth.docker.io, ...), with a real
// certificate for those names, and a client Transport whose dialer maps
// exactly those names to the servers' loopback ports and refuses every
// other address. The client runs unchanged: the same URLs, the same TLS
// host-name checks, the same redirects as against the real hosts.

// emu is a set of emulated hosts.
type emu struct {
	t     *testing.T
	pool  *x509.CertPool
	cert  tls.Certificate
	mu    sync.Mutex
	hosts map[string]string // "name:port" -> "127.0.0.1:port"
}

// emulatedNames are the host names the emulation's certificate is good for.
var emulatedNames = []string{"registry-1.docker.io", "auth.docker.io",
	"production.cloudflare.docker.com", "registry.example.test", "auth.example.test"}

func newEmu(t *testing.T) *emu {
	cert, pool := newCert(t, emulatedNames...)
	return &emu{t: t, pool: pool, cert: cert, hosts: map[string]string{}}
}

// newCert makes a self-signed certificate for names and a pool that trusts it.
func newCert(t *testing.T, names ...string) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: names[0]}, DNSNames: names,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// serve starts h for name:port, over TLS with the emulation's certificate
// when tlsCert is true.
func (e *emu) serve(name, port string, tlsCert bool, h http.HandlerFunc) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	if tlsCert {
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{e.cert}}
		srv.StartTLS()
	} else {
		srv.Start()
	}
	e.t.Cleanup(srv.Close)
	e.alias(net.JoinHostPort(name, port), srv.Listener.Addr().String())
	return srv
}

// alias makes the client's dials to hostPort reach addr.
func (e *emu) alias(hostPort, addr string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.hosts[hostPort] = addr
}

// client dials only the emulated hosts (and loopback), and trusts only the
// emulation's certificate.
func (e *emu) client() *http.Client {
	var d net.Dialer
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: e.pool},
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			e.mu.Lock()
			target, ok := e.hosts[addr]
			e.mu.Unlock()
			if !ok {
				target = addr
			}
			host, _, err := net.SplitHostPort(target)
			if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
				return nil, fmt.Errorf("test transport: refusing to dial %s (not an emulated host, not loopback)", addr)
			}
			return d.DialContext(ctx, network, target)
		},
	}
	e.t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// registry is an image.Registry that talks to the emulation, with the
// given credentials (none if user is "").
func (e *emu) registry(user, pass string) *image.Registry {
	return &image.Registry{Client: e.client(), UserAgent: "minictr-test",
		Credentials: func(host string) (string, string, bool) { return user, pass, user != "" }}
}

// testImage is a small two-platform image: an index, two manifests, two
// configs, one shared gzipped layer.
type testImage struct {
	blobs     map[string][]byte // by digest: layer, configs, manifests, index
	types     map[string]string // digest -> media type, for manifests
	index     string            // digest of the index, tagged "latest"
	manifests map[string]string // "amd64"/"arm64" -> manifest digest
	layer     image.Descriptor
	config    map[string]image.Descriptor
}

func digestOf(b []byte) string { return fmt.Sprintf("sha256:%x", sha256.Sum256(b)) }

func newTestImage(t *testing.T) *testImage {
	img := &testImage{blobs: map[string][]byte{}, types: map[string]string{},
		manifests: map[string]string{}, config: map[string]image.Descriptor{}}
	var tarBuf, gzBuf bytes.Buffer
	tw := tar.NewWriter(&tarBuf)
	hello := []byte("#!/bin/sh\necho hello from the layer\n")
	if err := tw.WriteHeader(&tar.Header{Name: "bin/hello", Mode: 0o755, Size: int64(len(hello))}); err != nil {
		t.Fatal(err)
	}
	tw.Write(hello)
	tw.Close()
	gz := gzip.NewWriter(&gzBuf)
	gz.Write(tarBuf.Bytes())
	gz.Close()
	img.layer = img.add(image.MediaTypeOCILayerGz, gzBuf.Bytes())
	var entries []image.Descriptor
	for _, arch := range []string{"amd64", "arm64"} {
		cfg := image.Config{Architecture: arch, OS: "linux",
			Config: image.ContainerConfig{Cmd: []string{"/bin/hello"}},
			RootFS: image.RootFS{Type: "layers", DiffIDs: []string{digestOf(tarBuf.Bytes())}}}
		img.config[arch] = img.add(image.MediaTypeOCIConfig, mustJSON(t, cfg))
		m := image.Manifest{SchemaVersion: 2, MediaType: image.MediaTypeOCIManifest,
			Config: img.config[arch], Layers: []image.Descriptor{img.layer}}
		d := img.add(image.MediaTypeOCIManifest, mustJSON(t, m))
		img.manifests[arch] = d.Digest
		d.Platform = &image.Platform{OS: "linux", Architecture: arch}
		entries = append(entries, d)
	}
	idx := image.Index{SchemaVersion: 2, MediaType: image.MediaTypeOCIIndex, Manifests: entries}
	img.index = img.add(image.MediaTypeOCIIndex, mustJSON(t, idx)).Digest
	return img
}

func (img *testImage) add(mediaType string, b []byte) image.Descriptor {
	d := image.Descriptor{MediaType: mediaType, Digest: digestOf(b), Size: int64(len(b))}
	img.blobs[d.Digest] = b
	img.types[d.Digest] = mediaType
	return d
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeErrors answers as a distribution registry does on failure.
func writeErrors(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"errors":[{"code":%q,"message":%q}]}`, code, message)
}
