package ipcmd

// Integration tests against iproute2, the oracle: nsbox (the built
// binary, as "nsbox OBJECT ..." and through a link named ip/bridge)
// builds state that ip -j checks, and prints what ip prints for the same
// state. They run inside the sandbox (sandbox.Main), never on the host.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	"nsbox/internal/golden"
	"nsbox/internal/sandbox"
	"nsbox/internal/testutil"
	"nsbox/netlink"
)

type result struct {
	out, err string
	code     int
}

func runCmd(t *testing.T, stdin string, name string, args ...string) result {
	t.Helper()
	cmd := exec.Command(name, args...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	r := testutil.Run(t, cmd)
	return result{r.Stdout, r.Stderr, r.Code}
}

// tools returns the nsbox binary and a directory with links named ip and
// bridge to it.
func tools(t *testing.T) (nsbox, dir string) {
	t.Helper()
	sandbox.Require(t, "ip", "bridge")
	nsbox = sandbox.Binary(t)
	dir = t.TempDir()
	for _, n := range []string{"ip", "bridge"} {
		if err := os.Symlink(nsbox, filepath.Join(dir, n)); err != nil {
			t.Fatal(err)
		}
	}
	quietIPv6(t)
	return nsbox, dir
}

// quietIPv6 turns off duplicate address detection, so IPv6 link-local
// addresses do not change flags between the two programs' reads.
func quietIPv6(t *testing.T) {
	for _, f := range []string{"all", "default"} {
		os.WriteFile("/proc/sys/net/ipv6/conf/"+f+"/accept_dad", []byte("0"), 0)
	}
}

// sh runs iproute2 (or anything) and fails the test on a non-zero exit.
func sh(t *testing.T, args ...string) string {
	t.Helper()
	return testutil.Output(t, exec.Command(args[0], args[1:]...))
}

// cleanLinks deletes every link but lo, and the named namespaces.
func cleanLinks(t *testing.T) {
	t.Helper()
	var links []struct {
		Ifname string `json:"ifname"`
	}
	if err := json.Unmarshal([]byte(sh(t, "ip", "-j", "link")), &links); err != nil {
		t.Fatal(err)
	}
	for _, l := range links {
		if l.Ifname != "lo" {
			runCmd(t, "", "ip", "link", "del", l.Ifname)
		}
	}
	runCmd(t, "", "ip", "-all", "netns", "delete")
	runCmd(t, "", "ip", "route", "flush", "table", "300")
	runCmd(t, "", "ip", "route", "flush", "table", "main")
}

// snapshot is the state a failed command must leave unchanged, read
// until two reads agree (operstates and carriers settle asynchronously).
func snapshot(t *testing.T) string {
	t.Helper()
	prev := snapshotOnce(t)
	for try := 0; try < 30; try++ {
		time.Sleep(50 * time.Millisecond)
		cur := snapshotOnce(t)
		if cur == prev {
			return cur
		}
		prev = cur
	}
	return prev
}

func snapshotOnce(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, c := range [][]string{{"-j", "link"}, {"-j", "addr"}, {"-j", "route", "show", "table", "all"},
		{"-j", "-6", "route", "show", "table", "all"}} {
		b.WriteString(sh(t, append([]string{"ip"}, c...)...))
	}
	return b.String()
}

// equalJSON decodes both documents and compares them.
func equalJSON(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// sameAsIP runs ip ARGS and nsbox ARGS (through the ip link) until the
// state is stable (ip gives the same twice around nsbox) and compares:
// text exactly, JSON after decoding.
func sameAsIP(t *testing.T, dir, prog string, args ...string) {
	t.Helper()
	isJSON := false
	for _, x := range args {
		if strings.HasPrefix(x, "-j") {
			isJSON = true
		}
	}
	// ip before and after nsbox, until the two agree (the state held
	// still) and nsbox agrees with them: a bridge port's running timers
	// (forward_delay_timer) have been seen to read 13.62, 13.61, 13.62
	// in three reads, so one stable bracket is not enough. nsbox output
	// that differs every time is still reported.
	var a, b, c result
	for try := 0; try < 10; try++ {
		a = runCmd(t, "", prog, args...)
		b = runCmd(t, "", filepath.Join(dir, prog), args...)
		c = runCmd(t, "", prog, args...)
		if a == c && a.code == b.code && (a.out == b.out || isJSON && equalJSON(a.out, b.out)) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if a.code != b.code {
		t.Errorf("%s %v: exit %d, iproute2 %d (%s)", prog, args, b.code, a.code, b.err)
	}
	if isJSON && !strings.Contains(strings.Join(args, " "), "-p") {
		if !equalJSON(a.out, b.out) {
			t.Errorf("%s %v: JSON differs\nnsbox: %s\n   ip: %s", prog, args, b.out, a.out)
		}
		return
	}
	if a.out != b.out {
		t.Errorf("%s %v: output differs\n--- nsbox\n%s--- %s\n%s", prog, args, b.out, prog, a.out)
	}
}

// The seed's commands for links, the bridge and addresses, verbatim, run
// through "nsbox" and through a link named ip; iproute2 checks the result.
func TestSeedCommands(t *testing.T) {
	nsbox, dir := tools(t)
	for _, via := range []string{"nsbox", "ip"} {
		t.Run(via, func(t *testing.T) {
			cleanLinks(t)
			defer cleanLinks(t)
			prog := []string{nsbox}
			if via == "ip" {
				prog = []string{filepath.Join(dir, "ip")}
			}
			run := func(line string) result {
				return runCmd(t, "", prog[0], strings.Fields(line)...)
			}
			sh(t, "ip", "netns", "add", "namespace1")
			sh(t, "ip", "netns", "add", "namespace2")
			for _, line := range []string{
				"link add veth1 type veth peer name br-veth1",
				"link add veth2 type veth peer name br-veth2",
				"link set veth1 netns namespace1",
				"link set veth2 netns namespace2",
				"link add name br1 type bridge",
				"link set br1 up",
				"link set br-veth1 up",
				"link set br-veth2 up",
				"link set br-veth1 master br1",
			} {
				if r := run(line); r.code != 0 || r.out != "" || r.err != "" {
					t.Fatalf("%s: exit %d, %q %q", line, r.code, r.out, r.err)
				}
			}
			// the seed has "master br2" (a typo): nsbox must fail as ip does
			typo := "link set br-veth2 master br2"
			r, want := run(typo), runCmd(t, "", "ip", strings.Fields(typo)...)
			if r.code != want.code || strings.TrimSpace(r.err) != strings.TrimSpace(want.err) {
				t.Errorf("%s: got %d %q, ip %d %q", typo, r.code, r.err, want.code, want.err)
			}
			for _, line := range []string{
				"link set br-veth2 master br1",
				"addr add 192.168.1.10/24 brd + dev br1",
			} {
				if r := run(line); r.code != 0 || r.err != "" {
					t.Fatalf("%s: exit %d, %q", line, r.code, r.err)
				}
			}
			// inside the namespaces, as "ip netns exec namespace1 ip ..."
			for i, ns := range []string{"namespace1", "namespace2"} {
				addr := fmt.Sprintf("192.168.1.1%d/24", i+1)
				dev := fmt.Sprintf("veth%d", i+1)
				sh(t, "ip", "netns", "exec", ns, filepath.Join(dir, "ip"), "addr", "add", addr, "dev", dev)
				sh(t, "ip", "netns", "exec", ns, filepath.Join(dir, "ip"), "link", "set", dev, "up")
			}
			// iproute2 checks
			var br []struct {
				Ifname   string   `json:"ifname"`
				Flags    []string `json:"flags"`
				AddrInfo []struct {
					Local     string `json:"local"`
					Prefixlen int    `json:"prefixlen"`
					Broadcast string `json:"broadcast"`
				} `json:"addr_info"`
			}
			json.Unmarshal([]byte(sh(t, "ip", "-j", "addr", "show", "dev", "br1")), &br)
			if len(br) != 1 || !contains(br[0].Flags, "UP") || len(br[0].AddrInfo) < 1 ||
				br[0].AddrInfo[0].Local != "192.168.1.10" || br[0].AddrInfo[0].Prefixlen != 24 ||
				br[0].AddrInfo[0].Broadcast != "192.168.1.255" {
				t.Errorf("br1: %+v", br)
			}
			var ports []struct {
				Ifname string `json:"ifname"`
				Master string `json:"master"`
			}
			json.Unmarshal([]byte(sh(t, "ip", "-j", "link", "show", "master", "br1")), &ports)
			if len(ports) != 2 || ports[0].Ifname != "br-veth1" || ports[1].Ifname != "br-veth2" {
				t.Errorf("ports of br1: %+v", ports)
			}
			for i, ns := range []string{"namespace1", "namespace2"} {
				out := sh(t, "ip", "-n", ns, "-br", "addr", "show", "dev", fmt.Sprintf("veth%d", i+1))
				if !strings.Contains(out, fmt.Sprintf("192.168.1.1%d/24", i+1)) {
					t.Errorf("%s: %s", ns, out)
				}
			}
			// the seed's checks, compared with ip's output
			sameAsIP(t, dir, "ip", "link")
			sameAsIP(t, dir, "bridge", "link", "show", "br1")
			sameAsIP(t, dir, "bridge", "link")
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// buildState makes a varied state with iproute2 itself.
func buildState(t *testing.T) {
	t.Helper()
	for _, c := range []string{
		"netns add nsA",
		"link add veth1 type veth peer name br-veth1",
		"link set veth1 netns nsA",
		"link add veth2 type veth peer name br-veth2",
		"link add m1 type veth peer name m1p",
		"link add name br1 type bridge",
		"link set br1 up",
		"link set br-veth1 up",
		"link set br-veth2 up",
		"link set veth2 up",
		"link set br-veth1 master br1",
		"link set br-veth2 master br1",
		"link set m1 master br1",
		"link set veth2 alias hello",
		"link set veth2 mtu 1400",
		"addr add 192.168.1.10/24 brd + dev br1",
		"addr add 10.0.0.1/32 dev veth2",
		"addr add 10.0.1.1/24 brd - dev veth2",
		"addr add 10.0.2.1/24 label veth2:x dev veth2",
		"addr add 10.0.3.1 peer 10.0.3.2 dev veth2",
		"addr add 127.0.0.2/8 dev veth2",
		"addr add 2001:db8::1/64 dev veth2",
		"route add 10.9.0.0/16 via 192.168.1.11 metric 7",
		"route add 10.8.0.0/16 dev br1 proto static",
		"route add 10.7.0.0/16 dev br1 table 300",
		"route add 2001:db8:1::/48 via 2001:db8::2 dev veth2",
		"route add blackhole 10.6.0.0/16",
	} {
		sh(t, append([]string{"ip"}, strings.Fields(c)...)...)
	}
}

// Show commands print what iproute2 prints for the same state.
func TestShowMatchesIproute2(t *testing.T) {
	_, dir := tools(t)
	cleanLinks(t)
	defer cleanLinks(t)
	buildState(t)
	for _, args := range [][]string{
		{"link"}, {"l"}, {"l", "s"}, {"link", "list"}, {"link", "show", "dev", "veth2"},
		{"link", "show", "br-veth1"}, {"link", "show", "up"}, {"link", "show", "type", "bridge"},
		{"link", "show", "master", "br1"}, {"link", "show", "type", "veth", "master", "br1"},
		{"-j", "link"}, {"-j", "-p", "link"}, {"-j", "link", "show", "dev", "br-veth1"},
		{"-br", "link"}, {"-j", "-br", "link"}, {"-o", "link"}, {"-s", "link", "show", "lo"},
		{"-j", "-s", "link"}, {"-4", "link"}, {"-6", "link"},
		{"-d", "link", "show", "lo"}, {"-d", "link", "show", "veth2"}, {"-j", "-d", "link", "show", "m1p"},
		{"-d", "link", "show", "br-veth2"}, {"-j", "-d", "link", "show", "m1"}, // bridge ports
		// (the bridge itself: its gc_timer runs between two reads)
		{"addr"}, {"a"}, {"a", "s"}, {"addr", "list"}, {"addr", "show", "dev", "veth2"},
		{"addr", "show", "up"}, {"-j", "addr"}, {"-j", "-p", "addr"}, {"-br", "addr"},
		{"-j", "-br", "addr"}, {"-o", "addr"}, {"-4", "addr"}, {"-6", "addr"}, {"-j", "-6", "addr"},
		{"-4", "-o", "addr", "show", "dev", "veth2"},
		{"route"}, {"r"}, {"route", "show", "table", "300"}, {"route", "show", "table", "all"},
		{"-6", "route"}, {"-j", "route"}, {"-j", "route", "show", "table", "all"},
		{"-j", "-6", "route"}, {"-d", "route"}, {"route", "show", "dev", "br1"},
		{"route", "get", "192.168.1.11"}, {"-j", "route", "get", "10.9.1.1"},
		{"route", "get", "127.0.0.1"}, {"route", "get", "2001:db8::5"},
	} {
		sameAsIP(t, dir, "ip", args...)
	}
	for _, args := range [][]string{
		{"link"}, {"link", "show"}, {"link", "show", "dev", "br-veth2"}, {"-j", "link"},
		{"-j", "-p", "link"}, {"-d", "link"}, {"-s", "link"},
	} {
		sameAsIP(t, dir, "bridge", args...)
	}
}

// Bad input: one line on stderr, iproute2's exit code and wording, and
// no change to links, addresses or routes.
func TestBadInput(t *testing.T) {
	_, dir := tools(t)
	cleanLinks(t)
	defer cleanLinks(t)
	buildState(t)
	time.Sleep(1100 * time.Millisecond) // let linkwatch settle the operstates
	cases := []string{
		"link set nosuch up",
		"link del nosuch",
		"link delete dev nosuch",
		"link add veth2 type veth peer name zz",             // duplicate name
		"link add aaaaaaaaaaaaaaaaa type veth peer name bb", // 17-char name (kernel policy)
		"link add name aaaaaaaaaaaaaaaaa type bridge",       // 17-char name (ip checks)
		"link add name a/b type bridge",
		"link add v9 type veth peer name", // missing peer name
		"link add d0 type dummy",          // this kernel has no dummy
		"link add x0 type nosuchtype",
		"link add",
		"link set",
		"link set veth2 foo", // unknown keyword
		"link foo",
		"link set veth2 mtu abc",
		"link set veth2 mtu 100000", // kernel extack
		"link set veth2 mtu 10",
		"link set veth2 mtu 1500 mtu 1400",
		"link set veth2 address zz",
		"link set veth2 master nosuch",
		"link set veth2 netns nosuchns",
		"link set veth2 txqueuelen x",
		"link set veth2 name aaaaaaaaaaaaaaaaaaaaa",
		"link set dev veth2 dev br1",
		"link show nosuch",
		"addr add 1.2.3.4/33 dev veth2",
		"addr add 1.2.3.4/24 dev nosuch",
		"addr add foo dev veth2",
		"addr add 2001:db8::5/64 brd + dev veth2",
		"addr add 1.2.3.4/24",
		"addr add 1.2.3.4/24 dev",
		"addr add 10.0.0.1/32 dev veth2", // already assigned
		"addr add 1.2.3.4/24 local 1.2.3.5 dev veth2",
		"addr add 1.2.3.4/24 scope foo dev veth2",
		"addr del 9.9.9.9/24 dev veth2",
		"addr show dev nosuch",
		"addr flush",
		"addr foo",
		"-6 addr add 1.2.3.4/24 dev veth2",
		"route add 10.0.0.0/8 via 192.0.2.1", // unreachable gateway
		"route add 10.0.0.0/33 dev veth2",
		"route add foo dev veth2",
		"route add 10.0.0.0/8 dev nosuch",
		"route del 10.99.0.0/16",
		"route add 192.168.1.0/24 dev br1", // exists
		"route add 10.1.0.0/16 metric x dev veth2",
		"route add 10.1.0.0/16 table x dev veth2",
		"route add 10.1.0.0/16 proto x dev veth2",
		"route add 10.1.0.0/16 scope x dev veth2",
		"route get 10.99.0.1",
		"route get foo",
		"route get",
		"route foo",
		"foo",
		"-n nosuch link",
		"-x link",
		"-f ipx link",
		"-f packet link",
		"-family inet4 link",
	}
	if len(cases) < 25 {
		t.Fatal("the table must hold at least 25 cases")
	}
	for _, c := range cases {
		args := strings.Fields(c)
		before := snapshot(t)
		want := runCmd(t, "", "ip", args...)
		if snapshot(t) != before {
			t.Fatalf("%q: iproute2 itself changed the state; not a bad-input case", c)
		}
		got := runCmd(t, "", filepath.Join(dir, "ip"), args...)
		after := snapshot(t)
		if got.code != want.code {
			t.Errorf("%q: exit %d, iproute2 %d", c, got.code, want.code)
		}
		if got.code == 0 {
			t.Errorf("%q: succeeded", c)
		}
		lines := nonEmpty(got.err)
		if len(lines) != 1 || got.out != "" {
			t.Errorf("%q: want one line on stderr, got %q (stdout %q)", c, got.err, got.out)
		}
		if strings.Join(lines, "\n") != strings.Join(nonEmpty(want.err), "\n") {
			t.Errorf("%q: stderr %q, iproute2 %q", c, got.err, want.err)
		}
		if strings.Contains(got.err, "panic") || strings.Contains(got.err, "goroutine") {
			t.Errorf("%q: %s", c, got.err)
		}
		if after != before {
			t.Errorf("%q: state changed", c)
		}
	}
}

func nonEmpty(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// Usage: ip link help prints to stderr and exits 255, like iproute2.
func TestHelp(t *testing.T) {
	_, dir := tools(t)
	for _, c := range []string{"link help", "addr help", "route help", "help", "-h"} {
		got := runCmd(t, "", filepath.Join(dir, "ip"), strings.Fields(c)...)
		want := runCmd(t, "", "ip", strings.Fields(c)...)
		if got.code != want.code || got.out != "" || !strings.HasPrefix(got.err, "Usage: ") {
			t.Errorf("%q: exit %d (ip %d), stdout %q, stderr %q", c, got.code, want.code, got.out, got.err)
		}
	}
}

// Batch mode: same results, messages and exit codes as ip -batch.
func TestBatch(t *testing.T) {
	nsbox, dir := tools(t)
	tmp := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good", `# the seed's links, as a batch
link add veth1 type veth peer name br-veth1
link add veth2 type veth \
	peer name "br-veth2"   # continued
link add name br1 type bridge

link set br1 up
link set br-veth1 master br1
link set br-veth2 master br1
link set br-veth1 up
link set br-veth2 up
addr add 192.168.1.10/24 brd + dev br1
route add 10.9.0.0/16 via 192.168.1.11
`)
	failing := write("failing", `link add c1 type veth peer name c1p
link set nosuch up
link add c1 type veth
link add c2 type veth peer name c2p
link add d0 type dummy
link add c3 type veth peer name c3p
`)
	usage := write("usage", "link add c1 type veth peer name c1p\nlink set c1 mtu abc\nlink add c2 type veth peer name c2p\n")
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"good", []string{"-batch", good}},
		{"good-force", []string{"-force", "-batch", good}},
		{"failing", []string{"-batch", failing}},
		{"failing-force", []string{"-force", "-batch", failing}},
		{"usage", []string{"-batch", usage}},
		{"usage-force", []string{"-force", "-batch", usage}},
		{"missing-file", []string{"-batch", filepath.Join(tmp, "nosuch")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cleanLinks(t)
			want := runCmd(t, "", "ip", tc.args...)
			wantState := snapshotNoMAC(t)
			cleanLinks(t)
			for _, prog := range []string{nsbox, filepath.Join(dir, "ip")} {
				got := runCmd(t, "", prog, tc.args...)
				gotState := snapshotNoMAC(t)
				cleanLinks(t)
				if got.code != want.code || strings.Join(nonEmpty(got.err), "\n") != strings.Join(nonEmpty(want.err), "\n") || got.out != want.out {
					t.Errorf("%s: exit %d stderr %q stdout %q; iproute2 exit %d stderr %q stdout %q",
						prog, got.code, got.err, got.out, want.code, want.err, want.out)
				}
				if gotState != wantState {
					t.Errorf("%s: state after the batch differs from iproute2's:\n%s\n---\n%s", prog, gotState, wantState)
				}
			}
		})
	}
	// from standard input, with a show command in the middle
	cleanLinks(t)
	in := "link add s1 type veth peer name s1p\nlink show s1p\nlink set s1 up\nlink show dev s1\n"
	want := runCmd(t, in, "ip", "-batch", "-")
	cleanLinks(t)
	got := runCmd(t, in, nsbox, "-force", "-batch", "-")
	cleanLinks(t)
	if got.code != want.code || maskIndex(maskMAC(got.out)) != maskIndex(maskMAC(want.out)) {
		t.Errorf("stdin batch: %d %q, ip %d %q", got.code, got.out, want.code, want.out)
	}
}

// A larger pipelined batch (-force): many veth pairs enslaved, up and
// addressed; iproute2 checks every one.
func TestBatchManyPairs(t *testing.T) {
	nsbox, _ := tools(t)
	cleanLinks(t)
	defer cleanLinks(t)
	const n = 200
	var b strings.Builder
	b.WriteString("link add name br1 type bridge\nlink set br1 up\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "link add v%d type veth peer name p%d\n", i, i)
		fmt.Fprintf(&b, "link set p%d master br1\n", i)
		fmt.Fprintf(&b, "link set p%d up\n", i)
		fmt.Fprintf(&b, "link set v%d up\n", i)
		fmt.Fprintf(&b, "addr add 10.%d.%d.1/24 dev v%d\n", i/256+1, i%256, i)
	}
	for _, force := range []bool{true, false} {
		cleanLinks(t)
		args := []string{"-batch", "-"}
		if force {
			args = append([]string{"-force"}, args...)
		}
		r := runCmd(t, b.String(), nsbox, args...)
		if r.code != 0 || r.err != "" {
			t.Fatalf("force=%v: exit %d: %s", force, r.code, r.err)
		}
		var links []struct {
			Ifname   string   `json:"ifname"`
			Master   string   `json:"master"`
			Flags    []string `json:"flags"`
			AddrInfo []struct {
				Local string `json:"local"`
			} `json:"addr_info"`
		}
		json.Unmarshal([]byte(sh(t, "ip", "-j", "addr")), &links)
		byName := map[string]int{}
		for i, l := range links {
			byName[l.Ifname] = i
		}
		for i := 0; i < n; i++ {
			p, ok1 := byName[fmt.Sprintf("p%d", i)]
			v, ok2 := byName[fmt.Sprintf("v%d", i)]
			if !ok1 || !ok2 {
				t.Fatalf("pair %d missing", i)
			}
			if links[p].Master != "br1" || !contains(links[p].Flags, "UP") || !contains(links[v].Flags, "UP") {
				t.Fatalf("pair %d: %+v %+v", i, links[p], links[v])
			}
			want := fmt.Sprintf("10.%d.%d.1", i/256+1, i%256)
			if len(links[v].AddrInfo) == 0 || links[v].AddrInfo[0].Local != want {
				t.Fatalf("v%d: %+v", i, links[v].AddrInfo)
			}
		}
	}
}

// maskIndex replaces the "N: " ifindex that starts a link line.
func maskIndex(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if j := strings.Index(l, ": "); j > 0 && strings.Trim(l[:j], "0123456789") == "" {
			lines[i] = "N" + l[j:]
		}
	}
	return strings.Join(lines, "\n")
}

func maskMAC(s string) string {
	var out []string
	for _, f := range strings.Split(s, "\n") {
		if i := strings.Index(f, "link/ether "); i >= 0 {
			f = f[:i] + "link/ether MAC" + f[i+len("link/ether 00:00:00:00:00:00"):]
		}
		out = append(out, f)
	}
	return strings.Join(out, "\n")
}

// snapshotNoMAC is the state in a form that does not depend on random
// MAC addresses or on link-local IPv6 addresses derived from them.
func snapshotNoMAC(t *testing.T) string {
	t.Helper()
	// operstates settle asynchronously (linkwatch may hold an event for
	// a second): wait, then until two reads agree
	time.Sleep(1100 * time.Millisecond)
	prev := ""
	for try := 0; try < 20; try++ {
		cur := snapshotNoMACOnce(t)
		if cur == prev {
			return cur
		}
		prev = cur
		time.Sleep(150 * time.Millisecond)
	}
	return prev
}

func snapshotNoMACOnce(t *testing.T) string {
	t.Helper()
	var lines []string
	// What a command decides: links, their admin flags, addresses and
	// routes. Not what the kernel derives on its own time (operstate,
	// carrier, "linkdown"): linkwatch may change those at any moment.
	derived := strings.NewReplacer("NO-CARRIER,", "", ",LOWER_UP", "", ",M-DOWN", "", " linkdown", "")
	brief := sh(t, "ip", "-br", "link") + sh(t, "ip", "-4", "-br", "addr")
	for _, l := range strings.Split(brief, "\n") {
		f := strings.Fields(derived.Replace(l))
		if len(f) > 1 {
			f = append(f[:1], f[2:]...) // the operstate column
		}
		for i, w := range f {
			if strings.Count(w, ":") == 5 && len(w) == 17 {
				f[i] = "MAC"
			}
		}
		lines = append(lines, strings.Join(f, " "))
	}
	for _, l := range strings.Split(sh(t, "ip", "route"), "\n") {
		lines = append(lines, strings.Join(strings.Fields(derived.Replace(l)), " "))
	}
	return strings.Join(lines, "\n")
}

// -n NAME opens the socket in the named namespace.
func TestNetnsOption(t *testing.T) {
	nsbox, dir := tools(t)
	cleanLinks(t)
	defer cleanLinks(t)
	sh(t, "ip", "netns", "add", "nsB")
	for _, c := range []string{
		"-n nsB link add v1 type veth peer name v1p",
		"-n nsB addr add 10.1.1.1/24 dev v1",
		"-n nsB link set v1 up",
		"link add h1 type veth peer name h1p netns nsB",
	} {
		if r := runCmd(t, "", nsbox, strings.Fields(c)...); r.code != 0 {
			t.Fatalf("%s: %d %s", c, r.code, r.err)
		}
	}
	out := sh(t, "ip", "-n", "nsB", "-br", "addr")
	if !strings.Contains(out, "10.1.1.1/24") || !strings.Contains(out, "h1p@if") {
		t.Errorf("nsB: %s", out)
	}
	if strings.Contains(sh(t, "ip", "-br", "link"), "v1") {
		t.Error("v1 was created outside nsB")
	}
	for _, args := range [][]string{{"-n", "nsB", "link"}, {"-n", "nsB", "-j", "addr"}, {"-n", "nsB", "route"}, {"link"}} {
		sameAsIP(t, dir, "ip", args...)
	}
}

// The bytes nsbox's ip front end sends for the seed's commands are the
// bytes iproute2 6.1 sent for them (strace captures in
// rtnl/testdata/iproute2, converted to native order), sequence numbers
// and the namespace file descriptor aside. It runs in a fresh namespace
// so the ifindexes are those of the capture (lo 1, br-veth1 2, veth1 3,
// br1 4).
func TestGoldenRequestsEndToEnd(t *testing.T) {
	sandbox.Require(t, "ip")
	const ns = "golden"
	sh(t, "ip", "netns", "add", ns)
	defer runCmd(t, "", "ip", "netns", "del", ns)
	sh(t, "ip", "netns", "add", "namespace1")
	defer runCmd(t, "", "ip", "netns", "del", "namespace1")
	sh(t, "ip", "-n", ns, "link", "set", "lo", "up")

	s := newSession(cli.Global{Netns: ns}, "ip")
	defer s.close()
	var sent [][]byte
	tapSent(t, s, &sent)
	steps := []struct {
		line, file string
		typ        uint16
		maskFD     bool
	}{
		{"link add veth1 type veth peer name br-veth1", "link-add-veth.txt", unix.RTM_NEWLINK, false},
		{"link add name br1 type bridge", "link-add-bridge.txt", unix.RTM_NEWLINK, false},
		{"link set br-veth1 master br1", "link-set-master.txt", unix.RTM_NEWLINK, false},
		{"link set veth1 netns namespace1", "link-set-netns.txt", unix.RTM_NEWLINK, true},
		{"addr add 192.168.1.10/24 brd + dev br1", "addr-add-brd.txt", unix.RTM_NEWADDR, false},
		{"link set br1 up", "", 0, false},
		{"route add default via 192.168.1.1", "route-add-default.txt", unix.RTM_NEWROUTE, false},
	}
	for _, st := range steps {
		sent = nil
		if err := s.do(strings.Fields(st.line)); err != nil {
			t.Fatalf("%s: %v", st.line, err)
		}
		if st.file == "" {
			continue
		}
		got, err := golden.Last(sent, st.typ)
		if err != nil {
			t.Fatal(err)
		}
		want := goldenRequest(t, st.file, st.typ)
		if got == nil {
			t.Fatalf("%s: nothing of type %d sent", st.line, st.typ)
		}
		if st.maskFD && len(got) == 40 && len(want) == 40 {
			copy(got[36:], want[36:]) // IFLA_NET_NS_FD: an fd number
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: nsbox sent\n% x\niproute2 sent\n% x", st.line, got, want)
		}
	}
}

// tapSent dials s and keeps in *sent a copy of every datagram it sends.
func tapSent(t *testing.T, s *session, sent *[][]byte) {
	t.Helper()
	conn, err := s.dial()
	if err != nil {
		t.Fatal(err)
	}
	conn.Tap = func(dir netlink.Direction, b []byte) {
		if dir == netlink.Sent {
			*sent = append(*sent, append([]byte(nil), b...))
		}
	}
}

// goldenRequest is the last message of type typ in a capture, in native
// order, with sequence and port id zero.
func goldenRequest(t *testing.T, file string, typ uint16) []byte {
	t.Helper()
	_, calls, err := golden.Load(filepath.Join("..", "rtnl", "testdata", "iproute2", file))
	if err != nil {
		t.Fatal(err)
	}
	b, err := golden.LastRequest(calls, typ)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return b
}

// Each sequence of commands, run by iproute2 and then (from the same
// start) by nsbox, leaves the same links, addresses and routes.
func TestModifyLikeIproute2(t *testing.T) {
	nsbox, _ := tools(t)
	defer cleanLinks(t)
	base := []string{
		"link add veth1 type veth peer name br-veth1",
		"link add name br1 type bridge",
		"link set br1 up",
		"link set veth1 up",
		"link set br-veth1 up",
		"addr add 192.168.1.10/24 brd + dev br1",
		"addr add 10.0.0.1/24 dev veth1",
	}
	seqs := [][]string{
		{"link set br-veth1 master br1", "link set br-veth1 nomaster"},
		{"link set veth1 mtu 1400 txqueuelen 500 alias a1", "link set veth1 address 02:00:00:00:00:01"},
		{"link set veth1 down", "link set veth1 name veth9", "link set dev veth9 up"},
		{"link set veth1 arp off multicast off", "link set veth1 promisc on allmulticast on"},
		{"link add i0 type ifb", "link add ppp1 type veth peer ppp2", "link del dev i0"},
		{"link add v7 mtu 1300 type veth peer name v7p mtu 1280 txqueuelen 77"},
		{"link delete veth1"},
		{"addr add 10.0.1.1/24 brd - dev veth1", "addr add 10.0.2.1/30 brd + dev veth1", "addr add 10.0.3.1/31 brd + dev veth1"},
		{"addr add 10.0.4.1/24 brd 10.0.4.9 label veth1:a scope link dev veth1"},
		{"addr add 10.0.5.1 peer 10.0.5.2/32 dev veth1", "addr add 127.0.0.5/8 dev veth1"},
		{"addr add 2001:db8::1/64 dev veth1 nodad", "addr del 2001:db8::1/64 dev veth1"},
		{"addr del 10.0.0.1/24 dev veth1", "addr add 10.0.0.2/24 dev veth1"},
		{"addr replace 10.0.0.1/24 dev veth1 scope host"},
		{"addr add 10.0.9.1/24 dev veth1", "addr add 10.0.9.2/24 dev veth1", "addr flush dev veth1"},
		{"route add default via 192.168.1.1", "route add 10.9.0.0/16 via 192.168.1.11 metric 5 proto static"},
		{"route add 10.8.0.0/16 dev br1 src 192.168.1.10", "route replace 10.8.0.0/16 dev veth1"},
		{"route add 10.7.0.0/16 dev br1 table 300", "route add 10.7.0.0/16 dev br1 table 100", "route del 10.7.0.0/16 table 300"},
		{"route add blackhole 10.6.0.0/16", "route add unreachable 10.5.0.0/16 metric 9", "route add local 10.4.0.1 dev veth1"},
		{"route add 2001:db8:9::/48 dev br1 metric 7", "route add 2001:db8:8::/48 dev br1", "route del 2001:db8:8::/48"},
		{"route add 10.3.0.0/16 via 10.0.0.7 onlink dev br1", "route append 10.2.0.0/16 dev veth1", "route change 10.2.0.0/16 dev br1"},
	}
	retried := 0
	for _, seq := range seqs {
		tries := matchIproute2(t, fmt.Sprintf("%q", seq), 3, func() (ip, nb string) {
			var states [2]string
			for i, prog := range []string{"ip", nsbox} {
				cleanLinks(t)
				for _, c := range base {
					sh(t, append([]string{"ip"}, strings.Fields(c)...)...)
				}
				for _, c := range seq {
					r := runCmd(t, "", prog, strings.Fields(c)...)
					if r.code != 0 {
						t.Errorf("%s %s: exit %d: %s", prog, c, r.code, r.err)
					}
				}
				states[i] = modState(t)
			}
			return states[0], states[1]
		})
		if tries > 1 {
			retried++
		}
	}
	t.Logf("%d of %d sequences needed more than one try", retried, len(seqs))
}

// matchIproute2 compares what nsbox did with what iproute2 did, as run
// returns them, up to tries times. A difference that nsbox causes shows
// every time; one that the kernel makes by settling late (linkwatch,
// bridge port states on a loaded machine) does not show the same way
// twice. So a try that matches ends it (logged with the number of tries
// it took, which it returns), and a difference that two tries show alike
// fails at once, as does the last try not matching (both return 0).
func matchIproute2(t *testing.T, what string, tries int, run func() (ip, nsbox string)) int {
	t.Helper()
	seen := map[string]int{}
	for try := 1; try <= tries; try++ {
		ip, nb := run()
		if ip == nb {
			if try > 1 {
				t.Logf("%s: matched iproute2 on try %d of %d", what, try, tries)
			}
			return try
		}
		d := lineDiff(ip, nb)
		if prev, ok := seen[d]; ok {
			t.Errorf("%s: tries %d and %d show the same difference (- ip, + nsbox):\n%s", what, prev, try, d)
			return 0
		}
		seen[d] = try
		t.Logf("%s: try %d differs (- ip, + nsbox):\n%s", what, try, d)
	}
	t.Errorf("%s: none of %d tries matched iproute2", what, tries)
	return 0
}

// lineDiff lists the lines only a has ("- ") and only b has ("+ "),
// counting repeated lines.
func lineDiff(a, b string) string {
	count := map[string]int{}
	for _, l := range strings.Split(a, "\n") {
		count[l]++
	}
	for _, l := range strings.Split(b, "\n") {
		count[l]--
	}
	var d []string
	for _, l := range strings.Split(a+"\n"+b, "\n") {
		for ; count[l] > 0; count[l]-- {
			d = append(d, "- "+l)
		}
		for ; count[l] < 0; count[l]++ {
			d = append(d, "+ "+l)
		}
	}
	if len(d) == 0 {
		return "(the same lines in another order)"
	}
	return strings.Join(d, "\n")
}

// modState is links, addresses and routes without random MACs and the
// link-local addresses derived from them.
func modState(t *testing.T) string {
	t.Helper()
	time.Sleep(1100 * time.Millisecond) // linkwatch may hold an operstate change
	prev := ""
	for try := 0; try < 20; try++ {
		var b strings.Builder
		for _, c := range [][]string{{"-d", "link"}, {"-4", "addr"}, {"-6", "addr", "show", "scope", "global"},
			{"route", "show", "table", "all"}, {"-6", "route", "show", "table", "main"}} {
			b.WriteString(sh(t, append([]string{"ip"}, c...)...))
		}
		var lines []string
		for _, l := range strings.Split(b.String(), "\n") {
			if strings.Contains(l, "fe80") {
				continue
			}
			f := strings.Fields(l)
			for i, w := range f {
				if strings.Count(w, ":") == 5 && len(w) == 17 && w != "ff:ff:ff:ff:ff:ff" && w != "02:00:00:00:00:01" {
					f[i] = "MAC"
				}
				if strings.HasPrefix(w, "8000.") || (i > 0 && f[i-1] == "gc_timer") {
					f[i] = "ID"
				}
			}
			if len(f) == 0 {
				continue
			}
			if len(f) > 0 && strings.HasSuffix(f[0], ":") && strings.Trim(f[0], "0123456789:") == "" {
				f[0] = "N:"
			}
			lines = append(lines, strings.Join(f, " "))
		}
		sort.Strings(lines) // route order within a table follows ifindexes
		cur := strings.Join(lines, "\n")
		if cur == prev {
			return cur
		}
		prev = cur
		time.Sleep(50 * time.Millisecond)
	}
	return prev
}

// Odd argv never panics, and exits as iproute2 does.
func TestOddArgs(t *testing.T) {
	_, dir := tools(t)
	cleanLinks(t)
	defer cleanLinks(t)
	sh(t, "ip", "link", "add", "veth1", "type", "veth", "peer", "name", "br-veth1")
	for _, args := range [][]string{
		{""}, {"link", ""}, {"link", "set", ""}, {"link", "set", "", "up"}, {"addr", "add", ""},
		{"addr", "add", "", "dev", ""}, {"route", "add", ""}, {"route", "get", ""},
		{"link", "set", "veth1", "mtu", "99999999999999999999"}, {"link", "set", "veth1", "mtu", "-1"},
		{"link", "set", "veth1", "netns", ""}, {"link", "add", "ü", "type", "veth"},
		{"addr", "add", "1.2.3.4/24", "dev", strings.Repeat("x", 300)},
		{"route", "add", "1.2.3.4/-1", "dev", "veth1"}, {"route", "add", "::/129"},
		{"link", "show", "dev"}, {"-j"}, {"-batch"}, {"route", "add", "default", "via", ""},
		{"link", "set", "veth1", "address", "::"}, {"link", "set", "veth1", "address", "0:1:2:3:4:5:6:7:8:9:a:b:c:d:e:f:10:11:12:13:14:15:16:17:18:19:1a:1b:1c:1d:1e:1f:20:21"},
		{"addr", "add", "1.2.3.4/24", "brd"}, {"addr", "add", "1.2.3.4/24", "peer"},
		{"link", "add", "a1", "type", "veth", "peer", "name", "a2", "type", "veth"},
		{"link", "add", "a1", "type", "veth", "foo"},
	} {
		want := runCmd(t, "", "ip", args...)
		runCmd(t, "", "ip", "link", "del", "a1")
		runCmd(t, "", "ip", "link", "del", "ü")
		got := runCmd(t, "", filepath.Join(dir, "ip"), args...)
		runCmd(t, "", "ip", "link", "del", "ü")
		if strings.Contains(got.err, "panic") || strings.Contains(got.err, "goroutine ") {
			t.Errorf("%q: %s", args, got.err)
		}
		if got.code != want.code {
			t.Errorf("%q: exit %d (%q), iproute2 %d (%q)", args, got.code, got.err, want.code, want.err)
		}
		runCmd(t, "", "ip", "link", "del", "a1")
	}
}
