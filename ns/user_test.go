package ns_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/minictr/minictr/ns"
)

// An image's /etc/passwd and /etc/group, with the kinds of lines real ones have.
const passwd = `root:x:0:0:root:/root:/bin/ash
# a comment
daemon:x:1:1:daemon:/usr/sbin:/sbin/nologin

nobody:x:65534:65534:nobody:/:/sbin/nologin
app:x:1000:1000:App User:/home/app:/bin/sh
broken line
nohome:x:1001:1001::
twin:x:1000:50:second entry with uid 1000:/twin:/bin/sh
`

const group = `root:x:0:root
bin:x:1:root,bin,daemon
wheel:x:10:root,app
users:x:100:
video:x:27:app,other
app:x:1000:
nogroup:x:65533:
bad:x:notanumber:app
`

func TestLookupUser(t *testing.T) {
	tests := []struct {
		spec    string
		want    ns.User
		wantErr string
	}{
		{"", ns.User{UID: 0, GID: 0, Groups: []int{0, 1, 10}, Home: "/root"}, ""},
		{"root", ns.User{UID: 0, GID: 0, Groups: []int{0, 1, 10}, Home: "/root"}, ""},
		{"0", ns.User{UID: 0, GID: 0, Groups: []int{0, 1, 10}, Home: "/root"}, ""},
		{"app", ns.User{UID: 1000, GID: 1000, Groups: []int{10, 27}, Home: "/home/app"}, ""},
		{"1000", ns.User{UID: 1000, GID: 1000, Groups: []int{10, 27}, Home: "/home/app"}, ""}, // first entry wins
		{"nobody", ns.User{UID: 65534, GID: 65534, Groups: []int{}, Home: "/"}, ""},
		{"nohome", ns.User{UID: 1001, GID: 1001, Groups: []int{}, Home: "/"}, ""},
		{"4242", ns.User{UID: 4242, GID: 0, Groups: []int{}, Home: "/"}, ""}, // not in passwd: allowed
		{"app:users", ns.User{UID: 1000, GID: 100, Groups: []int{}, Home: "/home/app"}, ""},
		{"app:27", ns.User{UID: 1000, GID: 27, Groups: []int{}, Home: "/home/app"}, ""},
		{"1000:1000", ns.User{UID: 1000, GID: 1000, Groups: []int{}, Home: "/home/app"}, ""},
		{"4242:4343", ns.User{UID: 4242, GID: 4343, Groups: []int{}, Home: "/"}, ""},
		{"4242:wheel", ns.User{UID: 4242, GID: 10, Groups: []int{}, Home: "/"}, ""},
		{":video", ns.User{UID: 0, GID: 27, Groups: []int{}, Home: "/root"}, ""},
		{"nope", ns.User{}, "unable to find user nope: no matching entries in passwd file"},
		{"app:nogrp", ns.User{}, "unable to find group nogrp: no matching entries in group file"},
		{"app:bad", ns.User{}, "unable to find group bad: no matching entries in group file"},
		{"-1", ns.User{}, "invalid id -1: uids and gids must be in range 0-2147483647"},
		{"app:2147483648", ns.User{}, "invalid id 2147483648: uids and gids must be in range 0-2147483647"},
		{"#comment", ns.User{}, "unable to find user #comment: no matching entries in passwd file"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := ns.LookupUser(tt.spec, strings.NewReader(passwd), strings.NewReader(group))
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("LookupUser(%q) error = %v, want %q", tt.spec, err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("LookupUser(%q) = %+v, %v; want %+v", tt.spec, got, err, tt.want)
			}
		})
	}
}

// An image without /etc/passwd or /etc/group (FROM scratch): numbers work, names cannot.
func TestLookupUserNoFiles(t *testing.T) {
	got, err := ns.LookupUser("1000:1000", nil, nil)
	want := ns.User{UID: 1000, GID: 1000, Groups: []int{}, Home: "/"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("LookupUser(1000:1000) = %+v, %v; want %+v", got, err, want)
	}
	if _, err := ns.LookupUser("root", nil, nil); err == nil {
		t.Error("LookupUser(root) without passwd: no error")
	}
}
