package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/minictr/minictr/image"
	"github.com/minictr/minictr/layers"
)

// ImagesCmd is `minictr images`.
type ImagesCmd struct {
	Quiet bool `short:"q" help:"Print only image IDs."`
	JSON  bool `name:"json" help:"Print a JSON array."`
}

// imageRow is one line of `images`: one per name, as docker shows them.
type imageRow struct {
	Repository string    `json:"repository"`
	Tag        string    `json:"tag"`
	ID         string    `json:"id"`
	Created    time.Time `json:"created"`
	Size       int64     `json:"size"`
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
	var rows []imageRow
	for _, img := range imgs {
		size := store.Size(img)
		if len(img.RepoTags) == 0 {
			rows = append(rows, imageRow{"<none>", "<none>", img.ID, img.Created(), size})
		}
		for _, t := range img.RepoTags {
			ref, _ := image.ParseReference(t)
			rows = append(rows, imageRow{ref.FamiliarName(), ref.Tag, img.ID, img.Created(), size})
		}
	}
	switch {
	case c.JSON:
		if rows == nil {
			rows = []imageRow{}
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
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", r.Repository, r.Tag, short(r.ID), ago(r.Created), humanSize(r.Size))
	}
	return w.Flush()
}

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
	w := tabwriter.NewWriter(os.Stdout, 0, 8, 3, ' ', 0)
	if !c.Quiet {
		fmt.Fprintln(w, "IMAGE\tCREATED\tCREATED BY\tSIZE\tCOMMENT")
	}
	for i := len(rows) - 1; i >= 0; i-- {
		r := rows[i]
		id := "<missing>"
		if i == len(rows)-1 {
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
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", id, agoPtr(r.Created), by, humanSize(r.size), r.Comment)
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

// inspectImage is `inspect`'s JSON: docker's fields, plus where each layer
// lives on disk, which docker keeps behind GraphDriver.
type inspectImage struct {
	ID           string                `json:"Id"`
	RepoTags     []string              `json:"RepoTags"`
	RepoDigests  []string              `json:"RepoDigests"`
	Created      *time.Time            `json:"Created,omitempty"`
	Architecture string                `json:"Architecture"`
	Os           string                `json:"Os"`
	Variant      string                `json:"Variant,omitempty"`
	Config       image.ContainerConfig `json:"Config"`
	RootFS       inspectRootFS         `json:"RootFS"`
	Layers       []layers.Layer        `json:"Layers"`
	Size         int64                 `json:"Size"`
	History      []image.History       `json:"History,omitempty"`
}

type inspectRootFS struct {
	Type     string   `json:"Type"`
	DiffIDs  []string `json:"Layers"`
	ChainIDs []string `json:"ChainIDs"`
}

func newInspectImage(store *image.Store, img image.Image) (inspectImage, error) {
	ls, err := store.LayersOf(img)
	if err != nil {
		return inspectImage{}, err
	}
	v := inspectImage{
		ID: img.ID, RepoTags: familiarAll(img.RepoTags), RepoDigests: familiarAll(img.Digests),
		Created: img.Config.Created, Architecture: img.Config.Architecture, Os: img.Config.OS,
		Variant: img.Config.Variant, Config: img.Config.Config, Layers: ls, Size: store.Size(img),
		RootFS:  inspectRootFS{img.Config.RootFS.Type, img.Config.RootFS.DiffIDs, img.ChainIDs},
		History: img.Config.History,
	}
	return v, nil
}

func familiarAll(refs []string) []string {
	out := []string{}
	for _, r := range refs {
		ref, err := image.ParseReference(r)
		if err == nil {
			out = append(out, ref.Familiar())
		}
	}
	return out
}

func printJSON(v any) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "    ")
	return enc.Encode(v)
}
