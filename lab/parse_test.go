package lab

import (
	"net/netip"
	"nsbox/request"
	"nsbox/rtnl"
	"reflect"
	"strings"
	"testing"
)

func mustParse(t *testing.T, name, text string) *Lab {
	t.Helper()
	l, err := Parse(name, []byte(text))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return l
}

// The built-in lab is exactly the reference exercise of docs/seed.md.
func TestDefaultLabIsTheSeed(t *testing.T) {
	l := mustParse(t, "default.lab", string(defaultLab))
	if l.Name != "default" {
		t.Errorf("name %q", l.Name)
	}
	var ns []string
	for _, n := range l.Netns {
		ns = append(ns, n.Name)
	}
	if !reflect.DeepEqual(ns, []string{"namespace1", "namespace2"}) {
		t.Errorf("netns %v", ns)
	}
	if len(l.Bridges) != 1 {
		t.Fatalf("bridges %d", len(l.Bridges))
	}
	br := l.Bridges[0]
	want := End{Name: "br1", Addrs: []Addr{{Prefix: netip.MustParsePrefix("192.168.1.10/24"), BrdPlus: true}}}
	if !reflect.DeepEqual(br.End, want) {
		t.Errorf("bridge %+v", br.End)
	}
	if got := brdOf(t, br.Addrs[0]); got != netip.MustParseAddr("192.168.1.255") {
		t.Errorf("brd + = %v", got)
	}
	wantVeths := []Veth{
		{A: End{Name: "veth1", NS: "namespace1", Addrs: []Addr{{Prefix: netip.MustParsePrefix("192.168.1.11/24")}}},
			B: End{Name: "br-veth1", Master: "br1"}},
		{A: End{Name: "veth2", NS: "namespace2", Addrs: []Addr{{Prefix: netip.MustParsePrefix("192.168.1.12/24")}}},
			B: End{Name: "br-veth2", Master: "br1"}},
	}
	if len(l.Veths) != 2 {
		t.Fatalf("veths %d", len(l.Veths))
	}
	for i, v := range l.Veths {
		if !reflect.DeepEqual(v.A, wantVeths[i].A) || !reflect.DeepEqual(v.B, wantVeths[i].B) {
			t.Errorf("veth %d: %+v -- %+v", i, v.A, v.B)
		}
	}
	if len(l.Listens) != 2 || l.Listens[0].NS != "namespace1" || l.Listens[1].NS != "namespace2" ||
		l.Listens[0].Port != 8080 || l.Listens[1].Port != 8080 {
		t.Errorf("listens %+v", l.Listens)
	}
	if len(l.Routes) != 0 || len(l.Sysctls) != 0 {
		t.Errorf("unexpected routes/sysctls")
	}
}

