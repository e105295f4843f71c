package vista_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/uudashr/gocognit"
)

const module = "github.com/vista-optical/vista/"

// TestImportsRunOneWay keeps ARCHITECTURE.md true: capabilities import no
// HTTP, storage engine or surface; the storage contract, its suite and
// the engines import no HTTP code; a surface imports no engine and no
// other surface; nothing but the command line imports the program. It reads the dependency graph from go list.
func TestImportsRunOneWay(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		deps[f[0]] = f[1:]
	}
	http := []string{"github.com/gofiber/", "github.com/valyala/fasthttp", "github.com/prometheus/", "net/http/pprof", module + "backend/web"}
	engines := []string{"go.mongodb.org/mongo-driver", "modernc.org/sqlite", module + "backend/store"}
	surfaces := []string{module + "kiosk", module + "mobile-api"}
	capabilities := capabilityFolders(t)

	rules := []struct {
		pkg    string // a package, with those under it
		refuse [][]string
		why    string
	}{
		{pkg: "backend/store", refuse: [][]string{http, surfaces}, why: "the storage contract, its suite and the engines hold no HTTP or surface code"},
		{pkg: "qr", refuse: [][]string{http, engines, surfaces}, why: "a capability is used by surfaces, never the other way"},
		{pkg: "kiosk", refuse: [][]string{{"go.mongodb.org/mongo-driver", "modernc.org/sqlite", module + "backend/store"}, {module + "mobile-api"}}, why: "a surface calls services, not engines or other surfaces"},
		{pkg: "mobile-api", refuse: [][]string{{"go.mongodb.org/mongo-driver", "modernc.org/sqlite", module + "backend/store"}, {module + "kiosk"}}, why: "a surface calls services, not engines or other surfaces"},
		{pkg: "backend/web", refuse: [][]string{engines, surfaces}, why: "the HTTP layer serves surfaces and knows no engine"},
	}
	for _, c := range capabilities {
		rules = append(rules, struct {
			pkg    string
			refuse [][]string
			why    string
		}{pkg: "backend/" + c, refuse: [][]string{http, engines, surfaces}, why: "a capability is used by surfaces and engines, never the other way"})
	}
	checked := 0
	for pkg, ds := range deps {
		for _, r := range rules {
			if !under(pkg, module+r.pkg) {
				continue
			}
			checked++
			for _, d := range ds {
				for _, group := range r.refuse {
					for _, bad := range group {
						if under(d, bad) {
							t.Errorf("%s depends on %s: %s", strings.TrimPrefix(pkg, module), d, r.why)
						}
					}
				}
			}
		}
	}
	// The program is wired in one place: only its command line imports
	// it (tests boot it through apptest, which go list -deps does not see).
	for pkg, ds := range deps {
		if under(pkg, module+"backend/cmd/vista") || under(pkg, module+"backend/app") {
			continue
		}
		for _, d := range ds {
			if under(d, module+"backend/app") {
				t.Errorf("%s depends on %s: only backend/cmd/vista imports the program", strings.TrimPrefix(pkg, module), d)
			}
		}
	}
	// The console and the screens are two surfaces that share a folder:
	// neither imports the other.
	for _, pair := range [][2]string{{"kiosk/console", "kiosk"}, {"kiosk", "kiosk/console"}} {
		for _, d := range deps[module+pair[0]] {
			if d == module+pair[1] {
				t.Errorf("%s depends on %s: a surface calls services, not other surfaces", pair[0], pair[1])
			}
		}
	}
	if checked < len(rules) {
		t.Fatalf("only %d packages were checked against %d rules: has the tree moved?", checked, len(rules))
	}
}

// capabilityFolders are the folders under backend/ that hold a capability:
// every one but the program (app, cmd), the engines (store) and HTTP (web).
// A new capability is under the rules the day its folder exists.
func capabilityFolders(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir("backend")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && !slices.Contains([]string{"app", "cmd", "store", "web"}, e.Name()) {
			out = append(out, e.Name())
		}
	}
	if len(out) < 10 {
		t.Fatalf("only %d capabilities under backend/: has the tree moved?", len(out))
	}
	return out
}

// TestProgramLayerOnlyWires: the program layer (backend/app) constructs
// services and hands them the store; it calls no store method but
// Migrate, Close and Ping, and writes no function that reads a store — a
// read across capabilities is a method of the capability that owns it.
func TestProgramLayerOnlyWires(t *testing.T) {
	allowed := []string{"Migrate", "Close", "Ping"}
	for path, f := range goFiles(t, filepath.Join("backend", "app")) {
		if strings.Contains(path, "apptest") {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CallExpr:
				if fn, ok := x.Fun.(*ast.SelectorExpr); ok && isStore(fn.X) && !slices.Contains(allowed, fn.Sel.Name) {
					t.Errorf("%s calls the store's %s: give the capability that owns it a method", path, fn.Sel.Name)
				}
			case *ast.FuncLit:
				ast.Inspect(x.Body, func(n ast.Node) bool {
					if sel, ok := n.(*ast.SelectorExpr); ok && isStore(sel) {
						t.Errorf("%s: a function literal reads the store: give the capability that owns it a method", path)
					}
					return true
				})
			}
			return true
		})
	}
}

