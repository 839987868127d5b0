package resolve_test

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"

	"nsbox/internal/sandbox"
	"nsbox/resolve/dnstest"
)

// crafted are the names a hostile DNS server answers with, as labels
// (taken byte for byte): terminal escapes, a forged line, a dot inside a
// label, blanks and quotes, a leading '-', and names at and past 255
// bytes on the wire. ok says whether glibc takes it as a host name.
var crafted = []struct {
	labels []string
	ok     bool
}{
	{[]string{"\x1b[2J\x1b]0;owned\aevil", "example", "com"}, false},
	{[]string{"evil", "example", "com\nPING forged"}, false},
	{[]string{"a.b", "example", "com"}, false},
	{[]string{"sp ace", "example"}, false},
	{[]string{"-lead", "example"}, false},
	{[]string{"caf\xc3\xa9", "example"}, false},
	{[]string{"q\"uote", "example"}, false},
	{[]string{"back\\slash", "example"}, false},
	{[]string{"under_score", "example"}, true},
	{[]string{"mid", "-dash", "example"}, true},
	// 255 bytes on the wire, the most RFC 1035 allows
	{[]string{strings.Repeat("a", 63), strings.Repeat("b", 63), strings.Repeat("c", 63), strings.Repeat("d", 61)}, true},
	// 256 bytes: malformed, as no name at all
	{[]string{strings.Repeat("a", 63), strings.Repeat("b", 63), strings.Repeat("c", 63), strings.Repeat("d", 62)}, false},
}

// TestOracleCraftedNames: names from DNS answers (PTR targets, CNAME
// targets) are used as glibc uses them, or not at all: iputils ping
// ("64 bytes from NAME", and the canonical name on the PING line),
// netcat-openbsd ("Listening on NAME"), iproute2 ss -r and net-tools
// netstat (the local address column) run against the same fake DNS
// server as nsbox's ping, nc, ss and netstat, and print the same. A
// crafted name never reaches the output: it is refused (the address is
// shown) where glibc refuses it, and nothing nsbox prints holds a
// control byte.
func TestOracleCraftedNames(t *testing.T) {
	sandbox.Require(t, "ping", "nc.openbsd", "ss", "netstat")
	oracle, _ := exec.LookPath("ping")
	if out, _ := exec.Command(oracle, "-V").CombinedOutput(); !strings.Contains(string(out), "iputils") {
		sandbox.Cannot(t, "ping is not iputils: %s", out)
	}
	nsbox := sandbox.Binary(t)
	dir := t.TempDir()
	for _, a := range []string{"ss", "netstat"} {
		if err := os.Symlink(nsbox, dir+"/"+a); err != nil {
			t.Fatal(err)
		}
	}
	s := fakeWorld(t, hostsFile, "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
	clean := func(what, out string) {
		t.Helper()
		for _, c := range out {
			if c < 0x20 && c != '\n' || c == 0x7f {
				t.Errorf("%s printed a control byte: %q", what, out)
				return
			}
		}
	}
	for i, c := range crafted {
		wire := dnstest.Name(c.labels...)
		a := netip.AddrFrom4([4]byte{127, 0, 1, byte(i + 1)})
		fwd, alias := fmt.Sprintf("h%d.test", i+1), fmt.Sprintf("c%d.test", i+1)
		s.Add(fmt.Sprintf("%d.1.0.127.in-addr.arpa", i+1), dnstest.RR{Type: 12, Wire: wire})
		s.Add(fwd, dnstest.RR{Type: 1, Addr: a})
		s.Add(alias, dnstest.RR{Type: 5, Wire: wire}, dnstest.RR{Type: 1, Addr: a, Owner: wire})
		name := fmt.Sprintf("%q", c.labels)
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) {
			compare := func(what, got, want string) {
				t.Helper()
				clean("nsbox "+what, got)
				if got != want {
					t.Errorf("%s:\n got %q\nwant %q", what, got, want)
				}
			}
			// The PTR target, as ping shows each reply's source.
			args := []string{"-c1", "-W5", fwd}
			compare("ping "+strings.Join(args, " "), pingLines(run(t, append([]string{nsbox, "ping"}, args...)...)),
				pingLines(run(t, append([]string{oracle}, args...)...)))
			// The CNAME target, as ping's canonical name.
			args = []string{"-c1", "-W5", "-n", alias}
			got := pingLines(run(t, append([]string{nsbox, "ping"}, args...)...))
			compare("ping "+strings.Join(args, " "), got, pingLines(run(t, append([]string{oracle}, args...)...)))
			if taken := strings.HasPrefix(got, "PING ") && !strings.HasPrefix(got, "PING "+alias+" "); taken != c.ok {
				t.Errorf("canonical name taken: %v, want %v: %q", taken, c.ok, got)
			}
			// nc -lv names its own address, and ss -r and netstat
			// the listener's.
			port := fmt.Sprint(41000 + i) // no /etc/services name
			l1, ss1, ns1 := listenNames(t, []string{nsbox, "nc"}, dir+"/ss", dir+"/netstat", a, port)
			l2, ss2, ns2 := listenNames(t, []string{"nc.openbsd"}, "ss", "netstat", a, port)
			compare("nc -lv", l1, l2)
			compare("ss -tlr", ss1, ss2)
			compare("netstat -tl", ns1, ns2)
			t.Logf("%s | %s | %s", l1, ss1, ns1)
		})
	}
}

