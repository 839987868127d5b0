package nsenter_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"nsbox/internal/sandbox"
	"nsbox/internal/testutil"
)

func TestMain(m *testing.M) { sandbox.Main(m) }

type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
}

func run(t testing.TB, env []string, name string, args ...string) result {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	r := testutil.Run(t, cmd)
	return result{r.Stdout, r.Stderr, r.Code}
}

// nsbox runs the nsbox binary: "nsbox ARGS..." (ARGS start with "netns"
// or global options), which main.go routes to ipcmd and so to Netns.
func nsbox(t testing.TB, args ...string) result {
	t.Helper()
	return run(t, nil, sandbox.Binary(t), args...)
}

// ip runs iproute2's ip.
func ip(t testing.TB, args ...string) result {
	t.Helper()
	return run(t, nil, "ip", args...)
}

func mustIP(t testing.TB, args ...string) string {
	t.Helper()
	r := ip(t, args...)
	if r.code != 0 {
		t.Fatalf("ip %s: %v", strings.Join(args, " "), r)
	}
	return r.stdout
}

func mustNsbox(t testing.TB, args ...string) string {
	t.Helper()
	r := nsbox(t, args...)
	if r.code != 0 {
		t.Fatalf("nsbox %s: %v", strings.Join(args, " "), r)
	}
	return r.stdout
}

// cleanup removes every named namespace when the test ends.
func cleanup(t *testing.T) {
	t.Cleanup(func() {
		ip(t, "-all", "netns", "delete")
		names, _ := filepath.Glob("/var/run/netns/*")
		for _, n := range names {
			t.Errorf("left behind: %s", n)
		}
	})
}
