package image

import (
	"github.com/minictr/minictr/layers"
)

// Dangling reports whether img has no tag left: docker's <none>:<none>.
// An image becomes dangling when its last tag moves to a newer image (a
// second pull or import under the same name); nothing can name it any more
// but its ID, so `image prune` removes it.
func (img Image) Dangling() bool { return len(img.RepoTags) == 0 }

// ImageUsage is one image's share of the layer store, as `system df -v`
// shows it. Layers are shared between images by chain ID: a layer used by
// two images is on disk once, so it counts as Shared for both, and an
// image's Unique size is what removing it alone would free.
type ImageUsage struct {
	Image
	Size       int64 // Shared + Unique: what `images` shows
	Shared     int64 // layers some other image stands on too
	Unique     int64 // layers only this image has
	Containers int   // containers (running or not) made from it
}

// DiskUsage sums up the store for `system df`. Sizes are of unpacked
// layers (layers.Layer.Size: bytes of regular file data), each layer
// counted once however many images share it.
type DiskUsage struct {
	Images               []ImageUsage
	ActiveImages         int   // images at least one container was made from
	ImagesSize           int64 // every layer some image uses, once
	ImagesReclaimable    int64 // of those, layers no active image or container uses
	Layers, ActiveLayers int   // layers in the store; those containers stand on
	LayersSize           int64 // every layer in the store
	LayersReclaimable    int64 // layers no image and no container uses
}

// Usage computes DiskUsage from plain values: the images, every layer in
// the store, how many containers use each image ID, and the chain IDs that
// containers stand on (they may outlive their image after `rmi -f`).
func Usage(imgs []Image, all []layers.Layer, ctrsByImage map[string]int, ctrLayers map[string]bool) DiskUsage {
	size := map[string]int64{}
	for _, l := range all {
		size[l.ChainID] = l.Size
	}
	// A chain ID names a layer together with everything below it, so an
	// image never lists one twice: users counts images per layer.
	users, active := map[string]int{}, map[string]bool{}
	for _, img := range imgs {
		for _, c := range img.ChainIDs {
			users[c]++
			if ctrsByImage[img.ID] > 0 {
				active[c] = true
			}
		}
	}
	u := DiskUsage{Layers: len(all)}
	for _, img := range imgs {
		iu := ImageUsage{Image: img, Containers: ctrsByImage[img.ID]}
		for _, c := range img.ChainIDs {
			if users[c] > 1 {
				iu.Shared += size[c]
			} else {
				iu.Unique += size[c]
			}
		}
		iu.Size = iu.Shared + iu.Unique
		if iu.Containers > 0 {
			u.ActiveImages++
		}
		u.Images = append(u.Images, iu)
	}
	for _, l := range all {
		u.LayersSize += l.Size
		used := ctrLayers[l.ChainID]
		if used {
			u.ActiveLayers++
		}
		if users[l.ChainID] > 0 {
			u.ImagesSize += l.Size
			if !active[l.ChainID] && !used {
				u.ImagesReclaimable += l.Size
			}
		} else if !used {
			u.LayersReclaimable += l.Size
		}
	}
	return u
}
