package cli

import (
	"reflect"
	"testing"
	"time"

	"github.com/minictr/minictr/container"
	"github.com/minictr/minictr/image"
)

func TestCommittedConfig(t *testing.T) {
	base := image.ContainerConfig{Env: []string{"PATH=/bin"}, Entrypoint: []string{"/entry"}, Cmd: []string{"serve"}, Labels: map[string]string{"a": "b"}}
	tests := []struct {
		name string
		ctr  container.Config
		want image.ContainerConfig
	}{
		{"run's args after the entrypoint become Cmd; -e kept; / is no WORKDIR",
			container.Config{Args: []string{"/entry", "debug"}, Env: []string{"PATH=/bin", "X=1"}, Cwd: "/"},
			image.ContainerConfig{Env: []string{"PATH=/bin", "X=1"}, Entrypoint: []string{"/entry"}, Cmd: []string{"debug"}, Labels: map[string]string{"a": "b"}}},
		{"--entrypoint replaced it",
			container.Config{Args: []string{"sh", "-c", "x"}, Cwd: "/app", User: "1000"},
			image.ContainerConfig{Entrypoint: []string{"sh"}, Cmd: []string{"-c", "x"}, WorkingDir: "/app", User: "1000", Labels: map[string]string{"a": "b"}}},
		{"the entrypoint alone: no Cmd",
			container.Config{Args: []string{"/entry"}, Cwd: "/"},
			image.ContainerConfig{Entrypoint: []string{"/entry"}, Labels: map[string]string{"a": "b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := committedConfig(base, tt.ctr); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestMountNote(t *testing.T) {
	if got := mountNote(container.Config{}); got != "" {
		t.Errorf("no volumes: %q", got)
	}
	cfg := container.Config{Volumes: []container.Volume{{Name: "v", Target: "/data"}}, Binds: []string{"/host:/src:ro"}}
	if got, want := mountNote(cfg), "volumes and bind mounts are not part of the committed layer: /data, /src"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestHistoryIDs(t *testing.T) {
	t0 := time.Unix(0, 0).UTC()
	h := func(by string) image.History { return image.History{CreatedBy: by, Created: &t0} }
	img := func(id string, chains []string, hist ...image.History) image.Image {
		return image.Image{ID: "sha256:" + id, ChainIDs: chains, Config: image.Config{History: hist}}
	}
	base := img("aaaaaaaaaaaa0000", []string{"c1", "c2"}, h("ADD"), h("ENV"), h("RUN"))
	child := img("bbbbbbbbbbbb0000", []string{"c1", "c2", "c3"}, h("ADD"), h("ENV"), h("RUN"), h("commit"))
	other := img("cccccccccccc0000", []string{"c1", "c9"}, h("ADD"), h("ENV"), h("RUN")) // same history, other layers
	got := historyIDs(child, []image.Image{base, child, other})
	want := []string{"<missing>", "<missing>", "aaaaaaaaaaaa", "bbbbbbbbbbbb"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := historyIDs(child, []image.Image{child}); !reflect.DeepEqual(got, []string{"<missing>", "<missing>", "<missing>", "bbbbbbbbbbbb"}) {
		t.Errorf("without the base in the store: %q", got)
	}
}
