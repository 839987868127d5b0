package main

// nsbox prints through nsbox/internal/printf, fmt without reflect: an
// operand of a type it cannot see (a named integer without String, a
// struct, a pointer, a map, an interface holding any of those) prints
// "%!v(unsupported)" where fmt would print the value. go vet checks the
// formats as fmt's (make vet); this test checks what vet cannot: that
// every operand the product passes, to a print function or to a wrapper
// of one, has a type internal/printf supports, with a verb it supports.

import (
	"bufio"
	"bytes"
	"go/ast"
	"go/constant"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"nsbox/internal/sandbox"
)

const printfPath = "nsbox/internal/printf"

// listedPackage is one line of go list -deps -export.
type listedPackage struct {
	path, export, dir string
	files             []string
}

// operandChecker type-checks the module's packages from source (their
// imports from export data) and reports the unsupported operands.
type operandChecker struct {
	fset     *token.FileSet
	imp      types.Importer            // export data: the standard library, x/sys
	source   map[string]*types.Package // the module's packages, checked here
	wrappers map[types.Object]bool     // print functions and their wrappers
	// recovered are the variables holding a recover() value: the last
	// net for a panic prints it as well as it can (a runtime error or a
	// string in full, anything else as %!v(unsupported)).
	recovered map[types.Object]bool
	errorT    *types.Interface
	stringer  *types.Interface
	duration  types.Type
	found     []string
}

// printFunc is whether obj is one of internal/printf's print functions.
func printFunc(obj types.Object) bool {
	f, ok := obj.(*types.Func)
	if !ok || f.Pkg() == nil || f.Pkg().Path() != printfPath || !f.Exported() {
		return false
	}
	sig := f.Type().(*types.Signature)
	return sig.Recv() == nil && variadicAny(sig)
}

// variadicAny is whether sig's last parameter is ...any.
func variadicAny(sig *types.Signature) bool {
	if !sig.Variadic() {
		return false
	}
	last := sig.Params().At(sig.Params().Len() - 1).Type().(*types.Slice)
	it, ok := last.Elem().Underlying().(*types.Interface)
	return ok && it.Empty()
}

// formatted is whether a print function or wrapper takes a format: its
// parameter before the ...any is a string (Sprintf, failf, ...).
func formatted(sig *types.Signature) bool {
	n := sig.Params().Len()
	if n < 2 {
		return false
	}
	b, ok := sig.Params().At(n - 2).Type().(*types.Basic)
	return ok && b.Kind() == types.String
}

// callee is the object a call calls (a function, a method, or a variable
// holding a function literal), or nil.
func callee(info *types.Info, call *ast.CallExpr) types.Object {
	switch fn := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		return info.Uses[fn]
	case *ast.SelectorExpr:
		if sel := info.Selections[fn]; sel != nil {
			return sel.Obj()
		}
		return info.Uses[fn.Sel]
	}
	return nil
}

// findWrappers marks the functions of files that pass their own ...any
// on (with "a...") to a print function or a wrapper, until no more are
// found: failf, cli.Errorf, warnf, a method, or a func literal assigned
// to a variable.
func (c *operandChecker) findWrappers(info *types.Info, files []*ast.File) {
	type fn struct {
		obj  types.Object
		sig  *types.Signature
		body *ast.BlockStmt
	}
	var fns []fn
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				if obj := info.Defs[n.Name]; obj != nil && n.Body != nil {
					fns = append(fns, fn{obj, obj.Type().(*types.Signature), n.Body})
				}
			case *ast.AssignStmt:
				for i, rhs := range n.Rhs {
					lit, ok := rhs.(*ast.FuncLit)
					if !ok || i >= len(n.Lhs) {
						continue
					}
					if id, ok := n.Lhs[i].(*ast.Ident); ok {
						obj := info.Defs[id]
						if obj == nil {
							obj = info.Uses[id]
						}
						if obj != nil {
							fns = append(fns, fn{obj, info.Types[lit].Type.(*types.Signature), lit.Body})
						}
					}
				}
			}
			return true
		})
	}
	for changed := true; changed; {
		changed = false
		for _, f := range fns {
			if c.wrappers[f.obj] || !variadicAny(f.sig) {
				continue
			}
			rest := f.sig.Params().At(f.sig.Params().Len() - 1)
			ast.Inspect(f.body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || !call.Ellipsis.IsValid() || len(call.Args) == 0 {
					return true
				}
				last, ok := call.Args[len(call.Args)-1].(*ast.Ident)
				if ok && info.Uses[last] == rest && c.wrappers[callee(info, call)] {
					c.wrappers[f.obj] = true
					changed = true
				}
				return true
			})
		}
	}
}

