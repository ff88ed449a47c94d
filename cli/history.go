package cli

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/minictr/minictr/image"
	"github.com/minictr/minictr/layers"
)

// HistoryCmd is `minictr history`.
type HistoryCmd struct {
	NoTrunc bool   `help:"Do not shorten the CREATED BY column."`
	Quiet   bool   `short:"q" help:"Print only image IDs."`
	Name    string `arg:"" name:"image"`
}

// Run prints the config's history, newest first. Every entry is one build
// instruction; those with empty_layer (ENV, CMD, ...) changed only the
// config, the others each made the next layer of the image, bottom up.
func (c *HistoryCmd) Run(g *Globals) error {
	store, err := g.openStore()
	if err != nil {
		return err
	}
	img, err := store.Get(c.Name)
	if err != nil {
		return err
	}
	ls, err := store.LayersOf(img)
	if err != nil {
		return err
	}
	rows := historyRows(img, ls)
	all, err := store.List()
	if err != nil {
		return err
	}
	ids := historyIDs(img, all)
	w := tabwriter.NewWriter(os.Stdout, 0, 8, 3, ' ', 0)
	if !c.Quiet {
		fmt.Fprintln(w, "IMAGE\tCREATED\tCREATED BY\tSIZE\tCOMMENT")
	}
	for i := len(rows) - 1; i >= 0; i-- {
		r := rows[i]
		id := "<missing>"
		if len(ids) == len(rows) {
			id = ids[i]
		} else if i == len(rows)-1 {
			id = img.ShortID()
		}
		if c.Quiet {
			fmt.Fprintln(w, id)
			continue
		}
		by := strings.Join(strings.Fields(r.CreatedBy), " ")
		if !c.NoTrunc && len([]rune(by)) > 45 {
			by = string([]rune(by)[:44]) + "…"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", id, agoPtr(r.Created), by, HumanSize(r.size), r.Comment)
	}
	return w.Flush()
}

type historyRow struct {
	image.History
	size int64
}

// historyRows pairs each non-empty history entry with the next layer, bottom
// up. An image without history (some imports) gets one row per layer.
func historyRows(img image.Image, ls []layers.Layer) []historyRow {
	hist := img.Config.History
	if len(hist) == 0 {
		for range ls {
			hist = append(hist, image.History{Created: img.Config.Created})
		}
	}
	var rows []historyRow
	next := 0
	for _, h := range hist {
		r := historyRow{History: h}
		if !h.EmptyLayer && next < len(ls) {
			r.size = ls[next].Size
			next++
		}
		rows = append(rows, r)
	}
	return rows
}
