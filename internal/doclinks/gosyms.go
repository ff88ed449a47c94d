package doclinks

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
)

// A lines range is where a declaration stands in its file, its doc comment
// included (1-based, inclusive).
type lines struct{ From, To int }

// goFile is what one parsed Go file declares: Pkg is its package clause
// (without an external test package's "_test"), Decls maps a name to where
// it is declared. Names are "Name" for top-level funcs, types, vars and
// consts, and "Type.Name" for methods, struct fields and interface methods.
type goFile struct {
	Pkg   string
	Lines int
	Decls map[string]lines
	Types map[string]bool // the names in Decls that are types
}

// goIndex holds every Go file of the repository, by slash path from the root.
type goIndex map[string]*goFile

// indexGo parses every .go file under root (skipping hidden directories and
// testdata) for its declarations only: no type checking, no imports.
func indexGo(root string) (goIndex, error) {
	idx := goIndex{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		idx[filepath.ToSlash(rel)] = declsOf(fset, f)
		return nil
	})
	return idx, err
}

func declsOf(fset *token.FileSet, f *ast.File) *goFile {
	g := &goFile{Pkg: strings.TrimSuffix(f.Name.Name, "_test"), Decls: map[string]lines{}, Types: map[string]bool{}}
	g.Lines = fset.File(f.Pos()).LineCount()
	at := func(doc *ast.CommentGroup, from, to token.Pos) lines {
		if doc != nil {
			from = doc.Pos()
		}
		return lines{fset.Position(from).Line, fset.Position(to).Line}
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			name := d.Name.Name
			if d.Recv != nil && len(d.Recv.List) == 1 {
				name = recvType(d.Recv.List[0].Type) + "." + name
			}
			g.Decls[name] = at(d.Doc, d.Pos(), d.End())
		case *ast.GenDecl:
			for _, s := range d.Specs {
				doc := d.Doc
				switch s := s.(type) {
				case *ast.TypeSpec:
					if s.Doc != nil || len(d.Specs) > 1 {
						doc = s.Doc
					}
					g.Decls[s.Name.Name] = at(doc, s.Pos(), s.End())
					g.Types[s.Name.Name] = true
					members(g, s, at)
				case *ast.ValueSpec:
					if s.Doc != nil || len(d.Specs) > 1 {
						doc = s.Doc
					}
					for _, n := range s.Names {
						g.Decls[n.Name] = at(doc, s.Pos(), s.End())
					}
				}
			}
		}
	}
	return g
}

// members records a struct's fields and an interface's methods as
// "Type.Name".
func members(g *goFile, s *ast.TypeSpec, at func(*ast.CommentGroup, token.Pos, token.Pos) lines) {
	var fields *ast.FieldList
	switch t := s.Type.(type) {
	case *ast.StructType:
		fields = t.Fields
	case *ast.InterfaceType:
		fields = t.Methods
	default:
		return
	}
	for _, f := range fields.List {
		for _, n := range f.Names {
			g.Decls[s.Name.Name+"."+n.Name] = at(f.Doc, f.Pos(), f.End())
		}
		if len(f.Names) == 0 { // embedded: its name is the type's
			if n := recvType(f.Type); n != "" {
				g.Decls[s.Name.Name+"."+n] = at(f.Doc, f.Pos(), f.End())
			}
		}
	}
}

// recvType is the type name of a receiver or embedded field: T for T, *T,
// T[K], pkg.T.
func recvType(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return recvType(t.X)
	case *ast.IndexExpr:
		return recvType(t.X)
	case *ast.IndexListExpr:
		return recvType(t.X)
	case *ast.SelectorExpr:
		return t.Sel.Name
	case *ast.Ident:
		return t.Name
	}
	return ""
}

// where returns the files that declare name ("Name" or "Type.Name"; a bare
// Name also as a method or field of any type), those in dir first.
func (idx goIndex) where(name, dir string) []string {
	var near, far []string
	for path, g := range idx {
		if !g.declares(name) {
			continue
		}
		if filepath.ToSlash(filepath.Dir(path)) == dir {
			near = append(near, path)
		} else {
			far = append(far, path)
		}
	}
	sortStrings(near)
	sortStrings(far)
	return append(near, far...)
}

// packageDirs returns the directories whose files declare package pkg.
func (idx goIndex) packageDirs(pkg string) map[string]bool {
	dirs := map[string]bool{}
	for path, g := range idx {
		if g.Pkg == pkg && pkg != "main" {
			dirs[filepath.ToSlash(filepath.Dir(path))] = true
		}
	}
	return dirs
}

func (g *goFile) declares(name string) bool {
	if _, ok := g.Decls[name]; ok {
		return true
	}
	if strings.Contains(name, ".") {
		return false
	}
	for d := range g.Decls {
		if strings.HasSuffix(d, "."+name) {
			return true
		}
	}
	return false
}
