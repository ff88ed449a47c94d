package build

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestExplain(t *testing.T) {
	base := KeyInputs{Step: 3, ParentStep: 2, Parent: "sha256:aa", Config: "sha256:cc", Instruction: "COPY app.py /app/",
		Sources: []SourceFile{{Path: "app.py", Type: "file", Mode: 0644, Digest: "sha256:1f2c3d4e5f6a7b8c9d"}}}
	with := func(f func(*KeyInputs)) KeyInputs {
		k := base
		k.Sources = append([]SourceFile(nil), base.Sources...)
		f(&k)
		return k
	}
	tests := []struct {
		name      string
		prev, cur KeyInputs
		want      string
	}{
		{"none", KeyInputs{}, base, "no earlier build of this step"},
		{"same", base, base, "inputs unchanged"},
		{"content", base, with(func(k *KeyInputs) { k.Sources[0].Digest = "sha256:9ab0c1d2e3f4a5b6c7" }),
			"app.py content changed (sha256:1f2c3d4e5f6a…→9ab0c1d2e3f4…)"},
		{"mode", base, with(func(k *KeyInputs) { k.Sources[0].Mode = 0755 }), "app.py mode 0644 → 0755"},
		{"owner", base, with(func(k *KeyInputs) { k.Sources[0].UID = 1000 }), "app.py owner 0:0 → 1000:0"},
		{"link", base, with(func(k *KeyInputs) { k.Sources[0].Type, k.Sources[0].Digest = "symlink", "" }), "app.py changed from file to symlink"},
		{"added", base, with(func(k *KeyInputs) { k.Sources = append(k.Sources, SourceFile{Path: "b", Type: "file"}) }), "b added"},
		{"arg", with(func(k *KeyInputs) { k.BuildArgs = []string{"VERSION=1.2"} }), with(func(k *KeyInputs) { k.BuildArgs = []string{"VERSION=1.3"} }),
			"build arg VERSION 1.2 → 1.3"},
		{"parent", base, with(func(k *KeyInputs) { k.Parent = "sha256:bb" }), "step 2 was rebuilt"},
		{"base image", with(func(k *KeyInputs) { k.ParentStep = 0 }), with(func(k *KeyInputs) { k.ParentStep, k.Parent = 0, "sha256:bb" }),
			"base image changed (layers sha256:aa → sha256:bb)"},
		{"from", with(func(k *KeyInputs) { k.From = "sha256:0123456789abcdef" }), with(func(k *KeyInputs) { k.From = "sha256:fedcba9876543210" }),
			"the --from source changed (sha256:0123456789ab… → sha256:fedcba987654…)"},
		{"instruction", base, with(func(k *KeyInputs) { k.Instruction = "COPY app.py /srv/" }),
			`instruction changed: "COPY app.py /app/" → "COPY app.py /srv/"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Explain(tt.prev, tt.cur); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
			if (tt.prev.Key() == tt.cur.Key()) != (tt.want == "inputs unchanged") {
				t.Errorf("keys equal = %v, but Explain says %q", tt.prev.Key() == tt.cur.Key(), tt.want)
			}
		})
	}
}

func TestKeyIgnoresStepNumbersAndOrder(t *testing.T) {
	a := KeyInputs{Step: 1, Instruction: "RUN x", BuildArgs: []string{"B=2", "A=1"}, Sources: []SourceFile{{Path: "b"}, {Path: "a"}}}
	b := KeyInputs{Step: 7, ParentStep: 6, Instruction: "RUN x", BuildArgs: []string{"A=1", "B=2"}, Sources: []SourceFile{{Path: "a"}, {Path: "b"}}}
	if a.Key() != b.Key() {
		t.Error("step numbers or input order changed the key")
	}
}

// writeContext makes a context directory from path -> content.
func writeContext(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, content := range files {
		abs := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(abs, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func copyKey(t *testing.T, dir string, srcs ...string) KeyInputs {
	t.Helper()
	c, err := OpenContext(dir)
	if err != nil {
		t.Fatal(err)
	}
	k := KeyInputs{Step: 2, ParentStep: 1, Parent: "sha256:p", Instruction: "COPY " + strings.Join(srcs, " ") + " /app/"}
	for _, s := range srcs {
		got, err := c.Sources(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, src := range got {
			k.Sources = append(k.Sources, src.Files...)
		}
	}
	return k
}

func TestCopyKeyMtimeChmodContent(t *testing.T) {
	dir := writeContext(t, map[string]string{"app.py": "print(1)\n", "lib/a.py": "a\n"})
	before := copyKey(t, dir, "app.py", "lib")
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(filepath.Join(dir, "app.py"), later, later); err != nil {
		t.Fatal(err)
	}
	if after := copyKey(t, dir, "app.py", "lib"); after.Key() != before.Key() {
		t.Errorf("touching only the mtime changed the key: %s", Explain(before, after))
	}
	if err := os.Chmod(filepath.Join(dir, "app.py"), 0o755); err != nil {
		t.Fatal(err)
	}
	after := copyKey(t, dir, "app.py", "lib")
	if after.Key() == before.Key() || Explain(before, after) != "app.py mode 0644 → 0755" {
		t.Errorf("chmod: %s", Explain(before, after))
	}
	if err := os.WriteFile(filepath.Join(dir, "lib/a.py"), []byte("b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	again := copyKey(t, dir, "app.py", "lib")
	if why := Explain(after, again); !strings.HasPrefix(why, "lib/a.py content changed (sha256:") {
		t.Errorf("content: %s", why)
	}
}

func TestContextSources(t *testing.T) {
	dir := writeContext(t, map[string]string{"a.py": "a", "b.py": "b", "sub/c.py": "c", "secret.key": "k",
		".dockerignore": "*.key\nsub\n!sub/c.py\n", "Dockerfile": "FROM a\n"})
	// Links pointing out of the context: resolved as if the context were /.
	for link, target := range map[string]string{"out": "/etc", "up": "../../../../etc", "in": "/sub", "loop": "/loop"} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	c, err := OpenContext(dir)
	if err != nil {
		t.Fatal(err)
	}
	paths := func(src string) string {
		got, err := c.Sources(src)
		if err != nil {
			return "error: " + err.Error()
		}
		var out []string
		for _, s := range got {
			for _, f := range s.Files {
				out = append(out, f.Path+":"+f.Type)
			}
		}
		return strings.Join(out, " ")
	}
	tests := []struct{ src, want string }{
		{"*.py", "a.py:file b.py:file"},
		{"/a.py", "a.py:file"},
		{"./sub", "sub:dir sub/c.py:file"},
		{"secret.key", "error: copy secret.key: file not found in build context or excluded by .dockerignore"},
		{"*.key", "error: copy *.key: no source files were specified"},
		{"../x", "error: copy ../x: path outside the build context"},
		{"a/../../x", "error: copy a/../../x: path outside the build context"},
		{"missing", "error: copy missing: file not found in build context"},
		// A symlink to /etc is resolved inside the context (dir/etc/passwd),
		// never the host's /etc/passwd.
		{"out/passwd", "error: copy out/passwd: file not found in build context"},
		{"up/passwd", "error: copy up/passwd: file not found in build context"},
		{"in/c.py", "sub/c.py:file"},
		{"loop/x", "error: resolve loop/x: too many levels of symbolic links"},
		{"Dockerfile", "Dockerfile:file"},
	}
	for _, tt := range tests {
		if got := paths(tt.src); !strings.HasPrefix(got, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.src, got, tt.want)
		}
	}
	if got, _ := c.Sources("in/c.py"); len(got) != 1 || got[0].Given != "in/c.py" || got[0].Path != "sub/c.py" {
		t.Errorf("in/c.py: %+v", got)
	}
	// In a directory walk the link stays a link.
	if got := paths("."); !strings.Contains(got, "out:symlink") || strings.Contains(got, "secret") || strings.Contains(got, "passwd") {
		t.Errorf(". = %q", got)
	}
	_, err = c.Sources("../x")
	if !errors.Is(err, ErrOutsideContext) {
		t.Errorf("errors.Is(%v, ErrOutsideContext) = false", err)
	}
}

func ExampleExplain() {
	prev := KeyInputs{Step: 4, ParentStep: 3, Parent: "sha256:aa", Instruction: "RUN make", BuildArgs: []string{"VERSION=1.2"}}
	cur := prev
	cur.BuildArgs = []string{"VERSION=1.3"}
	fmt.Println(Explain(prev, cur))
	fmt.Println(Explain(KeyInputs{}, cur))
	// Output:
	// build arg VERSION 1.2 → 1.3
	// no earlier build of this step
}

func TestNearest(t *testing.T) {
	cur := KeyInputs{Parent: "p2", Config: "c", Instruction: "RUN b"}
	samePlace := KeyInputs{Parent: "p2", Config: "c", Instruction: "RUN a"}
	sameText := KeyInputs{Parent: "p1", Config: "c", Instruction: "RUN b"}
	both := KeyInputs{Parent: "p2", Config: "c", Instruction: "RUN b", BuildArgs: []string{"V=1"}}
	unrelated := KeyInputs{Parent: "x", Config: "y", Instruction: "RUN z"}
	tests := []struct {
		stored []KeyInputs
		want   KeyInputs
		ok     bool
	}{
		{nil, KeyInputs{}, false},
		{[]KeyInputs{unrelated}, KeyInputs{}, false},
		{[]KeyInputs{sameText, unrelated}, sameText, true},
		{[]KeyInputs{sameText, samePlace}, samePlace, true},
		{[]KeyInputs{both, samePlace, sameText}, both, true},
	}
	for i, tt := range tests {
		got, ok := Nearest(tt.stored, cur)
		if ok != tt.ok || got.Key() != tt.want.Key() {
			t.Errorf("%d: got %+v %v, want %+v %v", i, got, ok, tt.want, tt.ok)
		}
	}
}

func TestConfigDigest(t *testing.T) {
	a, err := ConfigDigest(map[string]any{"Env": []string{"A=1"}})
	b, _ := ConfigDigest(map[string]any{"Env": []string{"A=2"}})
	if err != nil || a == b || !strings.HasPrefix(a, "sha256:") {
		t.Errorf("%s %s %v", a, b, err)
	}
	if _, err := ConfigDigest(func() {}); err == nil {
		t.Error("a func has no JSON: want an error")
	}
}
