package cli

import (
	"slices"

	"github.com/minictr/minictr/image"
)

// historyIDs gives each history row of img (index into its config's
// history) the short ID of the local image that ends at that row, as
// docker shows: the image itself on the top row, and on lower rows the
// images it was made from (by commit, later build) when the store has
// them. An image ends at row i when its history is img's first i+1
// entries and its layers are img's bottom layers. Other rows are
// "<missing>": the step was made somewhere else and only its history
// entry travelled with the image (docs/01-images.md).
func historyIDs(img image.Image, all []image.Image) []string {
	hist := img.Config.History
	ids := make([]string, len(hist))
	for i := range ids {
		ids[i] = "<missing>"
	}
	for _, p := range all {
		n := len(p.Config.History)
		if p.ID == img.ID || n == 0 || n > len(hist) || len(p.ChainIDs) > len(img.ChainIDs) {
			continue
		}
		if slices.Equal(p.ChainIDs, img.ChainIDs[:len(p.ChainIDs)]) && sameHistory(p.Config.History, hist[:n]) {
			ids[n-1] = p.ShortID()
		}
	}
	if len(ids) > 0 {
		ids[len(ids)-1] = img.ShortID()
	}
	return ids
}

func sameHistory(a, b []image.History) bool {
	return slices.EqualFunc(a, b, func(x, y image.History) bool {
		return x.CreatedBy == y.CreatedBy && x.Comment == y.Comment && x.EmptyLayer == y.EmptyLayer &&
			(x.Created == nil) == (y.Created == nil) && (x.Created == nil || x.Created.Equal(*y.Created))
	})
}
