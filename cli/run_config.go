package cli

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"

	"github.com/minictr/minictr/cgroups"
	"github.com/minictr/minictr/container"
	"github.com/minictr/minictr/image"
	"github.com/minictr/minictr/volume"
)

// config parses run's flags, once, into the plain value a container is:
// container.Config, written to config.json and read by every later life
// of the container (start, the monitor, exec, inspect). It merges the
// image's config with the flags, as docker does: --entrypoint replaces the
// image's Entrypoint and drops its Cmd; a command on the command line
// replaces Cmd; -e and --env-file add to (and override) the image's Env;
// -w and -u replace WorkingDir and User.
func (c *RunCmd) config(g *Globals, store *image.Store, img image.Image, imageName string, command []string) (container.Config, error) {
	ic := img.Config.Config
	cfg := container.Config{
		Image: imageName, ImageID: img.ID, ChainIDs: img.ChainIDs,
		Cwd: firstOf(c.Workdir, ic.WorkingDir, "/"), User: firstOf(c.User, ic.User),
		Hostname: c.Hostname, ReadOnly: c.ReadOnly, Net: c.Net,
		Tty: c.Tty, OpenStdin: c.Interactive, AutoClean: c.Rm, Name: c.Name,
	}
	cfg.Args = commandOf(ic.Entrypoint, ic.Cmd, c.Entrypoint, command)
	if len(cfg.Args) == 0 {
		return cfg, fmt.Errorf("no command specified: the image %s has no Entrypoint or Cmd, give one after the image name", imageName)
	}
	var err error
	if cfg.Net, cfg.Publish, err = c.NetworkFlags.parse(); err != nil {
		return cfg, err
	}
	if cfg.Limits, err = c.limits(); err != nil {
		return cfg, err
	}
	if cfg.Binds, cfg.Volumes, err = mounts(c.Volume, imageName, img); err != nil {
		return cfg, err
	}
	ls, err := store.LayersOf(img)
	if err != nil {
		return cfg, removedMeanwhile(imageName, err)
	}
	for _, l := range ls {
		cfg.Layers = append(cfg.Layers, l.Dir)
	}
	container.Stage(g.Debug, 2, "layers", "%d read-only layer(s), bottom first: %s", len(cfg.Layers), strings.Join(cfg.Layers, " "))
	extra, err := envFromFlags(c.EnvFile, c.Env)
	if err != nil {
		return cfg, err
	}
	cfg.Env = container.MergeEnv(ic.Env, extra)
	return cfg, nil
}

// commandOf is the argv the container runs.
func commandOf(imgEntry, imgCmd []string, entry *string, args []string) []string {
	if entry != nil {
		imgEntry, imgCmd = nil, nil
		if *entry != "" {
			imgEntry = []string{*entry}
		}
	}
	if len(args) > 0 {
		imgCmd = args
	}
	return append(append([]string{}, imgEntry...), imgCmd...)
}

// limits turns -m, --cpus and --pids-limit into cgroup values, and refuses
// what can never work here (cgroups.Limits.Check).
func (c *RunCmd) limits() (cgroups.Limits, error) {
	var l cgroups.Limits
	var err error
	if c.Memory != "" {
		if l.MemoryBytes, err = cgroups.ParseMemory(c.Memory); err != nil {
			return l, fmt.Errorf("invalid --memory %q: %w", c.Memory, err)
		}
	}
	if c.Cpus != "" {
		if l.CPUQuota, l.CPUPeriod, err = cgroups.ParseCPUs(c.Cpus); err != nil {
			return l, fmt.Errorf("invalid --cpus %q: %w", c.Cpus, err)
		}
	}
	if c.PidsLimit < 0 {
		return l, fmt.Errorf("invalid --pids-limit %d: must be 0 (no limit) or more", c.PidsLimit)
	}
	l.PidsMax = c.PidsLimit
	return l, l.Check(runtime.NumCPU())
}

// mounts parses the -v flags, once, into what config.json keeps: the binds
// of host paths (absolute, checked to exist) and the volumes, then one
// anonymous volume for each of the image's VOLUME paths that no -v covers
// (docker's rule). Anonymous volumes get their random name here; nothing
// is created yet (container.CreateWithVolumes does).
func mounts(flags []string, imageName string, img image.Image) (binds []string, vols []container.Volume, err error) {
	cwd, err := os.Getwd()
	if err != nil {
		return nil, nil, err
	}
	taken := map[string]bool{}
	for _, v := range flags {
		sp, err := volume.ParseSpec(v, cwd)
		if err != nil {
			return nil, nil, err
		}
		if taken[sp.Target] {
			return nil, nil, fmt.Errorf("volume %q: duplicate mount point %s", v, sp.Target)
		}
		taken[sp.Target] = true
		if sp.Type == volume.TypeBind {
			if _, err := os.Stat(sp.Source); err != nil {
				return nil, nil, fmt.Errorf("invalid volume %q: %w", v, err)
			}
			binds = append(binds, sp.Bind.String())
			continue
		}
		vols = append(vols, container.Volume{Name: sp.Name, Target: sp.Target, ReadOnly: sp.ReadOnly, Anonymous: sp.Name == ""})
	}
	if vols, err = imageVolumes(vols, taken, imageName, img); err != nil {
		return nil, nil, err
	}
	return binds, vols, nameAnonymous(vols)
}

// imageVolumes adds an anonymous volume for each of the image's VOLUME
// paths that no -v covers.
func imageVolumes(vols []container.Volume, taken map[string]bool, imageName string, img image.Image) ([]container.Volume, error) {
	paths := make([]string, 0, len(img.Config.Config.Volumes))
	for p := range img.Config.Config.Volumes {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		target, err := volume.CleanTarget(p)
		if err != nil {
			return nil, fmt.Errorf("image %s: VOLUME %q: %w", imageName, p, err)
		}
		if !taken[target] {
			taken[target] = true
			vols = append(vols, container.Volume{Target: target, Anonymous: true})
		}
	}
	return vols, nil
}

// nameAnonymous gives each anonymous volume its random name.
func nameAnonymous(vols []container.Volume) error {
	for i := range vols {
		if vols[i].Anonymous {
			name, err := volume.NewName()
			if err != nil {
				return err
			}
			vols[i].Name = name
		}
	}
	return nil
}

// envFromFlags reads --env-file files, then -e flags, in order. "K" alone
// takes K's value from minictr's own environment, or is dropped if unset.
func envFromFlags(files, flags []string) ([]string, error) {
	var out []string
	for _, name := range files {
		lines, err := readEnvFile(name)
		if err != nil {
			return nil, err
		}
		out = append(out, lines...)
	}
	out = append(out, flags...)
	var env []string
	for _, kv := range out {
		if strings.HasPrefix(kv, "=") {
			return nil, fmt.Errorf("invalid environment variable %q: the name is empty", kv)
		}
		if !strings.Contains(kv, "=") {
			v, ok := os.LookupEnv(kv)
			if !ok {
				continue
			}
			kv += "=" + v
		}
		env = append(env, kv)
	}
	return env, nil
}

// readEnvFile reads one --env-file: K=V lines; blank lines and # comments skipped.
func readEnvFile(name string) ([]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read --env-file %s: %w", name, err)
	}
	return out, nil
}

func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
