package lab

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/cli"
)

// TestLoadBounds: a topology file past its bounds (maxFile in all,
// maxLine a line), or one that never ends, is one line of error naming
// it, whether it is a file, a device, a pipe or standard input.
func TestLoadBounds(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.lab")
	if err := os.WriteFile(big, []byte(strings.Repeat("# a comment line of 31 bytes.\n", maxFile/30+1)), 0o644); err != nil {
		t.Fatal(err)
	}
	fits := filepath.Join(dir, "fits.lab")
	if err := os.WriteFile(fits, []byte("netns a\n"+strings.Repeat("#\n", (maxFile-8)/2)), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "newlines")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	go func() {
		// a writer with no end: the reader stops at the bound and closes
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		chunk := []byte(strings.Repeat("\n", 1<<16))
		for {
			if _, err := f.Write(chunk); err != nil {
				f.Close()
				return
			}
		}
	}()
	for _, c := range []struct{ file, want string }{
		{big, "nsbox lab: " + big + ": larger than 1 MiB (the bound for a topology file)"},
		{"/dev/zero", "nsbox lab: /dev/zero: larger than 1 MiB (the bound for a topology file)"},
		{fifo, "nsbox lab: " + fifo + ": larger than 1 MiB (the bound for a topology file)"},
	} {
		_, err := load(c.file)
		if err == nil || err.Error() != c.want {
			t.Errorf("load(%s) = %v, want %q", c.file, err, c.want)
		}
	}
	if l, err := load(fits); err != nil || len(l.Netns) != 1 {
		t.Errorf("a file of exactly %d bytes: %v", maxFile, err)
	}
	// standard input: more than maxFile is an error, no longer cut short
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		w.Write([]byte("netns a\n" + strings.Repeat("\n", maxFile)))
		w.Close()
	}()
	saved := os.Stdin
	os.Stdin = r
	_, err = load("-")
	os.Stdin = saved
	r.Close()
	if err == nil || err.Error() != "nsbox lab: <stdin>: larger than 1 MiB (the bound for a topology file)" {
		t.Errorf("load(-) of %d bytes: %v", maxFile+8, err)
	}
	// through the command: one line, exit 1
	var out, errw strings.Builder
	if code := run(cli.Global{}, []string{"print", "/dev/zero"}, &out, &errw); code != 1 || strings.Count(errw.String(), "\n") != 1 || out.Len() != 0 {
		t.Errorf("lab print /dev/zero: exit %d, stdout %q, stderr %q", code, out.String(), errw.String())
	}
}

// TestParseBounds: Parse holds data to the same bounds, whoever read it.
func TestParseBounds(t *testing.T) {
	if _, err := Parse("x.lab", []byte("netns a\n"+strings.Repeat("#", maxFile))); err == nil ||
		err.Error() != "x.lab: larger than 1 MiB (the bound for a topology file)" {
		t.Errorf("a file of %d bytes: %v", maxFile+8, err)
	}
	if _, err := Parse("x.lab", []byte("netns a\n#"+strings.Repeat("x", maxLine)+"\n")); err == nil ||
		err.Error() != "x.lab:2: line longer than 4096 bytes" {
		t.Errorf("a comment of %d bytes: %v", maxLine+1, err)
	}
	if _, err := Parse("x.lab", []byte("netns a\n#"+strings.Repeat("x", maxLine-1)+"\n")); err != nil {
		t.Errorf("a line of %d bytes: %v", maxLine, err)
	}
}

// TestJournalBounds: lab up writes no journal past maxJournal (the
// record that would pass it fails, so up undoes what it did), and a
// journal past it is one line of error when read.
func TestJournalBounds(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("NSBOX_LAB_DIR", dir)
	j, err := createJournal("big")
	if err != nil {
		t.Fatal(err)
	}
	defer j.close()
	j.size = maxJournal - 20 // as if written: the test writes no 16 MiB
	if err := j.add(&record{Op: "netns", Intent: true, Name: "a"}); err != nil {
		t.Errorf("a record within the bound: %v", err)
	}
	err = j.add(&record{Op: "netns", Intent: true, Name: "namespace1"})
	if err == nil || !strings.HasSuffix(err.Error(), "larger than 16 MiB (the bound for a lab journal)") {
		t.Errorf("a record past the bound: %v", err)
	}
	// a journal past the bound (sparse: no 16 MiB written)
	if err := os.Truncate(journalPath("big"), maxJournal+1); err != nil {
		t.Fatal(err)
	}
	_, err = readJournal("big")
	if err == nil || err.Error() != journalPath("big")+": larger than 16 MiB (the bound for a lab journal)" {
		t.Errorf("readJournal of %d bytes: %v", maxJournal+1, err)
	}
	if recs, err := readJournal("none"); recs != nil || err != nil {
		t.Errorf("no journal: %v, %v", recs, err)
	}
}
