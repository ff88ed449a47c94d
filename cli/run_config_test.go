package cli

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/minictr/minictr/image"
)

// mounts: which -v and image VOLUMEs become which binds and volumes (pure:
// nothing is created).
func TestRunVolumes(t *testing.T) {
	img := func(paths ...string) image.Image {
		var i image.Image
		i.Config.Config.Volumes = map[string]struct{}{}
		for _, p := range paths {
			i.Config.Config.Volumes[p] = struct{}{}
		}
		return i
	}
	hex := regexp.MustCompile(`^[0-9a-f]{64}$`)
	for _, tc := range []struct {
		flags   []string
		img     image.Image
		want    string // name (or "anon") target ro, one per volume
		wantErr string
	}{
		{flags: []string{"data:/data"}, img: img(), want: "data /data false"},
		{flags: []string{"/data", "db:/db:ro"}, img: img(), want: "anon /data false, db /db true"},
		{flags: []string{"/srv:/srv"}, img: img(), want: ""}, // a bind is no volume
		{flags: []string{"/nonexistent-minictr:/x"}, img: img(), wantErr: `invalid volume "/nonexistent-minictr:/x": stat /nonexistent-minictr: no such file or directory`},
		{flags: nil, img: img("/var/lib/db", "/cache/"), want: "anon /cache false, anon /var/lib/db false"},
		{flags: []string{"mine:/var/lib/db/"}, img: img("/var/lib/db"), want: "mine /var/lib/db false"},
		{flags: []string{"/srv:/var/lib/db"}, img: img("/var/lib/db"), want: ""}, // a bind covers it too
		{flags: []string{"ab:/x", "/srv:/x/"}, img: img(), wantErr: `volume "/srv:/x/": duplicate mount point /x`},
		{flags: nil, img: img("relative"), wantErr: `image i: VOLUME "relative": container path "relative" is not absolute`},
		{flags: []string{"ab:/x:bad"}, img: img(), wantErr: `unknown mode "bad"`},
	} {
		_, vols, err := mounts(tc.flags, "i", tc.img)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("volumes(%q, %v) error = %v, want %s", tc.flags, tc.img.Config.Config.Volumes, err, tc.wantErr)
			}
			continue
		}
		var got []string
		for _, v := range vols {
			name := v.Name
			if v.Anonymous && hex.MatchString(v.Name) {
				name = "anon"
			}
			got = append(got, fmt.Sprintf("%s %s %v", name, v.Target, v.ReadOnly))
		}
		if err != nil || strings.Join(got, ", ") != tc.want {
			t.Errorf("volumes(%q, %v) = %q, %v; want %q", tc.flags, tc.img.Config.Config.Volumes, got, err, tc.want)
		}
	}
}

// mounts keeps the binds as config.json does: absolute host paths (a
// relative one resolved against the working directory, as docker 23+),
// in the -v syntax.
func TestMountsBinds(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	binds, vols, err := mounts([]string{"/tmp:/srv:ro", "data:/data", "/anon", ".:/here"}, "i", image.Image{})
	if err != nil || strings.Join(binds, " ") != "/tmp:/srv:ro "+dir+":/here" || len(vols) != 2 {
		t.Errorf("mounts = %q, %v, %v", binds, vols, err)
	}
}
