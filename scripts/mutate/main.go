// Command mutate checks that every fuzz target can fail: for each target
// it builds the package with one deliberately broken copy of the function
// the target tests (a mutation from the table in mutations.go, applied
// through go test -overlay, so no file of the tree changes), runs the
// target on its seed corpus and then fuzzes it briefly, and expects a
// failure. It prints a table (package, target, mutation, caught) and
// exits 1 when a mutation is not caught, no longer applies (the code it
// breaks changed: update the table), does not build, or a target has no
// mutation.
//
//	go run ./scripts/mutate [-fuzztime 20s] [-run REGEXP]
//
// make mutate (part of make test) runs it with -fuzztime $(MUTATETIME);
// a target whose seeds catch its mutation costs one build and run, one
// that needs fuzzing up to -fuzztime more.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// A mutation breaks one function that one fuzz target tests: Old, which
// must occur exactly once in File, becomes New.
type mutation struct {
	Pkg, Target string // "./rtnl", "FuzzParseLink"
	File        string // relative to the module root
	Old, New    string
	What        string // the bug, in a few words
}

func main() {
	fuzztime := flag.Duration("fuzztime", 20*time.Second, "how long to fuzz a target its seeds did not fail")
	run := flag.String("run", "", "only targets whose name matches this regexp")
	flag.Parse()
	sel := regexp.MustCompile(*run)

	bad := false
	if missing := unmutated(); len(missing) > 0 {
		for _, m := range missing {
			fmt.Fprintf(os.Stderr, "mutate: %s has no mutation in scripts/mutate/mutations.go\n", m)
		}
		bad = true
	}
	tmp, err := os.MkdirTemp("", "mutate")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer os.RemoveAll(tmp)

	fmt.Println("| package | target | mutation | caught |")
	fmt.Println("|---|---|---|---|")
	for i, m := range mutations {
		if !sel.MatchString(m.Target) {
			continue
		}
		res, ok := check(m, filepath.Join(tmp, fmt.Sprint(i)), *fuzztime)
		if !ok {
			bad = true
		}
		fmt.Printf("| %s | %s | %s | %s |\n", strings.TrimPrefix(m.Pkg, "./"), m.Target, m.What, res)
	}
	if bad {
		os.Exit(1)
	}
}

// check runs m's target on the mutated package: its seeds, then fuzzing.
func check(m mutation, dir string, fuzztime time.Duration) (string, bool) {
	src, err := os.ReadFile(m.File)
	if err != nil {
		return "no: " + err.Error(), false
	}
	if n := bytes.Count(src, []byte(m.Old)); n != 1 {
		return fmt.Sprintf("no: the text to mutate occurs %d times in %s (update the table)", n, m.File), false
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "no: " + err.Error(), false
	}
	mutated := filepath.Join(dir, filepath.Base(m.File))
	abs, _ := filepath.Abs(m.File)
	overlay := filepath.Join(dir, "overlay.json")
	j, _ := json.Marshal(map[string]map[string]string{"Replace": {abs: mutated}})
	if err := os.WriteFile(mutated, bytes.Replace(src, []byte(m.Old), []byte(m.New), 1), 0o644); err != nil {
		return "no: " + err.Error(), false
	}
	if err := os.WriteFile(overlay, j, 0o644); err != nil {
		return "no: " + err.Error(), false
	}

	out, err := goTest("-overlay="+overlay, "-run=^"+m.Target+"$", m.Pkg)
	if broken(out) {
		return "no: the mutated package does not build\n" + indent(out), false
	}
	if err != nil {
		if !strings.Contains(out, "--- FAIL: "+m.Target) {
			return "no: the run failed, not the target\n" + indent(out), false
		}
		return "yes (seed corpus)", true
	}

	// Fuzzing writes a failing input to the package's testdata: it is
	// removed again (it fails only the mutated code).
	corpus := filepath.Join(m.Pkg, "testdata", "fuzz", m.Target)
	before := listDir(corpus)
	for try := 1; ; try++ {
		start := time.Now()
		out, err = goTest("-overlay="+overlay, "-run=^$", "-fuzz=^"+m.Target+"$", "-fuzztime="+fuzztime.String(), m.Pkg)
		for f := range listDir(corpus) {
			if !before[f] {
				os.Remove(filepath.Join(corpus, f))
			}
		}
		if err == nil {
			return fmt.Sprintf("NO (seeds and %s of fuzzing)", fuzztime), false
		}
		if strings.Contains(out, "failure while testing seed corpus") {
			return "yes (seed corpus)", true
		}
		if strings.Contains(out, "Failing input written") {
			return fmt.Sprintf("yes (fuzzing, %.0f s)", time.Since(start).Seconds()), true
		}
		// the fuzz coordinator's "context deadline exceeded" with no
		// input (see scripts/fuzz.sh): again
		if try < 3 && strings.Contains(out, "context deadline exceeded") {
			continue
		}
		return "no: the fuzz run failed with no failing input\n" + indent(out), false
	}
}

func goTest(args ...string) (string, error) {
	cmd := exec.Command("go", append([]string{"test", "-short", "-count=1", "-vet=off"}, args...)...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func broken(out string) bool {
	return strings.Contains(out, "[build failed]") || strings.Contains(out, "[setup failed]")
}

func indent(s string) string {
	if len(s) > 2000 {
		s = s[:2000] + "..."
	}
	return "    " + strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n    ")
}

func listDir(dir string) map[string]bool {
	es, _ := os.ReadDir(dir)
	m := map[string]bool{}
	for _, e := range es {
		m[e.Name()] = true
	}
	return m
}

// unmutated lists the fuzz targets of the tree that have no mutation.
func unmutated() []string {
	have := map[string]bool{}
	for _, m := range mutations {
		have[filepath.Clean(m.Pkg)+" "+m.Target] = true
	}
	re := regexp.MustCompile(`(?m)^func (Fuzz\w+)\(`)
	var missing []string
	filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "bench" || strings.HasPrefix(d.Name(), ".") && path != ".") {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, _ := os.ReadFile(path)
		for _, sm := range re.FindAllSubmatch(b, -1) {
			if k := filepath.Dir(path) + " " + string(sm[1]); !have[k] {
				missing = append(missing, k)
			}
		}
		return nil
	})
	sort.Strings(missing)
	return missing
}
