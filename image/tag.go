package image

import "fmt"

// Tag gives the image source names one more name, target, as `docker tag
// SOURCE TARGET` does. source is resolved as every IMAGE argument is (a
// name, an ID, a unique ID prefix: Get); target is a name, normalized as
// ParseReference does (myapp is docker.io/library/myapp:latest), that may
// point at another image now: the name moves, and that image keeps its
// other names (or becomes dangling). A tag is a line of repositories.json,
// written under the store lock; no blob or layer is copied.
func (s *Store) Tag(source, target string) (Image, error) {
	ref, err := ParseReference(target)
	if err != nil {
		return Image{}, fmt.Errorf("tag %s: %w", target, err)
	}
	if ref.Digest != "" {
		return Image{}, fmt.Errorf("tag %s: refusing to create a tag with a digest reference", target)
	}
	var img Image
	err = s.update(func(idx *index) error {
		id, err := resolve(*idx, source)
		if err != nil {
			return err
		}
		idx.Refs[ref.String()] = id
		img, err = s.image(*idx, id)
		return err
	})
	return img, err
}
