package nsenter

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"nsbox/internal/sandbox"
)

// TestCmdMatchesOSExec runs the same children through Cmd and through
// os/exec (the oracle, in tests only): streams that are not files go
// through pipes, Stdout == Stderr shares one, exit codes and signals.
func TestCmdMatchesOSExec(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		sandbox.Cannot(t, "no sh")
	}
	scripts := []string{
		"cat; echo err >&2; exit 3",
		"echo out; echo err >&2; echo out2",
		"head -c 100000 /dev/zero | tr '\\0' x; exit 0",
		"read line; echo got $line",
		"kill -9 $$",
	}
	for _, script := range scripts {
		for _, shared := range []bool{false, true} {
			input := "one line\n" + strings.Repeat("y", 70000)
			var o1, e1, o2, e2 bytes.Buffer
			c := &Cmd{Path: sh, Args: []string{"sh", "-c", script}, Stdin: strings.NewReader(input), Stdout: &o1, Stderr: &e1}
			x := exec.Command(sh, "-c", script)
			x.Stdin, x.Stdout, x.Stderr = strings.NewReader(input), &o2, &e2
			if shared {
				c.Stderr, x.Stderr = &o1, &o2
			}
			err1, err2 := c.Run(), x.Run()
			if o1.String() != o2.String() || e1.String() != e2.String() {
				t.Errorf("%q shared=%v: out %q err %q, os/exec: out %q err %q", script, shared,
					trunc(o1.String()), e1.String(), trunc(o2.String()), e2.String())
			}
			if (err1 == nil) != (err2 == nil) || err1 != nil && err1.Error() != err2.Error() {
				t.Errorf("%q: Wait = %v, os/exec: %v", script, err1, err2)
			}
			var ee *ExitError
			if err1 != nil && (!errors.As(err1, &ee) || ee.ExitCode() != x.ProcessState.ExitCode()) {
				t.Errorf("%q: %v is not an ExitError with code %d", script, err1, x.ProcessState.ExitCode())
			}
		}
	}
}

func trunc(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

func TestCmdNilStreamsAndMissing(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		sandbox.Cannot(t, "no sh")
	}
	// nil stdin reads as empty; nil stdout/stderr go nowhere.
	c := Command(sh, "-c", "test -z \"$(cat)\" && echo hidden")
	if err := c.Run(); err != nil {
		t.Errorf("nil streams: %v", err)
	}
	c = Command("/nonexistent/cmd")
	err = c.Start()
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Start of a missing file = %v, want ErrNotExist", err)
	}
	if c.Wait() == nil {
		t.Error("Wait after a failed Start succeeded")
	}
}
