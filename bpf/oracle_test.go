package bpf

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"nsbox/internal/pkttest"
	"nsbox/internal/sandbox"
	"nsbox/pcap"
)

func TestMain(m *testing.M) { sandbox.Main(m) }

var update = flag.Bool("update", false, "rewrite testdata/tcpdump-dd.txt from tcpdump")

// oracleExprs are the expressions whose programs are compared with
// tcpdump's: every primitive the issue names, and the edge cases of the
// language (qualifier inheritance, precedence, vlan's shift, arithmetic).
var oracleExprs = []string{
	"ip", "ip6", "arp", "rarp", "tcp", "udp", "icmp", "icmp6", "sctp", "igmp", "pim", "ah or esp", "stp",
	"host 192.168.1.11",
	"src host 192.168.1.10",
	"dst host 192.168.1.12",
	"host 192.168.1.11 or 192.168.1.12",
	"src 192.168.1.10 and dst 192.168.1.11",
	"src or dst host 192.168.1.12",
	"src and dst net 192.168.1.0/24",
	"ip host 192.168.1.11",
	"arp host 192.168.1.11",
	"host 192.168.1",
	"net 192.168.1.0/24",
	"net 192.168.0.0 mask 255.255.0.0",
	"net 10",
	"src net 192.168.1.128/25",
	"net 0.0.0.0/0",
	"port 8080",
	"tcp port 8080",
	"udp port 53",
	"port http or port domain",
	"src port 8080",
	"dst port 8080 or 9999",
	"tcp port 8080 or 80",
	"portrange 8000-8100",
	"tcp portrange 1-1023",
	"udp dst portrange 9990-10000",
	"sctp port 8080",
	"ether host 02:00:00:00:00:0a",
	"ether src 02:00:00:00:00:0a",
	"ether dst ff:ff:ff:ff:ff:ff",
	"ether src 0200.0000.000b or ether dst 02-00-00-00-00-0a",
	"ether broadcast",
	"broadcast",
	"multicast",
	"ip multicast",
	"ip6 multicast",
	"ip broadcast",
	"vlan",
	"vlan 10",
	"vlan and tcp port 80",
	"vlan 10 and vlan 20 and ip",
	"vlan or arp",
	"arp or vlan and ip",
	"vlan 4096",
	"not tcp",
	"! tcp and not udp",
	"not (port 8080 or icmp)",
	"tcp and (port 8080 or port 9999) and not host 192.168.1.12",
	"host 192.168.1.11 and (tcp or icmp) or arp",
	"port 8080 and (tcp or udp)",
	"host 192.168.1.11 and not 192.168.1.12",
	"host 192.168.1.10 and (192.168.1.11 or 192.168.1.12)",
	"(src host 192.168.1.10 or src host 192.168.1.11) and (dst port 8080 or src port 8080)",
	"host fe80::1",
	"ip6 host ff02::16",
	"ip6 net fe80::/10",
	"src net fd00::/8 or dst host fe80::2",
	"ip proto 1",
	"ip6 proto 58",
	"proto 17",
	"ip proto \\tcp",
	"ether proto 0x806",
	"ether proto 0x88cc",
	"ether proto 100",
	"ether proto \\arp",
	"less 64",
	"greater 100",
	"len >= 100 and udp",
	"tcp[tcpflags] & tcp-syn != 0",
	"tcp[13] & (tcp-syn|tcp-ack) = (tcp-syn|tcp-ack)",
	"icmp[icmptype] = icmp-echo",
	"icmp6[icmp6type] = icmp6-echo",
	"ip[0] & 0xf > 5",
	"ip[6:2] & 0x3fff != 0",
	"ether[0] & 1 = 1",
	"ip6 and ip6[6] = 44",
	"arp and arp[7] = 2",
	"udp[2:2] = 9999",
	"ip[2:2] - ((ip[0]&0xf)<<2) - ((tcp[12]&0xf0)>>2) != 0",
	"udp[8:4] % 7 = 3 ^ 1",
	"-ip[0] + 2 * 3 | 1 > 5",
	"tcp[0:2] + udp[0:2] > 1000",
	"ip[8] / 2 > 30",
	"ip[8] / (ip[9] & 0) > 0",
	"link[12:2] = 0x800",
	"tcp[100:4] = 0",
	"ip and not ip",
	"tcp port 8080 and vlan",
	"icmp or icmp6",
	"tcp src port 8080 or dst portrange 40000-65535",
	"ip and ip[9] = 6 and tcp[2:2] = 8080",
	"ether[12:2] <= 1500",
	// Errors: refused the same way.
	"port 70000",
	"tcp and 80",
	"host",
	"ip proto tcp",
	"tcp[0:3] = 1",
	"udp[8] / 0 = 1",
	"ip6 host 192.168.1.1",
	"ip host fe80::1",
	"tcp host 192.168.1.1",
	"port 10.0.0.1",
	"net 192.168.1.1/24",
	"arp proto 1",
	"src port 8080 and ether proto",
}

// oracleEntry is one expression's program by tcpdump, for a link type.
type oracleEntry struct {
	lt   pcap.LinkType
	expr string
	prog Program // nil when tcpdump refused the expression
	err  string
}

const goldenFile = "testdata/tcpdump-dd.txt"

