package lab

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"nsbox/internal/sandbox"
	"nsbox/internal/testutil"
)

func TestMain(m *testing.M) { sandbox.Main(m) }

// labEnv is a journal directory of the test's own (lab makes it, 0700).
func labEnv(t *testing.T) []string {
	return []string{"NSBOX_LAB_DIR=" + filepath.Join(t.TempDir(), "nsbox")}
}

// journals lists the journals in the journal directory of env (lock
// files stay: they are never removed).
func journals(env []string) []string {
	ents, _ := os.ReadDir(env[0][len("NSBOX_LAB_DIR="):])
	var out []string
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".journal") {
			out = append(out, e.Name())
		}
	}
	return out
}

type result struct {
	stdout, stderr string
	code           int
}

func nsbox(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(sandbox.Binary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Dir = dir
	r := testutil.Run(t, cmd)
	return result{r.Stdout, r.Stderr, r.Code}
}

func sh(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// snapshot is the default namespace and the namespace list as iproute2
// sees them: what must be the same before lab up and after lab down. The
// kernel updates carrier and operstate (linkwatch) and IPv6 addresses
// (DAD) a little after a change, so it waits for a view that holds still
// for a second and a half.
func snapshot(t *testing.T) string {
	t.Helper()
	return steady(func() string { return rawSnapshot(t) })
}

// steady is what read returns once it holds still for a second and a
// half (after 15 s at most: the last read).
func steady(read func() string) string {
	prev := read()
	for try := 0; try < 10; try++ {
		stable := true
		for i := 0; i < 15 && stable; i++ {
			time.Sleep(100 * time.Millisecond)
			if now := read(); now != prev {
				prev, stable = now, false
			}
		}
		if stable {
			break
		}
	}
	return prev
}

func rawSnapshot(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, args := range [][]string{
		{"ip", "-j", "link", "show"},
		{"ip", "-j", "addr", "show"},
		{"ip", "-j", "route", "show", "table", "all"},
		{"ip", "netns", "list"},
	} {
		b.WriteString(sh(t, args...))
		b.WriteString("\n")
	}
	ents, _ := os.ReadDir("/run/netns")
	for _, e := range ents {
		b.WriteString("/run/netns/" + e.Name() + "\n")
	}
	return b.String()
}

// cleanDefault removes whatever a failed test left of the built-in lab.
func cleanDefault(t *testing.T, env []string) {
	t.Cleanup(func() {
		nsbox(t, "", env, "lab", "down")
		exec.Command("ip", "netns", "del", "namespace1").Run()
		exec.Command("ip", "netns", "del", "namespace2").Run()
		exec.Command("ip", "link", "del", "br1").Run()
	})
}

func reportLines(out string) (pass, fail []string) {
	for _, ln := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(ln, "PASS "):
			pass = append(pass, ln)
		case strings.HasPrefix(ln, "FAIL "):
			fail = append(fail, ln)
		}
	}
	return
}

