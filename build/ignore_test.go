package build

import (
	"strings"
	"testing"
)

// Patterns from the reference's ".dockerignore file" section and docker's
// patternmatcher rules.
func TestIgnore(t *testing.T) {
	tests := []struct {
		name, file string
		excluded   []string
		included   []string
	}{
		{"reference example", "# comment\n*/temp*\n*/*/temp*\ntemp?\n",
			[]string{"somedir/temporary.txt", "somedir/temp", "a/b/temp.txt", "temp1", "somedir/temp/x"},
			[]string{"temp", "temporary.txt", "a/b/c/temp", "temp12"}},
		{"** matches any depth, even none", "**/*.go\n",
			[]string{"main.go", "a/b/c.go"}, []string{"go", "a/b.goo"}},
		{"** in the middle", "a/**/b\n",
			[]string{"a/b", "a/x/b", "a/x/y/b", "a/x/b/c"}, []string{"ab", "x/a/b"}},
		{"trailing **", "vendor/**\n", []string{"vendor/x", "vendor/a/b"}, []string{"vendorx"}},
		{"! re-includes, last match wins", "*.md\n!README*.md\nREADME-secret.md\n",
			[]string{"CHANGES.md", "README-secret.md"}, []string{"README.md", "README-x.md", "x.txt"}},
		{"! of a file under an excluded directory", "docs\n!docs/keep.md\n",
			[]string{"docs", "docs/a.md"}, []string{"docs/keep.md"}},
		{"leading / and ./ are cleaned; dirs exclude their contents", "/build/\n./tmp\n",
			[]string{"build", "build/x/y", "tmp/a"}, []string{"a/build", "x/tmp"}},
		{"? and classes", "file[0-9].txt\n?.log\n",
			[]string{"file1.txt", "a.log"}, []string{"filex.txt", "ab.log", "a/b.log"}},
		{"escaped wildcard", `a\*b` + "\n", []string{"a*b"}, []string{"axb"}},
		{"dots are literal", "*.txt\n", []string{"a.txt"}, []string{"atxt"}},
		{"the Dockerfile itself can be excluded from COPY", "Dockerfile\n.dockerignore\n",
			[]string{"Dockerfile", ".dockerignore"}, []string{"sub/Dockerfile"}},
		{"whitespace around patterns", "  *.tmp  \n\n", []string{"a.tmp"}, []string{"b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ig, err := ParseIgnore(strings.NewReader(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range tt.excluded {
				if !ig.Excluded(p) {
					t.Errorf("%s: want excluded", p)
				}
			}
			for _, p := range tt.included {
				if ig.Excluded(p) {
					t.Errorf("%s: want included", p)
				}
			}
		})
	}
}

func TestIgnoreErrors(t *testing.T) {
	for _, f := range []string{"!\n", "ok\n[\n"} {
		if _, err := ParseIgnore(strings.NewReader(f)); err == nil || !strings.Contains(err.Error(), ".dockerignore line") {
			t.Errorf("%q: err = %v", f, err)
		}
	}
}

func TestMayIncludeUnder(t *testing.T) {
	ig, _ := ParseIgnore(strings.NewReader("docs\nlogs\n!docs/keep.md\n"))
	if !ig.MayIncludeUnder("docs") || ig.MayIncludeUnder("logs") {
		t.Error("docs may hold a re-included file, logs may not")
	}
}
