package container

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/minictr/minictr/cgroups"
	"github.com/minictr/minictr/layers"
	"github.com/minictr/minictr/network"
	"github.com/minictr/minictr/security"
)

// Config is what a container was asked to be. It is written once, when the
// container is created, as config.json in its directory.
type Config struct {
	ID        string         `json:"id"`
	Name      string         `json:"name"`
	Image     string         `json:"image"`             // the name the user gave
	ImageID   string         `json:"imageID"`           // sha256 of the image config
	Layers    []string       `json:"layers"`            // layer directories, bottom first
	ChainIDs  []string       `json:"chainIDs"`          // the layers the container stands on
	Args      []string       `json:"args"`              // entrypoint + command, resolved
	Env       []string       `json:"env"`               // final environment
	Cwd       string         `json:"cwd"`               // working directory inside
	User      string         `json:"user"`              // -u or the image's User
	Hostname  string         `json:"hostname"`          // defaults to the short ID
	Created   time.Time      `json:"created"`           // when `run` made it
	ReadOnly  bool           `json:"readOnly"`          // --read-only
	Binds     []string       `json:"binds"`             // -v HOST:CTR[:ro]
	Volumes   []Volume       `json:"volumes,omitempty"` // -v NAME:CTR, -v CTR, the image's VOLUMEs
	Net       string         `json:"net"`               // bridge, none, host or container:ID
	Publish   []network.Port `json:"publish,omitempty"` // -p
	Tty       bool           `json:"tty"`               // -t
	OpenStdin bool           `json:"openStdin"`         // -i: stdin stays open (a pipe nobody closes, when detached)
	Limits    cgroups.Limits `json:"limits"`            // -m, --cpus, --pids-limit as numbers
	AutoClean bool           `json:"autoRemove"`        // --rm

	// SecurityOptions are --cap-add, --cap-drop, --privileged, --device and
	// --security-opt as given; Security is what they resolved to in `run`
	// (the compiled seccomp filter included), used by every start and exec.
	SecurityOptions security.Options `json:"securityOptions"`
	Security        security.Config  `json:"security"`
}

// Volume is one volume a container mounts (docs/08-volumes.md). Its data
// is <root>/volumes/<Name>/_data; rm -v removes the Anonymous ones.
type Volume struct {
	Name      string `json:"name"`
	Target    string `json:"target"` // absolute path inside the container
	ReadOnly  bool   `json:"readOnly,omitempty"`
	Anonymous bool   `json:"anonymous,omitempty"` // -v CTR or an image VOLUME: made for this container
}

// Container is a container's directory on disk and its config.
type Container struct {
	Dir string
	Config
}

// Upper is the writable layer: every file the container creates or changes
// lands here, and nowhere else (docs/03-overlay.md).
func (c *Container) Upper() string { return filepath.Join(c.Dir, "upper") }

// Work is overlayfs's scratch directory; it must be on the same filesystem as Upper.
func (c *Container) Work() string { return filepath.Join(c.Dir, "work") }

// Rootfs is where the overlay is mounted, inside the container's own mount
// namespace only: the host never sees it mounted.
func (c *Container) Rootfs() string { return filepath.Join(c.Dir, "rootfs") }

// ShortID is the 12 hex digits docker shows.
func (c *Container) ShortID() string { return c.ID[:12] }

