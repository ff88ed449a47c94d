package main

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/minictr/minictr/cgroups"
	"github.com/minictr/minictr/container"
	"github.com/minictr/minictr/mount"
	"github.com/minictr/minictr/volume"
)

// PsCmd is `minictr ps`.
type PsCmd struct {
	All   bool `short:"a" help:"Show all containers (default: only running ones)."`
	Quiet bool `short:"q" help:"Print only container IDs."`
	JSON  bool `name:"json" help:"Print a JSON array."`
}

// psRow is one container as `ps` shows it.
type psRow struct {
	ID      string          `json:"id"`
	Name    string          `json:"name,omitempty"`
	Image   string          `json:"image"`
	Command string          `json:"command"`
	Created time.Time       `json:"created"`
	State   container.State `json:"state"`
}

func (c *PsCmd) Run(g *Globals) error {
	all, err := container.List(g.Root)
	if err != nil {
		return err
	}
	rows := []psRow{}
	for _, ctr := range all {
		st, err := ctr.State()
		if err != nil {
			return err
		}
		if c.All || st.Status == container.Running {
			rows = append(rows, psRow{ctr.ID, ctr.Name, ctr.Image, strings.Join(ctr.Args, " "), ctr.Created, st})
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
	fmt.Fprintln(w, "CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tNAMES")
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t%s\t%q\t%s\t%s\t%s\n", short(r.ID), r.Image, ellipsis(r.Command, 20), ago(r.Created), status(r.State), r.Name)
	}
	return w.Flush()
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

func ellipsis(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// RmCmd is `minictr rm`.
type RmCmd struct {
	Force      bool     `short:"f" help:"Kill a running container first."`
	Volumes    bool     `short:"v" help:"Remove the container's anonymous volumes too (named volumes stay)."`
	Containers []string `arg:"" name:"container" help:"Container names or IDs (a unique prefix will do)."`
}

func (c *RmCmd) Run(g *Globals) error {
	return eachContainer(c.Containers, func(arg string) error {
		ctr, err := container.Find(g.Root, arg)
		if err != nil {
			return err
		}
		if err := removeByName(g.Root, ctr.ID, c.Force); err != nil {
			return err
		}
		if c.Volumes {
			return removeAnonymousVolumes(g.Root, ctr.Volumes)
		}
		return nil
	})
}

// eachContainer runs fn on every argument as docker does: the argument is
// printed when fn succeeds, the error when it fails, and the others are
// still tried; any failure makes the exit status 1.
func eachContainer(args []string, fn func(arg string) error) error {
	var failed error
	for _, arg := range args {
		if err := fn(arg); err != nil {
			fmt.Fprintln(os.Stderr, "minictr: "+err.Error())
			failed = exitCode(1)
			continue
		}
		fmt.Println(arg)
	}
	return failed
}

// removeByName removes one container: its process (with force), its cgroup
// and its directory with the writable layer. Nothing of it is mounted on the
// host: its overlay lived in its own mount namespace.
func removeByName(root, arg string, force bool) error {
	ctr, err := container.Find(root, arg)
	if err != nil {
		return err
	}
	st, err := ctr.State()
	if err != nil {
		return err
	}
	if st.Status == container.Running {
		if !force {
			return fmt.Errorf("container %s is running: stop it first, or use rm -f", arg)
		}
		if err := killAndWait(st); err != nil {
			return err
		}
	}
	if len(st.Cgroup) > 0 { // left behind if the minictr that ran it was killed
		version := 1
		if _, ok := st.Cgroup[""]; ok {
			version = 2
		}
		if cg, err := cgroups.Load(st.Cgroup, version); err == nil {
			if err := cg.Delete(); err != nil {
				return err
			}
		}
	}
	return ctr.Remove()
}

// inspectContainer is `inspect`'s JSON for a container: docker's field names
// where docker has the same fact, and where its files are on disk.
type inspectContainer struct {
	ID          string            `json:"Id"`
	Name        string            `json:"Name"`
	Created     time.Time         `json:"Created"`
	Path        string            `json:"Path"`
	Args        []string          `json:"Args"`
	State       container.State   `json:"State"`
	Image       string            `json:"Image"`
	ImageName   string            `json:"ImageName"`
	Config      container.Config  `json:"Config"`
	GraphDriver graphDriver       `json:"GraphDriver"`
	Cgroup      map[string]string `json:"Cgroup,omitempty"`
	Mounts      []inspectMount    `json:"Mounts"`
	LogPath     string            `json:"LogPath"`
	Dir         string            `json:"Dir"`
}

// inspectMount is one -v of the container, as docker's inspect shows it.
type inspectMount struct {
	Type        string `json:"Type"`           // bind: a host directory; volume: one in the store
	Name        string `json:"Name,omitempty"` // the volume's name
	Source      string `json:"Source"`         // for a volume, its _data directory`
	Destination string `json:"Destination"`
	RW          bool   `json:"RW"`
}

// graphDriver says where the container's root filesystem comes from: the
// image layers (LowerDir, top first, as overlayfs takes them) and its own
// writable layer.
type graphDriver struct {
	Name string            `json:"Name"`
	Data map[string]string `json:"Data"`
}

func newInspectContainer(root string, ctr *container.Container) (inspectContainer, error) {
	st, err := ctr.State()
	if err != nil {
		return inspectContainer{}, err
	}
	lower := make([]string, len(ctr.Layers))
	for i, l := range ctr.Layers {
		lower[len(lower)-1-i] = l
	}
	v := inspectContainer{ID: ctr.ID, Name: ctr.Name, Created: ctr.Created, State: st,
		Image: ctr.ImageID, ImageName: ctr.Image, Config: ctr.Config, Cgroup: st.Cgroup, Dir: ctr.Dir,
		LogPath: ctr.LogPath(), Mounts: []inspectMount{},
		GraphDriver: graphDriver{Name: "overlay", Data: map[string]string{
			"LowerDir": strings.Join(lower, ":"), "UpperDir": ctr.Upper(),
			"WorkDir": ctr.Work(), "MergedDir": ctr.Rootfs() + " (inside the container's mount namespace only)",
		}}}
	if len(ctr.Args) > 0 {
		v.Path, v.Args = ctr.Args[0], ctr.Args[1:]
	}
	for _, s := range ctr.Binds {
		b, err := mount.ParseBind(s)
		if err != nil {
			return v, err
		}
		v.Mounts = append(v.Mounts, inspectMount{Type: "bind", Source: b.Source, Destination: b.Target, RW: !b.ReadOnly})
	}
	for _, vol := range ctr.Volumes {
		v.Mounts = append(v.Mounts, inspectMount{Type: "volume", Name: vol.Name, Source: volume.NewStore(root).Data(vol.Name), Destination: vol.Target, RW: !vol.ReadOnly})
	}
	return v, nil
}
