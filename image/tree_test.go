package image

import (
	"fmt"
	"strings"
	"testing"
)

// Three images: base; app on base; tool on base, with a config-only step
// (ENV) between its layers, so history and layers do not line up one to one.
func treeImages() ([]Image, map[string]int64) {
	hist := func(lines ...string) Config {
		var c Config
		for _, l := range lines {
			c.History = append(c.History, History{CreatedBy: l, EmptyLayer: strings.HasPrefix(l, "ENV")})
		}
		return c
	}
	imgs := []Image{
		{ID: "sha256:1111111111111111", RepoTags: []string{"docker.io/library/base:1"}, ChainIDs: []string{"sha256:b"}, Config: hist("ADD rootfs /")},
		{ID: "sha256:2222222222222222", RepoTags: []string{"docker.io/library/app:1"}, ChainIDs: []string{"sha256:b", "sha256:a"}, Config: hist("ADD rootfs /", "COPY app /app")},
		{ID: "sha256:3333333333333333", ChainIDs: []string{"sha256:b", "sha256:t"}, Config: hist("ADD rootfs /", "ENV X=1", "RUN make tool")},
	}
	return imgs, map[string]int64{"sha256:b": 100, "sha256:a": 10, "sha256:t": 20}
}

func TestBuildLayerTree(t *testing.T) {
	imgs, sizes := treeImages()
	tr := BuildLayerTree(imgs, sizes)
	if len(tr.Roots) != 1 || tr.Stored != 130 || tr.Alone != 330 || tr.Saved != 200 {
		t.Fatalf("roots %d, stored %d, alone %d, saved %d; want 1, 130, 330, 200", len(tr.Roots), tr.Stored, tr.Alone, tr.Saved)
	}
	b := tr.Roots[0]
	if b.Images != 3 || b.CreatedBy != "ADD rootfs /" || len(b.Children) != 2 || fmt.Sprint(b.Tops) != "[base:1]" {
		t.Errorf("base node %+v", b)
	}
	a, tool := b.Children[0], b.Children[1]
	if a.ChainID != "sha256:a" || a.CreatedBy != "COPY app /app" || a.Images != 1 || fmt.Sprint(a.Tops) != "[app:1]" {
		t.Errorf("app node %+v", a)
	}
	if tool.CreatedBy != "RUN make tool" || fmt.Sprint(tool.Tops) != "[333333333333]" {
		t.Errorf("tool node %+v (the ENV step makes no layer)", tool)
	}
	if empty := BuildLayerTree(nil, nil); empty.Roots != nil || empty.Saved != 0 {
		t.Errorf("empty store: %+v", empty)
	}
}

func TestWriteDot(t *testing.T) {
	imgs, sizes := treeImages()
	var b strings.Builder
	if err := BuildLayerTree(imgs, sizes).WriteDot(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"b" -> "a";`, `"b" -> "t";`, `"app:1" -> "a";`, "digraph layers {"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("dot output lacks %s:\n%s", want, b.String())
		}
	}
}

// The seeds' picture: one base layer, shared by three images, stored once.
func ExampleBuildLayerTree() {
	imgs, sizes := treeImages()
	tr := BuildLayerTree(imgs, sizes)
	var show func(n *LayerNode, indent string)
	show = func(n *LayerNode, indent string) {
		fmt.Printf("%s%s %d B, %d image(s), %s %v\n", indent, shortID(n.ChainID), n.Size, n.Images, n.CreatedBy, n.Tops)
		for _, c := range n.Children {
			show(c, indent+"  ")
		}
	}
	for _, r := range tr.Roots {
		show(r, "")
	}
	fmt.Printf("stored %d B; alone they would take %d B; sharing saves %d B\n", tr.Stored, tr.Alone, tr.Saved)
	// Output:
	// b 100 B, 3 image(s), ADD rootfs / [base:1]
	//   a 10 B, 1 image(s), COPY app /app [app:1]
	//   t 20 B, 1 image(s), RUN make tool [333333333333]
	// stored 130 B; alone they would take 330 B; sharing saves 200 B
}
