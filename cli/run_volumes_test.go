package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/minictr/minictr/image"
	"github.com/minictr/minictr/mount"
)

// RunCmd.volumes: which -v and image VOLUMEs become which volumes (pure:
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
		{flags: nil, img: img("/var/lib/db", "/cache/"), want: "anon /cache false, anon /var/lib/db false"},
		{flags: []string{"mine:/var/lib/db/"}, img: img("/var/lib/db"), want: "mine /var/lib/db false"},
		{flags: []string{"/srv:/var/lib/db"}, img: img("/var/lib/db"), want: ""}, // a bind covers it too
		{flags: []string{"ab:/x", "/srv:/x/"}, img: img(), wantErr: `volume "/srv:/x/": duplicate mount point /x`},
		{flags: nil, img: img("relative"), wantErr: `image i: VOLUME "relative": container path "relative" is not absolute`},
		{flags: []string{"ab:/x:bad"}, img: img(), wantErr: `unknown mode "bad"`},
	} {
		c := &RunCmd{Image: "i", Volume: tc.flags}
		vols, err := c.volumes(tc.img)
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

func TestSortMounts(t *testing.T) {
	in := []mount.Bind{{Target: "/etc/hostname"}, {Target: "/etc/hosts"}, {Target: "/a/b"}, {Target: "/etc"}, {Target: "/a"}, {Target: "/etc/hosts"}}
	var got []string
	for _, b := range sortMounts(in) {
		got = append(got, b.Target)
	}
	// Parents first; same depth in the order given (a -v on /etc/hosts,
	// given after the container's own /etc/hosts, wins).
	if want := "/etc /a /etc/hostname /etc/hosts /a/b /etc/hosts"; strings.Join(got, " ") != want {
		t.Errorf("sortMounts = %q, want %q", got, want)
	}
	if in[0].Target != "/etc/hostname" {
		t.Errorf("sortMounts changed its argument")
	}
}

func TestBindFlags(t *testing.T) {
	got := bindFlags([]string{"/srv:/srv:ro", "data:/data", "/anon", "bad/name:/x", "/h:/h"})
	if strings.Join(got, " ") != "/srv:/srv:ro /h:/h" {
		t.Errorf("bindFlags = %q", got)
	}
}