// findRecovered marks the variables of files assigned recover().
func (c *operandChecker) findRecovered(info *types.Info, files []*ast.File) {
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			a, ok := n.(*ast.AssignStmt)
			if !ok || len(a.Lhs) != 1 || len(a.Rhs) != 1 {
				return true
			}
			call, ok := a.Rhs[0].(*ast.CallExpr)
			if !ok {
				return true
			}
			if b, ok := callee(info, call).(*types.Builtin); ok && b.Name() == "recover" {
				if id, ok := a.Lhs[0].(*ast.Ident); ok {
					c.recovered[info.ObjectOf(id)] = true
				}
			}
			return true
		})
	}
}

// verbs are the verbs of format, one per operand it consumes ('*' for a
// width or precision taken from the operands, '#' before a verb that has
// the # flag), or ok false when the format numbers its operands
// explicitly (%[2]d), which the check leaves to vet.
func verbs(format string) (vs []string, ok bool) {
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		sharp := false
		for ; i < len(format) && strings.IndexByte("+-# 0", format[i]) >= 0; i++ {
			sharp = sharp || format[i] == '#'
		}
		for ; i < len(format) && (format[i] >= '0' && format[i] <= '9' || format[i] == '.' || format[i] == '*'); i++ {
			if format[i] == '*' {
				vs = append(vs, "*")
			}
		}
		if i >= len(format) {
			break
		}
		switch v := format[i]; v {
		case '%':
		case '[':
			return nil, false
		default:
			if sharp {
				vs = append(vs, "#"+string(v))
			} else {
				vs = append(vs, string(v))
			}
		}
	}
	return vs, true
}

// check reports why internal/printf cannot print an operand of type t
// with verb ("" if it can): verb is one of verbs' results ("#v" has the
// # flag). The verbs each kind takes are vet's and fmt's, less what
// internal/printf leaves out (%U, %p, # on floating-point verbs; %#v of
// an error or Stringer), which vet does not know; and vet checks an
// Errorf call only up to its %w.
func (c *operandChecker) check(t types.Type, verb string) string {
	sharp := len(verb) > 1 && verb[0] == '#'
	v := verb[len(verb)-1:]
	switch v {
	case "*":
		if b, ok := t.(*types.Basic); ok && b.Info()&types.IsInteger != 0 {
			return ""
		}
		return "a '*' width or precision that is not an unnamed integer"
	case "U", "p":
		return "%" + v + ", which internal/printf leaves out"
	}
	verbs := "" // the verbs t takes; "" when it is not a basic type
	switch u := t.(type) {
	case *types.Basic:
		switch {
		case u.Kind() == types.UntypedNil:
			verbs = "v"
		case u.Info()&types.IsBoolean != 0:
			verbs = "tv"
		case u.Info()&types.IsInteger != 0:
			verbs = "bcdoOqxXv"
		case u.Info()&types.IsFloat != 0:
			verbs = "beEfFgGxXv"
			if sharp && strings.Contains("eEfFgG", v) {
				return "%#" + v + ", which internal/printf leaves out"
			}
		case u.Info()&types.IsString != 0:
			verbs = "sqxXv"
		}
	case *types.Slice:
		if b, ok := u.Elem().(*types.Basic); ok && b.Kind() == types.Byte {
			verbs = "sqxXdv"
		}
	}
	if types.Identical(t, c.duration) {
		verbs = "bcdoOqxXsv" // String for %v %s %x %X %q, the number otherwise
	}
	if verbs != "" {
		if v == "T" || strings.Contains(verbs, v) {
			return ""
		}
		return "%" + v + " of " + t.String()
	}
	if types.Implements(t, c.errorT) || types.Implements(t, c.stringer) {
		if v == "T" || strings.Contains("vsxXqw", v) && verb != "#v" {
			return ""
		}
		return "%" + verb + " of an error or Stringer"
	}
	return "type " + t.String() + " (no String or Error method)"
}

