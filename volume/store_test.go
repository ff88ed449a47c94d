package volume

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestStore(t *testing.T) {
	root := t.TempDir()
	s := NewStore(root)
	if vs, err := s.List(); err != nil || len(vs) != 0 {
		t.Fatalf("List of a new store = %v, %v", vs, err)
	}
	v, created, err := s.Create("db", false)
	if err != nil || !created {
		t.Fatalf("Create(db) = %v, %v", created, err)
	}
	if v.Data() != filepath.Join(root, "volumes", "db", "_data") || s.Data("db") != v.Data() {
		t.Errorf("Data() = %s", v.Data())
	}
	if fi, err := os.Stat(v.Data()); err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o755 {
		t.Errorf("_data: %v, %v", fi, err)
	}
	os.WriteFile(filepath.Join(v.Data(), "f"), []byte("kept"), 0o644)
	again, created, err := s.Create("db", true)
	if err != nil || created || again.Anonymous || !again.CreatedAt.Equal(v.CreatedAt) {
		t.Errorf("Create of an existing volume = %+v, %v, %v: want the existing one", again, created, err)
	}
	if b, _ := os.ReadFile(filepath.Join(v.Data(), "f")); string(b) != "kept" {
		t.Errorf("Create of an existing volume changed its data: %q", b)
	}
	anon, _ := NewName()
	if _, _, err := s.Create(anon, true); err != nil {
		t.Fatal(err)
	}
	// Litter of a crashed create or remove is not a volume.
	os.MkdirAll(filepath.Join(root, "volumes", ".tmp-x-1", "_data"), 0o755)
	vs, err := s.List()
	if err != nil || len(vs) != 2 || vs[0].Name > vs[1].Name {
		t.Fatalf("List = %+v, %v: want two volumes, sorted by name", vs, err)
	}
	for _, v := range vs {
		if v.Anonymous != (v.Name == anon) {
			t.Errorf("List: %+v", v)
		}
	}
	if err := s.Remove("db"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("db"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Remove: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "volumes", "db")); !os.IsNotExist(err) {
		t.Errorf("volume directory left after Remove: %v", err)
	}
	if err := s.Remove("db"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Remove of a missing volume: %v", err)
	}
	if _, _, err := s.Create("../x", false); err == nil {
		t.Errorf("Create(../x) succeeded")
	}
	ents, _ := os.ReadDir(filepath.Join(root, "volumes"))
	for _, e := range ents {
		if e.Name() != anon && e.Name() != ".tmp-x-1" {
			t.Errorf("left in volumes/: %s", e.Name())
		}
	}
}

// Sweep removes what a crash left in volumes/ (a volume half built, one
// half removed) and nothing else.
func TestSweep(t *testing.T) {
	root := t.TempDir()
	s := NewStore(root)
	if _, _, err := s.Create("keep", false); err != nil {
		t.Fatal(err)
	}
	for _, litter := range []string{".tmp-db-123/_data", ".rm-old-456/_data/file"} {
		if err := os.MkdirAll(filepath.Join(root, "volumes", litter), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Sweep(); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(filepath.Join(root, "volumes"))
	if len(ents) != 1 || ents[0].Name() != "keep" {
		t.Errorf("after Sweep volumes/ holds %v, want only keep", ents)
	}
}
