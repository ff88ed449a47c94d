package volume

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Volume is one volume in the store, as volume.json records it.
type Volume struct {
	Name      string    `json:"name"`
	Anonymous bool      `json:"anonymous"` // made for one container (-v /data, an image VOLUME)
	CreatedAt time.Time `json:"createdAt"`
	Dir       string    `json:"-"` // <root>/volumes/<name>
}

// Data is the directory that is mounted into containers: docker's
// Mountpoint, <root>/volumes/<name>/_data. It sits one level below the
// volume's own directory so that metadata (volume.json) never shows up
// inside the container.
func (v Volume) Data() string { return filepath.Join(v.Dir, "_data") }

// Store is the volumes of one minictr store, under <root>/volumes. It
// takes no lock itself: every write is a rename, and the caller (main)
// holds the store lock where a check and a change must be one step ("is
// it in use? then remove it").
type Store struct{ dir string }

// NewStore opens the volumes under root (nothing is created until the
// first volume is).
func NewStore(root string) *Store { return &Store{dir: filepath.Join(root, "volumes")} }

// Data is the data directory of volume name, whether it exists or not.
func (s *Store) Data(name string) string { return filepath.Join(s.dir, name, "_data") }

// ErrNotFound is returned for a volume that does not exist.
var ErrNotFound = errors.New("no such volume")

// Get reads volume name.
func (s *Store) Get(name string) (Volume, error) {
	if err := ValidName(name); err != nil {
		return Volume{}, err
	}
	dir := filepath.Join(s.dir, name)
	b, err := os.ReadFile(filepath.Join(dir, "volume.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return Volume{}, fmt.Errorf("%w: %s", ErrNotFound, name)
	}
	if err != nil {
		return Volume{}, fmt.Errorf("read volume %s: %w", name, err)
	}
	v := Volume{Dir: dir}
	if err := json.Unmarshal(b, &v); err != nil {
		return Volume{}, fmt.Errorf("read volume %s: %w", name, err)
	}
	return v, nil
}

// Create makes volume name, or returns the one that exists (created is
// then false): `run -v data:/data` creates "data" on first use, as docker
// does. The volume is built as .tmp-<name>-* (an empty _data, mode 0755,
// and volume.json) and renamed into place; rename(2) of a directory onto a
// non-empty one fails, so of two concurrent creates one wins and the
// other finds the winner's volume.
func (s *Store) Create(name string, anonymous bool) (v Volume, created bool, err error) {
	if v, err := s.Get(name); err == nil || !errors.Is(err, ErrNotFound) {
		return v, false, err
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return v, false, fmt.Errorf("create volume %s: %w", name, err)
	}
	tmp, err := os.MkdirTemp(s.dir, ".tmp-"+name+"-")
	if err != nil {
		return v, false, fmt.Errorf("create volume %s: %w", name, err)
	}
	defer os.RemoveAll(tmp) // gone after a successful rename
	v = Volume{Name: name, Anonymous: anonymous, CreatedAt: time.Now().UTC(), Dir: filepath.Join(s.dir, name)}
	if err := writeVolume(tmp, v); err != nil {
		return v, false, fmt.Errorf("create volume %s: %w", name, err)
	}
	if err := os.Rename(tmp, v.Dir); err != nil {
		if got, gerr := s.Get(name); gerr == nil {
			return got, false, nil // another minictr created it meanwhile
		}
		return v, false, fmt.Errorf("create volume %s: %w", name, err)
	}
	return v, true, nil
}

// writeVolume fills a new volume directory: _data, world-readable as an
// image directory is (populate gives it the image's owner and mode), and
// volume.json.
func writeVolume(dir string, v Volume) error {
	if err := os.Chmod(dir, 0o755); err != nil { // MkdirTemp made it 0700
		return err
	}
	if err := os.Mkdir(filepath.Join(dir, "_data"), 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "volume.json"), append(b, '\n'), 0o600)
}

// List reads every volume, sorted by name, skipping .tmp- and .rm- entries
// (a create or remove in progress, or one a crash interrupted).
func (s *Store) List() ([]Volume, error) {
	ents, err := os.ReadDir(s.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list volumes: %w", err)
	}
	var out []Volume
	for _, e := range ents {
		if !e.IsDir() || e.Name()[0] == '.' {
			continue
		}
		v, err := s.Get(e.Name())
		if errors.Is(err, ErrNotFound) {
			continue // removed since ReadDir
		}
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Remove deletes volume name and all its data. Like a container, it is
// first renamed to .rm-<name>: a crash half way leaves no volume that
// looks whole. Whether a container still uses it is the caller's check.
func (s *Store) Remove(name string) error {
	v, err := s.Get(name)
	if err != nil {
		return err
	}
	gone, err := os.MkdirTemp(s.dir, ".rm-"+name+"-")
	if err != nil {
		return fmt.Errorf("remove volume %s: %w", name, err)
	}
	// rename(2) replaces the empty directory gone with the volume (Go's
	// os.Rename refuses an existing directory as the new name).
	if err := unix.Rename(v.Dir, gone); err != nil {
		os.Remove(gone)
		return &os.LinkError{Op: "remove volume " + name + ": rename", Old: v.Dir, New: gone, Err: err}
	}
	if err := os.RemoveAll(gone); err != nil {
		return fmt.Errorf("remove volume %s: %w", name, err)
	}
	return nil
}

// Sweep removes the .tmp- and .rm- entries a crashed minictr left behind
// (killed between building a volume and renaming it into place, or half
// way through deleting one). Call it only under the store lock: every
// create and remove of a volume runs under that lock, so whatever such
// entry is there then belongs to nobody.
func (s *Store) Sweep() error {
	ents, err := os.ReadDir(s.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sweep volumes: %w", err)
	}
	var errs []error
	for _, e := range ents {
		if n := e.Name(); strings.HasPrefix(n, ".tmp-") || strings.HasPrefix(n, ".rm-") {
			errs = append(errs, os.RemoveAll(filepath.Join(s.dir, n)))
		}
	}
	return errors.Join(errs...)
}
