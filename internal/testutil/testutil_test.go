package testutil

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestNotInProduct: no package the nsbox binary is built from imports
// testutil or another test-only package. The import graph is read from
// the sources (every file but the _test.go ones, whatever its build
// tags, so on any GOARCH) and followed from the main package.
func TestNotInProduct(t *testing.T) {
	root := filepath.Join("..", "..")
	imports := map[string][]string{} // package -> the nsbox packages it imports
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != root && (n == "testdata" || n == "bench" || strings.HasPrefix(n, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := filepath.ToSlash(filepath.Join("nsbox", rel))
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(p, "nsbox/") {
				imports[pkg] = append(imports[pkg], p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// via[p] is the package through which the binary imports p.
	via := map[string]string{"nsbox": ""}
	for todo := []string{"nsbox"}; len(todo) > 0; todo = todo[1:] {
		for _, p := range imports[todo[0]] {
			if _, ok := via[p]; !ok {
				via[p] = todo[0]
				todo = append(todo, p)
			}
		}
	}
	if _, ok := via["nsbox/rtnl"]; !ok || len(via) < 20 {
		t.Fatalf("the binary's packages, as read: %d, without nsbox/rtnl: the walk missed the tree", len(via))
	}
	testOnly := []string{"nsbox/internal/sandbox", "nsbox/internal/golden", "nsbox/internal/pkttest", "nsbox/cni/internal/cnitest"}
	for p, by := range via {
		if p == "nsbox/internal/testutil" || strings.HasPrefix(p, "nsbox/internal/testutil/") || slices.Contains(testOnly, p) {
			t.Errorf("%s, for tests only, is in the binary: %s imports it", p, by)
		}
	}
}

func TestSyncBufferWaitFor(t *testing.T) {
	var a, b SyncBuffer
	go func() {
		a.Write([]byte("one "))
		time.Sleep(30 * time.Millisecond)
		b.Write([]byte("two mark"))
		a.Write([]byte("mark"))
	}()
	WaitFor(t, "mark", &a, &b)
	if a.String() != "one mark" || b.String() != "two mark" {
		t.Fatalf("got %q and %q", a.String(), b.String())
	}
}

func TestRun(t *testing.T) {
	r := Run(t, exec.Command("sh", "-c", "echo out; echo err >&2; exit 3"))
	if r != (Result{"out\n", "err\n", 3}) {
		t.Fatalf("got %+v", r)
	}
	if r := Run(t, exec.Command("true")); r != (Result{}) {
		t.Fatalf("true: got %+v", r)
	}
	if out := Output(t, exec.Command("echo", "out")); out != "out\n" {
		t.Fatalf("Output: %q", out)
	}
}

func TestBuilders(t *testing.T) {
	// struct nlmsghdr of 20 bytes, type 3, flags 2, seq 7, pid 9; one
	// 1-byte attribute of type 5, padded; built by hand here.
	got := NlMsg(3, 2, 7, 9, Nla(5, []byte{0xaa}))
	var want []byte
	for _, f := range []any{uint32(24), uint16(3), uint16(2), uint32(7), uint32(9), uint16(5), uint16(5)} {
		switch v := f.(type) {
		case uint16:
			want = ne.AppendUint16(want, v)
		case uint32:
			want = ne.AppendUint32(want, v)
		}
	}
	want = append(want, 0xaa, 0, 0, 0)
	if string(got) != string(want) {
		t.Fatalf("got % x\nwant % x", got, want)
	}
	if e := NlErr(-2, []byte{1, 2}, []byte{9}); len(e) != 9 || e[4] != 1 || e[6] != 0 || e[8] != 9 {
		t.Fatalf("NlErr: % x", e)
	}
}

func TestDiff(t *testing.T) {
	a := "1\n2\n3\n4\n5\n6\n7\n8\n9\n10"
	b := "1\n2\n3x\n4\n5\n6\n7\n8\n9\n10\n11"
	want := "  1\n  2\n+ 3x\n- 3\n  4\n  5\n   ...\n  9\n  10\n+ 11\n"
	if got := Diff(a, b); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if got := Diff(a, a); got != "" {
		t.Fatalf("same text: %q", got)
	}
}
