package image

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/minictr/minictr/layers"
)

// RemoveOptions are `rmi`'s knobs.
type RemoveOptions struct {
	Force bool
	// UsedBy lists the containers that use image id (nil: no containers).
	UsedBy func(id string) []string
	// LayersInUse lists chain IDs that containers still stand on, so that
	// `rmi -f` of an image a container uses keeps that container's layers.
	LayersInUse func() (map[string]bool, error)
}

// Remove does what `docker rmi NAME` does. A tag is removed; when it was the
// image's last tag the image goes too, and with it every layer and blob no
// other image (or container) uses. An image ID removes the image with all its
// names. It returns docker's report lines: "Untagged: ..." and "Deleted: ...".
func (s *Store) Remove(name string, opt RemoveOptions) ([]string, error) {
	var report []string
	var deleted bool
	err := s.update(func(idx *index) error {
		id, err := resolve(*idx, name)
		if err != nil {
			return err
		}
		if opt.UsedBy != nil && !opt.Force {
			if users := opt.UsedBy(id); len(users) > 0 {
				return fmt.Errorf("image %s is used by container %s: rmi -f removes its name but keeps the layers containers stand on", name, strings.Join(users, ", "))
			}
		}
		untag, err := refsToRemove(*idx, id, name, opt.Force)
		if err != nil {
			return err
		}
		for _, r := range untag {
			delete(idx.Refs, r)
			ref, _ := ParseReference(r)
			report = append(report, "Untagged: "+ref.Familiar())
		}
		if len(refsOf(*idx, id)) == 0 {
			delete(idx.Images, id)
			report = append(report, "Deleted: "+id)
			deleted = true
		}
		return nil
	})
	if err != nil || !deleted {
		return report, err
	}
	gone, err := s.Prune(opt.LayersInUse)
	return append(report, gone...), err
}

// refsToRemove decides which names `rmi name` takes away from image id.
func refsToRemove(idx index, id, name string, force bool) ([]string, error) {
	all := refsOf(idx, id)
	ref, err := ParseReference(name)
	if err == nil {
		if _, isName := idx.Refs[ref.String()]; isName {
			out := []string{ref.String()}
			// The last tag of a repository takes that repository's digest
			// references with it, as in docker.
			if len(tagsIn(all, ref.Repository())) == 1 {
				for _, r := range all {
					if strings.HasPrefix(r, ref.Repository()+"@") {
						out = append(out, r)
					}
				}
			}
			return out, nil
		}
	}
	// By ID: every name goes, but only if they are all one repository or -f.
	repos := map[string]bool{}
	for _, r := range all {
		rr, _ := ParseReference(r)
		repos[rr.Repository()] = true
	}
	if len(repos) > 1 && !force {
		return nil, fmt.Errorf("image %s is referenced in %d repositories: remove them by name, or use rmi -f", shortID(id), len(repos))
	}
	return all, nil
}

func refsOf(idx index, id string) []string {
	var out []string
	for r, target := range idx.Refs {
		if target == id {
			out = append(out, r)
		}
	}
	sort.Strings(out)
	return out
}

func tagsIn(refs []string, repo string) []string {
	var out []string
	for _, r := range refs {
		if strings.HasPrefix(r, repo+":") {
			out = append(out, r)
		}
	}
	return out
}

// Prune removes every layer and blob that no image in the index (and no
// container, per inUse, called under the store lock) refers to. It is the garbage collector behind rmi:
// layers are shared, so one is deleted only when its last user is. It holds
// the store lock, so no image can be recorded meanwhile, and skips layers
// whose lock a pull or load holds.
func (s *Store) Prune(inUse func() (map[string]bool, error)) ([]string, error) {
	lock, err := layers.LockStore(s.root)
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	idx, err := s.readIndex()
	if err != nil {
		return nil, err
	}
	keepLayers, keepBlobs := map[string]bool{}, map[string]bool{}
	if inUse != nil {
		// Asked under the store lock, which a container's creation takes
		// too: a container made before this moment is counted, and one
		// made after finds its layers gone and says so (container.Create).
		if keepLayers, err = inUse(); err != nil {
			return nil, err
		}
	}
	for id, rec := range idx.Images {
		keepBlobs[id] = true
		for _, b := range rec.Blobs {
			keepBlobs[b] = true
		}
		for _, c := range rec.ChainIDs {
			keepLayers[c] = true
		}
	}
	report, err := s.pruneLayers(keepLayers)
	if err != nil {
		return report, err
	}
	if err := s.pruneBlobs(keepBlobs); err != nil {
		return report, err
	}
	return report, s.pruneSources(idx, keepBlobs)
}

// pruneLayers removes every layer not in keep, under the store lock.
func (s *Store) pruneLayers(keep map[string]bool) ([]string, error) {
	var report []string
	all, err := s.Layers.List()
	if err != nil {
		return nil, err
	}
	busy, cancel := context.WithCancel(context.Background())
	cancel() // LockLayer with a done context only tries once
	for _, l := range all {
		if keep[l.ChainID] {
			continue
		}
		// A pull that has just unpacked this layer but not yet recorded
		// its image holds the layer's lock: leave the layer to it.
		unlock, err := s.Layers.LockLayer(busy, l.ChainID)
		if err != nil {
			continue
		}
		err = s.Layers.Remove(l.ChainID)
		unlock()
		if errors.Is(err, fs.ErrNotExist) {
			continue // a failed pull rolled it back since we listed it
		}
		if err != nil {
			return report, err
		}
		report = append(report, "Deleted: "+l.ChainID)
	}
	return report, nil
}

// pruneBlobs removes every blob no image names. It runs under the store
// lock, and blobs enter blobs/ only under that lock together with the
// index entry naming them (stage.go): a blob that a pull, load, import or
// commit is about to record is still in that command's stage, out of reach.
func (s *Store) pruneBlobs(keep map[string]bool) error {
	dir := s.blobPath("sha256:")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("prune blobs: %w", err)
	}
	for _, e := range ents {
		if keep["sha256:"+e.Name()] {
			continue
		}
		if err := os.Remove(s.blobPath("sha256:" + e.Name())); err != nil {
			return fmt.Errorf("prune blob: %w", err)
		}
	}
	return nil
}

// pruneSources forgets where the removed blobs lived.
func (s *Store) pruneSources(idx index, keep map[string]bool) error {
	changed := false
	for b := range idx.Sources {
		if !keep[b] {
			delete(idx.Sources, b)
			changed = true
		}
	}
	if !changed {
		return nil
	}
	return s.writeIndex(idx)
}
