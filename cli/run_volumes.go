package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/minictr/minictr/container"
	"github.com/minictr/minictr/image"
	"github.com/minictr/minictr/mount"
	"github.com/minictr/minictr/volume"
)

// A container's mounts come from three places (docs/08-volumes.md):
//
//	-v /srv/data:/data   a bind of a host path (config.json "binds")
//	-v data:/data        the named volume data, created if missing
//	-v /data             a new anonymous volume
//	image VOLUME /data   a new anonymous volume, unless a -v covers /data
//
// Volumes are recorded in config.json ("volumes") by name, so start, the
// monitor, rm -v, volume rm and inspect all know them.

// binds parses and checks the -v binds (host paths), before anything is
// created. The other -v forms are volumes (see volumes).
func (c *RunCmd) binds() ([]mount.Bind, error) {
	var binds []mount.Bind
	for _, v := range c.Volume {
		sp, err := volume.ParseSpec(v)
		if err != nil {
			return nil, err
		}
		if sp.Type != volume.TypeBind {
			continue
		}
		if _, err := os.Stat(sp.Source); err != nil {
			return nil, fmt.Errorf("invalid volume %q: %w", v, err)
		}
		binds = append(binds, sp.Bind)
	}
	return binds, nil
}

// bindFlags are the -v flags that are binds, as config.json keeps them.
func bindFlags(vs []string) []string {
	var out []string
	for _, v := range vs {
		if sp, err := volume.ParseSpec(v); err == nil && sp.Type == volume.TypeBind {
			out = append(out, v)
		}
	}
	return out
}

// volumes lists the container's volumes: the -v flags that name one or
// ask for an anonymous one, then one anonymous volume for each of the
// image's VOLUME paths that no -v covers (docker's rule). Anonymous
// volumes get their random name here; nothing is created yet.
func (c *RunCmd) volumes(img image.Image) ([]container.Volume, error) {
	var out []container.Volume
	taken := map[string]bool{}
	for _, v := range c.Volume {
		sp, err := volume.ParseSpec(v)
		if err != nil {
			return nil, err
		}
		if taken[sp.Target] {
			return nil, fmt.Errorf("volume %q: duplicate mount point %s", v, sp.Target)
		}
		taken[sp.Target] = true
		if sp.Type == volume.TypeVolume {
			out = append(out, container.Volume{Name: sp.Name, Target: sp.Target, ReadOnly: sp.ReadOnly, Anonymous: sp.Name == ""})
		}
	}
	paths := make([]string, 0, len(img.Config.Config.Volumes))
	for p := range img.Config.Config.Volumes {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		target, err := volume.CleanTarget(p)
		if err != nil {
			return nil, fmt.Errorf("image %s: VOLUME %q: %w", c.Image, p, err)
		}
		if !taken[target] {
			taken[target] = true
			out = append(out, container.Volume{Target: target, Anonymous: true})
		}
	}
	for i := range out {
		if out[i].Anonymous {
			name, err := volume.NewName()
			if err != nil {
				return nil, err
			}
			out[i].Name = name
		}
	}
	return out, nil
}

// createWithVolumes creates the container and the volumes it uses that do
// not exist yet, the volumes under the store lock with the container's
// rename into place: a `volume rm` (which checks "in use?" under the same
// lock) cannot slip in between. Without volumes (and --name) no lock is
// taken.
func createWithVolumes(root string, cfg container.Config) (*container.Container, error) {
	if len(cfg.Volumes) == 0 {
		return container.Create(root, cfg)
	}
	return container.CreateWith(root, cfg, func() error { return createVolumes(root, cfg.Volumes) })
}

// createVolumes creates the volumes vols that do not exist yet. It runs
// under the store lock (container.CreateWith); if one fails, the ones it
// created go again.
func createVolumes(root string, vols []container.Volume) error {
	store := volume.NewStore(root)
	if err := store.Sweep(); err != nil {
		return err
	}
	var made []string
	for _, v := range vols {
		_, created, err := store.Create(v.Name, v.Anonymous)
		if err != nil {
			for _, name := range made {
				store.Remove(name)
			}
			return err
		}
		if created {
			made = append(made, v.Name)
		}
	}
	return nil
}

// volumeBinds turns a container's volumes into bind mounts of their _data
// directories, for its init.
func volumeBinds(root string, vols []container.Volume) ([]mount.Bind, error) {
	store := volume.NewStore(root)
	var out []mount.Bind
	for _, v := range vols {
		vol, err := store.Get(v.Name)
		if err != nil {
			return nil, fmt.Errorf("volume %s of the container: %w", v.Name, err)
		}
		out = append(out, mount.Bind{Source: vol.Data(), Target: v.Target, ReadOnly: v.ReadOnly})
	}
	return out, nil
}

// sortMounts orders mounts parents first, as docker does: -v a:/a/b given
// before -v b:/a would otherwise be hidden under /a, and a volume on /etc
// would hide the container's /etc/hostname, hosts and resolv.conf. Same
// depth keeps the order given (the /etc files first, so that a -v on
// /etc/hosts wins).
func sortMounts(ms []mount.Bind) []mount.Bind {
	out := slices.Clone(ms)
	slices.SortStableFunc(out, func(a, b mount.Bind) int {
		return strings.Count(a.Target, "/") - strings.Count(b.Target, "/")
	})
	return out
}

// removeAnonymousVolumes removes the anonymous volumes of a container that
// is gone (rm -v, run --rm), under the store lock. One still used by
// another container (its name given to -v) stays, as in docker.
func removeAnonymousVolumes(root string, vols []container.Volume) error {
	var names []string
	for _, v := range vols {
		if v.Anonymous {
			names = append(names, v.Name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	var errs []error
	err := withVolumeLock(root, func(users map[string][]*container.Container) error {
		for _, name := range names {
			if len(users[name]) > 0 {
				continue
			}
			if err := volume.NewStore(root).Remove(name); err != nil && !errors.Is(err, volume.ErrNotFound) {
				errs = append(errs, err)
			}
		}
		return nil
	})
	return errors.Join(err, errors.Join(errs...))
}
