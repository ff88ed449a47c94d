package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/minictr/minictr/image"
)

// printLayerTree draws the forest of the images' layer chains
// (image.BuildLayerTree): one line per layer, its children indented below
// it, and at the foot what sharing saves (docs/02-layers.md).
//
//	a1b2c3d4e5f6  4.26MB  2 images  ADD file:… in /
//	└─ 0f9e8d7c6b5a  12B  1 image  sh -c echo hi > /hi  ← myapp:1
func printLayerTree(store *image.Store, imgs []image.Image, dot bool) error {
	all, err := store.Layers.List()
	if err != nil {
		return err
	}
	sizes := map[string]int64{}
	for _, l := range all {
		sizes[l.ChainID] = l.Size
	}
	t := image.BuildLayerTree(imgs, sizes)
	if dot {
		return t.WriteDot(os.Stdout)
	}
	var b strings.Builder
	for _, r := range t.Roots {
		writeNode(&b, r, "", "")
	}
	fmt.Fprintf(&b, "\n%s, %s of layers stored once; alone each image would take %s together: sharing saves %s\n",
		plural(len(imgs), "image"), HumanSize(t.Stored), HumanSize(t.Alone), HumanSize(t.Saved))
	_, err = os.Stdout.WriteString(b.String())
	return err
}

// writeNode writes n's line after prefix+branch, then its children with
// the tree drawn by box characters, as tree(1) does.
func writeNode(b *strings.Builder, n *image.LayerNode, prefix, branch string) {
	line := fmt.Sprintf("%s  %s  %s  %s", short(n.ChainID), HumanSize(n.Size), plural(n.Images, "image"),
		ellipsis(strings.Join(strings.Fields(n.CreatedBy), " "), 50))
	if len(n.Tops) > 0 {
		line += "  <- " + strings.Join(n.Tops, ", ")
	}
	fmt.Fprintf(b, "%s%s%s\n", prefix, branch, strings.TrimRight(line, " "))
	next := prefix
	switch branch {
	case "├─ ":
		next += "│  "
	case "└─ ":
		next += "   "
	}
	for i, c := range n.Children {
		br := "├─ "
		if i == len(n.Children)-1 {
			br = "└─ "
		}
		writeNode(b, c, next, br)
	}
}

// plural is "1 image", "3 images".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
