package cli

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/minictr/minictr/container"
	"github.com/minictr/minictr/volume"
)

// VolumeCmd groups `minictr volume ...` (docs/08-volumes.md).
type VolumeCmd struct {
	Create  VolumeCreateCmd  `cmd:"" help:"Create a volume (a random name if none is given)."`
	Ls      VolumeLsCmd      `cmd:"" aliases:"list" help:"List volumes."`
	Inspect VolumeInspectCmd `cmd:"" help:"Show volumes: where their data is, which containers use them."`
	Rm      VolumeRmCmd      `cmd:"" aliases:"remove" help:"Remove volumes no container uses, with their data."`
	Prune   VolumePruneCmd   `cmd:"" help:"Remove anonymous volumes no container uses (-a: all unused volumes)."`
}

// VolumeCreateCmd is `minictr volume create [NAME]`.
type VolumeCreateCmd struct {
	Name string `arg:"" optional:"" help:"Volume name: [a-zA-Z0-9][a-zA-Z0-9_.-]+ (default: 64 random hex digits)."`
}

func (c *VolumeCreateCmd) Run(g *Globals) error {
	name := c.Name
	if name == "" {
		var err error
		if name, err = volume.NewName(); err != nil {
			return err
		}
	} else if err := volume.ValidName(name); err != nil {
		return err
	}
	if _, err := g.openStore(); err != nil {
		return err
	}
	err := container.WithVolumeLock(g.Root, func(map[string][]*container.Container) error {
		_, _, err := volume.NewStore(g.Root).Create(name, false)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Println(name) // as docker: also when it existed already
	return nil
}

// VolumeLsCmd is `minictr volume ls`.
type VolumeLsCmd struct {
	Quiet bool `short:"q" help:"Print only volume names."`
	JSON  bool `name:"json" help:"Print a JSON array (as volume inspect)."`
}

func (c *VolumeLsCmd) Run(g *Globals) error {
	vols, err := inspectVolumes(g.Root, nil)
	if err != nil {
		return err
	}
	switch {
	case c.JSON:
		return printJSON(vols)
	case c.Quiet:
		for _, v := range vols {
			fmt.Println(v.Name)
		}
		return nil
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 8, 5, ' ', 0)
	fmt.Fprintln(w, "DRIVER\tVOLUME NAME")
	for _, v := range vols {
		fmt.Fprintf(w, "%s\t%s\n", v.Driver, v.Name)
	}
	return w.Flush()
}

// inspectVolumes describes the volumes names (nil: all of them).
func inspectVolumes(root string, names []string) ([]VolumeInspect, error) {
	store := volume.NewStore(root)
	var vols []volume.Volume
	if names == nil {
		all, err := store.List()
		if err != nil {
			return nil, err
		}
		vols = all
	}
	for _, n := range names {
		v, err := store.Get(n)
		if err != nil {
			return nil, err
		}
		vols = append(vols, v)
	}
	users, err := container.VolumeUsers(root)
	if err != nil {
		return nil, err
	}
	out := []VolumeInspect{}
	for _, v := range vols {
		info := VolumeInspect{Name: v.Name, Driver: "local", Mountpoint: v.Data(), CreatedAt: v.CreatedAt,
			Scope: "local", Anonymous: v.Anonymous, Containers: []string{}}
		for _, c := range users[v.Name] {
			info.Containers = append(info.Containers, c.ID)
		}
		out = append(out, info)
	}
	return out, nil
}

// VolumeInspectCmd is `minictr volume inspect`.
type VolumeInspectCmd struct {
	Names []string `arg:"" name:"volume" help:"Volume names."`
}

func (c *VolumeInspectCmd) Run(g *Globals) error {
	vols, err := inspectVolumes(g.Root, c.Names)
	if err != nil {
		return err
	}
	return printJSON(vols)
}

// VolumeRmCmd is `minictr volume rm`.
type VolumeRmCmd struct {
	Names []string `arg:"" name:"volume" help:"Volume names."`
}

// Run removes each volume that no container uses, as docker does: a
// volume a container still names in its config (running or stopped) is
// refused, since the container would find it missing at its next start.
func (c *VolumeRmCmd) Run(g *Globals) error {
	if _, err := g.openStore(); err != nil {
		return err
	}
	return eachContainer(c.Names, func(name string) error {
		return container.WithVolumeLock(g.Root, func(users map[string][]*container.Container) error {
			if u := users[name]; len(u) > 0 {
				return fmt.Errorf("volume %s is in use by container %s: remove the container first (rm, or rm -v for its anonymous volumes)", name, describe(u))
			}
			return volume.NewStore(g.Root).Remove(name)
		})
	})
}

// describe names containers as "3f2a1b2c3d4e (web), 9c8b...".
func describe(ctrs []*container.Container) string {
	var s []string
	for _, c := range ctrs {
		if c.Name != "" {
			s = append(s, c.ShortID()+" ("+c.Name+")")
		} else {
			s = append(s, c.ShortID())
		}
	}
	return strings.Join(s, ", ")
}

// VolumePruneCmd is `minictr volume prune`.
type VolumePruneCmd struct {
	All   bool `short:"a" help:"Remove all unused volumes, named ones too (default: only anonymous ones)."`
	Force bool `short:"f" help:"Do not ask for confirmation."`
}

func (c *VolumePruneCmd) Run(g *Globals) error {
	what := "anonymous local volumes"
	if c.All {
		what = "all local volumes"
	}
	if !c.Force && !confirm("WARNING! This will remove "+what+" not used by at least one container.") {
		return nil
	}
	if _, err := g.openStore(); err != nil {
		return err
	}
	names, freed, err := pruneVolumes(g.Root, c.All)
	printPruned("Deleted Volumes:", names)
	fmt.Println("Total reclaimed space: " + HumanSize(freed))
	return err
}

// confirm asks as docker does, on stderr, and reads y or N from stdin.
func confirm(warning string) bool {
	fmt.Fprint(os.Stderr, warning+"\nAre you sure you want to continue? [y/N] ")
	line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
	return strings.EqualFold(strings.TrimSpace(line), "y")
}

// pruneVolumes removes the volumes no container uses: anonymous ones, or
// with all every one. freed is the size of their data.
func pruneVolumes(root string, all bool) (names []string, freed int64, err error) {
	store := volume.NewStore(root)
	err = container.WithVolumeLock(root, func(users map[string][]*container.Container) error {
		vols, err := store.List()
		if err != nil {
			return err
		}
		for _, v := range vols {
			if len(users[v.Name]) > 0 || (!v.Anonymous && !all) {
				continue
			}
			size := dirSize(v.Data())
			if err := store.Remove(v.Name); err != nil {
				return err
			}
			names, freed = append(names, v.Name), freed+size
		}
		return nil
	})
	return names, freed, err
}
