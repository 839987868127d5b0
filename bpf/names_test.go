package bpf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nsbox/internal/bounded"
)

// TestNamesFileBound: a services file is read a line at a time with a
// bound; past it, one warning on stderr and the names before it still
// compile ("port http"), those after it do not.
func TestNamesFileBound(t *testing.T) {
	p := filepath.Join(t.TempDir(), "services")
	text := "http 80/tcp www\n" + strings.Repeat("x", maxNameLine+1) + "\nhttps 443/tcp\n"
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	var warn strings.Builder
	bounded.Stderr = &warn
	saved := servicesFile
	servicesFile = p
	defer func() { bounded.Stderr, servicesFile = os.Stderr, saved }()
	if port, _, ok := lookupPort("www"); !ok || port != 80 {
		t.Errorf("www: %d %v", port, ok)
	}
	if port, _, ok := lookupPort("https"); ok {
		t.Errorf("https, after the long line: %d", port)
	}
	if want := "nsbox: " + p + ": line 2: longer than 64 KiB (the bound for a line of " + p + "): ignored from there\n"; warn.String() != want {
		t.Errorf("stderr %q, want %q", warn.String(), want)
	}
}
