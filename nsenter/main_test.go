package nsenter_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"nsbox/cli"
	"nsbox/internal/sandbox"
	"nsbox/ipcmd"
)

// helperEnv makes the test binary act as "ip netns ..." (ipcmd.Netns)
// instead of running tests: the CLI is tested through real processes,
// so that exit codes, stderr and execve in place are what a user gets.
// The variable is inherited, so "netns exec NS ip netns ..." (which runs
// /proc/self/exe, i.e. this binary, as "ip") lands here too.
const helperEnv = "NSBOX_NETNS_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		os.Exit(helperMain(os.Args[1:]))
	}
	sandbox.Main(m)
}

// helperMain is "ip [OPTIONS] netns ...", as main.go and ipcmd route it.
func helperMain(args []string) int {
	g, rest, err := cli.ParseGlobal("ip", args)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return cli.ExitUsage
	}
	if len(rest) == 0 || !cli.Matches(rest[0], "netns") {
		fmt.Fprintf(os.Stderr, "test helper: only \"ip netns ...\", not %q\n", rest)
		return 99
	}
	return ipcmd.Netns(g, rest[1:])
}

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
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Env = append(os.Environ(), env...)
	err := cmd.Run()
	code := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("%s %q: %v", name, args, err)
		}
		code = ee.ExitCode()
	}
	return result{out.String(), errb.String(), code}
}

func self(t testing.TB) string {
	t.Helper()
	p, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// nsbox runs this binary as "ip ARGS..." (ARGS start with "netns" or
// global options).
func nsbox(t testing.TB, args ...string) result {
	t.Helper()
	return run(t, []string{helperEnv + "=1"}, self(t), args...)
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
