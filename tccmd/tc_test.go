package tccmd

// Integration tests against tc (iproute2 6.1), the oracle, inside the
// test binary's throwaway namespaces (sandbox.Main): each test makes
// named network namespaces of its own, with links and no IPv6 (so that
// no packet moves and every counter stays 0), and compares nsbox's tc
// with tc: the state each one builds, what each one prints for the same
// state, and how each one refuses what is wrong.

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"nsbox/internal/sandbox"
	"nsbox/internal/testutil"
	"nsbox/internal/testutil/wiretest"
)

func TestMain(m *testing.M) { sandbox.Main(m) }

type result struct {
	out, err string
	code     int
}

func run(t *testing.T, name string, args ...string) result {
	t.Helper()
	r := testutil.Run(t, exec.Command(name, args...))
	return result{r.Stdout, r.Stderr, r.Code}
}

// must runs a command that has to succeed.
func must(t *testing.T, name string, args ...string) string {
	t.Helper()
	return testutil.Output(t, exec.Command(name, args...))
}

// nsboxTC returns the path of a link named tc to the nsbox binary.
func nsboxTC(t *testing.T) string {
	t.Helper()
	sandbox.Require(t, "tc", "ip")
	link := filepath.Join(t.TempDir(), "tc")
	if err := os.Symlink(sandbox.Binary(t), link); err != nil {
		t.Fatal(err)
	}
	return link
}

// newNS makes a network namespace with veth v0/v1 and ifb0 up, IPv6
// off, removed when the test ends.
func newNS(t *testing.T, name string) {
	t.Helper()
	must(t, "ip", "netns", "add", name)
	t.Cleanup(func() { run(t, "ip", "netns", "del", name) })
	in := func(args ...string) { must(t, "ip", append([]string{"netns", "exec", name}, args...)...) }
	in("sh", "-c", "echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6")
	in("ip", "link", "set", "lo", "up")
	in("ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1")
	in("ip", "link", "add", "ifb0", "type", "ifb")
	for _, l := range []string{"v0", "v1", "ifb0"} {
		in("ip", "link", "set", l, "up")
	}
}

// tcIn runs tool (tc or nsbox's) inside namespace ns.
func tcIn(t *testing.T, ns, tool string, args ...string) result {
	t.Helper()
	return run(t, "ip", append([]string{"netns", "exec", ns, tool}, args...)...)
}

// setup is built by tc in one namespace and by nsbox in another. Every
// qdisc has its handle: the kernel numbers the others from a counter
// that is not per namespace.
var setup = [][]string{
	{"qdisc", "add", "dev", "v0", "root", "handle", "10:", "tbf", "rate", "10mbit", "burst", "32kb", "latency", "50ms"},
	{"qdisc", "add", "dev", "v1", "root", "handle", "1:", "htb", "default", "10", "r2q", "100"},
	{"class", "add", "dev", "v1", "parent", "1:", "classid", "1:1", "htb", "rate", "100mbit"},
	{"class", "add", "dev", "v1", "parent", "1:1", "classid", "1:10", "htb", "rate", "20mbit", "ceil", "50mbit", "burst", "15k", "prio", "1"},
	{"class", "add", "dev", "v1", "parent", "1:1", "classid", "1:20", "htb", "rate", "1gbit", "ceil", "8gbit", "quantum", "60000"},
	{"class", "change", "dev", "v1", "parent", "1:1", "classid", "1:20", "htb", "rate", "2gbit", "ceil", "8gbit", "quantum", "60000"},
	{"class", "add", "dev", "v1", "parent", "1:1", "classid", "1:30", "htb", "rate", "5mbit", "mtu", "0"}, // burst = rate/HZ, no mtu in it
	{"qdisc", "add", "dev", "v1", "parent", "1:10", "handle", "20:", "pfifo", "limit", "50"},
	{"qdisc", "add", "dev", "v1", "parent", "1:20", "handle", "30:", "bfifo", "limit", "64kb"},
	{"filter", "add", "dev", "v1", "parent", "1:", "protocol", "ip", "prio", "1", "u32", "match", "ip", "dst", "10.0.0.0/8", "match", "ip", "dport", "80", "0xffff", "flowid", "1:10"},
	{"filter", "add", "dev", "v1", "parent", "1:", "protocol", "ip", "prio", "2", "u32", "match", "ip", "src", "192.168.1.0/24", "classid", "1:20"},
	{"qdisc", "add", "dev", "v0", "ingress"},
	{"filter", "add", "dev", "v0", "parent", "ffff:", "protocol", "all", "prio", "10", "u32", "match", "u32", "0", "0", "action", "mirred", "egress", "redirect", "dev", "ifb0"},
	{"filter", "add", "dev", "v0", "parent", "ffff:", "protocol", "ip", "prio", "5", "u32", "match", "ip", "protocol", "1", "0xff", "action", "mirred", "ingress", "mirror", "dev", "v1", "pipe"},
	{"qdisc", "add", "dev", "ifb0", "root", "handle", "2:", "tbf", "rate", "20mbit", "burst", "32kb", "latency", "20ms", "peakrate", "30mbit", "mtu", "1600"},
	{"qdisc", "replace", "dev", "ifb0", "root", "handle", "2:", "tbf", "rate", "25mbit", "burst", "64kb", "limit", "100kb"},
	{"qdisc", "add", "dev", "lo", "clsact"},
	{"filter", "add", "dev", "lo", "egress", "protocol", "ip", "prio", "1", "u32", "match", "ip", "dst", "127.0.0.2/32", "action", "mirred", "egress", "mirror", "dev", "ifb0"},
}