// checkCalls reports every call in files to a print function or wrapper
// with an operand internal/printf cannot print.
func (c *operandChecker) checkCalls(info *types.Info, files []*ast.File) {
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || call.Ellipsis.IsValid() {
				return true
			}
			obj := callee(info, call)
			if !c.wrappers[obj] {
				return true
			}
			sig := obj.Type().(*types.Signature)
			first := sig.Params().Len() - 1 // the first operand
			if first > len(call.Args) {
				return true
			}
			var vs []string
			if formatted(sig) {
				// A format that is not a constant (iproute2's
				// print_string(fmt, v) helpers pass theirs on) leaves
				// only the operands' types to check.
				tv := info.Types[call.Args[first-1]]
				if tv.Value != nil && tv.Value.Kind() == constant.String {
					var ok bool
					if vs, ok = verbs(constant.StringVal(tv.Value)); !ok {
						return true
					}
				}
			}
			for i, arg := range call.Args[first:] {
				if id, ok := ast.Unparen(arg).(*ast.Ident); ok && c.recovered[info.Uses[id]] {
					continue
				}
				verb := "v"
				if vs != nil {
					if i >= len(vs) {
						break // vet reports the extra operand
					}
					verb = vs[i]
				}
				if why := c.check(info.Types[arg].Type, verb); why != "" {
					c.found = append(c.found, c.fset.Position(arg.Pos()).String()+": "+obj.Name()+": "+why)
				}
			}
			return true
		})
	}
}

// listPackages runs go list on the module: every package it needs, in
// dependency order, with its export data.
func listPackages(t *testing.T) []listedPackage {
	cmd := exec.Command("go", "list", "-deps", "-export", "-f", "{{.ImportPath}}\t{{.Export}}\t{{.Dir}}\t{{join .GoFiles \" \"}}", "./...")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []listedPackage
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 4 {
			t.Fatalf("go list line %q", sc.Text())
		}
		pkgs = append(pkgs, listedPackage{f[0], f[1], f[2], strings.Fields(f[3])})
	}
	return pkgs
}

func newOperandChecker(t *testing.T, pkgs []listedPackage) *operandChecker {
	exports := map[string]string{}
	for _, p := range pkgs {
		exports[p.path] = p.export
	}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		return os.Open(exports[path])
	})
	timePkg, err := imp.Import("time")
	if err != nil {
		t.Fatal(err)
	}
	errorT := types.Universe.Lookup("error").Type().Underlying().(*types.Interface)
	stringer := types.NewInterfaceType([]*types.Func{types.NewFunc(token.NoPos, nil, "String",
		types.NewSignatureType(nil, nil, nil, nil, types.NewTuple(types.NewVar(token.NoPos, nil, "", types.Typ[types.String])), false))}, nil).Complete()
	return &operandChecker{fset: fset, imp: imp, source: map[string]*types.Package{}, wrappers: map[types.Object]bool{},
		recovered: map[types.Object]bool{}, errorT: errorT,
		stringer: stringer, duration: timePkg.Scope().Lookup("Duration").Type()}
}

// Import is the module's packages as checked here (so that a wrapper
// found in one is the object its importers call), others from export data.
func (c *operandChecker) Import(path string) (*types.Package, error) {
	if p := c.source[path]; p != nil {
		return p, nil
	}
	return c.imp.Import(path)
}

