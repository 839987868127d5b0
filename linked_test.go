package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"nsbox/internal/sandbox"
)

// TestNoFmtLinked builds the binary as make does (unstripped, to read its
// symbols) and fails if fmt's code is in it: internal/printf prints for
// the whole product, and one stray import of "fmt" in a package nsbox
// runs costs about 170 KB (rtnl/bridge_vlan.go's did). reflect may be
// linked only as the few type helpers the runtime itself needs.
func TestNoFmtLinked(t *testing.T) {
	sandbox.Require(t, "go")
	bin := filepath.Join(t.TempDir(), "nsbox")
	build := exec.Command("go", "build", "-trimpath", "-gcflags=nsbox/...=-l", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command("go", "tool", "nm", "-size", bin).Output()
	if err != nil {
		t.Fatalf("go tool nm: %v", err)
	}
	var fmtSyms []string
	reflectBytes := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 {
			continue
		}
		switch name := f[3]; {
		case strings.HasPrefix(name, "fmt."):
			fmtSyms = append(fmtSyms, name)
		case strings.HasPrefix(name, "reflect."):
			var n int
			for _, c := range f[1] {
				n = n*10 + int(c-'0')
			}
			reflectBytes += n
		}
	}
	if len(fmtSyms) > 0 {
		t.Errorf("%d symbols of fmt are linked (a package imports \"fmt\" instead of nsbox/internal/printf; go list -deps and go list -f '{{.Imports}}' find it), e.g. %s", len(fmtSyms), fmtSyms[0])
	}
	if reflectBytes > 4096 {
		t.Errorf("%d bytes of reflect are linked", reflectBytes)
	}
}
