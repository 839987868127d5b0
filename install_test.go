package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"nsbox/internal/sandbox"
)

// nsbox --install DIR makes every applet link or none: with a file in
// the way of one of them (not the first), it fails in one line naming it,
// and DIR holds that file alone afterwards; into an empty DIR it makes
// them all, each a link to the binary.
func TestInstallAllOrNone(t *testing.T) {
	sandbox.Require(t)
	bin := sandbox.Binary(t)
	dir := t.TempDir()
	inWay := filepath.Join(dir, "ss")
	if err := os.WriteFile(inWay, []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "--install", dir).CombinedOutput()
	want := "nsbox: --install: " + inWay + ": File exists; no link was made\n"
	if err == nil || string(out) != want {
		t.Errorf("--install with %s in the way: %v, %q (want %q)", inWay, err, out, want)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 || ents[0].Name() != "ss" {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("after a failed --install, %s holds %v", dir, names)
	}
	if b, _ := os.ReadFile(inWay); string(b) != "mine\n" {
		t.Errorf("the file in the way was changed: %q", b)
	}
	os.Remove(inWay)
	if out, err := exec.Command(bin, "--install", dir).CombinedOutput(); err != nil {
		t.Fatalf("--install into an empty directory: %v %s", err, out)
	}
	ents, _ = os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
		if target, err := os.Readlink(filepath.Join(dir, e.Name())); err != nil || target != bin {
			t.Errorf("%s -> %q (%v), want %s", e.Name(), target, err, bin)
		}
	}
	sort.Strings(names)
	if strings.Join(names, " ") != strings.Join(appletNames, " ") {
		t.Errorf("--install made %v, want %v", names, appletNames)
	}
}
