package sockdiag

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProcessNamesBound: of /proc/PID/cmdline only the first 511 bytes
// are read (net-tools' netstat reads as many), whatever its length; a
// stat past its bound is skipped. A fake /proc tree: process 42 holds
// socket 7 on fd 3.
func TestProcessNamesBound(t *testing.T) {
	root := t.TempDir()
	fd := filepath.Join(root, "42", "fd")
	if err := os.MkdirAll(fd, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("socket:[7]", filepath.Join(fd, "3")); err != nil {
		t.Fatal(err)
	}
	argv0 := "/usr/bin/" + strings.Repeat("x", 2<<20)
	write := func(name, s string) {
		if err := os.WriteFile(filepath.Join(root, "42", name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("cmdline", argv0+"\x00-l\x00")
	write("stat", "42 (server) S 1 42 42 0 -1")
	own, err := Owners(root)
	if err != nil {
		t.Fatal(err)
	}
	o := own[7]
	if len(o) != 1 || o[0].PID != 42 || o[0].FD != 3 || o[0].Comm != "server" || o[0].Argv0 != argv0[:511] {
		t.Fatalf("owners of socket 7: %+v", o)
	}
	write("stat", "42 ("+strings.Repeat("y", maxStat)+") S 1")
	if own, _ := Owners(root); len(own[7]) != 1 || own[7][0].Comm != "" {
		t.Errorf("a stat of %d bytes: %+v", maxStat+12, own[7])
	}
}
