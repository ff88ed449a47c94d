package cli

import (
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/minictr/minictr/image"
)

// ImagesCmd is `minictr images`.
type ImagesCmd struct {
	Quiet bool `short:"q" help:"Print only image IDs."`
	JSON  bool `name:"json" help:"Print a JSON array."`
	Tree  bool `help:"Show every layer chain as a tree: which layers the images share, and what sharing saves."`
	Dot   bool `help:"With --tree: write the tree as a graphviz digraph."`
}

func (c *ImagesCmd) Run(g *Globals) error {
	store, err := g.openStore()
	if err != nil {
		return err
	}
	imgs, err := store.List()
	if err != nil {
		return err
	}
	if c.Tree || c.Dot {
		return printLayerTree(store, imgs, c.Dot)
	}
	var rows []ImageSummary
	for _, img := range imgs {
		size := store.Size(img)
		if len(img.RepoTags) == 0 {
			rows = append(rows, ImageSummary{"<none>", "<none>", img.ID, img.Created(), size})
		}
		for _, t := range img.RepoTags {
			ref, _ := image.ParseReference(t)
			rows = append(rows, ImageSummary{ref.FamiliarName(), ref.Tag, img.ID, img.Created(), size})
		}
	}
	switch {
	case c.JSON:
		if rows == nil {
			rows = []ImageSummary{}
		}
		return printJSON(rows)
	case c.Quiet:
		seen := map[string]bool{}
		for _, r := range rows {
			if !seen[r.ID] {
				seen[r.ID] = true
				fmt.Println(short(r.ID))
			}
		}
		return nil
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 8, 3, ' ', 0)
	fmt.Fprintln(w, "REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE")
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", r.Repository, r.Tag, short(r.ID), ago(r.Created), HumanSize(r.Size))
	}
	return w.Flush()
}
