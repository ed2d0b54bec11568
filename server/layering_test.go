package server_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestHandlersCallTheLayer: server/ reaches the store and Temporal only
// through app/ (issue 13). Outside New, which hands them to the layer and
// the session store, no code of the package names the server's DB or
// Temporal client, nor a connection pool.
func TestHandlersCallTheLayer(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, decl := range f.Decls {
			if fn, ok := decl.(*ast.FuncDecl); ok && fn.Recv == nil && fn.Name.Name == "New" {
				continue // the wiring
			}
			ast.Inspect(decl, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				switch {
				case sel.Sel.Name == "Pool",
					(sel.Sel.Name == "DB" || sel.Sel.Name == "Temporal") && isDeps(sel.X):
					t.Errorf("%s: %s reaches past the layer: call app/ instead", fset.Position(sel.Pos()), render(sel))
				}
				return true
			})
		}
	}
	if checked < 20 {
		t.Fatalf("only %d files checked: run from server/", checked)
	}
}

// isDeps says whether x is deps or something.deps.
func isDeps(x ast.Expr) bool {
	switch x := x.(type) {
	case *ast.Ident:
		return x.Name == "deps"
	case *ast.SelectorExpr:
		return x.Sel.Name == "deps"
	}
	return false
}

func render(sel *ast.SelectorExpr) string {
	switch x := sel.X.(type) {
	case *ast.Ident:
		return x.Name + "." + sel.Sel.Name
	case *ast.SelectorExpr:
		return render(x) + "." + sel.Sel.Name
	}
	return "…." + sel.Sel.Name
}
