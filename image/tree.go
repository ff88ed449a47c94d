package image

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// A chain ID names a layer together with everything below it (package
// layers: chain = sha256(parent chain + " " + diff ID)), so one chain ID
// has exactly one parent, and the chains of all the images in a store form
// a forest: base layers at the roots, and a branch wherever two images
// built on the same layers went different ways. `images --tree` draws it;
// it is the seeds' "layer 1 is shared by image A and image B", from the
// real store.

// LayerNode is one layer of the forest.
type LayerNode struct {
	ChainID   string
	Size      int64        // this layer's own bytes (layers.Layer.Size)
	CreatedBy string       // the history line that made it, from the first image that has it
	Images    int          // images whose chain includes it
	Tops      []string     // images whose top layer it is: their names, or short IDs
	Children  []*LayerNode // sorted by chain ID
}

// LayerTree is every layer chain across the images, and what sharing saves.
type LayerTree struct {
	Roots []*LayerNode
	// Stored is every layer once: what the layer store holds for these images.
	Stored int64
	// Alone is the sum of the images' sizes: what they would take if each
	// were stored alone, as a copy of its files.
	Alone int64
	// Saved is Alone - Stored: the bytes sharing layers saves.
	Saved int64
}

// BuildLayerTree makes the tree of imgs' layer chains. sizes maps a chain
// ID to its layer's size (a missing one counts 0).
func BuildLayerTree(imgs []Image, sizes map[string]int64) LayerTree {
	var t LayerTree
	nodes := map[string]*LayerNode{}
	for _, img := range imgs {
		parent := (*LayerNode)(nil)
		for i, c := range img.ChainIDs {
			n, ok := nodes[c]
			if !ok {
				n = &LayerNode{ChainID: c, Size: sizes[c], CreatedBy: layerHistory(img.Config, i)}
				nodes[c] = n
				t.Stored += n.Size
				if parent == nil {
					t.Roots = append(t.Roots, n)
				} else {
					parent.Children = append(parent.Children, n)
				}
			}
			n.Images++
			t.Alone += n.Size
			parent = n
		}
		if parent != nil {
			parent.Tops = append(parent.Tops, displayName(img))
		}
	}
	sortNodes(t.Roots)
	t.Saved = t.Alone - t.Stored
	return t
}

func sortNodes(ns []*LayerNode) {
	sort.Slice(ns, func(i, j int) bool { return ns[i].ChainID < ns[j].ChainID })
	for _, n := range ns {
		sort.Strings(n.Tops)
		sortNodes(n.Children)
	}
}

// layerHistory is the created_by of the history entry that made layer i:
// the i-th entry that is not an empty_layer (ENV, CMD: no layer).
func layerHistory(cfg Config, i int) string {
	for _, h := range cfg.History {
		if h.EmptyLayer {
			continue
		}
		if i == 0 {
			return h.CreatedBy
		}
		i--
	}
	return ""
}

// displayName is the image's first tag in familiar form, else its short ID.
func displayName(img Image) string {
	if len(img.RepoTags) > 0 {
		if r, err := ParseReference(img.RepoTags[0]); err == nil {
			return r.Familiar()
		}
		return img.RepoTags[0]
	}
	return img.ShortID()
}

// WriteDot writes the tree as a graphviz digraph (`images --tree --dot`):
// one box per layer, labelled with its short chain ID, size, image count
// and history line, an edge from each layer to the ones built on it, and
// each image as an ellipse pointing at its top layer.
func (t LayerTree) WriteDot(w io.Writer) error {
	var b strings.Builder
	b.WriteString("digraph layers {\n\trankdir=TB;\n\tnode [shape=box, fontname=monospace];\n")
	var walk func(n *LayerNode)
	walk = func(n *LayerNode) {
		id := shortID(n.ChainID)
		fmt.Fprintf(&b, "\t%q [label=%q];\n", id, fmt.Sprintf("%s\n%d bytes, %d image(s)\n%s", id, n.Size, n.Images, truncate(n.CreatedBy, 60)))
		for _, img := range n.Tops {
			fmt.Fprintf(&b, "\t%q [shape=ellipse];\n\t%q -> %q;\n", img, img, id)
		}
		for _, c := range n.Children {
			fmt.Fprintf(&b, "\t%q -> %q;\n", id, shortID(c.ChainID))
			walk(c)
		}
	}
	for _, r := range t.Roots {
		walk(r)
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}