// nameRE is compiled on first use: every container start would pay for it.
var nameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`) })

// Create makes a new container directory under root with its config. The
// directory is built under a temporary name and renamed into place, so a
// crash never leaves a container without its config.
func Create(root string, cfg Config) (*Container, error) { return CreateWith(root, cfg, nil) }

// CreateWith is Create with a step that runs under the store lock just
// before the container is renamed into place: `run` creates the
// container's volumes there, so that a `volume rm` (which checks "in use?"
// under the same lock) sees either no volume or a container using it.
func CreateWith(root string, cfg Config, underLock func() error) (*Container, error) {
	if cfg.Name != "" && !nameRE().MatchString(cfg.Name) {
		return nil, fmt.Errorf("invalid container name %q: use letters, digits, _ . -", cfg.Name)
	}
	id, err := newID()
	if err != nil {
		return nil, err
	}
	cfg.ID = id
	if cfg.Hostname == "" {
		cfg.Hostname = id[:12]
	}
	if cfg.Created.IsZero() {
		cfg.Created = time.Now().UTC()
	}
	base := filepath.Join(root, "containers")
	if err := os.MkdirAll(base, 0o700); err != nil {
		return nil, fmt.Errorf("create container: %w", err)
	}
	tmp := filepath.Join(base, ".tmp-"+id)
	c := &Container{Dir: filepath.Join(base, id), Config: cfg}
	if err := c.populate(tmp); err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	if err := c.commit(root, tmp, underLock); err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	return c, nil
}

// commit renames the built directory into place, under the store lock,
// after the checks that must not race with other commands: the name is
// free (two `run --name web` at once cannot both get it), every layer the
// container stands on is still there, and underLock (the container's
// volumes: made, and seen in use by `volume rm`) succeeds. The image was
// looked up before, without the lock; an `image prune` or `rmi` since then
// may have removed its layers. Prune decides which layers are in use under
// the same lock (image.Store.Prune), so either it ran first and we see the
// layers gone, or we are first and it sees this container.
func (c *Container) commit(root, tmp string, underLock func() error) error {
	lock, err := layers.LockStore(root)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	if c.Name != "" {
		if err := nameFree(root, c.Name); err != nil {
			return err
		}
	}
	for _, l := range c.Layers {
		if _, err := os.Stat(l); err != nil {
			return fmt.Errorf("a layer of image %s is gone (removed by an rmi or image prune meanwhile?): %w; run again", c.Image, err)
		}
	}
	if underLock != nil {
		if err := underLock(); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, c.Dir); err != nil {
		return fmt.Errorf("create container %s: %w", c.ShortID(), err)
	}
	return nil
}

func (c *Container) populate(dir string) error {
	for _, d := range []string{"", "upper", "work", "rootfs"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o700); err != nil {
			return fmt.Errorf("create container: %w", err)
		}
	}
	// upper/ is the container's / : it must be as open as an image root is.
	if err := os.Chmod(filepath.Join(dir, "upper"), 0o755); err != nil {
		return fmt.Errorf("create container: %w", err)
	}
	b, err := json.MarshalIndent(c.Config, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "config.json"), append(b, '\n'), 0o600)
}

// Load reads the container with full ID id.
func Load(root, id string) (*Container, error) {
	dir := filepath.Join(root, "containers", id)
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no such container: %s", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read container %s: %w", id, err)
	}
	c := &Container{Dir: dir}
	if err := json.Unmarshal(b, &c.Config); err != nil {
		return nil, fmt.Errorf("read container %s: %w", id, err)
	}
	return c, nil
}

// Remove deletes the container's directory: its writable layer goes with it.
// The directory is renamed first, so a crash half way leaves no container
// that looks whole.
func (c *Container) Remove() error {
	gone := filepath.Join(filepath.Dir(c.Dir), ".rm-"+c.ID)
	if err := os.Rename(c.Dir, gone); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove container %s: %w", c.ShortID(), err)
	}
	if err := os.RemoveAll(gone); err != nil {
		return fmt.Errorf("remove container %s: %w", c.ShortID(), err)
	}
	return nil
}

func newID() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("container id: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// List reads every container under root, skipping half-created or
// half-removed directories (their names start with a dot).
func List(root string) ([]*Container, error) {
	ents, err := os.ReadDir(filepath.Join(root, "containers"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	var out []*Container
	for _, e := range ents {
		if !e.IsDir() || e.Name()[0] == '.' {
			continue
		}
		c, err := Load(root, e.Name())
		if _, serr := os.Stat(filepath.Join(root, "containers", e.Name())); errors.Is(serr, fs.ErrNotExist) {
			continue // removed by a concurrent rm since ReadDir
		}
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// nameFree checks that no container is called name yet, as docker does.
// (Two runs racing for one name could both pass: the container lifecycle
// work adds a lock for that.)
func nameFree(root, name string) error {
	all, err := List(root)
	if err != nil {
		return err
	}
	for _, c := range all {
		if c.Name == name {
			return fmt.Errorf("the container name %q is already in use by container %s: remove it or choose another name", name, c.ShortID())
		}
	}
	return nil
}

// Find resolves a container argument as docker does: a name, a full ID, or
// a unique prefix of an ID. An ambiguous prefix is an error that lists the
// matches.
func Find(root, arg string) (*Container, error) {
	all, err := List(root)
	if err != nil {
		return nil, err
	}
	var matches []*Container
	for _, c := range all {
		if c.Name == arg || c.ID == arg {
			return c, nil
		}
		if strings.HasPrefix(c.ID, arg) {
			matches = append(matches, c)
		}
	}
	switch len(matches) {
	case 0:
		return nil, fmt.Errorf("no such container: %s", arg)
	case 1:
		return matches[0], nil
	}
	ids := make([]string, len(matches))
	for i, c := range matches {
		ids[i] = c.ShortID()
	}
	return nil, fmt.Errorf("container ID prefix %s is ambiguous: it matches %s", arg, strings.Join(ids, ", "))
}