// shows are the state as tc prints it, in forms that hold no timestamps.
var shows = [][]string{
	{"-s", "-j", "qdisc", "show"},
	{"-j", "class", "show", "dev", "v1"},
	{"-s", "-d", "class", "show", "dev", "v1"},
	{"-j", "filter", "show", "dev", "v1"},
	{"-j", "filter", "show", "dev", "v0", "parent", "ffff:"},
	{"-j", "filter", "show", "dev", "lo", "egress"},
	{"-d", "-j", "qdisc", "show", "invisible"},
}

// TestSetupEqual: the same commands, once through tc and once through
// nsbox, leave the same state, as tc itself shows it.
func TestSetupEqual(t *testing.T) {
	ours := nsboxTC(t)
	newNS(t, "tc-by-tc")
	newNS(t, "tc-by-nsbox")
	for _, c := range setup {
		a, b := tcIn(t, "tc-by-tc", "tc", c...), tcIn(t, "tc-by-nsbox", ours, c...)
		if a.code != 0 || b.code != a.code || a.err != b.err {
			t.Fatalf("tc %v: tc exit %d %q, nsbox exit %d %q", c, a.code, a.err, b.code, b.err)
		}
	}
	for _, s := range shows {
		a, b := must(t, "ip", append([]string{"netns", "exec", "tc-by-tc", "tc"}, s...)...),
			must(t, "ip", append([]string{"netns", "exec", "tc-by-nsbox", "tc"}, s...)...)
		if a != b {
			t.Errorf("tc %v: the setups differ\n--- made by tc\n%s--- made by nsbox\n%s", s, a, b)
		}
		if len(a) < 10 {
			t.Errorf("tc %v: nearly nothing to compare: %q", s, a)
		}
	}
}

