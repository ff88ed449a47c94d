package layers

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// The tests below feed changesOf upper entries and a lower lookup by hand:
// the rules of `docker diff` without a mount. changes_linux_test.go runs
// the same rules against a real overlay.

var (
	t0     = time.Unix(1700000000, 0)
	dirM   = fileMeta{Mode: 0o40755, Size: 4096, Mtime: t0}
	dirNew = fileMeta{Mode: 0o40755, Size: 4096, Mtime: t0.Add(time.Hour)}
	fileM  = fileMeta{Mode: 0o100644, Size: 3, Mtime: t0}
)

func udir(p string, m fileMeta) upperEntry { return upperEntry{Path: p, Dir: true, Meta: m} }
func ufile(p string) upperEntry            { return upperEntry{Path: p, Meta: fileM} }
func uwhiteout(p string) upperEntry        { return upperEntry{Path: p, Whiteout: true} }
func uopaque(p string) upperEntry          { return upperEntry{Path: p, Dir: true, Opaque: true, Meta: dirNew} }
func ldir(i int, m fileMeta) lowerEntry    { return lowerEntry{Index: i, Dir: true, Meta: m} }
func lfile(i int) lowerEntry               { return lowerEntry{Index: i, Meta: fileM} }
func fakeLower(m map[string]lowerEntry) func(string) lowerEntry {
	return func(p string) lowerEntry {
		if e, ok := m[p]; ok {
			return e
		}
		return lowerEntry{Index: -1}
	}
}

func TestChangesOf(t *testing.T) {
	lower := map[string]lowerEntry{
		"/etc": ldir(0, dirM), "/etc/passwd": lfile(0), "/etc/motd": lfile(2),
		"/bin": ldir(0, dirM), "/bin/ls": lfile(1),
		"/opt": ldir(1, dirM), "/opt/tree": ldir(1, dirM), "/opt/tree/old": lfile(1),
		"/usr": ldir(0, dirM), "/usr/lib": ldir(0, dirM), "/usr/lib/x": lfile(0),
	}
	tests := []struct {
		name  string
		upper []upperEntry
		want  []string // "KIND PATH LOWERINDEX"
	}{
		{"empty upper", nil, nil},
		{"new file in a copied-up dir: the dir is listed as its parent",
			[]upperEntry{udir("/etc", dirM), ufile("/etc/new")},
			[]string{"C /etc 0", "A /etc/new -1"}},
		{"changed file in an unchanged copied-up dir: only the file",
			[]upperEntry{udir("/etc", dirM), ufile("/etc/passwd")},
			[]string{"C /etc/passwd 0"}},
		{"copied-up dir whose mtime changed is listed for itself",
			[]upperEntry{udir("/etc", dirNew), ufile("/etc/passwd")},
			[]string{"C /etc 0", "C /etc/passwd 0"}},
		{"whiteout: D, from the layer that held it, parent C",
			[]upperEntry{udir("/bin", dirM), uwhiteout("/bin/ls")},
			[]string{"C /bin 0", "D /bin/ls 1"}},
		{"LowerIndex is the topmost layer with the path",
			[]upperEntry{udir("/etc", dirNew), ufile("/etc/motd")},
			[]string{"C /etc 0", "C /etc/motd 2"}},
		{"opaque dir that exists below: D, then its children A even if the old dir had that name",
			[]upperEntry{udir("/opt", dirM), uopaque("/opt/tree"), ufile("/opt/tree/new"), ufile("/opt/tree/old")},
			[]string{"C /opt 1", "D /opt/tree 1", "A /opt/tree/new -1", "A /opt/tree/old -1"}},
		{"opaque dir that is new: just A",
			[]upperEntry{uopaque("/fresh"), ufile("/fresh/x")},
			[]string{"A /fresh -1", "A /fresh/x -1"}},
		{"unlisted grandparents come first, top down",
			[]upperEntry{udir("/usr", dirM), udir("/usr/lib", dirM), uwhiteout("/usr/lib/x")},
			[]string{"C /usr 0", "C /usr/lib 0", "D /usr/lib/x 0"}},
		{"new dir with contents",
			[]upperEntry{udir("/app", dirM), udir("/app/sub", dirM), ufile("/app/sub/f")},
			[]string{"A /app -1", "A /app/sub -1", "A /app/sub/f -1"}},
		{"a whiteout of a path no layer shows is still D",
			[]upperEntry{udir("/etc", dirM), uwhiteout("/etc/tmpfile")},
			[]string{"C /etc 0", "D /etc/tmpfile -1"}},
		{"a file replacing a lower dir is C",
			[]upperEntry{udir("/opt", dirM), ufile("/opt/tree")},
			[]string{"C /opt/tree 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range changesOf(tt.upper, fakeLower(lower)) {
				got = append(got, fmt.Sprintf("%s %d", c, c.LowerIndex))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("changes:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestChangeKindString(t *testing.T) {
	for k, want := range map[ChangeKind]string{Modified: "C", Added: "A", Deleted: "D", 7: "ChangeKind(7)"} {
		if got := k.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(k), got, want)
		}
	}
}

// `docker diff` after `rm /bin/ls; echo hi > /etc/new`: the parent
// directories are listed as changed, in walk order.
func ExampleChange_String() {
	for _, c := range []Change{
		{Kind: Modified, Path: "/bin", LowerIndex: 0},
		{Kind: Deleted, Path: "/bin/ls", LowerIndex: 0},
		{Kind: Modified, Path: "/etc", LowerIndex: 0},
		{Kind: Added, Path: "/etc/new", LowerIndex: -1},
	} {
		fmt.Println(c)
	}
	// Output:
	// C /bin
	// D /bin/ls
	// C /etc
	// A /etc/new
}
