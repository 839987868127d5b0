package ipcmd

import (
	"strings"
	"testing"

	"nsbox/internal/sandbox"
	"nsbox/internal/testutil"
)

// After the reference exercise's pings (docs/seed.md), "ip neigh show"
// lists the neighbours the pings resolved, and "bridge fdb show br br1"
// the MACs the bridge learned, exactly as iproute2 does (issue 17).
// The exercise is built with iproute2 and pinged with ping(8).
func TestExerciseNeighFdb(t *testing.T) {
	sandbox.Require(t, "ping")
	_, dir := tools(t)
	cleanLinks(t)
	defer cleanLinks(t)
	for _, c := range testutil.SeedExercise {
		sh(t, strings.Fields(c)...)
	}
	// the ports forward once their carrier is up: ping until both answer
	for _, a := range []string{"192.168.1.11", "192.168.1.12"} {
		if r := runCmd(t, "", "ping", "-c", "2", "-i", "0.2", "-w", "10", a); r.code != 0 {
			t.Fatalf("ping %s: exit %d: %s%s", a, r.code, r.out, r.err)
		}
	}
	// what is compared is there: both neighbours resolved, and MACs
	// the bridge learned (not only its own permanent ones)
	neigh := sh(t, "ip", "neigh", "show")
	for _, a := range []string{"192.168.1.11 dev br1 lladdr ", "192.168.1.12 dev br1 lladdr "} {
		if !strings.Contains(neigh, a) {
			t.Errorf("ip neigh show has no %q:\n%s", a, neigh)
		}
	}
	learned := 0
	for _, l := range strings.Split(sh(t, "bridge", "fdb", "show", "br", "br1"), "\n") {
		if strings.Contains(l, "master br1") && !strings.HasSuffix(strings.TrimSpace(l), "permanent") {
			learned++
		}
	}
	if learned < 2 {
		t.Errorf("bridge fdb show br br1: %d learned entries, want the two namespaces' MACs", learned)
	}
	for _, args := range [][]string{
		{"neigh", "show"}, {"neigh"}, {"n"}, {"-j", "neigh", "show"}, {"-br", "neigh"}, {"neigh", "show", "dev", "br1"},
		{"-4", "neigh", "show", "nud", "reachable"}, {"neigh", "show", "192.168.1.11"}, {"-s", "neigh", "show", "192.168.1.12"},
	} {
		sameAsIP(t, dir, "ip", args...)
	}
	for _, args := range [][]string{
		{"fdb", "show", "br", "br1"}, {"-j", "fdb", "show", "br", "br1"}, {"fdb", "show", "brport", "br-veth1"},
		{"fdb", "show", "dev", "br-veth2", "dynamic"},
	} {
		sameAsIP(t, dir, "bridge", args...)
	}
	for _, ns := range []string{"namespace1", "namespace2"} {
		sameAsIP(t, dir, "ip", "-n", ns, "neigh")
	}
}
