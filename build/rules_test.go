package build

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseChown(t *testing.T) {
	passwd := []byte("root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n")
	group := []byte("root:x:0:\nstaff:x:50:app\n")
	tests := []struct {
		spec     string
		uid, gid int
		err      string
	}{
		{spec: "55", uid: 55, gid: 55},
		{spec: "55:66", uid: 55, gid: 66},
		{spec: "app", uid: 1000, gid: 1000},
		{spec: "app:staff", uid: 1000, gid: 50},
		{spec: "0:staff", uid: 0, gid: 50},
		{spec: "nobody", err: "unable to find user nobody: no matching entries in /etc/passwd"},
		{spec: "app:wheel", err: "unable to find group wheel"},
		{spec: ":1", err: "want user[:group]"},
	}
	for _, tt := range tests {
		uid, gid, err := ParseChown(tt.spec, passwd, group)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: err = %v, want %q", tt.spec, err, tt.err)
			}
			continue
		}
		if err != nil || uid != tt.uid || gid != tt.gid {
			t.Errorf("%s: got %d:%d %v, want %d:%d", tt.spec, uid, gid, err, tt.uid, tt.gid)
		}
	}
	if _, _, err := ParseChown("app", nil, nil); err == nil || !strings.Contains(err.Error(), "no /etc/passwd in the image") {
		t.Errorf("no passwd: %v", err)
	}
}

func TestParseChmod(t *testing.T) {
	for s, want := range map[string]uint32{"755": 0o755, "0644": 0o644, "4755": 0o4755} {
		if got, err := ParseChmod(s); err != nil || got != want {
			t.Errorf("%s: %o %v", s, got, err)
		}
	}
	for _, s := range []string{"u+x", "999", "17777", ""} {
		if _, err := ParseChmod(s); err == nil {
			t.Errorf("%q: no error", s)
		}
	}
}

func TestWorkdirAndDest(t *testing.T) {
	for _, tt := range []struct{ cur, arg, want string }{
		{"", "a", "/a"}, {"/a", "b", "/a/b"}, {"/a", "/c/", "/c"}, {"/a/b", "../c", "/a/c"},
	} {
		if got := ResolveWorkdir(tt.cur, tt.arg); got != tt.want {
			t.Errorf("WORKDIR %s in %s: %s, want %s", tt.arg, tt.cur, got, tt.want)
		}
	}
	for _, tt := range []struct {
		dest, wd string
		n        int
		want     string
		dir      bool
		err      bool
	}{
		{"app/", "/srv", 1, "/srv/app", true, false},
		{"/x", "/srv", 1, "/x", false, false},
		{".", "/srv", 2, "/srv", true, false},
		{"/x", "", 2, "", false, true},
	} {
		got, dir, err := CopyDest(tt.dest, tt.wd, tt.n)
		if (err != nil) != tt.err || got != tt.want || dir != tt.dir {
			t.Errorf("%+v: got %q %v %v", tt, got, dir, err)
		}
	}
}

func TestParseHealthcheck(t *testing.T) {
	df := mustParse(t, "FROM a\nHEALTHCHECK --interval=30s --retries=3 CMD curl -f http://localhost/\nHEALTHCHECK CMD [\"true\"]\nHEALTHCHECK NONE\nHEALTHCHECK --timeout=1ns CMD x\n")
	ins := df.Stages[0].Instructions
	want := []Healthcheck{
		{Test: []string{"CMD-SHELL", "curl -f http://localhost/"}, Interval: 30 * time.Second, Retries: 3},
		{Test: []string{"CMD", "true"}},
		{Test: []string{"NONE"}},
	}
	for i, w := range want {
		if got, err := ParseHealthcheck(ins[i]); err != nil || !reflect.DeepEqual(got, w) {
			t.Errorf("%s: got %+v %v, want %+v", ins[i].Original, got, err, w)
		}
	}
	if _, err := ParseHealthcheck(ins[3]); err == nil || !strings.Contains(err.Error(), "less than 1ms") {
		t.Errorf("1ns timeout: %v", err)
	}
}
