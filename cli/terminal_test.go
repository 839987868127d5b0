package cli

import (
	"os"
	"testing"
)

// A pseudo-terminal's master is a terminal, a pipe and a file are not.
func TestIsTerminal(t *testing.T) {
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	f, err := os.CreateTemp(t.TempDir(), "x")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if !IsTerminal(int(ptmx.Fd())) {
		t.Error("/dev/ptmx is not a terminal")
	}
	for _, f := range []*os.File{r, w, f} {
		if IsTerminal(int(f.Fd())) {
			t.Errorf("%s is a terminal", f.Name())
		}
	}
}