// checkModule type-checks the module's packages (dependencies first, so
// that wrappers in one are known in the next) and checks their calls.
func (c *operandChecker) checkModule(t *testing.T, pkgs []listedPackage) (checked int) {
	for _, p := range pkgs {
		if p.path != "nsbox" && !strings.HasPrefix(p.path, "nsbox/") {
			continue
		}
		var files []*ast.File
		for _, name := range p.files {
			f, err := parser.ParseFile(c.fset, filepath.Join(p.dir, name), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{},
			Uses: map[*ast.Ident]types.Object{}, Selections: map[*ast.SelectorExpr]*types.Selection{}}
		conf := types.Config{Importer: c}
		pkg, err := conf.Check(p.path, c.fset, files, info)
		if err != nil {
			t.Fatalf("%s: %v", p.path, err)
		}
		c.source[p.path] = pkg
		if p.path == printfPath {
			for _, name := range pkg.Scope().Names() {
				if obj := pkg.Scope().Lookup(name); printFunc(obj) {
					c.wrappers[obj] = true
				}
			}
		}
		c.findWrappers(info, files)
		c.findRecovered(info, files)
		if p.path != printfPath {
			c.checkCalls(info, files)
		}
		checked++
	}
	return checked
}

// TestPrintfOperands: no operand of a type or verb internal/printf does
// not support reaches it, directly or through a wrapper, anywhere in the
// product (its non-test files). It runs the go command (go list), so it
// is left out under -short with the privileged tests: the qemu runs of
// make test-cross could not run it.
func TestPrintfOperands(t *testing.T) {
	sandbox.Require(t, "go")
	pkgs := listPackages(t)
	c := newOperandChecker(t, pkgs)
	n := c.checkModule(t, pkgs)
	if n < 20 || len(c.wrappers) < 20 {
		t.Fatalf("checked %d packages, %d print functions and wrappers: go list found too little", n, len(c.wrappers))
	}
	for _, f := range c.found {
		t.Error(f)
	}

	// The checker finds what it is for: each line marked bad, and only
	// those, in a package that imports the module's printf and cli.
	c.found = nil
	f, err := parser.ParseFile(c.fset, "detector.go", detectorSource, 0)
	if err != nil {
		t.Fatal(err)
	}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{},
		Uses: map[*ast.Ident]types.Object{}, Selections: map[*ast.SelectorExpr]*types.Selection{}}
	if _, err := (&types.Config{Importer: c}).Check("nsbox/detector", c.fset, []*ast.File{f}, info); err != nil {
		t.Fatal(err)
	}
	c.findWrappers(info, []*ast.File{f})
	c.findRecovered(info, []*ast.File{f})
	c.checkCalls(info, []*ast.File{f})
	var want []string
	for i, line := range strings.Split(detectorSource, "\n") {
		if strings.HasSuffix(line, "// bad") {
			want = append(want, "detector.go:"+strconv.Itoa(i+1)+":")
		}
	}
	var got []string
	for _, f := range c.found {
		got = append(got, f[:strings.IndexByte(f[len("detector.go:"):], ':')+len("detector.go:")+1])
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("detector found at %q, want %q:\n%s", got, want, strings.Join(c.found, "\n"))
	}
}

const detectorSource = `package detector

import (
	"net/netip"
	"time"

	"nsbox/cli"
	fmt "nsbox/internal/printf"
)

type kind uint8

func failf(format string, a ...any) error { return cli.Errorf(1, format, a...) }

func calls() {
	var k kind
	var a netip.Addr
	var e any = 1
	_ = failf("kind %d", k) // bad
	_ = failf("addr %d", a) // bad
	_ = cli.Errorf(1, "%s %v %d %x", a, time.Second, time.Second, []byte("x"))
	_ = fmt.Sprint(struct{}{}) // bad
	w := func(format string, x ...any) { fmt.Printf(format, x...) }
	w("%v", &k) // bad
	_ = fmt.Sprintf("%*d", k, 1) // bad
	_ = fmt.Errorf("%#v", a) // bad
	_ = fmt.Errorf("%w", fmt.Errorf("x"))
	_ = fmt.Errorf("%w: %d", fmt.Errorf("x"), "s") // bad
	_ = fmt.Sprintf("%U", 'x') // bad
	_ = fmt.Sprintf("%#g %g %x %T", 1.5, 2.5, 3.5, a) // bad
	_ = fmt.Sprintf("%5.2f%% %-8s %08x %+d %q %c %t %T", 1.5, "s", 1, -1, 'x', 'y', true, a)
	_ = fmt.Sprint(e) // bad
	_ = fmt.Sprint([]byte("x"), 1.5, true, nil, 'x', uint64(1), "s")
	if p := recover(); p != nil {
		_ = fmt.Sprint(p)
	}
}
`