// TestShowEqual: for the same state, nsbox prints what tc prints.
func TestShowEqual(t *testing.T) {
	ours := nsboxTC(t)
	newNS(t, "tc-show")
	for _, c := range setup {
		tcIn(t, "tc-show", "tc", c...)
	}
	for _, s := range append(shows, [][]string{
		{"qdisc", "show"}, {"-s", "qdisc", "show"}, {"-d", "qdisc"}, {"-p", "-j", "qdisc", "show"},
		{"-r", "qdisc", "show", "dev", "ifb0"}, {"qdisc", "show", "dev", "v1", "invisible"},
		{"qdisc", "show", "dev", "v0", "ingress"}, {"qdisc", "show", "dev", "v1", "handle", "1:"},
		{"class", "show", "dev", "v1"}, {"class", "show", "dev", "v1", "parent", "1:1"},
		{"class", "show", "dev", "v1", "classid", "1:10"}, {"class", "show", "dev", "v1", "qdisc", "1:"},
		{"-s", "-j", "class", "show", "dev", "v1"},
		{"filter", "show", "dev", "v1"}, {"-p", "filter", "show", "dev", "v1"}, {"-d", "filter", "show", "dev", "v1", "parent", "1:"},
		{"filter", "show", "dev", "v1", "parent", "1:", "prio", "2"}, {"filter", "show", "dev", "v1", "protocol", "ip"},
		{"filter", "show", "dev", "v0", "parent", "ffff:"}, {"-p", "filter", "show", "dev", "v0", "parent", "ffff:"},
		{"-o", "filter", "show", "dev", "lo", "egress"}, {"-i", "-s", "-d", "qdisc", "show"}, {"-iec", "-d", "class", "show", "dev", "v1"}, {"filter", "show", "dev", "v0"}, {"qdisc", "show", "dev", "nosuch"},
	}...) {
		a, b := tcIn(t, "tc-show", "tc", s...), tcIn(t, "tc-show", ours, s...)
		if a != b {
			t.Errorf("tc %v:\n--- tc (exit %d)\n%s%s--- nsbox (exit %d)\n%s%s", s, a.code, a.out, a.err, b.code, b.out, b.err)
		}
	}
	// nsbox as "nsbox tc", its global options before or after "tc"
	a := tcIn(t, "tc-show", "tc", "-s", "-j", "qdisc", "show")
	for _, argv := range [][]string{{"tc", "-s", "-j", "qdisc", "show"}, {"-s", "-j", "tc", "qdisc", "show"}} {
		if b := tcIn(t, "tc-show", sandbox.Binary(t), argv...); a != b {
			t.Errorf("nsbox %v:\n%s%s\nwant\n%s", argv, b.out, b.err, a.out)
		}
	}
	if b := run(t, sandbox.Binary(t), "-n", "tc-show", "tc", "-s", "-j", "qdisc", "show"); a != b {
		t.Errorf("nsbox -n tc-show tc -s -j qdisc show:\n%s%s\nwant\n%s", b.out, b.err, a.out)
	}
	// tc's own -n
	for _, argv := range [][]string{{"-n", "tc-show", "-s", "-j", "qdisc", "show"}, {"-n", "nosuch", "qdisc", "show"},
		{"-n", "tc-show", "filter", "show", "dev", "v0", "parent", "ffff:"}} {
		if a, b := run(t, "tc", argv...), run(t, ours, argv...); a != b {
			t.Errorf("tc %v:\n--- tc (exit %d)\n%s%s--- nsbox (exit %d)\n%s%s", argv, a.code, a.out, a.err, b.code, b.out, b.err)
		}
	}
}

// TestNetemRefused: the kernel here has no netem; nsbox sends tc's
// bytes (the golden tests) and prints the refusal as tc does.
func TestNetemRefused(t *testing.T) {
	ours := nsboxTC(t)
	newNS(t, "tc-netem")
	before := tcIn(t, "tc-netem", "tc", "qdisc", "show")
	for _, c := range [][]string{
		{"qdisc", "add", "dev", "v0", "root", "netem", "delay", "10ms", "5ms"},
		{"qdisc", "add", "dev", "v0", "root", "netem", "loss", "1%"},
		{"qdisc", "replace", "dev", "v0", "root", "netem", "rate", "10mbit", "limit", "100"},
	} {
		a, b := tcIn(t, "tc-netem", "tc", c...), tcIn(t, "tc-netem", ours, c...)
		if a != b || a.code != 2 || a.err != "Error: Specified qdisc kind is unknown.\n" {
			t.Errorf("tc %v: tc exit %d %q, nsbox exit %d %q", c, a.code, a.err, b.code, b.err)
		}
	}
	if after := tcIn(t, "tc-netem", "tc", "qdisc", "show"); after != before {
		t.Errorf("a refused netem changed the qdiscs:\n%s\nwas\n%s", after.out, before.out)
	}
}

