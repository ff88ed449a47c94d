package testutil

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestStartRegistry: the registry answers the distribution API's ping and
// a real 404 for an unknown manifest, on loopback only.
func TestStartRegistry(t *testing.T) {
	host := StartRegistry(t)
	if !strings.HasPrefix(host, "127.0.0.1:") {
		t.Fatalf("host = %q, want 127.0.0.1:PORT", host)
	}
	resp, err := http.Get("http://" + host + "/v2/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if v := resp.Header.Get("Docker-Distribution-Api-Version"); resp.StatusCode != 200 || v != "registry/2.0" {
		t.Fatalf("GET /v2/: %s, API version %q; want 200 and registry/2.0", resp.Status, v)
	}
	resp, err = http.Get("http://" + host + "/v2/no/such/manifests/latest")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Errors []struct{ Code string } }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 404 || len(body.Errors) == 0 || body.Errors[0].Code != "MANIFEST_UNKNOWN" {
		t.Fatalf("unknown manifest: %s %+v, want 404 MANIFEST_UNKNOWN", resp.Status, body)
	}
}

// TestStartRegistryTwice: two registries at once get two ports and two
// stores.
func TestStartRegistryTwice(t *testing.T) {
	a, b := StartRegistry(t), StartRegistry(t)
	if a == b {
		t.Fatalf("both registries on %s", a)
	}
}
