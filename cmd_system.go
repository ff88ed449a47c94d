package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/minictr/minictr/container"
	"github.com/minictr/minictr/image"
)

// The prune commands give disk space back, and `system df` says how much
// there is to give. What is kept and why:
//
//	a running container        its process uses its writable layer
//	a created container        its `run` may be starting it right now
//	an image a container uses  the container stands on its layers (`rmi -f` aside)
//	a layer an image uses      layers are shared: one goes with its last user

// ContainerCmd groups `minictr container ...`.
type ContainerCmd struct {
	Prune ContainerPruneCmd `cmd:"" help:"Remove all stopped containers."`
}

// ContainerPruneCmd is `minictr container prune`.
type ContainerPruneCmd struct{}

func (ContainerPruneCmd) Run(g *Globals) error {
	fmt.Println("Deleted Containers:")
	_, err := pruneContainers(g.Root, func(id string) { fmt.Println(id) })
	return err
}

// pruneContainers removes every exited container (lost ones too) and
// returns the size of the writable layers that went with them.
func pruneContainers(root string, deleted func(id string)) (int64, error) {
	all, err := container.List(root)
	if err != nil {
		return 0, err
	}
	var freed int64
	for _, ctr := range all {
		if st, err := ctr.State(); err != nil || st.Status != container.Exited {
			continue
		}
		size := dirSize(ctr.Upper())
		if err := removeByName(root, ctr.ID, false); err != nil {
			return freed, err
		}
		freed += size
		deleted(ctr.ID)
	}
	return freed, nil
}

// ImageCmd groups `minictr image ...`.
type ImageCmd struct {
	Prune ImagePruneCmd `cmd:"" help:"Remove dangling images (-a: every image no container uses)."`
}

// ImagePruneCmd is `minictr image prune`.
type ImagePruneCmd struct {
	All bool `short:"a" help:"Remove every image no container uses, not only dangling ones."`
}

func (c *ImagePruneCmd) Run(g *Globals) error {
	lines, freed, err := pruneImages(g, c.All)
	printPruned("Deleted Images:", lines)
	fmt.Println("Total reclaimed space: " + humanSize(freed))
	return err
}

// pruneImages removes dangling images (all: every image) that no container
// was made from, and with each the layers nobody else uses. freed is what
// the layer store shrank by.
func pruneImages(g *Globals, all bool) (lines []string, freed int64, err error) {
	store, err := g.openStore()
	if err != nil {
		return nil, 0, err
	}
	ctrs, err := container.List(g.Root)
	if err != nil {
		return nil, 0, err
	}
	imgs, err := store.List()
	if err != nil {
		return nil, 0, err
	}
	before := layerSizes(store)
	// Force: an image named in two repositories goes too. No container uses
	// these images; LayersInUse keeps the layers of any that stands on them
	// after an `rmi -f`.
	opt := image.RemoveOptions{Force: true, LayersInUse: layersInUse(ctrs)}
	for _, img := range imgs {
		if (!all && !img.Dangling()) || len(usedBy(ctrs)(img.ID)) > 0 {
			continue
		}
		out, rerr := store.Remove(img.ID, opt)
		lines = append(lines, out...)
		if rerr != nil {
			err = rerr
			break
		}
	}
	return lines, shrunk(before, layerSizes(store)), err
}

// SystemCmd groups `minictr system ...`.
type SystemCmd struct {
	Prune SystemPruneCmd `cmd:"" help:"Remove stopped containers, dangling images and unused layers."`
	Df    SystemDfCmd    `cmd:"" help:"Show disk usage of images, containers and layers."`
}

// SystemPruneCmd is `minictr system prune`.
type SystemPruneCmd struct {
	All bool `short:"a" help:"Remove every image no container uses, not only dangling ones."`
}

// Run prunes in the order that frees most: containers first (their images
// become unused), then images (their layers become unused), then any layer
// and blob no image or container refers to (left by `rmi -f`, say).
func (c *SystemPruneCmd) Run(g *Globals) error {
	var ids []string
	freed, err := pruneContainers(g.Root, func(id string) { ids = append(ids, id) })
	printPruned("Deleted Containers:", ids)
	if err != nil {
		return err
	}
	lines, n, err := pruneImages(g, c.All)
	printPruned("Deleted Images:", lines)
	freed += n
	if err != nil {
		return err
	}
	store, err := g.openStore()
	if err != nil {
		return err
	}
	ctrs, err := container.List(g.Root)
	if err != nil {
		return err
	}
	before := layerSizes(store)
	lines, err = store.Prune(layersInUse(ctrs))
	printPruned("Deleted Layers:", lines)
	fmt.Println("Total reclaimed space: " + humanSize(freed+shrunk(before, layerSizes(store))))
	return err
}

// printPruned prints one section of a prune report, as docker does: a
// title, the lines, a blank line; nothing when there are no lines.
func printPruned(title string, lines []string) {
	if len(lines) == 0 {
		return
	}
	fmt.Println(title)
	for _, l := range lines {
		fmt.Println(strings.Replace(strings.Replace(l, "Untagged: ", "untagged: ", 1), "Deleted: ", "deleted: ", 1))
	}
	fmt.Println()
}

// layerSizes maps every layer in the store to its size.
func layerSizes(store *image.Store) map[string]int64 {
	out := map[string]int64{}
	ls, _ := store.Layers.List()
	for _, l := range ls {
		out[l.ChainID] = l.Size
	}
	return out
}

// shrunk is the size of the layers in before that are not in after.
func shrunk(before, after map[string]int64) int64 {
	var n int64
	for id, size := range before {
		if _, ok := after[id]; !ok {
			n += size
		}
	}
	return n
}