// badInputs are refused by tc, each with its message and exit code (1,
// 2 or 255); nsbox must refuse them the same way and change nothing.
var badInputs = []string{
	"qdisc add dev v0 root foo",                                     // unknown qdisc (the kernel's refusal)
	"qdisc add dev v0 root foo bar",                                 // unknown qdisc with options
	"qdisc add dev v0 root tbf rate 10m burst 10k latency 10ms",     // a rate's unit tc does not know
	"qdisc add dev v0 root tbf rate 10mbits burst 10k latency 10ms", // another
	"qdisc add dev v0 root netem delay -5ms",                        // a negative delay
	"qdisc add dev v0 root netem delay 100000s",                     // a delay past 2^32 ticks
	"qdisc add dev v0 handle zz root htb",                           // handle syntax
	"qdisc add dev v0 handle 10000: root htb",                       // handle out of range
	"qdisc add dev v0 parent zz pfifo",                              // parent syntax
	"class add dev v0 classid 1:1 htb rate 1mbit",                   // class without a parent (v0 has no htb)
	"class add dev v1 parent 1: classid 1:1 htb",                    // class without a rate
	"class add dev v1 parent 1: classid 1:1:1 htb rate 1mbit",       // class id syntax
	"class add dev v1 parent 1: classid 1:1 tbf rate 1mbit",         // a classless qdisc's class
	"class add dev v1 parent 1: classid 1:1 htb rate 1mbit ceil 1mbit ceil 2mbit",
	"class add dev v1 parent 1: classid 1:5 htb rate 1mbit burst 10/3", // a cell that is no power of two
	"class add dev v1 parent 1: classid 1:1 htb rate 1mbit prio -1",
	"qdisc add dev v0 root tbf rate 10mbit latency 10ms",                                    // no burst
	"qdisc add dev v0 root tbf rate 10mbit burst 0 latency 10ms",                            // a burst of nothing
	"qdisc add dev v0 root tbf rate 10mbit burst -10k latency 1ms",                          // a negative burst
	"qdisc add dev v0 root tbf rate 7bit burst 10k latency 1s",                              // a rate under 1 byte/s
	"qdisc add dev v0 root tbf rate 10mbit burst 10k latency 10ms peakrate 10mbit mtu 1500", // a peak rate not above the rate (the kernel's EINVAL)
	"qdisc add dev v0 root handle :1 htb",                                                   // a qdisc handle with a minor
	"class add dev v1 parent 1: classid 2:1 htb rate 1mbit",                                 // a class of another qdisc (the kernel's EINVAL)
	"qdisc add dev v0 root netem delay 10ms -5ms",                                           // a negative jitter
	"qdisc add dev v0 root tbf burst 10k latency 10ms",                                      // no rate
	"qdisc add dev v0 root tbf rate 10mbit burst 10k",                                       // no limit nor latency
	"qdisc add dev v0 root tbf rate 10mbit burst 10k limit 10k latency 1ms",
	"qdisc add dev v0 root tbf rate 10mbit burst 10k latency 10ms foo",
	"qdisc add dev v0 root tbf rate 10mbit burst 10k latency 10ms peakrate 20mbit",
	"qdisc add dev v0 root tbf rate 10mbit burst 32kb latency 50ms linklayer foo",
	"qdisc add dev v0 root tbf rate 10mbit rate 20mbit burst 10k latency 1ms",
	"qdisc add dev v0 root tbf rate 10mbit burst 10k latency 10ms overhead 70000",
	"qdisc add dev v0 root pfifo limit -1",
	"qdisc replace dev v0 root handle 1: pfifo limit 5x",
	"qdisc add dev v0 root htb r2q x",
	"qdisc add dev v0 root htb default zz",
	"qdisc add dev v0 root root pfifo",
	"qdisc add dev v0",
	"qdisc add dev v0 root netem loss 120%",
	"qdisc add dev v0 root netem loss 1% loss 2%",
	"qdisc add dev v0 root netem reorder 25%",
	"qdisc add dev v0 root netem gap 5 delay 10ms",
	"qdisc add dev v0 root netem delay 10ms 5ms 120%",
	"qdisc add dev v0 root netem ecn",
	"qdisc add dev v0 root netem rate",
	"qdisc del dev v0 root",
	"qdisc add dev nosuch root pfifo",
	"filter add dev v0 parent ffff: protocol ip u32 match ip dst 10.0.0.0/33",
	"filter add dev v0 parent ffff: protocol foo u32 match u32 0 0",
	"filter add dev v0 parent ffff: protocol ip u32 match ip dst 1.2.3.4 action mirred egress redirect dev nosuch",
	"filter add dev v0 parent ffff: prio 70000 u32 match u32 0 0",
	"filter add dev v0 parent ffff: protocol ip u32 match ip dst 10.0.0.1 action mirred egress",
	"filter add dev v0 parent ffff: protocol ip u32 match ip dst 10.0.0.1 flowid zz",
	"filter add dev v0 parent ffff: protocol ip u32 match mark 1 0xff",
	"filter add dev v0 parent ffff: protocol ip u32 match ip protocol 1 0xff action drop", // no act_gact in this kernel
	"filter add dev v0 parent ffff: protocol ip u32 match ip dst 1.1.1.1 action foo",      // gact's usage, its empty last line too
	"qdisc frob",
	"foo",
	"-x qdisc",
}