func readGolden(t *testing.T) []oracleEntry {
	t.Helper()
	b, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatal(err)
	}
	var out []oracleEntry
	for _, block := range strings.Split(string(b), "\n== ")[1:] {
		head, body, _ := strings.Cut(block, "\n")
		lt, expr, _ := strings.Cut(head, " ")
		e := oracleEntry{expr: expr}
		switch lt {
		case "EN10MB":
			e.lt = pcap.LinkTypeEthernet
		case "LINUX_SLL2":
			e.lt = pcap.LinkTypeLinuxSLL2
		default:
			t.Fatalf("golden: link type %q", lt)
		}
		if rest, ok := strings.CutPrefix(body, "! "); ok {
			e.err = strings.TrimSpace(rest)
		} else {
			p, err := ParseC(body)
			if err != nil {
				t.Fatalf("golden %q: %v", expr, err)
			}
			e.prog = p
		}
		out = append(out, e)
	}
	return out
}

func corpus(lt pcap.LinkType) []pkttest.Packet {
	pkts := append(pkttest.Crafted(), pkttest.Exercise()...)
	if lt == pcap.LinkTypeEthernet {
		return pkts
	}
	var out []pkttest.Packet
	for i, p := range pkts {
		out = append(out, pkttest.ToSLL2(p, uint32(2+i%3), uint8(i%5)))
	}
	return out
}

// TestOracle: for every expression, the program nsbox compiles accepts
// and rejects exactly the packets tcpdump's program does (both run by
// Run), over crafted edge cases and the exercise's real traffic, for
// Ethernet and "any" (LINUX_SLL2); an expression tcpdump refuses, nsbox
// refuses. tcpdump's programs are in testdata/tcpdump-dd.txt
// (TestOracleIsTcpdumps checks them against the real tcpdump), so this
// runs on every architecture.
func TestOracle(t *testing.T) {
	servicesFile, protocolsFile = "testdata/services", "testdata/protocols"
	defer func() { servicesFile, protocolsFile = "/etc/services", "/etc/protocols" }()
	entries := readGolden(t)
	if len(entries) != 2*len(oracleExprs) {
		t.Fatalf("golden file has %d entries, want %d: run go test -run TestOracleIsTcpdumps -update", len(entries), 2*len(oracleExprs))
	}
	compiled := 0
	for _, e := range entries {
		f, err := Compile(e.expr, Options{LinkType: e.lt})
		if e.prog == nil {
			if err == nil {
				t.Errorf("%s %q: tcpdump refuses it (%s), nsbox compiles it", e.lt, e.expr, e.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %q: tcpdump compiles it, nsbox: %v", e.lt, e.expr, err)
			continue
		}
		compiled++
		accepted := 0
		for _, p := range corpus(e.lt) {
			want := e.prog.Run(p.Data, p.Len, nil)
			got := f.Program.Run(p.Data, p.Len, nil)
			if got != want {
				t.Errorf("%s %q: packet %q: nsbox returns %d, tcpdump's program %d\nnsbox:\n%s\ntcpdump:\n%s", e.lt, e.expr, p.Name, got, want, f.Program, e.prog)
				break
			}
			if want != 0 {
				accepted++
			}
		}
		if testing.Verbose() {
			t.Logf("%s %q: %d instructions (tcpdump %d), accepts %d packets", e.lt, e.expr, len(f.Program), len(e.prog), accepted)
		}
	}
	if compiled < 40 {
		t.Errorf("only %d expressions compared", compiled)
	}
}

// emptyPcap writes a pcap file without packets: "tcpdump -r FILE -dd"
// compiles for its link type.
func emptyPcap(t *testing.T, lt pcap.LinkType) string {
	var buf bytes.Buffer
	w, _ := pcap.NewWriter(&buf, lt, 0)
	w.Flush()
	p := filepath.Join(t.TempDir(), "empty.pcap")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestOracleIsTcpdumps: testdata/tcpdump-dd.txt is what Debian's tcpdump
// prints for every expression (-update rewrites it).
func TestOracleIsTcpdumps(t *testing.T) {
	sandbox.Require(t, "tcpdump")
	var b strings.Builder
	for _, lt := range []pcap.LinkType{pcap.LinkTypeEthernet, pcap.LinkTypeLinuxSLL2} {
		file := emptyPcap(t, lt)
		name, _, _ := strings.Cut(lt.String(), " ")
		for _, expr := range oracleExprs {
			cmd := exec.Command("tcpdump", "-dd", "-r", file, "--", expr)
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			err := cmd.Run()
			b.WriteString("\n== " + name + " " + expr + "\n")
			if err != nil {
				msg := ""
				for _, l := range strings.Split(errb.String(), "\n") {
					if strings.HasPrefix(l, "tcpdump: ") {
						msg = strings.TrimPrefix(l, "tcpdump: ")
					}
				}
				if msg == "" {
					t.Fatalf("tcpdump -dd %q: %v\n%s", expr, err, errb.String())
				}
				b.WriteString("! " + msg + "\n")
				continue
			}
			b.WriteString(out.String())
			// Program.String prints what tcpdump -d prints.
			if lt == pcap.LinkTypeEthernet {
				d, err := exec.Command("tcpdump", "-d", "-r", file, "--", expr).Output()
				p, perr := ParseC(out.String())
				if err != nil || perr != nil || p.String() != string(d) {
					t.Errorf("%q: tcpdump -d prints\n%s\nProgram.String:\n%s(%v %v)", expr, d, p, err, perr)
				}
			}
		}
	}
	got := "# tcpdump -dd -r EMPTY.pcap EXPR, for the expressions of oracle_test.go (go test -run TestOracleIsTcpdumps -update)\n" + b.String()
	if *update {
		if err := os.WriteFile(goldenFile, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != got {
		t.Errorf("%s is not what this tcpdump prints; rerun with -update and look at the diff", goldenFile)
	}
}
