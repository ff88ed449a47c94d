package image

import (
	"encoding/json"
	"strings"
	"testing"
)

var (
	dgA = "sha256:" + strings.Repeat("a", 64)
	dgB = "sha256:" + strings.Repeat("b", 64)
)

// manifestJSON is a manifest of the given types, as a registry sends it.
func manifestJSON(t *testing.T, mt, configType, layerType string) []byte {
	t.Helper()
	b, err := json.Marshal(Manifest{SchemaVersion: 2, MediaType: mt,
		Config: Descriptor{MediaType: configType, Digest: dgA, Size: 1234},
		Layers: []Descriptor{{MediaType: layerType, Digest: dgB, Size: 5678}}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func indexJSON(t *testing.T, mt, entryType string) []byte {
	t.Helper()
	b, err := json.Marshal(Index{SchemaVersion: 2, MediaType: mt, Manifests: []Descriptor{
		{MediaType: entryType, Digest: dgA, Size: 500, Platform: &Platform{OS: "linux", Architecture: "amd64"}}}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeManifest(t *testing.T) {
	oci := manifestJSON(t, MediaTypeOCIManifest, MediaTypeOCIConfig, MediaTypeOCILayerGz)
	docker := manifestJSON(t, MediaTypeDockerManifest, MediaTypeDockerConfig, MediaTypeDockerLayer)
	ociIndex := indexJSON(t, MediaTypeOCIIndex, MediaTypeOCIManifest)
	list := indexJSON(t, MediaTypeDockerManifestList, MediaTypeDockerManifest)
	// OCI 1.0 let a manifest leave out its mediaType.
	bare := manifestJSON(t, "", MediaTypeOCIConfig, MediaTypeOCILayer)
	bareIndex := indexJSON(t, "", MediaTypeOCIManifest)
	tests := []struct {
		name, contentType string
		body              []byte
		index             bool
	}{
		{"oci manifest", MediaTypeOCIManifest, oci, false},
		{"docker manifest", MediaTypeDockerManifest, docker, false},
		{"oci index", MediaTypeOCIIndex, ociIndex, true},
		{"docker manifest list", MediaTypeDockerManifestList, list, true},
		{"content type with parameters", MediaTypeOCIManifest + "; charset=utf-8", oci, false},
		{"generic content type, body says docker", "application/json", docker, false},
		{"no content type, body says index", "", ociIndex, true},
		{"no media type anywhere, manifest by shape", "", bare, false},
		{"no media type anywhere, index by shape", "application/octet-stream", bareIndex, true},
		{"oci manifest without mediaType field", MediaTypeOCIManifest, bare, false},
	}
	for _, tt := range tests {
		m, idx, err := DecodeManifest(tt.contentType, tt.body)
		switch {
		case err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.index && (idx == nil || m != nil || len(idx.Manifests) != 1 || idx.Manifests[0].Digest != dgA):
			t.Errorf("%s: got manifest %v, index %v; want the index", tt.name, m, idx)
		case !tt.index && (m == nil || idx != nil || m.Config.Digest != dgA || len(m.Layers) != 1 || m.Layers[0].Size != 5678):
			t.Errorf("%s: got manifest %v, index %v; want the manifest", tt.name, m, idx)
		}
	}
}

func TestDecodeManifestErrors(t *testing.T) {
	oci := manifestJSON(t, MediaTypeOCIManifest, MediaTypeOCIConfig, MediaTypeOCILayerGz)
	schema1 := []byte(`{"schemaVersion":1,"name":"library/old","tag":"latest","architecture":"amd64","fsLayers":[],"history":[]}`)
	tests := []struct {
		name, contentType, body, want string
	}{
		{"schema 1 by content type", MediaTypeDockerSchema1Signed, string(schema1),
			"Docker schema 1 (" + MediaTypeDockerSchema1Signed + "): not supported, re-push with a newer docker"},
		{"schema 1 by shape", "application/json", string(schema1), "Docker schema 1"},
		{"unknown type", "application/vnd.example.thing+json", string(oci),
			`unsupported manifest media type "application/vnd.example.thing+json"`},
		{"malformed json", MediaTypeOCIManifest, `{"schemaVersion":2,`, "decode manifest: unexpected EOF"},
		{"malformed json, no type", "", `{"schemaVersion":`, "decode manifest:"},
		{"not json", MediaTypeOCIIndex, `<html>`, "decode manifest: invalid character"},
		{"trailing data", MediaTypeOCIManifest, string(oci) + `{}`, "data after the JSON document"},
		{"schema version", MediaTypeOCIManifest, strings.Replace(string(oci), `"schemaVersion":2`, `"schemaVersion":3`, 1),
			"schemaVersion 3, want 2"},
		{"served as index, says manifest", MediaTypeOCIIndex, strings.Replace(string(oci), `"layers"`, `"manifests"`, 1),
			`manifest says mediaType "` + MediaTypeOCIManifest + `" but was served as "` + MediaTypeOCIIndex + `"`},
		{"bad config digest", MediaTypeOCIManifest, strings.Replace(string(oci), dgA, "sha256:123", 1),
			`manifest config: invalid digest "sha256:123"`},
		{"bad layer digest", MediaTypeOCIManifest, strings.Replace(string(oci), dgB, "sha512:"+strings.Repeat("b", 128), 1),
			"manifest layer 0: invalid digest"},
		{"negative size", MediaTypeOCIManifest, strings.Replace(string(oci), `"size":5678`, `"size":-1`, 1),
			"negative size -1"},
		{"an artifact, not an image", MediaTypeOCIManifest,
			string(manifestJSON(t, MediaTypeOCIManifest, "application/vnd.cncf.helm.config.v1+json", MediaTypeOCILayerGz)),
			`config has media type "application/vnd.cncf.helm.config.v1+json": not a container image`},
		{"bad index entry", MediaTypeOCIIndex, strings.Replace(string(indexJSON(t, MediaTypeOCIIndex, MediaTypeOCIManifest)), dgA, "sha256:AB", 1),
			"index entry 0: invalid digest"},
		{"no type and no shape", "", `{"schemaVersion":2}`, "not an image manifest"},
	}
	for _, tt := range tests {
		m, idx, err := DecodeManifest(tt.contentType, []byte(tt.body))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tt.name, err, tt.want)
		}
		if m != nil || idx != nil {
			// A caller that ignores err must not get a half-checked document.
			t.Errorf("%s: a document was returned with the error", tt.name)
		}
	}
}

func TestCheckLayer(t *testing.T) {
	for _, mt := range []string{MediaTypeOCILayer, MediaTypeOCILayerGz, MediaTypeOCILayerZst, MediaTypeDockerLayer} {
		if err := CheckLayer(Descriptor{MediaType: mt, Digest: dgB, Size: 1}); err != nil {
			t.Errorf("CheckLayer(%s) = %v, want nil", mt, err)
		}
	}
	refused := []struct{ mt, want string }{
		{MediaTypeDockerForeign, "foreign (non-distributable) layer"},
		{MediaTypeOCIForeign, "foreign (non-distributable) layer"},
		{MediaTypeOCIForeignGz, "foreign (non-distributable) layer"},
		{MediaTypeOCIForeignZst, "foreign (non-distributable) layer"},
		{"application/vnd.oci.image.config.v1+json", "unsupported media type"},
		{"application/x-tar", "unsupported media type"},
		{"", "unsupported media type"},
	}
	for _, tt := range refused {
		err := CheckLayer(Descriptor{MediaType: tt.mt, Digest: dgB, Size: 1,
			URLs: []string{"https://go.microsoft.com/fwlink/?linkid=0"}})
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), dgB) {
			t.Errorf("CheckLayer(%q) = %v, want an error naming the digest and saying %q", tt.mt, err, tt.want)
		}
	}
}

// TestConfigJSON: a real-world config (trimmed from busybox's) decodes
// into Config with the fields the runtime needs.
func TestConfigJSON(t *testing.T) {
	cfg := `{"architecture":"amd64","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
	"Cmd":["sh"],"WorkingDir":"/","ExposedPorts":{"80/tcp":{}},"StopSignal":"SIGTERM"},
	"created":"2024-09-26T21:31:42Z","history":[{"created":"2024-09-26T21:31:42Z","created_by":"BusyBox 1.37.0 (glibc), Debian 12"},
	{"created_by":"CMD [\"sh\"]","empty_layer":true}],"os":"linux",
	"rootfs":{"type":"layers","diff_ids":["` + dgB + `"]}}`
	var c Config
	if err := json.Unmarshal([]byte(cfg), &c); err != nil {
		t.Fatal(err)
	}
	if c.OS != "linux" || c.Architecture != "amd64" || c.Created == nil || c.Created.Year() != 2024 ||
		len(c.Config.Cmd) != 1 || c.Config.Cmd[0] != "sh" || c.Config.WorkingDir != "/" ||
		c.RootFS.Type != "layers" || len(c.RootFS.DiffIDs) != 1 || c.RootFS.DiffIDs[0] != dgB ||
		len(c.History) != 2 || !c.History[1].EmptyLayer || c.Config.StopSignal != "SIGTERM" {
		t.Errorf("decoded config: %+v", c)
	}
	if _, ok := c.Config.ExposedPorts["80/tcp"]; !ok {
		t.Errorf("ExposedPorts = %v, want 80/tcp", c.Config.ExposedPorts)
	}
}
