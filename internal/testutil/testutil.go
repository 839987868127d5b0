// Package testutil holds the helpers the tests of several packages share:
// a buffer a child process and a test can both use (SyncBuffer, WaitFor),
// running a command and collecting what it printed and its exit status
// (Run), the reference exercise's iproute2 commands (SeedExercise), and
// netlink test vectors built byte by byte in the host's native order
// (U16, Cat, Nla, NlMsg...). It is for tests only: product code never
// imports it (TestNotInProduct checks), and it imports nothing of nsbox,
// so that every package's own tests can use it.
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
	deadline := time.Now().Add(15 * time.Second)
	for {
		all := true
		for _, b := range bufs {
			all = all && strings.Contains(b.String(), s)
		}
		if all {
			return
		}
		if time.Now().After(deadline) {
			for i, b := range bufs {
				t.Logf("output %d:\n%s", i, b.String())
			}
			t.Fatalf("%q never showed up", s)
		}
		time.Sleep(20 * time.Millisecond)
	}
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
