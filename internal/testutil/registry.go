package testutil

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"
)

// registryConfig is the smallest configuration of the CNCF distribution
// registry (Debian's docker-registry): blobs on the local filesystem,
// deletes allowed (so tests can exercise 404s after a delete), plain HTTP
// on one loopback port, and quiet logs.
const registryConfig = `version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: 127.0.0.1:%d
  secret: minictr-test-secret
%s`

// htpasswdAuth makes the registry ask for a user name and password (HTTP
// Basic, RFC 7617) checked against an htpasswd file of bcrypt hashes.
const htpasswdAuth = `auth:
  htpasswd:
    realm: minictr-test
    path: %s
`

// RegistryUser and RegistryPassword are the one account of
// StartRegistryWithAuth; testdata/htpasswd holds its bcrypt hash (cost 4).
const (
	RegistryUser     = "minictr"
	RegistryPassword = "minictr-test-password"
)

// StartRegistry runs a real registry (/usr/bin/docker-registry, from the
// Debian package docker-registry) for the test: storage in a fresh
// t.TempDir(), listening on 127.0.0.1 only, and stopped (by its PID) when
// the test ends. It returns "127.0.0.1:PORT", a loopback host that
// package image speaks plain HTTP to, as docker does. It needs no root.
// The test is skipped when the package is not installed.
func StartRegistry(t testing.TB) (host string) {
	t.Helper()
	return startRegistryWith(t, "")
}

// StartRegistryWithAuth is StartRegistry with HTTP Basic authentication:
// every request needs RegistryUser and RegistryPassword.
func StartRegistryWithAuth(t testing.TB) (host string) {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	htpasswd := filepath.Join(filepath.Dir(file), "testdata", "htpasswd")
	return startRegistryWith(t, fmt.Sprintf(htpasswdAuth, htpasswd))
}

func startRegistryWith(t testing.TB, extra string) (host string) {
	t.Helper()
	bin := RequireTool(t, "docker-registry", "docker-registry")
	dir := t.TempDir()
	// The free port is found by binding :0 and closing it again; another
	// process may take it in between, so a registry that exits at once is
	// tried again on a new port.
	var lastErr error
	for range 3 {
		host, err := startRegistry(t, bin, dir, extra)
		if err == nil {
			return host
		}
		lastErr = err
	}
	t.Fatalf("start docker-registry: %v", lastErr)
	return ""
}

// startRegistry makes one attempt: write the config, start the process,
// wait until GET /v2/ answers 200.
func startRegistry(t testing.TB, bin, dir, extra string) (string, error) {
	port, err := freeLoopbackPort()
	if err != nil {
		return "", err
	}
	cfg := filepath.Join(dir, "config-"+strconv.Itoa(port)+".yml")
	data := filepath.Join(dir, "data")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, registryConfig, data, port, extra), 0o600); err != nil {
		return "", err
	}
	cmd := exec.Command(bin, "serve", cfg)
	logs := &SyncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("%s serve %s: %w", bin, cfg, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Kill() // this process only, by its PID
		<-exited
	}

	host := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	if err := waitReady(host, exited); err != nil {
		stop()
		return "", fmt.Errorf("%w: %s", err, logs.String())
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() && logs.Len() > 0 {
			t.Logf("docker-registry on %s logged:\n%s", host, logs.String())
		}
	})
	return host, nil
}

// waitReady polls GET /v2/ until the registry answers (200, or 401 when it
// wants credentials), it exits, or
// about 10 s have passed (it starts in well under 1 s).
func waitReady(host string, exited chan error) error {
	client := &http.Client{Timeout: 2 * time.Second}
	for range 200 {
		select {
		case err := <-exited:
			exited <- err // for stop
			return fmt.Errorf("docker-registry exited at start (%v)", err)
		default:
		}
		if resp, err := client.Get("http://" + host + "/v2/"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnauthorized {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("docker-registry on %s did not answer GET /v2/ with 200", host)
}

// freeLoopbackPort asks the kernel for an unused port on 127.0.0.1.
func freeLoopbackPort() (int, error) {
	var lc net.ListenConfig
	l, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free loopback port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// SyncBuffer collects a process's output, which arrives from other
// goroutines: safe to read while the process writes it.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *SyncBuffer) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Len()
}
