package testutil

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/minictr/minictr/image"
)

// The builder and the oracle prove each other: MultiLayerImage pushed in
// every format to a real registry, pulled back by skopeo and unpacked by
// umoci, must have the semantics it promises, and every format must give
// the very same tree.
func TestPushedImageThroughUmoci(t *testing.T) {
	RequireTool(t, "skopeo", "skopeo")
	RequireTool(t, "umoci", "umoci")
	host := StartRegistry(t)
	img := MultiLayerImage(t)
	var first map[string]Entry
	for _, f := range []Format{OCI, Docker, OCIUncompressed, OCIZstd, OCIIndex, DockerList} {
		t.Run(f.String(), func(t *testing.T) {
			repo := "minictr/multi-" + strings.ReplaceAll(f.String(), "+", "-")
			digest := img.Push(t, host, repo, "v1", f)
			if want := img.Encode(t, f).Top.Digest; digest != want {
				t.Errorf("Push returned %s, Encode's top digest is %s", digest, want)
			}
			// The registry serves the manifest we pushed, byte for byte:
			// skopeo's --raw output has the digest Push returned.
			raw := Run(t, "skopeo", "inspect", "--raw", "--tls-verify=false", "docker://"+host+"/"+repo+":v1")
			if got := digestOf(raw); got != digest {
				t.Errorf("registry serves a manifest with digest %s, pushed %s", got, digest)
			}
			if f == OCIIndex || f == DockerList {
				// The other platform's entry leads to its own config.
				cfg := Run(t, "skopeo", "--override-arch", otherArch(), "inspect", "--config", "--tls-verify=false", "docker://"+host+"/"+repo+":v1")
				var c image.Config
				if err := json.Unmarshal([]byte(cfg), &c); err != nil || c.Architecture != otherArch() {
					t.Errorf("skopeo --override-arch %s finds config %s (%v)", otherArch(), cfg, err)
				}
			}
			tree := UmociTree(t, host, repo, "v1")
			CheckMultiLayerTree(t, tree)
			if first == nil {
				first = tree
				return
			}
			for _, d := range DiffTrees(first, tree) {
				t.Errorf("%s differs from %s: %s", f, OCI, d)
			}
		})
	}
}

func digestOf(s string) string { return digest([]byte(s)) }
