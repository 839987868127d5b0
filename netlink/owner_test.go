package netlink

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// netlinkSocketUses lists, in one Go source file, every place that opens
// or addresses a netlink socket: a socket(2) or socketpair(2) call
// (unix.Socket, syscall.Socket, a Syscall of SYS_SOCKET, ...) whose family
// is AF_NETLINK (by name or as 16), and every use of SockaddrNetlink or
// RawSockaddrNetlink, without which nothing can be bound or sent to the
// kernel.
func netlinkSocketUses(fset *token.FileSet, f *ast.File) []string {
	var found []string
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if n.Sel.Name == "SockaddrNetlink" || n.Sel.Name == "RawSockaddrNetlink" {
				found = append(found, fset.Position(n.Pos()).String()+": "+n.Sel.Name)
			}
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok || len(n.Args) == 0 {
				return true
			}
			args := n.Args
			switch name := sel.Sel.Name; {
			case name == "Socket" || name == "Socketpair":
			case strings.Contains(name, "Syscall"):
				if s, ok := args[0].(*ast.SelectorExpr); !ok || s.Sel.Name != "SYS_SOCKET" && s.Sel.Name != "SYS_SOCKETPAIR" {
					return true
				}
				args = args[1:]
			default:
				return true
			}
			if len(args) > 0 && isNetlinkFamily(args[0]) {
				found = append(found, fset.Position(n.Pos()).String()+": "+sel.Sel.Name+"(AF_NETLINK, ...)")
			}
		}
		return true
	})
	return found
}

// isNetlinkFamily reports whether e is AF_NETLINK: by name, as the
// number 16, or converted (uintptr(unix.AF_NETLINK)).
func isNetlinkFamily(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.SelectorExpr:
		return e.Sel.Name == "AF_NETLINK"
	case *ast.Ident:
		return e.Name == "AF_NETLINK"
	case *ast.BasicLit:
		return e.Value == "16"
	case *ast.CallExpr:
		return len(e.Args) == 1 && isNetlinkFamily(e.Args[0])
	}
	return false
}

// The detector finds the ways this tree has opened netlink sockets
// outside package netlink (lab/carrier.go's own event socket did the
// first two), and nothing in ordinary socket code.
func TestNetlinkSocketUsesDetector(t *testing.T) {
	const src = `package x
func a() {
	fd, _ := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: unix.RTMGRP_LINK})
	syscall.Socket(16, syscall.SOCK_DGRAM, 0)
	unix.RawSyscall(unix.SYS_SOCKET, uintptr(unix.AF_NETLINK), unix.SOCK_RAW, 0)
	unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	unix.Syscall(unix.SYS_SOCKET, unix.AF_UNIX, unix.SOCK_STREAM, 0)
	b := []byte{AF_NETLINK, 3} // a sock_diag request naming the family
}`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := netlinkSocketUses(fset, f)
	want := []string{"x.go:3:11: Socket(AF_NETLINK, ...)", "x.go:4:17: SockaddrNetlink", "x.go:5:2: Socket(AF_NETLINK, ...)", "x.go:6:2: RawSyscall(AF_NETLINK, ...)"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("found\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// No package of the product but this one opens a netlink socket: every
// other one goes through Conn (issue #13). Tests may (socket pairs for a
// fake kernel, sockets of their own to check the kernel's view).
func TestOnlyNetlinkOpensNetlinkSockets(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root: %v", err)
	}
	fset := token.NewFileSet()
	files := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			// bench/ is a module of its own (peers for comparison);
			// testdata holds inputs, not code.
			if rel == "netlink" || rel == "bench" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && rel != "." {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		files++
		for _, use := range netlinkSocketUses(fset, f) {
			t.Errorf("%s: a netlink socket outside package netlink", strings.TrimPrefix(use, root+"/"))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("looked at only %d files under %s", files, root)
	}
}

// Package netlink makes its system calls through the scheduler
// (unix.Syscall and the x/sys wrappers built on it): a raw system call
// that waits in the kernel (for the RTNL lock, say) would hold its P and
// stall every garbage collection's stop-the-world meanwhile.
func TestNoRawSyscalls(t *testing.T) {
	paths, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, path := range paths {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok && strings.HasPrefix(sel.Sel.Name, "RawSyscall") {
				t.Errorf("%s: %s", fset.Position(sel.Pos()), sel.Sel.Name)
			}
			return true
		})
	}
}
