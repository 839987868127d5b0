package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"nsbox/internal/sandbox"
)

// nsbox --install-cni DIR makes DIR/bridge, DIR/host-local and
// DIR/loopback; invoked as bridge, nsbox is the CNI plugin only when
// CNI_COMMAND is set, iproute2's bridge otherwise; host-local without it
// says what it is, as the reference plugins do.
func TestInstallCNI(t *testing.T) {
	sandbox.Require(t) // runs the binary: not under -short (test-cross builds it for another architecture)
	bin := sandbox.Binary(t)
	dir := t.TempDir()
	if out, err := exec.Command(bin, "--install-cni", dir).CombinedOutput(); err != nil {
		t.Fatalf("--install-cni: %v %s", err, out)
	}
	for _, n := range []string{"bridge", "host-local", "loopback"} {
		if target, err := os.Readlink(filepath.Join(dir, n)); err != nil || target != bin {
			t.Errorf("%s: link to %q, %v", n, target, err)
		}
	}
	if out, err := exec.Command(bin, "--install-cni").CombinedOutput(); err == nil || !strings.Contains(string(out), "Usage: nsbox --install-cni DIR") {
		t.Errorf("--install-cni without DIR: %v %s", err, out)
	}
	run := func(name string, env ...string) (string, int) {
		cmd := exec.Command(filepath.Join(dir, name), "help")
		cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return string(out), code
	}
	if out, code := run("bridge"); code != 255 || !strings.Contains(out, "Usage: bridge [ OPTIONS ] OBJECT { COMMAND | help }") {
		t.Errorf("bridge help without CNI_COMMAND: exit %d %q, want iproute2's bridge", code, out)
	}
	want := `{"cniVersion":"1.1.0","supportedVersions":["0.1.0","0.2.0","0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}` + "\n"
	for _, n := range []string{"bridge", "host-local", "loopback"} {
		if out, code := run(n, "CNI_COMMAND=VERSION"); code != 0 || out != want {
			t.Errorf("%s with CNI_COMMAND=VERSION: exit %d %q", n, code, out)
		}
	}
	if out, code := run("host-local"); code != 0 || !strings.Contains(out, "CNI plugin host-local (nsbox)") {
		t.Errorf("host-local without CNI_COMMAND: exit %d %q", code, out)
	}
}

// The CNI plugins read their configuration from standard input with a
// bound (cni.MaxConfigSize): /dev/zero, 2 GiB of newlines and a 1 MiB
// line each give the spec's error object with code 6 (decoding) on
// stdout and exit 1, nothing on stderr, in time and under the RSS bound
// of TestInputBounds.
func TestCNIInputBounds(t *testing.T) {
	sandbox.Require(t)
	bin := sandbox.Binary(t)
	dir := t.TempDir()
	if out, err := exec.Command(bin, "--install-cni", dir).CombinedOutput(); err != nil {
		t.Fatalf("--install-cni: %v %s", err, out)
	}
	line := bytes.Repeat([]byte{'a'}, 1<<20)
	env := []string{"CNI_COMMAND=ADD", "CNI_CONTAINERID=bounds", "CNI_NETNS=/run/netns/none", "CNI_IFNAME=eth0", "CNI_PATH=" + dir}
	for _, p := range []string{"bridge", "host-local", "loopback"} {
		for _, in := range []struct {
			name  string
			stdin func() io.Reader
		}{
			{"/dev/zero", func() io.Reader {
				f, err := os.Open("/dev/zero")
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { f.Close() })
				return f
			}},
			{"2 GiB of newlines", func() io.Reader { return &newlines{left: 2 << 30} }},
			{"a 1 MiB line", func() io.Reader { return bytes.NewReader(append(line, '\n')) }},
		} {
			name := p + " ADD <- " + in.name
			r := runBounded(t, filepath.Join(dir, p), in.stdin(), env)
			switch {
			case r.killed:
				t.Errorf("%s: still running after %v (killed)", name, boundsTimeout)
			case r.code != 1 || !strings.HasPrefix(r.stdout, "{\n    \"code\": 6,") || r.stderr != "":
				t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 1 and error code 6", name, r.code, clip(r.stdout), clip(r.stderr))
			case r.maxRSS >= boundsRSS:
				t.Errorf("%s: peak RSS %d KiB, bound %d KiB", name, r.maxRSS>>10, boundsRSS>>10)
			default:
				t.Logf("%s: exit 1, %d KiB RSS: %s", name, r.maxRSS>>10, strings.Join(strings.Fields(r.stdout), " "))
			}
		}
	}
}