// dirSize is the bytes of regular file data under dir, counted as layer
// sizes are: a container's writable layer holds what it wrote.
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// SystemDfCmd is `minictr system df`.
type SystemDfCmd struct {
	Verbose bool `short:"v" help:"Show each image with its shared and unique size, and each container."`
	JSON    bool `name:"json" help:"Print JSON."`
}

// dfRow is one TYPE line of `system df`.
type dfRow struct {
	Type        string `json:"type"`
	Total       int    `json:"total"`
	Active      int    `json:"active"`
	Size        int64  `json:"size"`
	Reclaimable int64  `json:"reclaimable"`
}

// dfContainer is one container with the size of its writable layer.
type dfContainer struct {
	psRow
	Size int64 `json:"size"`
}

func (c *SystemDfCmd) Run(g *Globals) error {
	store, err := g.openStore()
	if err != nil {
		return err
	}
	imgs, err := store.List()
	if err != nil {
		return err
	}
	all, err := store.Layers.List()
	if err != nil {
		return err
	}
	ctrs, rows, err := dfContainers(g.Root)
	if err != nil {
		return err
	}
	byImage := map[string]int{}
	for _, ctr := range ctrs {
		byImage[ctr.ImageID]++
	}
	u := image.Usage(imgs, all, byImage, layersInUse(ctrs)())
	summary := []dfRow{
		{"Images", len(u.Images), u.ActiveImages, u.ImagesSize, u.ImagesReclaimable},
		containersRow(rows),
		{"Layers", u.Layers, u.ActiveLayers, u.LayersSize, u.LayersReclaimable},
	}
	if c.JSON {
		return printJSON(dfJSON{summary, dfImages(u), rows})
	}
	return printDf(summary, u, rows, c.Verbose)
}

// dfContainers lists the containers with their state and the size of
// their writable layers.
func dfContainers(root string) ([]*container.Container, []dfContainer, error) {
	ctrs, err := container.List(root)
	if err != nil {
		return nil, nil, err
	}
	rows := []dfContainer{}
	for _, ctr := range ctrs {
		st, err := ctr.State()
		if err != nil {
			return nil, nil, err
		}
		r := psRow{ctr.ID, ctr.Name, ctr.Image, strings.Join(ctr.Args, " "), ctr.Created, st}
		rows = append(rows, dfContainer{r, dirSize(ctr.Upper())})
	}
	return ctrs, rows, nil
}

// containersRow sums up containers: their writable layers, and what
// removing the stopped ones would give back.
func containersRow(rows []dfContainer) dfRow {
	r := dfRow{Type: "Containers", Total: len(rows)}
	for _, c := range rows {
		r.Size += c.Size
		if c.State.Status == container.Running {
			r.Active++
		} else {
			r.Reclaimable += c.Size
		}
	}
	return r
}

func printDf(summary []dfRow, u image.DiskUsage, ctrs []dfContainer, verbose bool) error {
	w := tabwriter.NewWriter(os.Stdout, 0, 8, 3, ' ', 0)
	fmt.Fprintln(w, "TYPE\tTOTAL\tACTIVE\tSIZE\tRECLAIMABLE")
	for _, r := range summary {
		fmt.Fprintf(w, "%s\t%d\t%d\t%s\t%s\n", r.Type, r.Total, r.Active, humanSize(r.Size), reclaimable(r))
	}
	if !verbose {
		return w.Flush()
	}
	fmt.Fprintln(w, "\nImages space usage:\n\nREPOSITORY\tTAG\tIMAGE ID\tSIZE\tSHARED SIZE\tUNIQUE SIZE\tCONTAINERS")
	for _, iu := range u.Images {
		repo, tag := "<none>", "<none>"
		if len(iu.RepoTags) > 0 {
			ref, _ := image.ParseReference(iu.RepoTags[0])
			repo, tag = ref.FamiliarName(), ref.Tag
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%d\n", repo, tag, iu.ShortID(), humanSize(iu.Size),
			humanSize(iu.Shared), humanSize(iu.Unique), iu.Containers)
	}
	fmt.Fprintln(w, "\nContainers space usage:\n\nCONTAINER ID\tIMAGE\tCOMMAND\tSIZE\tSTATUS\tNAMES")
	for _, c := range ctrs {
		fmt.Fprintf(w, "%s\t%s\t%q\t%s\t%s\t%s\n", short(c.ID), c.Image, ellipsis(c.Command, 20),
			humanSize(c.Size), status(c.State), c.Name)
	}
	return w.Flush()
}

// reclaimable is docker's RECLAIMABLE column: bytes and share of SIZE.
func reclaimable(r dfRow) string {
	if r.Size == 0 {
		return humanSize(r.Reclaimable)
	}
	return fmt.Sprintf("%s (%d%%)", humanSize(r.Reclaimable), r.Reclaimable*100/r.Size)
}

// dfJSON is `system df --json`.
type dfJSON struct {
	Summary    []dfRow       `json:"summary"`
	Images     []dfImage     `json:"images"`
	Containers []dfContainer `json:"containers"`
}

type dfImage struct {
	ID         string   `json:"id"`
	RepoTags   []string `json:"repoTags"`
	Size       int64    `json:"size"`
	Shared     int64    `json:"shared"`
	Unique     int64    `json:"unique"`
	Containers int      `json:"containers"`
}

func dfImages(u image.DiskUsage) []dfImage {
	out := []dfImage{}
	for _, iu := range u.Images {
		out = append(out, dfImage{iu.ID, iu.RepoTags, iu.Size, iu.Shared, iu.Unique, iu.Containers})
	}
	return out
}