// snapshot is every qdisc, class and filter of the namespace.
func snapshot(t *testing.T, ns string) string {
	t.Helper()
	var b strings.Builder
	for _, s := range [][]string{{"-s", "-d", "qdisc", "show", "invisible"}, {"-d", "class", "show", "dev", "v1"},
		{"filter", "show", "dev", "v0", "parent", "ffff:"}, {"filter", "show", "dev", "v1"}} {
		b.WriteString(must(t, "ip", append([]string{"netns", "exec", ns, "tc"}, s...)...))
	}
	return b.String()
}

func TestBadInputs(t *testing.T) {
	ours := nsboxTC(t)
	newNS(t, "tc-bad")
	tcIn(t, "tc-bad", "tc", "qdisc", "add", "dev", "v1", "root", "handle", "1:", "htb")
	tcIn(t, "tc-bad", "tc", "qdisc", "add", "dev", "v0", "ingress")
	codes := map[int]int{}
	for _, c := range badInputs {
		argv := strings.Fields(c)
		before := snapshot(t, "tc-bad")
		b := tcIn(t, "tc-bad", ours, argv...)
		if after := snapshot(t, "tc-bad"); after != before {
			t.Errorf("nsbox tc %s changed the state:\n%s\nwas\n%s", c, after, before)
		}
		a := tcIn(t, "tc-bad", "tc", argv...)
		if after := snapshot(t, "tc-bad"); after != before {
			t.Fatalf("tc %s changed the state: not a bad input", c)
		}
		if a.code == 0 {
			t.Errorf("tc %s: tc takes it (the list is wrong)", c)
		}
		if a != b {
			t.Errorf("tc %s:\n--- tc (exit %d)\n%s%s--- nsbox (exit %d)\n%s%s", c, a.code, a.out, a.err, b.code, b.out, b.err)
		}
		codes[a.code]++
	}
	if len(badInputs) < 20 || codes[1] == 0 || codes[2] == 0 || codes[255] == 0 {
		t.Errorf("%d bad inputs, exit codes %v: want at least 20, each of 1, 2 and 255", len(badInputs), codes)
	}
}

