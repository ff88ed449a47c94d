package mount

import (
	"fmt"
	"testing"
)

func TestParseBind(t *testing.T) {
	for _, c := range []struct {
		in      string
		want    Bind
		wantErr string
	}{
		{in: "/srv/data:/data", want: Bind{Source: "/srv/data", Target: "/data"}},
		{in: "/srv/data:/data:ro", want: Bind{Source: "/srv/data", Target: "/data", ReadOnly: true}},
		{in: "/srv/data:/data:rw", want: Bind{Source: "/srv/data", Target: "/data"}},
		{in: "/srv//data/:/a/../data/", want: Bind{Source: "/srv/data", Target: "/data"}},
		{in: "", wantErr: `volume "": want HOST:CONTAINER[:ro|rw]`},
		{in: "/srv/data", wantErr: `volume "/srv/data": want HOST:CONTAINER[:ro|rw]`},
		{in: "/a:/b:ro:x", wantErr: `volume "/a:/b:ro:x": want HOST:CONTAINER[:ro|rw]`},
		{in: "/a:/b:rx", wantErr: `volume "/a:/b:rx": unknown mode "rx" (want ro or rw)`},
		{in: "data:/data", wantErr: `volume "data:/data": host path "data" is not absolute`},
		{in: "/srv/data:data", wantErr: `volume "/srv/data:data": container path "data" is not absolute`},
		{in: ":/data", wantErr: `volume ":/data": host path "" is not absolute`},
		{in: "/srv:/", wantErr: `volume "/srv:/": cannot mount over the container's root`},
		{in: "/srv:/x/..", wantErr: `volume "/srv:/x/..": cannot mount over the container's root`},
	} {
		got, err := ParseBind(c.in)
		switch {
		case c.wantErr != "" && (err == nil || err.Error() != c.wantErr):
			t.Errorf("ParseBind(%q) error = %v, want %s", c.in, err, c.wantErr)
		case c.wantErr == "" && (err != nil || got != c.want):
			t.Errorf("ParseBind(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		case c.wantErr == "" && got.String() != fmt.Sprint(c.want):
			t.Errorf("String() does not round-trip: %q", got.String())
		}
	}
}

func ExampleBinds() {
	data, _ := ParseBind("/srv/data:/data")
	conf, _ := ParseBind("/srv/conf:/etc/app:ro")
	for _, m := range Binds("/c1/rootfs", []Bind{data, conf}) {
		fmt.Println(m)
	}
	// Output:
	// mount("/srv/data", "/c1/rootfs/data", "", MS_BIND|MS_REC, NULL)
	// mount("/srv/conf", "/c1/rootfs/etc/app", "", MS_BIND|MS_REC, NULL)
	// mount("", "/c1/rootfs/etc/app", "", MS_RDONLY|MS_REMOUNT|MS_BIND, NULL)
}

func ExampleMask() {
	fmt.Println(Mask("/proc/kcore", false))
	fmt.Println(Mask("/sys/firmware", true))
	for _, m := range ReadOnly("/proc/sys") {
		fmt.Println(m)
	}
	// Output:
	// mount("/dev/null", "/proc/kcore", "", MS_BIND, NULL)
	// mount("tmpfs", "/sys/firmware", "tmpfs", MS_RDONLY, NULL)
	// mount("/proc/sys", "/proc/sys", "", MS_BIND|MS_REC, NULL)
	// mount("", "/proc/sys", "", MS_RDONLY|MS_REMOUNT|MS_BIND, NULL)
}
