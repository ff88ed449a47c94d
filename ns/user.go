package ns

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// User is who the container's command runs as: the numbers the kernel
// checks, resolved from names in the IMAGE's /etc/passwd and /etc/group (the
// host's files mean nothing inside the container).
type User struct {
	UID, GID int
	Groups   []int  // supplementary groups, for setgroups(2); empty clears the host's
	Home     string // from passwd, "/" when the user has no entry; for $HOME
}

// LookupUser resolves docker's `-u` forms -- "name", "uid", "name:group",
// "uid:gid", "name:gid", "uid:group" ("" is root) -- against the image's
// passwd and group files (nil readers count as empty files). It is pure.
//
// As in docker (runc's libcontainer/user): a numeric uid need not be in
// passwd (then gid 0, home "/"); a user found in passwd gets, unless a group
// is given, the groups whose member list names it as supplementary groups;
// an explicit group replaces the primary one and gets no supplementary groups.
func LookupUser(spec string, passwd, group io.Reader) (User, error) {
	userArg, groupArg, hasGroup := strings.Cut(spec, ":")
	users, err := parseColonFile(passwd, "passwd")
	if err != nil {
		return User{}, err
	}
	groups, err := parseColonFile(group, "group")
	if err != nil {
		return User{}, err
	}
	u, name, err := lookupUser(userArg, users)
	if err != nil {
		return User{}, err
	}
	if hasGroup {
		if u.GID, err = lookupGroup(groupArg, groups); err != nil {
			return User{}, err
		}
		return u, nil
	}
	for _, g := range groups {
		if name != "" && slices.Contains(strings.Split(g[3], ","), name) {
			u.Groups = append(u.Groups, atoiOr(g[2], 0))
		}
	}
	return u, nil
}

// lookupUser resolves the part before the colon; name is "" for a numeric
// uid that passwd does not know.
func lookupUser(arg string, users [][]string) (u User, name string, err error) {
	if arg == "" {
		arg = "0" // docker's default user is root
	}
	u = User{Home: "/", Groups: []int{}}
	id, numeric, err := parseID(arg)
	if err != nil {
		return u, "", err
	}
	match := func(e []string) bool { return e[0] == arg }
	if numeric {
		match = func(e []string) bool { return atoiOr(e[2], -1) == id }
	}
	e := findEntry(users, match)
	switch {
	case e != nil:
		u.UID, u.GID, u.Home = atoiOr(e[2], 0), atoiOr(e[3], 0), field(e, 5, "/")
		return u, e[0], nil
	case numeric:
		u.UID = id
		return u, "", nil
	}
	return u, "", fmt.Errorf("unable to find user %s: no matching entries in passwd file", arg)
}

func lookupGroup(arg string, groups [][]string) (int, error) {
	id, numeric, err := parseID(arg)
	if err != nil || numeric {
		return id, err
	}
	g := findEntry(groups, func(e []string) bool { return e[0] == arg })
	if g == nil {
		return 0, fmt.Errorf("unable to find group %s: no matching entries in group file", arg)
	}
	return atoiOr(g[2], 0), nil
}

// parseID says whether s is a number and, if so, checks it is a valid id.
func parseID(s string) (id int, numeric bool, err error) {
	if s == "" || strings.TrimLeft(s, "-0123456789") != "" {
		return 0, false, nil
	}
	id, err = strconv.Atoi(s)
	if err != nil || id < 0 || id > 1<<31-1 {
		return 0, true, fmt.Errorf("invalid id %s: uids and gids must be in range 0-2147483647", s)
	}
	return id, true, nil
}

// parseColonFile reads passwd(5) or group(5) lines: fields separated by ':',
// "name:password:id:..." with id numeric. Blank, comment and broken lines are
// skipped, as libc does.
func parseColonFile(r io.Reader, what string) ([][]string, error) {
	if r == nil {
		return nil, nil
	}
	var entries [][]string
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20) // group lines with many members can be long
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		e := strings.Split(line, ":")
		if line == "" || line[0] == '#' || len(e) < 4 || e[0] == "" {
			continue
		}
		if _, err := strconv.Atoi(e[2]); err != nil {
			continue
		}
		entries = append(entries, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s file: %w", what, err)
	}
	return entries, nil
}

func findEntry(entries [][]string, match func([]string) bool) []string {
	for _, e := range entries {
		if match(e) {
			return e
		}
	}
	return nil
}

func atoiOr(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}

func field(e []string, i int, def string) string {
	if i < len(e) && e[i] != "" {
		return e[i]
	}
	return def
}
