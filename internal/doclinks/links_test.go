package doclinks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// repoRoot is the directory above this package that holds go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// TestDocLinks checks every reference of README.md, docs/ and examples/.
func TestDocLinks(t *testing.T) {
	problems, err := Check(repoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// TestCheckRules runs the checker over a small repository written here: each
// rule of doc.go once broken, and the things it must leave alone (URLs, code
// fences, mermaid, code spans) once with a broken-looking link inside.
func TestCheckRules(t *testing.T) {
	root := t.TempDir()
	write := func(name, text string) {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/x\n")
	write("p/a.go", `package p

// T is a type.
type T struct{ F int }

// M is a method.
func (t *T) M() {}

func Top() {}

const C = 1
`)
	write("p/b.go", "package p\n\nfunc Other() {}\n")
	write("README.md", "# Top\n\n[ok](docs/x.md#a-heading) [gone](docs/gone.md)\n")
	write("docs/x.md", "# A heading\n\n"+
		"[`T`, `T.M`, `p.Top`, `C`](../p/a.go) [`T`: `M`, `F`](../p/a.go) [`p/`](../p/a.go) [`a.go`](../p/a.go)\n"+
		"[T.M](../p/a.go) [the code](../p/a.go) [`Other`](../p/a.go) [`b.go`](../p/a.go)\n"+
		"[`T.M`](../p/a.go#L6-L7) [`Top`](../p/a.go#L6) [x](../p/a.go#L99) [x](../p/a.go#top)\n"+
		"[here](#a-heading) [nowhere](#no-heading) [web](https://example.com/nope.go) [abs](/p/a.go)\n"+
		"`p.Top` `p.T.M` `p.Nope` `p.xattr.name` `fmt.Nope` `p/a.go` `p/nope.go` `a.go` `*_linux.go` `[x](nope.go)`\n\n"+
		"```mermaid\nflowchart LR\n  A[\"[x](nope.go)\"] --> B\n```\n\n"+
		"~~~\n[x](nope.go) `p.Nope`\n~~~\n")
	write("examples/e/README.md", "[`Top`,\n`Other`](../../p/b.go) [up](../../docs/x.md)\n"+
		"[`T.M`](../../p/gone.go) [`M`](../../p/b.go) [`a.go`](../../p/gone.go)\n")

	problems, err := Check(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"README.md:3: [gone](docs/gone.md): no such file docs/gone.md",
		"docs/x.md:4: [`Other`](../p/a.go): Other is not declared in p/a.go; it is declared in p/b.go",
		"docs/x.md:4: [`b.go`](../p/a.go): the text names b.go but the link goes to p/a.go",
		"docs/x.md:5: [`Top`](../p/a.go#L6): lines 6-6 of p/a.go are not inside the named declaration (it is at lines 9-9)",
		"docs/x.md:5: [x](../p/a.go#L99): lines 99-99 are not in p/a.go (11 lines)",
		"docs/x.md:5: [x](../p/a.go#top): anchor #top on a Go file: only #L12 or #L12-L20 line anchors are allowed",
		"docs/x.md:6: [nowhere](#no-heading): docs/x.md has no heading with anchor #no-heading",
		"docs/x.md:6: [abs](/p/a.go): absolute path: write the link relative to docs/x.md",
		"docs/x.md:7: `p.Nope`: Nope is not declared in package p; it is declared nowhere in the repository",
		"docs/x.md:7: `p/nope.go`: no Go file p/nope.go in the repository",
		"examples/e/README.md:1: [`Top`, `Other`](../../p/b.go): Top is not declared in p/b.go; it is declared in p/a.go",
		"examples/e/README.md:3: [`T.M`](../../p/gone.go): no such file p/gone.go; T.M: it is declared in p/a.go",
		"examples/e/README.md:3: [`M`](../../p/b.go): M is not declared in p/b.go; it is declared in p/a.go",
		"examples/e/README.md:3: [`a.go`](../../p/gone.go): no such file p/gone.go",
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.String())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestSlug(t *testing.T) {
	for heading, want := range map[string]string{
		"The terminal: `-t`":                                         "the-terminal--t",
		"Re-exec yourself, don't fork":                               "re-exec-yourself-dont-fork",
		"rm: what it cleans, and why nothing is mounted on the host": "rm-what-it-cleans-and-why-nothing-is-mounted-on-the-host",
		"[1/5] image: [`Store.Get`](x.go)":                           "15-image-storeget",
	} {
		if got := Slug(heading); got != want {
			t.Errorf("Slug(%q) = %q, want %q", heading, got, want)
		}
	}
}
