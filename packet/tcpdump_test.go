package packet

import (
	"bytes"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"nsbox/internal/pkttest"
	"nsbox/internal/sandbox"
	"nsbox/pcap"
	"nsbox/resolve"
)

func TestMain(m *testing.M) { sandbox.Main(m) }

var update = flag.Bool("update", false, "rewrite testdata/*.txt from tcpdump")

// goldens are tcpdump's output for the corpus, kept in testdata so that
// TestGolden runs everywhere (big-endian, 32-bit, without tcpdump);
// TestGoldenIsTcpdumps checks them against the real one.
var goldens = []struct {
	file string
	pcap func() []byte
	args []string
}{
	{"exercise-n.txt", pkttest.ExercisePcap, nil},
	{"exercise-e.txt", pkttest.ExercisePcap, []string{"-e"}},
	{"exercise-X.txt", pkttest.ExercisePcap, []string{"-X"}},
	{"exercise-v.txt", verbosePcap, []string{"-v"}},
	{"crafted-n.txt", func() []byte { return pkttest.Pcap(pcap.LinkTypeEthernet, pkttest.Crafted()) }, nil},
	{"crafted-x.txt", func() []byte { return pkttest.Pcap(pcap.LinkTypeEthernet, pkttest.Crafted()) }, []string{"-x"}},
}

// TestGolden: nsbox prints the corpus as tcpdump did (testdata), the
// packets it does not decode aside.
func TestGolden(t *testing.T) {
	differ := map[int]string{}
	for i, p := range pkttest.Crafted() {
		if craftedDiffer[p.Name] != "" {
			differ[i] = craftedDiffer[p.Name]
		}
	}
	for i, p := range pkttest.Exercise() {
		if isMDNS(p) {
			differ[i] = "mdns"
		}
	}
	for _, g := range goldens {
		want, err := os.ReadFile(filepath.Join("testdata", g.file))
		if err != nil {
			t.Fatal(err)
		}
		compare(t, g.file, printAll(t, g.pcap(), g.args), string(want), differ)
	}
}

func TestGoldenIsTcpdumps(t *testing.T) {
	sandbox.Require(t, "tcpdump")
	for _, g := range goldens {
		got := tcpdumpLines(t, g.pcap(), g.args)
		path := filepath.Join("testdata", g.file)
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil || string(want) != got {
			t.Errorf("%s is not what this tcpdump prints (rerun with -update)", path)
		}
	}
}

func isMDNS(p pkttest.Packet) bool {
	return len(p.Data) > 58 && p.Data[12] == 0x86 && p.Data[20] == 17 && (p.Data[56] == 0x14 && p.Data[57] == 0xe9 || p.Data[54] == 0x14 && p.Data[55] == 0xe9)
}

// verbosePcap is the corpus -v is compared on: ARP, and IPv4 ICMP, UDP
// and TCP without HTTP or the protocols nsbox does not decode.
func verbosePcap() []byte {
	var pkts []pkttest.Packet
	for _, p := range append(pkttest.Exercise(), pkttest.Crafted()...) {
		if craftedDiffer[p.Name] != "" {
			continue
		}
		if len(p.Data) == p.Len && len(p.Data) > 14 && (p.Data[12] == 8 && (p.Data[13] == 6 || p.Data[13] == 0 && (p.Data[23] == 1 || p.Data[23] == 17 || p.Data[23] == 6 && !bytes.Contains(p.Data, []byte("HTTP"))))) {
			pkts = append(pkts, p)
		}
	}
	return pkttest.Pcap(pcap.LinkTypeEthernet, pkts)
}

// printAll prints every packet of a pcap file as nsbox does with args.
func printAll(t *testing.T, file []byte, args []string) string {
	t.Helper()
	r, err := pcap.NewReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	p := &Printer{W: &out, LinkType: r.Header().LinkType, Location: time.UTC,
		IfName: func(i uint32) string { n, _ := resolve.IfName(i); return n }}
	for _, a := range args {
		switch a {
		case "-v":
			p.Verbose++
		case "-e":
			p.Ether = true
		case "-q":
			p.Quiet = true
		case "-x":
			p.Hex++
		case "-xx":
			p.Hex = 2
		case "-X":
			p.ASCII++
		case "-XX":
			p.ASCII = 2
		case "-t":
			p.Time = TimeNone
		case "-tt":
			p.Time = TimeEpoch
		case "-ttt":
			p.Time = TimeDelta
		case "-tttt":
			p.Time = TimeDate
		case "-ttttt":
			p.Time = TimeSinceFirst
		}
	}
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Print(rec.Time, rec.Data, rec.Length); err != nil {
			t.Fatal(err)
		}
	}
	return out.String()
}

// tcpdumpLines is "TZ=UTC tcpdump -n ARGS -r FILE"'s standard output.
func tcpdumpLines(t *testing.T, file []byte, args []string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.pcap")
	if err := os.WriteFile(path, file, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("tcpdump", append(append([]string{"-n"}, args...), "-r", path)...)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("tcpdump %v: %v\n%s", args, err, errb.String())
	}
	return out.String()
}

