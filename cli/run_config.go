package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/minictr/minictr/container"
	"github.com/minictr/minictr/image"
)

// defaultPath is the PATH a container gets when its image sets none (docker's).
const defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// containerConfig merges the image's config with the flags, as docker does:
// --entrypoint replaces the image's Entrypoint and drops its Cmd; a command
// on the command line replaces Cmd; -e and --env-file add to (and override)
// the image's Env; -w and -u replace WorkingDir and User.
func (c *RunCmd) containerConfig(store *image.Store, img image.Image) (container.Config, error) {
	ic := img.Config.Config
	cfg := container.Config{
		Image: c.Image, ImageID: img.ID, ChainIDs: img.ChainIDs,
		Cwd: firstOf(c.Workdir, ic.WorkingDir, "/"), User: firstOf(c.User, ic.User),
		Hostname: c.Hostname, ReadOnly: c.ReadOnly, Binds: bindFlags(c.Volume), Net: c.Net,
		Tty: c.Tty, OpenStdin: c.Interactive, AutoClean: c.Rm, Name: c.Name,
	}
	cfg.Args = command(ic.Entrypoint, ic.Cmd, c.Entrypoint, c.Command)
	if len(cfg.Args) == 0 {
		return cfg, fmt.Errorf("no command specified: the image %s has no Entrypoint or Cmd, give one after the image name", c.Image)
	}
	ls, err := store.LayersOf(img)
	if err != nil {
		return cfg, err
	}
	for _, l := range ls {
		cfg.Layers = append(cfg.Layers, l.Dir)
	}
	extra, err := c.envFromFlags()
	if err != nil {
		return cfg, err
	}
	cfg.Env = mergeEnv(ic.Env, extra)
	return cfg, nil
}

// command is the argv the container runs.
func command(imgEntry, imgCmd []string, entry *string, args []string) []string {
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

// envFromFlags reads --env-file files, then -e flags, in order. "K" alone
// takes K's value from minictr's own environment, or is dropped if unset.
func (c *RunCmd) envFromFlags() ([]string, error) {
	var out []string
	for _, name := range c.EnvFile {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line != "" && !strings.HasPrefix(line, "#") {
				out = append(out, line)
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("read --env-file %s: %w", name, err)
		}
	}
	out = append(out, c.Env...)
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

// mergeEnv is base overridden by extra, keeping base's order; PATH is
// added if neither sets it.
func mergeEnv(base, extra []string) []string {
	var out []string
	pos := map[string]int{}
	for _, kv := range append(append([]string{}, base...), extra...) {
		k, _, _ := strings.Cut(kv, "=")
		if i, ok := pos[k]; ok {
			out[i] = kv
			continue
		}
		pos[k] = len(out)
		out = append(out, kv)
	}
	if _, ok := pos["PATH"]; !ok {
		out = append([]string{defaultPath}, out...)
	}
	return out
}

func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