// isStore reports whether e is m.Store (or any x.Store).
func isStore(e ast.Expr) bool {
	sel, ok := e.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "Store"
}

// TestSurfacesCallServicesOnly: a handler asks a service, never the store,
// the token signer or the clock behind it (s.Screens.Store, s.Visits.Tokens,
// c.Agenda.Clock): what it may read and what "today" is are the service's.
func TestSurfacesCallServicesOnly(t *testing.T) {
	for path, f := range goFiles(t, "kiosk", "mobile-api") {
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok || !slices.Contains([]string{"Store", "Tokens", "Clock", "Shops", "Media"}, sel.Sel.Name) {
				return true
			}
			if inner, ok := sel.X.(*ast.SelectorExpr); ok {
				if _, ok := inner.X.(*ast.Ident); ok {
					t.Errorf("%s reaches into a service: %s.%s", path, inner.Sel.Name, sel.Sel.Name)
				}
			}
			return true
		})
	}
}

// under reports whether pkg is path or below it; a path ending in "/"
// names every package that starts with it.
func under(pkg, path string) bool {
	if strings.HasSuffix(path, "/") {
		return strings.HasPrefix(pkg, path)
	}
	return pkg == path || strings.HasPrefix(pkg, path+"/")
}

// goFiles returns the parsed non-test Go files under the folders.
func goFiles(t *testing.T, folders ...string) map[string]*ast.File {
	t.Helper()
	out := map[string]*ast.File{}
	fset := token.NewFileSet()
	for _, dir := range folders {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			out[path] = f
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no Go files under %v: has the tree moved?", folders)
	}
	return out
}

// TestSurfacesReadTheServiceClock: the surfaces (kiosk, console, app API,
// QR) tell time by the services' clock, so that VISTA_CLOCK_OFFSET and
// tests' clocks move "today" everywhere; the wall clock is read only for
// an I/O deadline.
func TestSurfacesReadTheServiceClock(t *testing.T) {
	for path, f := range goFiles(t, "kiosk", "mobile-api", "qr") {
		var stack []ast.Node
		ast.Inspect(f, func(n ast.Node) bool {
			if n == nil {
				stack = stack[:len(stack)-1]
				return true
			}
			stack = append(stack, n)
			sel, ok := n.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "Now" {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "time" {
				return true
			}
			for _, outer := range stack {
				if call, ok := outer.(*ast.CallExpr); ok {
					if fn, ok := call.Fun.(*ast.SelectorExpr); ok && strings.HasSuffix(fn.Sel.Name, "Deadline") {
						return true
					}
				}
			}
			t.Errorf("%s: time.Now outside an I/O deadline: use the service's clock", path)
			return true
		})
	}
}

// TestCacheControlIsSetInOnePlace: only the router (backend/web) decides
// Cache-Control — no-store unless a public route declares its cache — so
// no handler can forget it or loosen it.
func TestCacheControlIsSetInOnePlace(t *testing.T) {
	for path, f := range goFiles(t, "kiosk", "mobile-api", "qr", "backend") {
		if strings.HasPrefix(path, filepath.Join("backend", "web")) {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.SelectorExpr:
				if x.Sel.Name == "HeaderCacheControl" {
					t.Errorf("%s sets Cache-Control: declare Route.Cache instead", path)
				}
			case *ast.BasicLit:
				if strings.EqualFold(strings.Trim(x.Value, "\"`"), "Cache-Control") {
					t.Errorf("%s sets Cache-Control: declare Route.Cache instead", path)
				}
			}
			return true
		})
	}
}

// Bounds on the size of what a reader holds at once.
const (
	maxFileLines     = 450
	maxCognitiveFunc = 30
)

// TestFilesAndFunctionsStayReadable: no non-test Go file over
// maxFileLines lines (generated files excepted), and no function outside
// tests over a cognitive complexity of maxCognitiveFunc, as gocognit
// counts it (nesting weighs, flat lists do not): past those a file wants
// splitting by job, a function its steps named.
func TestFilesAndFunctionsStayReadable(t *testing.T) {
	fset := token.NewFileSet()
	files := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "." && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
		if err != nil {
			return err
		}
		if ast.IsGenerated(f) {
			return nil
		}
		files++
		if n := strings.Count(string(src), "\n"); n > maxFileLines {
			t.Errorf("%s has %d lines, over %d: split it by job", path, n, maxFileLines)
		}
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok {
				if c := gocognit.Complexity(fn); c > maxCognitiveFunc {
					t.Errorf("%s: %s has a cognitive complexity of %d, over %d: name its steps", fset.Position(fn.Pos()), fn.Name.Name, c, maxCognitiveFunc)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 {
		t.Fatalf("only %d Go files read: has the tree moved?", files)
	}
}