func runIsolatedAndCheck(t *testing.T, file string, wantPass int, wants ...string) {
	before := snapshot(t)
	args := []string{"lab", "run", "-isolated"}
	if file != "" {
		args = append(args, file)
	}
	r := nsbox(t, "", nil, args...)
	pass, fail := reportLines(r.stdout)
	if r.code != 0 || len(fail) > 0 || len(pass) != wantPass {
		t.Fatalf("lab run -isolated %s: exit %d, %d PASS (want %d), FAIL: %q\nstdout:\n%s\nstderr:\n%s",
			file, r.code, len(pass), wantPass, fail, r.stdout, r.stderr)
	}
	for _, w := range wants {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("output lacks %q:\n%s", w, r.stdout)
		}
	}
	if after := snapshot(t); after != before {
		t.Errorf("lab run -isolated changed the namespace it ran from:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

func TestRunIsolatedDefault(t *testing.T) {
	sandbox.Require(t, "ip")
	// 4 pings, 2 listeners, 2 connections, 2 socket listings.
	runIsolatedAndCheck(t, "", 10,
		"+ ip netns add namespace1\n",
		"+ ip link add name br-veth1 master br1 up type veth peer name veth1 netns namespace1\n",
		"+ ip -n namespace1 link set dev veth1 up\n",
		"+ ip addr add 192.168.1.10/24 brd + dev br1\n",
		"PASS  ping  default -> 192.168.1.11 (veth1 in namespace1): 3/3 replies",
		"PASS  ping  namespace1 -> 192.168.1.12 (veth2 in namespace2): 3/3 replies",
		`("hello from namespace1, got`, `("hello from namespace2, got`,
		"PASS  sockets namespace1 port 8080: LISTEN true, ESTABLISHED 1 192.168.1.11:8080<-192.168.1.10:",
		"PASS  sockets namespace2 port 8080: LISTEN true, ESTABLISHED 1 192.168.1.12:8080<-192.168.1.10:",
		"lab default is down\n")
}

func TestRunIsolatedRouter(t *testing.T) {
	sandbox.Require(t, "ip")
	// 12 pings, 3 listeners, 4 connections, 3 socket listings.
	runIsolatedAndCheck(t, "testdata/router.lab", 22,
		"+ ip netns exec router sysctl -w net.ipv4.ip_forward=1\n",
		"+ ip route add 10.0.2.0/24 via 10.0.1.1\n",
		"PASS  ping  default -> 10.0.2.2 (eth0 in right): 3/3 replies",
		"PASS  ping  left -> 10.0.2.2 (eth0 in right): 3/3 replies",
		`PASS  tcp   default -> 10.0.2.2:7000 (right)`,
		"+ ip route del 10.0.2.0/24 via 10.0.1.1\n",
		"lab router is down\n")
}

// Without ip_forward in the router, the far side is unreachable: check
// must fail, and say where.
func TestRunIsolatedRouterBroken(t *testing.T) {
	sandbox.Require(t)
	dir := t.TempDir()
	text := strings.Replace(readTestdata(t, "router.lab"), "sysctl router net.ipv4.ip_forward 1", "sysctl router net.ipv4.ip_forward 0", 1)
	if err := os.WriteFile(filepath.Join(dir, "router.lab"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	r := nsbox(t, dir, nil, "lab", "run", "-isolated", "router.lab")
	_, fail := reportLines(r.stdout)
	if r.code == 0 || len(fail) == 0 || !strings.Contains(r.stdout, "FAIL  ping  default -> 10.0.2.2 (eth0 in right): 0/3 replies") {
		t.Errorf("exit %d, FAIL %q\n%s\n%s", r.code, fail, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "lab router is down") {
		t.Errorf("run did not take the lab down after a failed check:\n%s", r.stdout)
	}
}

func TestBrokenFile(t *testing.T) {
	sandbox.Require(t, "ip")
	dir := t.TempDir()
	env := labEnv(t)
	conf := "# a lab with a typo\nnetns a\nvet x a -- y\n"
	if err := os.WriteFile(filepath.Join(dir, "lab.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t)
	for _, args := range [][]string{{"lab", "up", "lab.conf"}, {"lab", "run", "-isolated", "lab.conf"}, {"lab", "check", "lab.conf"}} {
		r := nsbox(t, dir, env, args...)
		if r.code == 0 || !strings.HasPrefix(r.stderr, `lab.conf:3: unknown keyword "vet"`) || strings.Count(r.stderr, "\n") != 1 || r.stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
	if after := snapshot(t); after != before {
		t.Errorf("a broken file changed something:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if ents, _ := os.ReadDir(env[0][len("NSBOX_LAB_DIR="):]); len(ents) != 0 {
		t.Errorf("journal written for a broken file: %v", ents)
	}
}

// lab up killed with SIGKILL at several points; lab down then restores
// exactly the state from before, and what existed before survives. The
// points are netlink requests: strace stops lab up after each one it
// sends (SIGSTOP, injected after every sendto(2)), the test lets it go on
// request by request, and kills it right after the kernel has done the
// one of the point: lab up has neither read the answer nor journaled it.
func TestKillDuringUp(t *testing.T) {
	sandbox.Require(t, "ip", "strace")
	env := labEnv(t)
	cleanDefault(t, env)
	// Things that are not the lab's and must survive it.
	sh(t, "ip", "link", "add", "keep0", "type", "veth", "peer", "name", "keep1")
	sh(t, "ip", "addr", "add", "10.99.0.1/24", "dev", "keep0")
	sh(t, "ip", "netns", "add", "keepns")
	t.Cleanup(func() {
		exec.Command("ip", "link", "del", "keep0").Run()
		exec.Command("ip", "netns", "del", "keepns").Run()
	})
	before := snapshot(t)
	journal := filepath.Join(env[0][len("NSBOX_LAB_DIR="):], "lab-default.journal")
	// lab up of the seed sends 14 requests: 3 dumps (the safety check),
	// lo up in each new namespace (4, 5), the bridge (6), each veth
	// pair's create and its peer's up (7, 8 and 9, 10), the addresses
	// (11 to 13), a look at the bridge (14, see syncBridges). The
	// journal's last line at each point says where it is.
	for _, at := range []struct {
		request  int
		lastLine string
	}{
		{4, "+netns namespace"},             // a namespace made, no done record (the other one being made)
		{7, "+link namespace1 veth1 veth "}, // veth1 made, no done record
		{12, "link namespace2 veth2 veth "}, // addresses half set
		{13, "link namespace2 veth2 veth "}, // the last change
	} {
		upKilledAfter(t, env, at.request)
		j, err := os.ReadFile(journal)
		lines := strings.Split(strings.TrimSuffix(string(j), "\n"), "\n")
		if err != nil || !strings.HasPrefix(lines[len(lines)-1], at.lastLine) {
			t.Fatalf("killed after request %d: journal %q (want its last line to be %q): %v", at.request, j, at.lastLine, err)
		}
		if at.request == 13 {
			// Killed at the very end: to iproute2 the lab looks up.
			out := sh(t, "ip", "-n", "namespace1", "-br", "addr", "show", "dev", "veth1")
			if !strings.Contains(out, "192.168.1.11/24") {
				t.Errorf("lab up killed after its last request: veth1 has %q", out)
			}
		}
		// A second lab up sees the half-made lab and changes nothing.
		mid := snapshot(t)
		r := nsbox(t, "", env, "lab", "up")
		if at.request != 13 && (r.code == 0 || !strings.Contains(r.stderr, "lab default is half up:")) {
			t.Errorf("killed after request %d: second lab up: exit %d\n%s%s", at.request, r.code, r.stdout, r.stderr)
		}
		if at.request != 13 && snapshot(t) != mid {
			t.Errorf("killed after request %d: lab up on a half-made lab changed things", at.request)
		}
		r = nsbox(t, "", env, "lab", "down")
		if r.code != 0 {
			t.Fatalf("killed after request %d: lab down: exit %d\n%s%s", at.request, r.code, r.stdout, r.stderr)
		}
		if after := snapshot(t); after != before {
			t.Fatalf("killed after request %d: lab down left a different state:\nbefore:\n%s\nafter:\n%s\ndown said:\n%s", at.request, before, after, r.stdout)
		}
		if _, err := os.Stat(journal); err == nil {
			t.Errorf("killed after request %d: journal still there after lab down", at.request)
		}
	}
}

// upKilledAfter runs "nsbox lab up" under strace, which stops it with
// SIGSTOP after every sendto(2) it makes (each netlink request), and
// kills it (SIGKILL) at the stop after request k (see traced).
func upKilledAfter(t *testing.T, env []string, k int) {
	t.Helper()
	if r := traced(t, env, "sendto", anyLine, k, func(int) bool { return true }, "lab", "up"); r.code != -1 {
		t.Fatalf("lab up was not killed after request %d: exit %d\n%s%s", k, r.code, r.stdout, r.stderr)
	}
}

func TestOverlapRefused(t *testing.T) {
	sandbox.Require(t, "ip")
	env := labEnv(t)
	cleanDefault(t, env)
	sh(t, "ip", "link", "add", "ov0", "type", "veth", "peer", "name", "ov1")
	t.Cleanup(func() { exec.Command("ip", "link", "del", "ov0").Run() })
	sh(t, "ip", "addr", "add", "192.168.1.1/24", "dev", "ov0")
	before := snapshot(t)
	r := nsbox(t, "", env, "lab", "up")
	if r.code == 0 || !strings.Contains(r.stderr, "default.lab:10: 192.168.1.0/24 (192.168.1.10/24 on br1) overlaps 192.168.1.1/24 on ov0 in the default namespace") ||
		strings.Contains(r.stdout, "+ ") {
		t.Errorf("lab up next to 192.168.1.1/24: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if after := snapshot(t); after != before {
		t.Errorf("refused lab up changed something:\n%s\n%s", before, after)
	}
	// A route into the lab's subnet clashes as well.
	sh(t, "ip", "addr", "flush", "dev", "ov0")
	sh(t, "ip", "addr", "add", "10.77.0.1/24", "dev", "ov0")
	sh(t, "ip", "link", "set", "ov0", "up")
	sh(t, "ip", "link", "set", "ov1", "up")
	sh(t, "ip", "route", "add", "192.168.0.0/16", "via", "10.77.0.2")
	before = snapshot(t)
	r = nsbox(t, "", env, "lab", "up")
	if r.code == 0 || !strings.Contains(r.stderr, "overlaps route 192.168.0.0/16 via 10.77.0.2 dev ov0 in the default namespace") {
		t.Errorf("lab up next to a route: exit %d\n%s", r.code, r.stderr)
	}
	if after := snapshot(t); after != before {
		t.Errorf("refused lab up changed something:\n%s\n%s", before, after)
	}
	// -isolated runs it anyway, in namespaces of its own.
	if r := nsbox(t, "", nil, "lab", "run", "-isolated"); r.code != 0 {
		t.Errorf("lab run -isolated next to a clash: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if snapshot(t) != before {
		t.Errorf("lab run -isolated changed something")
	}
}

func TestUpTwiceAndHalf(t *testing.T) {
	sandbox.Require(t, "ip")
	env := labEnv(t)
	cleanDefault(t, env)
	before := snapshot(t)

	// In the way: a bridge named veth1 where the lab wants a veth.
	sh(t, "ip", "link", "add", "veth1", "type", "bridge")
	r := nsbox(t, "", env, "lab", "up")
	if r.code == 0 || !strings.Contains(r.stderr, "default.lab:15: veth1 exists in the default namespace (bridge), the lab wants a veth of that name in namespace namespace1") {
		t.Errorf("lab up with veth1 in the way: exit %d\n%s", r.code, r.stderr)
	}
	sh(t, "ip", "link", "del", "veth1")
	if snapshot(t) != before {
		t.Fatalf("refused lab up changed something")
	}

	r = nsbox(t, "", env, "lab", "up")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "+ ip netns add namespace1\n") {
		t.Fatalf("lab up: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// iproute2 as the oracle of what was built.
	for _, c := range []struct{ args, want string }{
		{"ip -n namespace1 -br addr show dev veth1", "192.168.1.11/24"},
		{"ip -n namespace2 -br addr show dev veth2", "192.168.1.12/24"},
		{"ip -n namespace1 -br link show dev lo", "UP"},
		{"ip -br addr show dev br1", "192.168.1.10/24"},
		{"ip -d addr show dev br1", "brd 192.168.1.255"},
		{"ip link show dev br-veth1", "master br1 state UP"},
		{"ip link show dev br-veth2", "master br1 state UP"},
		{"ip -n namespace1 -d link show dev veth1", "veth"},
	} {
		if out := sh(t, strings.Fields(c.args)...); !strings.Contains(out, c.want) {
			t.Errorf("%s: %q lacks %q", c.args, out, c.want)
		}
	}
	up := snapshot(t)
	r = nsbox(t, "", env, "lab", "up")
	if r.code != 0 || r.stdout != "lab default is up: nothing to do\n" || r.stderr != "" {
		t.Errorf("second lab up: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if snapshot(t) != up {
		t.Errorf("second lab up changed something")
	}
	// lab run refuses a lab that is up already, and leaves it up.
	if r := nsbox(t, "", env, "lab", "run"); r.code == 0 || !strings.Contains(r.stderr, "is up already") || snapshot(t) != up {
		t.Errorf("lab run on a lab that is up: exit %d\n%s", r.code, r.stderr)
	}

	// Half up: one pair gone, one link down.
	sh(t, "ip", "link", "del", "br-veth2")
	sh(t, "ip", "-n", "namespace1", "link", "set", "veth1", "down")
	half := snapshot(t)
	r = nsbox(t, "", env, "lab", "up")
	for _, want := range []string{
		"lab default is half up:",
		"default.lab:15: missing: veth1 in namespace namespace1 is down",
		"default.lab:16: missing: veth veth2 in namespace namespace2 does not exist",
		"default.lab:16: missing: veth br-veth2 in the default namespace does not exist",
		"default.lab:6: present: netns namespace1 exists",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("half-up report lacks %q:\n%s", want, r.stderr)
		}
	}
	if after := snapshot(t); r.code == 0 || after != half {
		t.Errorf("lab up on a half-made lab: exit %d, or it changed things:\n%s\n%s", r.code, half, after)
	}
	r = nsbox(t, "", env, "lab", "down")
	if r.code != 0 {
		t.Fatalf("lab down: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if after := snapshot(t); after != before {
		t.Errorf("lab down:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	r = nsbox(t, "", env, "lab", "down")
	if r.code != 0 || !strings.Contains(r.stdout, "is not up") {
		t.Errorf("second lab down: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// A namespace that was replaced after lab up is not the lab's: lab down
// leaves it alone and says so, and is done (the lab's own namespace is
// gone: nothing of the lab is left to undo, and the journal goes).
func TestDownLeavesReplacedNamespace(t *testing.T) {
	sandbox.Require(t, "ip")
	env := labEnv(t)
	cleanDefault(t, env)
	if r := nsbox(t, "", env, "lab", "up"); r.code != 0 {
		t.Fatalf("lab up: %d %s", r.code, r.stderr)
	}
	sh(t, "ip", "netns", "del", "namespace2")
	sh(t, "ip", "netns", "add", "namespace2")
	theirs := statIno(t, "/run/netns/namespace2")
	r := nsbox(t, "", env, "lab", "down")
	if r.code != 0 || !strings.Contains(r.stderr, "netns namespace2 is not the one lab up made") || strings.Contains(r.stdout, "netns del namespace2") {
		t.Errorf("lab down: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if out := sh(t, "ip", "netns", "list"); !strings.Contains(out, "namespace2") || strings.Contains(out, "namespace1") || statIno(t, "/run/netns/namespace2") != theirs {
		t.Errorf("after lab down: ip netns list = %q", out)
	}
	if js := journals(env); len(js) != 0 {
		t.Errorf("journal kept: %v", js)
	}
}

// statIno is the inode stat(2) gives for path (0 if none).
func statIno(t *testing.T, path string) uint64 {
	var st syscall.Stat_t
	if syscall.Stat(path, &st) != nil {
		return 0
	}
	return st.Ino
}

func TestShowAndCheck(t *testing.T) {
	sandbox.Require(t, "ip", "dot")
	env := labEnv(t)
	cleanDefault(t, env)
	if r := nsbox(t, "", env, "lab", "up"); r.code != 0 {
		t.Fatalf("lab up: %d %s", r.code, r.stderr)
	}
	r := nsbox(t, "", env, "lab", "check")
	if pass, fail := reportLines(r.stdout); r.code != 0 || len(fail) > 0 || len(pass) != 10 {
		t.Errorf("lab check: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = nsbox(t, "", env, "lab", "show")
	if r.code != 0 {
		t.Fatalf("lab show: %d %s", r.code, r.stderr)
	}
	for _, re := range []string{
		`\+-- namespace1 -+\+`, `\+-- namespace2 -+\+`, `\+-- default -+\+`,
		`\| veth1 +veth +UP +192\.168\.1\.11/24 +<=> default/br-veth1 +\|`,
		`\| veth2 +veth +UP +192\.168\.1\.12/24 +<=> default/br-veth2 +\|`,
		`\| br1 +bridge +UP +192\.168\.1\.10/24 +ports: br-veth1 br-veth2 +\|`,
		`\| br-veth1 +veth +UP +port of br1  <=> namespace1/veth1 +\|`,
		`default/br-veth1 \[br1\] <=====> namespace1/veth1 192\.168\.1\.11/24`,
		`default/br-veth2 \[br1\] <=====> namespace2/veth2 192\.168\.1\.12/24`,
		`default/br1: br-veth1 br-veth2`,
	} {
		if !regexp.MustCompile(re).MatchString(r.stdout) {
			t.Errorf("lab show lacks /%s/:\n%s", re, r.stdout)
		}
	}
	r = nsbox(t, "", env, "lab", "show", "-dot")
	if r.code != 0 {
		t.Fatalf("lab show -dot: %d %s", r.code, r.stderr)
	}
	if err := checkDot(r.stdout); err != nil {
		t.Errorf("lab show -dot: %v\n%s", err, r.stdout)
	}
	for _, want := range []string{`"default/br-veth1" -- "namespace1/veth1"`, `"default/br-veth2" -- "namespace2/veth2"`, `"default/br-veth1" -- "default/br1"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("dot lacks %q", want)
		}
	}
	// Graphviz itself reads the graph: no error, no warning, and the
	// wires are edges in its own (canonical) rendering of it.
	cmd := exec.Command("dot", "-Tcanon")
	cmd.Stdin = strings.NewReader(r.stdout)
	var canon, warn strings.Builder
	cmd.Stdout, cmd.Stderr = &canon, &warn
	if err := cmd.Run(); err != nil || warn.Len() > 0 {
		t.Errorf("dot rejects the graph: %v\n%s\n%s", err, warn.String(), r.stdout)
	}
	for _, want := range []string{`"default/br-veth1" -- "namespace1/veth1"`, `"default/br-veth2" -- "namespace2/veth2"`, `"default/br-veth1" -- "default/br1"`} {
		if !strings.Contains(canon.String(), want) {
			t.Errorf("dot -Tcanon lacks %q:\n%s", want, canon.String())
		}
	}
	if r := nsbox(t, "", env, "lab", "down"); r.code != 0 {
		t.Errorf("lab down: %d %s", r.code, r.stderr)
	}
}

// What the Dockerfile's FROM scratch image does, without a Docker engine:
// a root holding only /nsbox and empty /bin, /run, /tmp (its own mount,
// as a container's root is), "nsbox --install /bin" run there in exec
// form (no shell), then the image's command: lab run -isolated. Nothing
// may be left in the image afterwards.
func TestScratchImage(t *testing.T) {
	sandbox.Require(t)
	root := testutil.ScratchRoot(t, "bin", "run", "tmp", "proc", "sys", "dev")
	for _, m := range []struct{ fs, dir string }{{"proc", "proc"}, {"sysfs", "sys"}, {"tmpfs", "dev"}} {
		testutil.Mount(t, m.fs, filepath.Join(root, m.dir), m.fs, 0)
	}
	chroot := func(argv ...string) ([]byte, error) {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Path, cmd.Dir, cmd.Env = argv[0], "/", []string{"PATH=/bin"}
		cmd.SysProcAttr = &syscall.SysProcAttr{Chroot: root}
		return cmd.CombinedOutput()
	}
	if out, err := chroot("/nsbox", "--install", "/bin"); err != nil {
		t.Fatalf("RUN [\"/nsbox\", \"--install\", \"/bin\"]: %v\n%s", err, out)
	}
	out, err := chroot("/nsbox", "lab", "run", "-isolated")
	pass, fail := reportLines(string(out))
	if err != nil || len(fail) > 0 || len(pass) != 10 || !strings.Contains(string(out), "      tcp        0      0 192.168.1.11:8080") {
		t.Fatalf("lab run -isolated in the image: %v\n%s", err, out)
	}
	if out, err := chroot("/bin/ip", "-br", "link"); err != nil || !strings.HasPrefix(string(out), "lo ") {
		t.Errorf("/bin/ip in the image: %v %q", err, out)
	}
	var left []string
	for _, d := range []string{".", "run", "tmp"} {
		ents, _ := os.ReadDir(filepath.Join(root, d))
		for _, e := range ents {
			left = append(left, filepath.Join(d, e.Name()))
		}
	}
	sort.Strings(left)
	want := "bin dev nsbox proc run sys tmp"
	if got := strings.Join(left, " "); got != want {
		t.Errorf("image after lab run: %s, want %s", got, want)
	}
}

// A step the kernel refuses half-way: lab up says which and why, in
// iproute2's words, and undoes what it did: nothing is left half-done.
func TestUpFailsAndUndoes(t *testing.T) {
	sandbox.Require(t, "ip")
	env := labEnv(t)
	dir := t.TempDir()
	conf := "lab bad\nnetns a\nbridge brz 10.66.0.1/24\nveth va a 10.66.0.2/24 -- vz master brz\nroute a 10.5.0.0/24 via 10.200.0.1\n"
	if err := os.WriteFile(filepath.Join(dir, "bad.lab"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		exec.Command("ip", "netns", "del", "a").Run()
		exec.Command("ip", "link", "del", "brz").Run()
	})
	before := snapshot(t)
	r := nsbox(t, dir, env, "lab", "up", "bad.lab")
	if r.code == 0 || !strings.Contains(r.stderr, "lab bad: ip -n a route add 10.5.0.0/24 via 10.200.0.1: Error: Nexthop has invalid gateway.") ||
		!strings.Contains(r.stdout, "+ ip netns del a\n") || !strings.Contains(r.stdout, "lab bad is down\n") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if after := snapshot(t); after != before {
		t.Errorf("failed lab up left things:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if js := journals(env); len(js) != 0 {
		t.Errorf("journal left after the undo: %v", js)
	}
}

// lab up of "ADDR brd +" sets exactly what "ip addr add ADDR brd + dev
// D" sets: the last address of a /24 or /30, no broadcast for a /31
// (lab up used to set the address itself there), and for IPv6 nothing:
// ip refuses ("Broadcast can be set only for IPv4 addresses"), lab up
// refuses the file. Compared through ip -j addr.
func TestBrdPlusLikeIproute2(t *testing.T) {
	sandbox.Require(t, "ip")
	env := labEnv(t)
	dir := t.TempDir()
	t.Cleanup(func() { exec.Command("ip", "link", "del", "brl").Run() })
	// addrsOf is what ip -j addr says of the addresses of brl that are
	// not link-local: family, address, length, broadcast, scope.
	addrsOf := func() string {
		out, _ := exec.Command("ip", "-j", "addr", "show", "dev", "brl").Output()
		var links []struct {
			AddrInfo []map[string]any `json:"addr_info"`
		}
		json.Unmarshal(out, &links)
		var got []string
		for _, l := range links {
			for _, a := range l.AddrInfo {
				if a["scope"] == "link" {
					continue
				}
				got = append(got, fmt.Sprint(a["family"], " ", a["local"], "/", a["prefixlen"], " brd ", a["broadcast"], " scope ", a["scope"]))
			}
		}
		return strings.Join(got, "; ")
	}
	for _, c := range []struct{ addr, want string }{
		{"10.0.0.1/31", "inet 10.0.0.1/31 brd <nil> scope global"},
		{"10.0.1.1/30", "inet 10.0.1.1/30 brd 10.0.1.3 scope global"},
		{"10.0.2.1/24", "inet 10.0.2.1/24 brd 10.0.2.255 scope global"},
		{"2001:db8::1/64", ""},
	} {
		file := filepath.Join(dir, "brd.lab")
		if err := os.WriteFile(file, []byte("lab brd\nbridge brl "+c.addr+" brd +\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		r := nsbox(t, "", env, "lab", "up", file)
		byLab := addrsOf()
		if (r.code == 0) != (c.want != "") {
			t.Errorf("lab up of %s brd +: exit %d\n%s%s", c.addr, r.code, r.stdout, r.stderr)
		}
		if r.code == 0 && !strings.Contains(r.stdout, "+ ip addr add "+c.addr+" brd + dev brl\n") {
			t.Errorf("lab up of %s brd +: no step line for it\n%s", c.addr, r.stdout)
		}
		nsbox(t, "", env, "lab", "down", file)
		exec.Command("ip", "link", "del", "brl").Run()
		sh(t, "ip", "link", "add", "brl", "up", "type", "bridge")
		ipErr, _ := exec.Command("ip", "addr", "add", c.addr, "brd", "+", "dev", "brl").CombinedOutput()
		byIP := addrsOf()
		exec.Command("ip", "link", "del", "brl").Run()
		if byLab != byIP || byIP != c.want {
			t.Errorf("%s brd +: lab up set %q, ip addr add set %q (%s), want %q", c.addr, byLab, byIP, strings.TrimSpace(string(ipErr)), c.want)
		}
	}
}

// The "+ ip ..." lines lab up prints are commands that do what lab up
// did: run by iproute2 itself, one after the other, they build the same
// links (names, kinds, flags, masters) with the same addresses and routes
// in every namespace: for the seed, for router.lab (two bridges, routes,
// a sysctl) and for pairs between two lab namespaces (the create sent
// from the default namespace names neither end's bridge; a bridge in a
// lab namespace).
func TestStepsAreIproute2Commands(t *testing.T) {
	sandbox.Require(t, "ip")
	env := labEnv(t)
	pairs := filepath.Join(t.TempDir(), "pairs.lab")
	err := os.WriteFile(pairs, []byte("netns x\nnetns y\nbridge bry y 10.9.1.1/24\n"+
		"bridge brx x\nveth a x 10.9.0.1/30 -- b y 10.9.0.2/30 brd +\nveth c x master brx -- d y master bry\n"), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{"", "testdata/router.lab", pairs} {
		args := []string{"lab", "up"}
		if file != "" {
			args = append(args, file)
		}
		l, err := load(file)
		if err != nil {
			t.Fatal(err)
		}
		r := nsbox(t, "", env, args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
		byLab := labState(t, l)
		var cmds [][]string
		for _, line := range strings.Split(r.stdout, "\n") {
			if cmd, ok := strings.CutPrefix(line, "+ "); ok {
				cmds = append(cmds, strings.Fields(cmd))
			}
		}
		if r := nsbox(t, "", env, append([]string{"lab", "down"}, args[2:]...)...); r.code != 0 {
			t.Fatalf("lab down: %d %s", r.code, r.stderr)
		}
		for _, c := range cmds {
			if c[0] == "sysctl" || c[0] == "ip" && len(c) > 3 && c[1] == "netns" && c[2] == "exec" {
				c = append([]string{"sh", "-c"}, strings.Join(c, " ")) // sysctl -w, in its namespace
			}
			if out, err := exec.Command(c[0], c[1:]...).CombinedOutput(); err != nil {
				t.Fatalf("%s: %v\n%s", strings.Join(c, " "), err, out)
			}
		}
		byIP := labState(t, l)
		for _, n := range l.Netns {
			exec.Command("ip", "netns", "del", n.Name).Run()
		}
		for _, b := range l.Bridges {
			exec.Command("ip", "link", "del", b.Name).Run()
		}
		if byLab != byIP {
			t.Errorf("%v: lab up made\n%s\nits steps run by ip made\n%s", args, byLab, byIP)
		}
	}
}

// labState is what ip -j says of the links and addresses in the lab's
// namespaces and the default one, without what differs from run to run
// (ifindexes, MAC addresses, link-local addresses), once it holds still.
func labState(t *testing.T, l *Lab) string {
	t.Helper()
	read := func() string {
		var b strings.Builder
		for _, ns := range l.namespaces() {
			ip := []string{"ip"}
			if ns != "" {
				ip = append(ip, "-n", ns)
			}
			var links []struct {
				Name      string   `json:"ifname"`
				Flags     []string `json:"flags"`
				MTU       int      `json:"mtu"`
				Master    string   `json:"master"`
				Link      string   `json:"link"`
				Operstate string   `json:"operstate"`
				Info      struct {
					Kind string `json:"info_kind"`
				} `json:"linkinfo"`
				Addrs []struct {
					Family    string `json:"family"`
					Local     string `json:"local"`
					PrefixLen int    `json:"prefixlen"`
					Broadcast string `json:"broadcast"`
					Scope     string `json:"scope"`
				} `json:"addr_info"`
			}
			out, err := exec.Command(ip[0], append(ip[1:], "-d", "-j", "addr", "show")...).Output()
			if err != nil {
				t.Fatalf("%v addr show: %v", ip, err)
			}
			if err := json.Unmarshal(out, &links); err != nil {
				t.Fatal(err)
			}
			routes, _ := exec.Command(ip[0], append(ip[1:], "route", "show")...).Output()
			fmt.Fprintf(&b, "%s:\n", nsWord(ns))
			for _, k := range links {
				fmt.Fprintf(&b, "  %s %s %v mtu %d master %q peer %q %s\n", k.Name, k.Info.Kind, k.Flags, k.MTU, k.Master, k.Link, k.Operstate)
				for _, a := range k.Addrs {
					if a.Scope != "link" {
						fmt.Fprintf(&b, "    %s %s/%d brd %q %s\n", a.Family, a.Local, a.PrefixLen, a.Broadcast, a.Scope)
					}
				}
			}
			fmt.Fprintf(&b, "  routes:\n%s", routes)
		}
		return b.String()
	}
	// Carrier and operstate settle a little after (linkwatch may hold a
	// change for a second): wait for a view that holds still for 1.5 s.
	return steady(read)
}
