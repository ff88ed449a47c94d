package container

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/minictr/minictr/layers"
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

// CreateWithVolumes creates the container and the volumes it uses that do
// not exist yet, the volumes under the store lock with the container's
// rename into place: a `volume rm` (which checks "in use?" under the same
// lock) cannot slip in between. Without volumes no volume step runs.
func CreateWithVolumes(root string, cfg Config) (*Container, error) {
	if len(cfg.Volumes) == 0 {
		return Create(root, cfg)
	}
	return CreateWith(root, cfg, func() error { return createVolumes(root, cfg.Volumes) })
}

// createVolumes creates the volumes vols that do not exist yet. It runs
// under the store lock (CreateWith); if one fails, the ones it created go
// again.
func createVolumes(root string, vols []Volume) error {
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

// binds are the container's -v binds of host paths, as config.json keeps
// them (absolute paths, checked by `run`).
func (c *Container) binds() ([]mount.Bind, error) {
	var out []mount.Bind
	for _, s := range c.Binds {
		b, err := mount.ParseBind(s)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// volumeBinds turns a container's volumes into bind mounts of their _data
// directories, for its init.
func volumeBinds(root string, vols []Volume) ([]mount.Bind, error) {
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

// WithVolumeLock runs fn under the store lock with the containers using
// each volume, by volume name. "Is it in use? then remove it" must be one
// step against a `run` that is creating a container with that volume: run
// creates its volumes and its container under the same lock (CreateWith).
func WithVolumeLock(root string, fn func(users map[string][]*Container) error) error {
	lock, err := layers.LockStore(root)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	if err := volume.NewStore(root).Sweep(); err != nil {
		return err
	}
	users, err := VolumeUsers(root)
	if err != nil {
		return err
	}
	return fn(users)
}

// VolumeUsers maps each volume name to the containers (running or not)
// whose config.json names it.
func VolumeUsers(root string) (map[string][]*Container, error) {
	ctrs, err := List(root)
	if err != nil {
		return nil, err
	}
	users := map[string][]*Container{}
	for _, c := range ctrs {
		for _, v := range c.Volumes {
			users[v.Name] = append(users[v.Name], c)
		}
	}
	return users, nil
}

// RemoveAnonymousVolumes removes the anonymous volumes of a container that
// is gone (rm -v, run --rm), under the store lock. One still used by
// another container (its name given to -v) stays, as in docker.
func RemoveAnonymousVolumes(root string, vols []Volume) error {
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
	err := WithVolumeLock(root, func(users map[string][]*Container) error {
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
