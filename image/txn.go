package image

import (
	"context"
	"slices"

	"github.com/minictr/minictr/layers"
)

// layerTxn makes adding an image's layers all-or-nothing. It holds the lock
// of every layer of the image until the image is recorded, so a concurrent
// pull of an image that shares a layer waits and then finds it there
// ("Already exists"): each layer is unpacked once. The locks are taken in
// sorted order, so two pulls that need the same layers cannot each hold one
// the other waits for. If adding the image fails, rollback removes the layers
// this attempt created, and the store is exactly as it was.
type layerTxn struct {
	s       *Store
	unlocks []func()
	created []string
}

func (s *Store) beginLayers(ctx context.Context, chain []string) (*layerTxn, error) {
	t := &layerTxn{s: s}
	sorted := slices.Clone(chain)
	slices.Sort(sorted)
	for _, c := range slices.Compact(sorted) {
		unlock, err := s.Layers.LockLayer(ctx, c)
		if err != nil {
			t.end(err)
			return nil, err
		}
		t.unlocks = append(t.unlocks, unlock)
	}
	return t, nil
}

// add records that this transaction created layer l.
func (t *layerTxn) add(l layers.Layer) { t.created = append(t.created, l.ChainID) }

// end releases the locks. With a non-nil err it first removes the layers the
// transaction created. It returns err, so callers can `return t.end(err)`.
func (t *layerTxn) end(err error) error {
	if err != nil {
		for _, c := range t.created {
			t.s.Layers.Remove(c)
		}
	}
	for _, u := range t.unlocks {
		u()
	}
	return err
}