// The steps lab up prints for the built-in lab, as iproute2 commands.
func TestPlanDefault(t *testing.T) {
	l := mustParse(t, "default.lab", string(defaultLab))
	var got []string
	for _, s := range plan(l) {
		got = append(got, s.cmd)
	}
	want := []string{
		"ip netns add namespace1",
		"ip netns add namespace2",
		"ip -n namespace1 link set lo up",
		"ip -n namespace2 link set lo up",
		"ip link add name br1 up type bridge",
		"ip link add name br-veth1 master br1 up type veth peer name veth1 netns namespace1",
		"ip -n namespace1 link set dev veth1 up",
		"ip link add name br-veth2 master br1 up type veth peer name veth2 netns namespace2",
		"ip -n namespace2 link set dev veth2 up",
		"ip addr add 192.168.1.10/24 brd + dev br1",
		"ip -n namespace1 addr add 192.168.1.11/24 dev veth1",
		"ip -n namespace2 addr add 192.168.1.12/24 dev veth2",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestPlanRouterJournalsDefaultRoute(t *testing.T) {
	l := mustParse(t, "router.lab", readTestdata(t, "router.lab"))
	var intents []string
	for _, s := range plan(l) {
		if s.intent != nil {
			intents = append(intents, s.intent.String())
		}
	}
	want := []string{
		"+netns left", "+netns right", "+netns router",
		"+link default br-a bridge", "+link default br-b bridge",
		"+link left eth0 veth default left-a", "+link right eth0 veth default right-b",
		"+link router eth-a veth default router-a", "+link router eth-b veth default router-b",
		"+route default 10.0.2.0/24 10.0.1.1 -",
	}
	if !reflect.DeepEqual(intents, want) {
		t.Errorf("intents:\n%s", strings.Join(intents, "\n"))
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"# c\nnetns a\nvet x\n", `lab.conf:3: unknown keyword "vet"`},
		{"netns a\nnetns a\n", `lab.conf:2: namespace "a" declared twice`},
		{"netns default\n", `lab.conf:1: "default" is a keyword`},
		{"netns a/b\n", `lab.conf:1: Invalid netns name "a/b"`},
		{"veth v1 nowhere -- v2\n", `lab.conf:1: unknown namespace "nowhere"`},
		{"netns a\nveth v1 a 10.0.0.1/24\n", `lab.conf:2: usage: veth`},
		{"netns a\nveth v1 a 10.0.0.1 -- v2\n", `lab.conf:2: veth v1: invalid address "10.0.0.1"`},
		{"netns a\nveth v1 a 10.0.0.0/24 -- v2\n", `network address`},
		{"netns a\nveth v1 a fe80::1/64 -- v2\n", `only IPv4`},
		{"netns a\nveth v1 a brd + -- v2\n", `"brd" must follow an address`},
		{"netns a\nveth v1 a -- v2 master br9\n", `lab.conf:2: veth peer v2: master "br9" is not a bridge`},
		{"netns a\nveth averyveryverylongname a -- v2\n", `invalid link name`},
		{"bridge br1\nbridge br1\n", `lab.conf:2: link br1 declared twice in the default namespace`},
		{"bridge br1 10.0.0.1/24\nbridge br2 10.0.0.1/24\n", `lab.conf:2: bridge br2: address 10.0.0.1 already used on line 1`},
		{"netns a\nroute a 10.0.0.1/24 via 10.0.0.2\n", `invalid prefix for given prefix length`},
		{"netns a\nroute a default\n", `usage: route`},
		{"netns a\nroute a default dev eth9\n", `dev "eth9" is not a link of the lab`},
		{"netns a\nsysctl a kernel.panic 1\n", `only per-namespace keys under net.`},
		{"netns a\nlisten a udp 53\n", `protocol "udp" is not supported`},
		{"netns a\nlisten a tcp 0\n", `invalid port "0"`},
		{"netns a\nlisten a tcp 80\nlisten a tcp 80\n", `lab.conf:3: listen: tcp port 80 in namespace a already on line 2`},
		{"lab a b\n", `lab.conf:1: usage: lab NAME`},
		{"lab x\n", `lab.conf: the lab is empty`},
		{"netns a\x00\n", `lab.conf:1: line is not printable text`},
		{"netns a\n" + strings.Repeat("x", 5000) + "\n", `lab.conf:2: line longer than`},
	} {
		_, err := Parse("lab.conf", []byte(tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want %q", tc.text, err, tc.want)
			continue
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("error is not one line: %q", err)
		}
	}
}

func TestParseNameFromFile(t *testing.T) {
	l := mustParse(t, "/x/y/mylab.conf", "netns a\n")
	if l.Name != "mylab" {
		t.Errorf("name %q", l.Name)
	}
	if _, err := Parse("/x/bad name!.lab", []byte("netns a\n")); err == nil {
		t.Error("no error for a file name that cannot be a lab name")
	}
}

// Format writes a file that parses back to the same lab.
func TestFormatRoundTrip(t *testing.T) {
	for _, text := range []string{string(defaultLab), readTestdata(t, "router.lab")} {
		l := mustParse(t, "a.lab", text)
		l2 := mustParse(t, "b.lab", l.Format())
		l.File, l2.File = "", ""
		clearLines(l)
		clearLines(l2)
		if !reflect.DeepEqual(l, l2) {
			t.Errorf("round trip differs:\n%s", l.Format())
		}
	}
}

func clearLines(l *Lab) {
	for _, x := range l.Netns {
		x.Line = 0
	}
	for _, x := range l.Bridges {
		x.Line = 0
	}
	for _, x := range l.Veths {
		x.Line = 0
	}
	for _, x := range l.Routes {
		x.Line = 0
	}
	for _, x := range l.Sysctls {
		x.Line = 0
	}
	for _, x := range l.Listens {
		x.Line = 0
	}
}

func TestReaches(t *testing.T) {
	l := mustParse(t, "router.lab", readTestdata(t, "router.lab"))
	for _, tc := range []struct {
		src  string
		addr string
		want bool
	}{
		{"", "10.0.1.2", true},     // on br-a's subnet
		{"", "10.0.2.2", true},     // by the route through the router
		{"left", "10.0.2.2", true}, // default route
		{"router", "10.0.2.2", true},
		{"", "10.0.3.1", false},
	} {
		if got := l.reaches(tc.src, netip.MustParseAddr(tc.addr)); got != tc.want {
			t.Errorf("reaches(%q, %s) = %v", tc.src, tc.addr, got)
		}
	}
	c, ok := l.client(netip.MustParseAddr("10.0.1.254"), "")
	if !ok || c != "left" {
		t.Errorf("client for the default namespace's address: %q %v", c, ok)
	}
}

// brdOf is the IFA_BROADCAST lab up sends for a (invalid: none).
func brdOf(t *testing.T, a Addr) netip.Addr {
	t.Helper()
	m, err := a.request(4).Message(request.Add)
	if err != nil {
		t.Fatal(err)
	}
	r, err := rtnl.ParseAddr(m.Data)
	if err != nil {
		t.Fatal(err)
	}
	return r.Broadcast
}

// "brd +" in a lab file is iproute2's: the last address of the prefix,
// and none for a /31 or /32 (lab up of "10.0.0.1/31 brd +" used to set
// 10.0.0.1).
func TestBrdPlus(t *testing.T) {
	for p, want := range map[string]string{
		"192.168.1.10/24": "192.168.1.255", "10.0.0.1/8": "10.255.255.255",
		"10.0.0.5/30": "10.0.0.7", "10.0.0.1/31": "invalid IP", "10.0.0.1/32": "invalid IP",
	} {
		if got := brdOf(t, Addr{Prefix: netip.MustParsePrefix(p), BrdPlus: true}); got.String() != want {
			t.Errorf("%s brd +: %s, want %s", p, got, want)
		}
	}
}
