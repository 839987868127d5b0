// Package testutil holds the helpers the tests of several packages share:
// a buffer a child process and a test can both use, and polls bounded in
// time (SyncBuffer, WaitFor, Eventually); running a command and
// collecting what it printed and its exit status (Run, Output); a line
// diff for failure messages (Diff); the reference exercise's iproute2 commands
// (SeedExercise); the root of a FROM scratch image (ScratchRoot); and
// netlink test vectors built byte by byte in the host's native order
// (U16, Cat, Nla, NlMsg...). Helpers that need nsbox's own packages are in
// rtnltest and wiretest.
//
// It is for tests only: no package of the nsbox binary imports it
// (TestNotInProduct checks), and it imports no nsbox package but the
// sandbox, so that every package's tests can use it.
package testutil

import (
	"bytes"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// SyncBuffer is a bytes.Buffer that a writer (a child process's stdout,
// a goroutine) and a reading test can share.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// WaitFor polls until every buffer holds s. It is bounded (15 s), so that
// a missing event fails the test, with each buffer logged, instead of
// hanging it.
func WaitFor(t testing.TB, s string, bufs ...*SyncBuffer) {
	t.Helper()
	if !poll(func() bool {
		for _, b := range bufs {
			if !strings.Contains(b.String(), s) {
				return false
			}
		}
		return true
	}) {
		for i, b := range bufs {
			t.Logf("output %d:\n%s", i, b.String())
		}
		t.Fatalf("%q never showed up", s)
	}
}

// Eventually polls until cond holds (a listener is up, a line has come).
// It is bounded (15 s): a condition that never comes fails the test with
// what instead of hanging it.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	if !poll(cond) {
		t.Fatal(what)
	}
}

// poll reports whether cond held within 15 s, tried every 20 ms.
func poll(cond func() bool) bool {
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

// Result is what a command printed and its exit status.
type Result struct {
	Stdout, Stderr string
	Code           int
}

// Run runs cmd (its Stdout and Stderr are Run's) and returns what it
// printed and its exit status (-1 when a signal ended it). A command that
// could not be run at all fails the test.
func Run(t testing.TB, cmd *exec.Cmd) Result {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := Result{Stdout: out.String(), Stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.Code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", strings.Join(cmd.Args, " "), err)
	}
	return r
}

// Diff is a line diff of a and b (longest common subsequence): lines
// only a has ("- "), lines only b has ("+ "), with two lines of context.
func Diff(a, b string) string {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	n, m := len(x), len(y)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type line struct {
		op   byte
		text string
	}
	var lines []line
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && x[i] == y[j]:
			lines = append(lines, line{' ', x[i]})
			i, j = i+1, j+1
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			lines = append(lines, line{'+', y[j]})
			j++
		default:
			lines = append(lines, line{'-', x[i]})
			i++
		}
	}
	var out strings.Builder
	last := -1
	for k, l := range lines {
		near := false
		for d := -2; d <= 2; d++ {
			if k+d >= 0 && k+d < len(lines) && lines[k+d].op != ' ' {
				near = true
			}
		}
		if !near {
			continue
		}
		if last >= 0 && k != last+1 {
			out.WriteString("   ...\n")
		}
		out.WriteString(string(l.op) + " " + l.text + "\n")
		last = k
	}
	return out.String()
}

// Output runs cmd and returns its stdout. A command that fails (a
// non-zero exit) fails the test, which shows its stderr.
func Output(t testing.TB, cmd *exec.Cmd) string {
	t.Helper()
	r := Run(t, cmd)
	if r.Code != 0 {
		t.Fatalf("%s: exit %d\n%s", strings.Join(cmd.Args, " "), r.Code, r.Stderr)
	}
	return r.Stdout
}

// SeedExercise is the reference exercise (docs/seed.md) as iproute2
// commands, in its order (the seed's "master br2" typo corrected to br1):
// two namespaces joined by veth pairs to bridge br1, addressed in
// 192.168.1.0/24, everything up.
var SeedExercise = []string{
	"ip netns add namespace1",
	"ip netns add namespace2",
	"ip link add veth1 type veth peer name br-veth1",
	"ip link add veth2 type veth peer name br-veth2",
	"ip link set veth1 netns namespace1",
	"ip link set veth2 netns namespace2",
	"ip netns exec namespace1 ip addr add 192.168.1.11/24 dev veth1",
	"ip netns exec namespace2 ip addr add 192.168.1.12/24 dev veth2",
	"ip link add name br1 type bridge",
	"ip link set br1 up",
	"ip link set br-veth1 up",
	"ip link set br-veth2 up",
	"ip netns exec namespace1 ip link set veth1 up",
	"ip netns exec namespace2 ip link set veth2 up",
	"ip link set br-veth1 master br1",
	"ip link set br-veth2 master br1",
	"ip addr add 192.168.1.10/24 brd + dev br1",
}