// records splits a printer's output into one string per packet: a line
// that does not start with a time stamp continues the one before it.
func records(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		if len(out) > 0 && (strings.HasPrefix(l, "\t") || strings.HasPrefix(l, "    ") || l == "") {
			out[len(out)-1] += "\n" + l
			continue
		}
		out = append(out, l)
	}
	return out
}

// compare checks nsbox's records against tcpdump's; differ names the
// packets (by index) whose lines may differ, with the reason.
func compare(t *testing.T, what string, got, want string, differ map[int]string) {
	t.Helper()
	g, w := records(got), records(want)
	if len(g) != len(w) {
		t.Errorf("%s: %d packets printed, tcpdump %d", what, len(g), len(w))
		return
	}
	same := 0
	for i := range w {
		if g[i] == w[i] {
			same++
			continue
		}
		if _, ok := differ[i]; ok {
			continue
		}
		t.Errorf("%s: packet %d:\nnsbox:   %q\ntcpdump: %q", what, i+1, g[i], w[i])
	}
	t.Logf("%s: %d of %d packets printed as tcpdump prints them", what, same, len(w))
}

// TestExerciseLikeTcpdump: on the exercise's traffic (ARP, ICMP, ICMPv6,
// TCP to 8080 in both namespaces, UDP), "nsbox capture -n -r FILE"
// prints what "tcpdump -n -r FILE" prints, line for line, with -e, -q,
// -x, -X, -t variants, and as a LINUX_SLL2 ("any") capture.
func TestExerciseLikeTcpdump(t *testing.T) {
	sandbox.Require(t, "tcpdump")
	file := pkttest.ExercisePcap()
	var sll2 []pkttest.Packet
	for _, p := range pkttest.Exercise() {
		sll2 = append(sll2, pkttest.ToSLL2(p, 1, 0))
	}
	sllFile := pkttest.Pcap(pcap.LinkTypeLinuxSLL2, sll2)
	// tcpdump decodes port 5353 (mDNS); nsbox prints UDP, length N.
	mdns := map[int]string{}
	for i, p := range pkttest.Exercise() {
		if isMDNS(p) {
			mdns[i] = "mdns"
		}
	}
	for _, args := range [][]string{{}, {"-e"}, {"-q"}, {"-x"}, {"-X"}, {"-xx"}, {"-XX"}, {"-t"}, {"-tt"}, {"-ttt"}, {"-tttt"}, {"-ttttt"}, {"-e", "-q"}} {
		compare(t, "exercise "+strings.Join(args, " "), printAll(t, file, args), tcpdumpLines(t, file, args), mdns)
		compare(t, "exercise any "+strings.Join(args, " "), printAll(t, sllFile, args), tcpdumpLines(t, sllFile, args), mdns)
	}
}

// TestVerboseLikeTcpdump: -v prints TTL, id, flags, length and the
// checksums as tcpdump -v does, for ARP, ICMP, TCP and UDP (ICMPv6
// neighbor discovery options and HTTP bodies are left out by nsbox).
func TestVerboseLikeTcpdump(t *testing.T) {
	sandbox.Require(t, "tcpdump")
	file := verbosePcap()
	for _, args := range [][]string{{"-v"}, {"-v", "-e"}} {
		compare(t, "verbose "+strings.Join(args, " "), printAll(t, file, args), tcpdumpLines(t, file, args), map[int]string{})
	}
	if n := len(records(printAll(t, file, nil))); n < 30 {
		t.Errorf("only %d packets compared", n)
	}
}

// craftedDiffer are the crafted packets whose lines differ from
// tcpdump's, and why (the README lists these).
var craftedDiffer = map[string]string{
	"udp first fragment": "tcpdump decodes DNS (port 53)",
	"udp broadcast":      "tcpdump decodes BOOTP/DHCP (ports 67, 68)",
	"igmp multicast":     "tcpdump decodes IGMP",
	"sctp 8080":          "tcpdump decodes SCTP",
	"gre":                "tcpdump decodes GRE",
	"esp from 10.1.2.3":  "tcpdump decodes ESP",
	"ip6 sctp":           "tcpdump decodes SCTP",
	"ip6 pim":            "tcpdump decodes PIM",
	"ip6 ah":             "tcpdump decodes AH",
	"ip6 routing tcp":    "tcpdump decodes each routing header type",
	"stp bpdu":           "tcpdump decodes LLC and STP",
	"llc ip sap":         "tcpdump decodes LLC",
	"ethertype 100":      "tcpdump decodes LLC",
	"lldp":               "tcpdump decodes LLDP",
}

// TestCraftedLikeTcpdump: the crafted edge cases (IP options, fragments,
// extension headers, VLAN tags, truncation) print as tcpdump prints
// them, except the listed protocols nsbox does not decode.
func TestCraftedLikeTcpdump(t *testing.T) {
	sandbox.Require(t, "tcpdump")
	pkts := pkttest.Crafted()
	file := pkttest.Pcap(pcap.LinkTypeEthernet, pkts)
	differ := map[int]string{}
	for i, p := range pkts {
		if why, ok := craftedDiffer[p.Name]; ok && why != "" {
			differ[i] = why
		}
	}
	for _, args := range [][]string{{}, {"-e"}, {"-q"}, {"-x"}} {
		compare(t, "crafted "+strings.Join(args, " "), printAll(t, file, args), tcpdumpLines(t, file, args), differ)
	}
}
