package lab

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"nsbox/internal/sandbox"
)

// TestRunIsolatedStdin: "lab run -isolated -" runs the topology read from
// standard input. The parent reads it (to check it before anything is
// made); its child, in the fresh namespaces, is handed the same bytes
// (it used to get the parent's standard input, read to its end: an empty
// file). The namespace the test runs in is left as it was.
func TestRunIsolatedStdin(t *testing.T) {
	sandbox.Require(t, "ip")
	const topo = "lab piped\nnetns stdin1\nbridge br-stdin 10.9.0.1/24\n" +
		"veth v1 stdin1 10.9.0.2/24 -- v1-br master br-stdin\nlisten stdin1 tcp 8080\n"
	before := snapshot(t)
	cmd := exec.Command(sandbox.Binary(t), "lab", "run", "-isolated", "-")
	cmd.Env = append(os.Environ(), labEnv(t)...)
	cmd.Stdin = strings.NewReader(topo)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	pass, fail := reportLines(out.String())
	// a ping, the listener, a connection, its socket listing
	if err != nil || len(fail) > 0 || len(pass) != 4 {
		t.Fatalf("lab run -isolated - : %v, %d PASS (want 4), FAIL %q\nstdout:\n%s\nstderr:\n%s", err, len(pass), fail, out.String(), errb.String())
	}
	for _, w := range []string{"+ ip netns add stdin1\n", "+ ip link add name br-stdin up type bridge\n", "+ ip netns del stdin1\n"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("output lacks %q:\n%s", w, out.String())
		}
	}
	if after := snapshot(t); after != before {
		t.Errorf("lab run -isolated - changed the namespace it ran from:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}
