package testutil

import (
	"fmt"
	"strings"
)

// lowerdirOption builds the overlay mount data for a read-only stack of
// image layers. layers are in image order: layers[0] is the base layer,
// the last one is the top. overlayfs wants the opposite, "lowerdir=" with
// the TOP layer first and the bottom one last (Documentation/filesystems/
// overlayfs.rst, "Multiple lower layers"), so the list is reversed here.
//
// ':' separates layers and ',' separates options in the mount data, so a
// path containing either is refused rather than escaped. The whole string
// must fit in one page, the most mount(2) copies in for the data argument.
func lowerdirOption(layers []string) (string, error) {
	if len(layers) == 0 {
		return "", fmt.Errorf("overlay needs at least one lower layer")
	}
	dirs := make([]string, len(layers))
	for i, l := range layers {
		if strings.ContainsAny(l, ":,") {
			return "", fmt.Errorf("layer path %q contains ':' or ',', which overlay mount data cannot carry unescaped", l)
		}
		dirs[len(layers)-1-i] = l
	}
	opt := "lowerdir=" + strings.Join(dirs, ":")
	if len(opt) >= 4096 {
		return "", fmt.Errorf("overlay mount data is %d bytes, more than one page (4096)", len(opt))
	}
	return opt, nil
}