// listenNames runs "NC -lv ADDR PORT" and returns its "Listening on"
// line and the local address column of its socket in "SS -tlr" and
// "NETSTAT -tl": the three places a listener's own name is printed.
func listenNames(t *testing.T, nc []string, ss, netstat string, a netip.Addr, port string) (line, ssCol, netstatCol string) {
	t.Helper()
	cmd := exec.Command(nc[0], append(nc[1:], "-lv", a.String(), port)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	var b [1]byte // the "Listening on" line: it listens now
	for {
		if n, err := stderr.Read(b[:]); n == 0 || err != nil || b[0] == '\n' {
			break
		}
		line += string(b[:])
	}
	col := func(out string) string {
		for _, l := range strings.Split(out, "\n") {
			for _, f := range strings.Fields(l) {
				if strings.HasSuffix(f, ":"+port) {
					return f
				}
			}
		}
		return "no line for port " + port + " in:\n" + out
	}
	return line, col(run(t, ss, "-tlr")), col(run(t, netstat, "-tl"))
}

// TestHostsFileNamesEscaped: a name in /etc/hosts is a file's bytes, and
// glibc prints it as it is, control bytes and all. nsbox prints the
// same, with each control byte as \DDD: iputils ping, netcat-openbsd,
// ss -r and netstat are the oracle for everything else in the lines.
func TestHostsFileNamesEscaped(t *testing.T) {
	sandbox.Require(t, "ping", "nc.openbsd", "ss", "netstat")
	nsbox := sandbox.Binary(t)
	dir := t.TempDir()
	for _, a := range []string{"ss", "netstat"} {
		if err := os.Symlink(nsbox, dir+"/"+a); err != nil {
			t.Fatal(err)
		}
	}
	const bad = "esc\x1b[1mb\x7fd" // short enough for netstat's 22 columns, escaped

	fakeWorld(t, hostsFile+"127.0.2.1 "+bad+"\n", "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
	escaped := strings.NewReplacer("\x1b", "\\027", "\x7f", "\\127")
	want := escaped.Replace(pingLines(run(t, "ping", "-c1", "-W5", bad)))
	if got := pingLines(run(t, nsbox, "ping", "-c1", "-W5", bad)); got != want || !strings.Contains(got, "esc\\027[1mb\\127d") {
		t.Errorf("ping:\n got %q\nwant %q", got, want)
	}
	a := netip.MustParseAddr("127.0.2.1")
	l1, ss1, ns1 := listenNames(t, []string{nsbox, "nc"}, dir+"/ss", dir+"/netstat", a, "41999")
	l2, ss2, ns2 := listenNames(t, []string{"nc.openbsd"}, "ss", "netstat", a, "41999")
	for _, c := range [][3]string{{"nc -lv", l1, l2}, {"ss -tlr", ss1, ss2}, {"netstat -tl", ns1, ns2}} {
		if c[1] != escaped.Replace(c[2]) || !strings.Contains(c[1], "\\027") {
			t.Errorf("%s: nsbox %q, glibc's %q", c[0], c[1], c[2])
		}
	}
}