// TestWire: -wire shows what nsbox's tc sends and receives, named down
// to the tc attributes, and -pcap keeps the same datagrams.
func TestWire(t *testing.T) {
	ours := nsboxTC(t)
	newNS(t, "tc-wire")
	pcap := filepath.Join(t.TempDir(), "tc.pcap")
	r := tcIn(t, "tc-wire", ours, "-wire", "-pcap", pcap, "filter", "add", "dev", "v0", "parent", "ffff:",
		"protocol", "ip", "u32", "match", "ip", "dst", "10.0.0.0/8", "action", "mirred", "egress", "redirect", "dev", "ifb0")
	if r.code != 2 { // no ingress qdisc: the kernel refuses, and says why
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	for _, w := range []string{"RTM_NEWTFILTER (44)", `TCA_KIND (1) len 8: "u32"`, "nested TCA_U32_*", "keys[0].mask   0xff000000 (network order)",
		"eaction        TCA_EGRESS_REDIR (1)", "NLMSGERR_ATTR_MSG"} {
		if !strings.Contains(r.err, w) {
			t.Errorf("-wire output lacks %q:\n%s", w, r.err)
		}
	}
	dump := r.err[:strings.Index(r.err, "Error: ")] // the dumps, then tc's two lines
	if ds := wiretest.SameAsPcap(t, dump, pcap); len(ds) < 2 {
		t.Fatalf("-wire and -pcap hold %d datagrams, want the request and the error", len(ds))
	}
}

// TestMonitor: nsbox's tc monitor prints the events tc monitor prints.
func TestMonitor(t *testing.T) {
	sandbox.Require(t, "tc", "ip")
	const ns = "tc-mon"
	newNS(t, ns)
	var tcOut, ourOut testutil.SyncBuffer
	mon := exec.Command("ip", "netns", "exec", ns, "tc", "monitor")
	mon.Stdout, mon.Stderr = &tcOut, &tcOut
	if err := mon.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { mon.Process.Kill(); mon.Wait() }()

	s := newSession(options{netns: ns})
	s.out = bufio.NewWriter(&ourOut)
	s.p.SetOutput(s.out)
	defer s.close()
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan struct{}), make(chan error, 1)
	go func() { done <- s.monitor(ctx, ready) }()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("monitor: %v", err)
	}
	tc := func(args ...string) { must(t, "ip", append([]string{"netns", "exec", ns, "tc"}, args...)...) }
	// tc monitor listens once it shows an event: make events until then
	for i := 0; ; i++ {
		tc("qdisc", "replace", "dev", "v1", "root", "handle", "99:", "pfifo")
		deadline := time.Now().Add(300 * time.Millisecond)
		for time.Now().Before(deadline) && !strings.Contains(tcOut.String(), " 99: ") {
			time.Sleep(10 * time.Millisecond)
		}
		if strings.Contains(tcOut.String(), " 99: ") {
			break
		}
		if i == 50 {
			t.Fatalf("tc monitor shows nothing: %s", tcOut.String())
		}
	}
	tc("qdisc", "add", "dev", "v0", "root", "handle", "5:", "htb", "default", "1")
	tc("class", "add", "dev", "v0", "parent", "5:", "classid", "5:1", "htb", "rate", "10mbit")
	tc("qdisc", "add", "dev", "v0", "ingress")
	tc("filter", "add", "dev", "v0", "parent", "ffff:", "protocol", "ip", "prio", "3", "u32", "match", "ip", "src", "10.1.2.0/24",
		"action", "mirred", "egress", "redirect", "dev", "ifb0")
	tc("filter", "del", "dev", "v0", "parent", "ffff:", "prio", "3")
	tc("class", "del", "dev", "v0", "classid", "5:1")
	tc("qdisc", "del", "dev", "v0", "root")
	tc("qdisc", "add", "dev", "ifb0", "root", "handle", "77:", "pfifo")
	testutil.WaitFor(t, " 77: ", &tcOut, &ourOut)
	cancel()
	if err := <-done; err != nil {
		t.Errorf("monitor: %v", err)
	}
	// from the htb's event to the end marker's, both print the same
	cut := func(s string) string {
		i := strings.Index(s, "qdisc htb 5:")
		j := strings.Index(s, " 77: ")
		if i < 0 || j < i {
			return ""
		}
		return s[strings.LastIndex(s[:i], "\n")+1 : j]
	}
	got, want := cut(ourOut.String()), cut(tcOut.String())
	if got != want || !strings.Contains(got, "mirred") || !strings.Contains(got, "class htb 5:1") || !strings.Contains(got, "deleted") {
		t.Errorf("nsbox tc monitor differs from tc monitor:\n--- nsbox\n%s--- tc\n%s", got, want)
	}
}
