package cli

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/minictr/minictr/container"
)

// PsCmd is `minictr ps`.
type PsCmd struct {
	All   bool `short:"a" help:"Show all containers (default: only running ones)."`
	Quiet bool `short:"q" help:"Print only container IDs."`
	JSON  bool `name:"json" help:"Print a JSON array."`
}

func (c *PsCmd) Run(g *Globals) error {
	all, err := container.List(g.Root)
	if err != nil {
		return err
	}
	newestFirst(all)
	rows := []ContainerSummary{}
	for _, ctr := range all {
		st, err := ctr.State()
		if err != nil {
			return err
		}
		if c.All || st.Status == container.Running {
			r := summary(ctr, st)
			if st.Status == container.Running {
				r.Ports = portsColumn(publishedPorts(g.Root, ctr))
			}
			rows = append(rows, r)
		}
	}
	switch {
	case c.JSON:
		return printJSON(rows)
	case c.Quiet:
		for _, r := range rows {
			fmt.Println(short(r.ID))
		}
		return nil
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 8, 3, ' ', 0)
	fmt.Fprintln(w, "CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tPORTS\tNAMES")
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t%s\t%q\t%s\t%s\t%s\t%s\n", short(r.ID), r.Image, ellipsis(r.Command, 20), ago(r.Created), status(r.State), r.Ports, r.Name)
	}
	return w.Flush()
}

// newestFirst sorts containers as docker lists them: the newest first.
func newestFirst(ctrs []*container.Container) {
	slices.SortStableFunc(ctrs, func(a, b *container.Container) int { return b.Created.Compare(a.Created) })
}

func summary(ctr *container.Container, st container.State) ContainerSummary {
	return ContainerSummary{ID: ctr.ID, Name: ctr.Name, Image: ctr.Image, Command: strings.Join(ctr.Args, " "), Created: ctr.Created, State: st}
}

// status is docker's STATUS column.
func status(st container.State) string {
	switch {
	case st.Status == container.Running:
		return "Up " + humanDuration(time.Since(st.StartedAt))
	case st.Lost:
		return "Exited (unknown): its process died unrecorded"
	case st.Status == container.Exited:
		return fmt.Sprintf("Exited (%d) %s ago", st.ExitCode, humanDuration(time.Since(st.FinishedAt)))
	}
	return "Created"
}
