package image

import (
	"fmt"
	"testing"

	"github.com/minictr/minictr/layers"
)

// A store of three layers: base (100 B) under app (10 B), and an orphan
// layer (1 B) that no image uses any more (its image went with `rmi -f`).
var (
	testLayers = []layers.Layer{
		{ChainID: "sha256:base", Size: 100},
		{ChainID: "sha256:app", Size: 10},
		{ChainID: "sha256:orphan", Size: 1},
	}
	baseImg = Image{ID: "sha256:i1", RepoTags: []string{"docker.io/library/base:1"}, ChainIDs: []string{"sha256:base"}}
	appImg  = Image{ID: "sha256:i2", ChainIDs: []string{"sha256:base", "sha256:app"}}
)

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		name              string
		ctrs              map[string]int
		ctrLayers         map[string]bool
		activeImgs        int
		imgReclaim        int64
		activeLayers      int
		layersReclaimable int64
	}{
		{"no containers", nil, nil, 0, 110, 0, 1},
		{"a container of base", map[string]int{"sha256:i1": 2}, map[string]bool{"sha256:base": true}, 1, 10, 1, 1},
		{"a container of app", map[string]int{"sha256:i2": 1}, map[string]bool{"sha256:base": true, "sha256:app": true}, 1, 0, 2, 1},
		// rmi -f took the orphan's image; a container still stands on it.
		{"a container on the orphan", nil, map[string]bool{"sha256:orphan": true}, 0, 110, 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := Usage([]Image{baseImg, appImg}, testLayers, tc.ctrs, tc.ctrLayers)
			if u.ImagesSize != 110 || u.LayersSize != 111 || u.Layers != 3 {
				t.Errorf("sizes: images %d (want 110), layers %d (want 111) in %d (want 3)", u.ImagesSize, u.LayersSize, u.Layers)
			}
			if u.ActiveImages != tc.activeImgs || u.ImagesReclaimable != tc.imgReclaim {
				t.Errorf("images: active %d reclaimable %d, want %d %d", u.ActiveImages, u.ImagesReclaimable, tc.activeImgs, tc.imgReclaim)
			}
			if u.ActiveLayers != tc.activeLayers || u.LayersReclaimable != tc.layersReclaimable {
				t.Errorf("layers: active %d reclaimable %d, want %d %d", u.ActiveLayers, u.LayersReclaimable, tc.activeLayers, tc.layersReclaimable)
			}
			for _, iu := range u.Images {
				if iu.Containers != tc.ctrs[iu.ID] {
					t.Errorf("%s: %d containers, want %d", iu.ID, iu.Containers, tc.ctrs[iu.ID])
				}
			}
		})
	}
}

func TestDangling(t *testing.T) {
	if baseImg.Dangling() || !appImg.Dangling() {
		t.Errorf("tagged image dangling: %v; untagged: %v", baseImg.Dangling(), appImg.Dangling())
	}
}

// Two images share the base layer: it is on disk once, so it is shared
// size for both, and only app's own layer is unique to it.
func ExampleUsage() {
	u := Usage([]Image{baseImg, appImg}, testLayers, nil, nil)
	for _, iu := range u.Images {
		fmt.Printf("%s size %d shared %d unique %d\n", iu.ID, iu.Size, iu.Shared, iu.Unique)
	}
	fmt.Println("images on disk:", u.ImagesSize, "layers on disk:", u.LayersSize)
	// Output:
	// sha256:i1 size 100 shared 100 unique 0
	// sha256:i2 size 110 shared 100 unique 10
	// images on disk: 110 layers on disk: 111
}
