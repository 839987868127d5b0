package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"nsbox/cni/internal/cnitest"
	"nsbox/internal/sandbox"
)

// The reference plugins' own integration suite (plugins/integration of
// v1.10.0: cnitool ADD and DEL of ptp, ptp with bandwidth, bridge with
// host-local, bridge chained with bandwidth and traffic shaped through
// it) passes with nsbox's bridge and host-local in its bin directory
// (ptp, bandwidth and loopback stay the reference's).
func TestIntegrationSuite(t *testing.T) {
	cnitest.Require(t, "ip", "go", "unshare", "mount")
	dir := cnitest.Oracle(t)
	bin := t.TempDir()
	nsbox := sandbox.Binary(t)
	self, err := os.ReadFile(nsbox)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"bridge", "host-local"} {
		// copies, not links: the suite's /tmp hides what is in ours
		if err := os.WriteFile(filepath.Join(bin, p), self, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"ptp", "bandwidth", "loopback"} {
		if err := os.Symlink(filepath.Join(dir, "bin", p), filepath.Join(bin, p)); err != nil {
			t.Fatal(err)
		}
	}
	// The suite runs cnitool against ../bin and keeps its IPAM state in
	// /tmp: a mount namespace of its own gives it this bin directory
	// there and a /tmp of its own. It builds its echo server and client
	// with go build, from the module cache scripts/cni-oracle.sh filled.
	script := `set -e
mkdir -p "$1/plugins/bin"
mount --bind "$2" "$1/plugins/bin"
mount -t tmpfs nsbox-integration /tmp
cd "$1/plugins/integration"
exec "$1/integration.test" -test.count=1 -test.v -ginkgo.v`
	cmd := exec.Command("unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", dir, bin)
	cmd.Env = append(os.Environ(), "PATH="+filepath.Join(dir, "bin")+":"+os.Getenv("PATH"),
		"GOFLAGS=-mod=mod", "GOPROXY=off", "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Ran 3 of 3 Specs") || !strings.Contains(string(out), "SUCCESS!") {
		t.Fatalf("the integration suite with nsbox's bridge and host-local: %v\n%s", err, out)
	}
	t.Logf("%s", lastLines(string(out), 8))
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}
