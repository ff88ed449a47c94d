package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/minictr/minictr/container"
	"github.com/minictr/minictr/image"
	"github.com/minictr/minictr/mount"
	"github.com/minictr/minictr/volume"
)

// InspectCmd is `minictr inspect`: images (ImageInspect) and containers
// (ContainerInspect) as JSON.
type InspectCmd struct {
	Names []string `arg:"" name:"name" help:"Image or container names or IDs."`
}

func (c *InspectCmd) Run(g *Globals) error {
	store, err := g.openStore()
	if err != nil {
		return err
	}
	var out []any
	for _, n := range c.Names {
		img, err := store.Get(n)
		if errors.Is(err, image.ErrNotFound) { // not an image: a container?
			ctr, cerr := container.Find(g.Root, n)
			if cerr != nil {
				return fmt.Errorf("no such image or container: %s", n)
			}
			v, err := inspectContainer(g.Root, ctr)
			if err != nil {
				return err
			}
			out = append(out, v)
			continue
		}
		if err != nil {
			return err
		}
		v, err := inspectImage(store, img)
		if err != nil {
			return err
		}
		out = append(out, v)
	}
	return printJSON(out)
}

func inspectImage(store *image.Store, img image.Image) (ImageInspect, error) {
	ls, err := store.LayersOf(img)
	if err != nil {
		return ImageInspect{}, err
	}
	v := ImageInspect{
		ID: img.ID, RepoTags: familiarAll(img.RepoTags), RepoDigests: familiarAll(img.Digests),
		Created: img.Config.Created, Architecture: img.Config.Architecture, Os: img.Config.OS,
		Variant: img.Config.Variant, Config: img.Config.Config, Layers: ls, Size: store.Size(img),
		RootFS:  RootFS{img.Config.RootFS.Type, img.Config.RootFS.DiffIDs, img.ChainIDs},
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

func inspectContainer(root string, ctr *container.Container) (ContainerInspect, error) {
	st, err := ctr.State()
	if err != nil {
		return ContainerInspect{}, err
	}
	lower := make([]string, len(ctr.Layers))
	for i, l := range ctr.Layers {
		lower[len(lower)-1-i] = l
	}
	v := ContainerInspect{ID: ctr.ID, Name: ctr.Name, Created: ctr.Created, State: st,
		Image: ctr.ImageID, ImageName: ctr.Image, Config: ctr.Config, Cgroup: st.Cgroup, Dir: ctr.Dir,
		LogPath: ctr.LogPath(), Mounts: []MountPoint{},
		GraphDriver: GraphDriver{Name: "overlay", Data: map[string]string{
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
		v.Mounts = append(v.Mounts, MountPoint{Type: "bind", Source: b.Source, Destination: b.Target, RW: !b.ReadOnly})
	}
	for _, vol := range ctr.Volumes {
		v.Mounts = append(v.Mounts, MountPoint{Type: "volume", Name: vol.Name, Source: volume.NewStore(root).Data(vol.Name), Destination: vol.Target, RW: !vol.ReadOnly})
	}
	v.NetworkSettings = inspectNetwork(root, ctr)
	v.Security, err = inspectSecurity(ctr)
	return v, err
}

// inspectNetwork is the container's endpoint on the bridge, while it has
// one (a running container on --net bridge).
func inspectNetwork(root string, ctr *container.Container) *NetworkSettings {
	m, err := container.OpenNetwork()
	if err != nil {
		return nil
	}
	ep, ok, err := m.Endpoint(ctr.ID)
	if err != nil || !ok {
		return nil
	}
	ns := &NetworkSettings{Bridge: ep.Bridge, IPAddress: ep.IP.String(), PrefixLen: ep.PrefixLen,
		Gateway: ep.Gateway.String(), MacAddress: ep.MAC, HostVeth: ep.HostVeth, Ports: map[string][]PortBinding{}}
	for _, p := range ep.Ports {
		ip := "0.0.0.0"
		if p.HostIP.IsValid() {
			ip = p.HostIP.String()
		}
		key := fmt.Sprintf("%d/%s", p.ContainerPort, p.Protocol)
		ns.Ports[key] = append(ns.Ports[key], PortBinding{ip, fmt.Sprint(p.HostPort)})
	}
	return ns
}
