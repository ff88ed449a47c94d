package volume

import (
	"fmt"
	"strings"
	"testing"

	"github.com/minictr/minictr/mount"
)

func TestParseSpec(t *testing.T) {
	for _, c := range []struct {
		in      string
		want    Spec
		wantErr string
	}{
		{in: "/srv/data:/data", want: Spec{Type: TypeBind, Bind: mount.Bind{Source: "/srv/data", Target: "/data"}}},
		{in: "/srv/data:/data:ro", want: Spec{Type: TypeBind, Bind: mount.Bind{Source: "/srv/data", Target: "/data", ReadOnly: true}}},
		{in: "data:/data", want: Spec{Type: TypeVolume, Name: "data", Bind: mount.Bind{Target: "/data"}}},
		{in: "my-db.1_x:/var/lib/db/:ro", want: Spec{Type: TypeVolume, Name: "my-db.1_x", Bind: mount.Bind{Target: "/var/lib/db", ReadOnly: true}}},
		{in: "db:/a/../db:rw", want: Spec{Type: TypeVolume, Name: "db", Bind: mount.Bind{Target: "/db"}}},
		{in: "/data", want: Spec{Type: TypeVolume, Bind: mount.Bind{Target: "/data"}}},
		{in: "/data/", want: Spec{Type: TypeVolume, Bind: mount.Bind{Target: "/data"}}},
		{in: "/", wantErr: `volume "/": cannot mount a volume over the container's root`},
		{in: "data:/", wantErr: `volume "data:/": cannot mount a volume over the container's root`},
		{in: "data:/x/..", wantErr: `volume "data:/x/..": cannot mount a volume over the container's root`},
		{in: "data:relative", wantErr: `volume "data:relative": container path "relative" is not absolute`},
		{in: "data", wantErr: `volume "data": container path "data" is not absolute`},
		{in: "data:/x:rx", wantErr: `volume "data:/x:rx": unknown mode "rx" (want ro or rw)`},
		{in: "data:/x:ro:z", wantErr: `volume "data:/x:ro:z": want [HOST:|NAME:]CONTAINER[:ro|rw]`},
		{in: "./data:/x", want: Spec{Type: TypeBind, Bind: mount.Bind{Source: "/home/s/data", Target: "/x"}}},
		{in: "../x:/x:ro", want: Spec{Type: TypeBind, Bind: mount.Bind{Source: "/home/x", Target: "/x", ReadOnly: true}}},
		{in: ".:/x", want: Spec{Type: TypeBind, Bind: mount.Bind{Source: "/home/s", Target: "/x"}}},
		{in: "data:/data:", wantErr: `volume "data:/data:": unknown mode "" (want ro or rw)`},
		{in: "/srv:/data:", wantErr: `volume "/srv:/data:": unknown mode "" (want ro or rw)`},
		{in: "a/b:/x", wantErr: `volume "a/b:/x": invalid volume name "a/b"`},
		{in: "x:/x", wantErr: `volume "x:/x": invalid volume name "x"`}, // docker: two characters at least
		{in: ":/x", wantErr: `volume ":/x": invalid volume name ""`},
		{in: ".hidden:/x", want: Spec{Type: TypeBind, Bind: mount.Bind{Source: "/home/s/.hidden", Target: "/x"}}}, // docker: a leading '.' is a relative path
		{in: "/srv:/x:rx", wantErr: `volume "/srv:/x:rx": unknown mode "rx" (want ro or rw)`},
		{in: "/srv:rel", wantErr: `volume "/srv:rel": container path "rel" is not absolute`},
	} {
		got, err := ParseSpec(c.in, "/home/s")
		switch {
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("ParseSpec(%q) error = %v, want %s", c.in, err, c.wantErr)
		case c.wantErr == "" && (err != nil || got != c.want):
			t.Errorf("ParseSpec(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
}

func TestNames(t *testing.T) {
	for name, ok := range map[string]bool{
		"db": true, "my_db-2.0": true, "0a": true, "a": false, "-a": false, "_a": false,
		"a b": false, "a/b": false, "..": false, "a:b": false, "": false,
	} {
		if err := ValidName(name); (err == nil) != ok {
			t.Errorf("ValidName(%q) = %v, want ok=%v", name, err, ok)
		}
	}
	a, err := NewName()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewName()
	if len(a) != 64 || a == b || ValidName(a) != nil {
		t.Errorf("NewName gave %q and %q: want two different valid names of 64 hex digits", a, b)
	}
}

func ExampleParseSpec() {
	for _, v := range []string{"/srv/www:/usr/share/www:ro", "pgdata:/var/lib/postgresql/data", "/cache"} {
		sp, _ := ParseSpec(v, "/")
		fmt.Printf("%-6s name=%q source=%q target=%s ro=%v\n", sp.Type, sp.Name, sp.Source, sp.Target, sp.ReadOnly)
	}
	// Output:
	// bind   name="" source="/srv/www" target=/usr/share/www ro=true
	// volume name="pgdata" source="" target=/var/lib/postgresql/data ro=false
	// volume name="" source="" target=/cache ro=false
}
