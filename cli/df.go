package cli

import (
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/minictr/minictr/container"
	"github.com/minictr/minictr/image"
)

// SystemDfCmd is `minictr system df`.
type SystemDfCmd struct {
	Verbose bool `short:"v" help:"Show each image with its shared and unique size, and each container."`
	JSON    bool `name:"json" help:"Print JSON."`
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
	u := image.Usage(imgs, all, byImage, chainIDsOf(ctrs))
	vols, err := dfVolumes(g.Root)
	if err != nil {
		return err
	}
	summary := []UsageRow{
		{"Images", len(u.Images), u.ActiveImages, u.ImagesSize, u.ImagesReclaimable},
		containersRow(rows),
		volumesRow(vols),
		{"Layers", u.Layers, u.ActiveLayers, u.LayersSize, u.LayersReclaimable},
	}
	if c.JSON {
		return printJSON(DiskUsage{summary, dfImages(u), rows, vols})
	}
	return printDf(summary, u, rows, vols, c.Verbose)
}

// dfContainers lists the containers with their state and the size of
// their writable layers.
func dfContainers(root string) ([]*container.Container, []ContainerUsage, error) {
	ctrs, err := container.List(root)
	if err != nil {
		return nil, nil, err
	}
	rows := []ContainerUsage{}
	for _, ctr := range ctrs {
		st, err := ctr.State()
		if err != nil {
			return nil, nil, err
		}
		r := summary(ctr, st)
		rows = append(rows, ContainerUsage{r, dirSize(ctr.Upper())})
	}
	return ctrs, rows, nil
}

// containersRow sums up containers: their writable layers, and what
// removing the stopped ones would give back.
func containersRow(rows []ContainerUsage) UsageRow {
	r := UsageRow{Type: "Containers", Total: len(rows)}
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

func printDf(summary []UsageRow, u image.DiskUsage, ctrs []ContainerUsage, vols []VolumeUsage, verbose bool) error {
	w := tabwriter.NewWriter(os.Stdout, 0, 8, 3, ' ', 0)
	fmt.Fprintln(w, "TYPE\tTOTAL\tACTIVE\tSIZE\tRECLAIMABLE")
	for _, r := range summary {
		fmt.Fprintf(w, "%s\t%d\t%d\t%s\t%s\n", r.Type, r.Total, r.Active, HumanSize(r.Size), reclaimable(r))
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
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%d\n", repo, tag, iu.ShortID(), HumanSize(iu.Size),
			HumanSize(iu.Shared), HumanSize(iu.Unique), iu.Containers)
	}
	fmt.Fprintln(w, "\nContainers space usage:\n\nCONTAINER ID\tIMAGE\tCOMMAND\tSIZE\tSTATUS\tNAMES")
	for _, c := range ctrs {
		fmt.Fprintf(w, "%s\t%s\t%q\t%s\t%s\t%s\n", short(c.ID), c.Image, ellipsis(c.Command, 20),
			HumanSize(c.Size), status(c.State), c.Name)
	}
	fmt.Fprintln(w, "\nLocal Volumes space usage:\n\nVOLUME NAME\tLINKS\tSIZE")
	for _, v := range vols {
		fmt.Fprintf(w, "%s\t%d\t%s\n", v.Name, v.Links, HumanSize(v.Size))
	}
	return w.Flush()
}

// reclaimable is docker's RECLAIMABLE column: bytes and share of SIZE.
func reclaimable(r UsageRow) string {
	if r.Size == 0 {
		return HumanSize(r.Reclaimable)
	}
	return fmt.Sprintf("%s (%d%%)", HumanSize(r.Reclaimable), r.Reclaimable*100/r.Size)
}

func dfVolumes(root string) ([]VolumeUsage, error) {
	infos, err := inspectVolumes(root, nil)
	if err != nil {
		return nil, err
	}
	out := []VolumeUsage{}
	for _, v := range infos {
		out = append(out, VolumeUsage{v.Name, len(v.Containers), dirSize(v.Mountpoint)})
	}
	return out, nil
}

// volumesRow is docker's "Local Volumes": a volume is active when a
// container (running or not) uses it; the others are reclaimable.
func volumesRow(vols []VolumeUsage) UsageRow {
	r := UsageRow{Type: "Local Volumes", Total: len(vols)}
	for _, v := range vols {
		r.Size += v.Size
		if v.Links > 0 {
			r.Active++
		} else {
			r.Reclaimable += v.Size
		}
	}
	return r
}

func dfImages(u image.DiskUsage) []ImageUsage {
	out := []ImageUsage{}
	for _, iu := range u.Images {
		out = append(out, ImageUsage{iu.ID, iu.RepoTags, iu.Size, iu.Shared, iu.Unique, iu.Containers})
	}
	return out
}
