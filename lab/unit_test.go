package lab

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/rtnl"
)

func readTestdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestJournalRoundTrip(t *testing.T) {
	recs := []*record{
		{Op: "netns", Intent: true, Name: "namespace1"},
		{Op: "netns", Name: "namespace1", Dev: 4, Ino: 4026532946},
		{Op: "link", Intent: true, Name: "br1", Kind: "bridge"},
		{Op: "link", Name: "br1", Index: 3},
		{Op: "link", Intent: true, NS: "namespace1", Name: "veth1", Kind: "veth", Peer: "br-veth1"},
		{Op: "link", NS: "namespace1", Name: "veth1", Index: 2, Peer: "br-veth1", PeerIndex: 7},
		{Op: "route", Intent: true, Dst: netip.MustParsePrefix("10.0.2.0/24"), Via: netip.MustParseAddr("10.0.1.1")},
		{Op: "route", Dst: netip.MustParsePrefix("0.0.0.0/0"), RDev: "br1"},
		{Op: "sysctl", Intent: true, Key: "net.ipv4.ping_group_range", Old: "1\t0"},
		{Op: "sysctl", Key: "net.ipv4.ip_forward", Old: "0"},
	}
	var b strings.Builder
	b.WriteString("lab default\n")
	for _, r := range recs {
		b.WriteString(r.String() + "\n")
	}
	name, got, err := parseJournal([]byte(b.String()))
	if err != nil {
		t.Fatalf("parseJournal: %v\n%s", err, b.String())
	}
	if name != "default" || !reflect.DeepEqual(got, recs) {
		t.Errorf("round trip:\n%s", b.String())
		for i := range got {
			if !reflect.DeepEqual(got[i], recs[i]) {
				t.Errorf("record %d: got %+v want %+v", i, got[i], recs[i])
			}
		}
	}
	own := ownedBy(got)
	if r := own.links["\x00br-veth1"]; r == nil || r.PeerIndex != 7 || r.Intent {
		t.Errorf("owned peer end: %+v", r)
	}
	if r := own.netns["namespace1"]; r == nil || r.Ino != 4026532946 {
		t.Errorf("owned netns: %+v", r)
	}
}

func TestJournalBad(t *testing.T) {
	for _, text := range []string{
		"", "nonsense\n", "lab x\nnetns\n", "lab x\nlink default br1 0\n",
		"lab x\n+link default br1 dummy\n", "lab x\nsysctl default kernel.x \"0\"\n",
		"lab x\nroute default 10.0.0.0/33 - -\n", "lab x\nnetns ../etc 1 2\n",
		"lab x\nwhat\n", "lab x\nsysctl default net.x 0\n",
	} {
		if _, _, err := parseJournal([]byte(text)); err == nil {
			t.Errorf("parseJournal(%q): no error", text)
		}
	}
}

// fakeWorld builds the kernel's view of the built-in lab, up: br-veth1
// in the default namespace is the peer of veth1 in namespace1 (nsid 0).
func fakeWorld() *world {
	mk := func(idx int32, name, kind string, up bool) *rtnl.Link {
		l := &rtnl.Link{IfInfomsg: rtnl.IfInfomsg{Index: idx}, Name: name}
		if kind == "loopback" {
			l.Type = unix.ARPHRD_LOOPBACK
		} else {
			l.Info = rtnl.LinkInfo{Kind: kind}
		}
		if up {
			l.Flags = unix.IFF_UP
		}
		return l
	}
	addr := func(idx uint32, p string) *rtnl.Addr {
		pf := netip.MustParsePrefix(p)
		return &rtnl.Addr{IfAddrmsg: rtnl.IfAddrmsg{Family: unix.AF_INET, PrefixLen: uint8(pf.Bits()), Index: idx}, Local: pf.Addr(), Address: pf.Addr()}
	}
	def := []*rtnl.Link{mk(1, "lo", "loopback", true), mk(3, "br1", "bridge", true), mk(4, "br-veth1", "veth", true), mk(5, "br-veth2", "veth", true)}
	def[2].Master, def[3].Master = 3, 3
	peer := func(l *rtnl.Link, index, nsid int32) {
		l.Link, l.LinkNetNSID = index, nsid
		l.Seen.Add(unix.IFLA_LINK_NETNSID)
	}
	peer(def[2], 2, 0)
	peer(def[3], 2, 1)
	ns1 := []*rtnl.Link{mk(1, "lo", "loopback", true), mk(2, "veth1", "veth", true)}
	peer(ns1[1], 4, 0)
	ns2 := []*rtnl.Link{mk(1, "lo", "loopback", true), mk(2, "veth2", "veth", true)}
	peer(ns2[1], 5, 0)
	mkState := func(name string, links []*rtnl.Link, addrs []*rtnl.Addr, nsids map[int32]string) *nsState {
		s := &nsState{name: name, links: map[string]*rtnl.Link{}, byIndex: map[int32]*rtnl.Link{}, addrs: map[int32][]*rtnl.Addr{}, nsids: nsids}
		for _, l := range links {
			s.links[l.Name], s.byIndex[l.Index] = l, l
			s.order = append(s.order, l)
		}
		for _, a := range addrs {
			s.addrs[int32(a.Index)] = append(s.addrs[int32(a.Index)], a)
		}
		return s
	}
	w := &world{ns: map[string]*nsState{}, netns: map[string]netnsInfo{}}
	w.ns[""] = mkState("", def, []*rtnl.Addr{addr(1, "127.0.0.1/8"), addr(3, "192.168.1.10/24")}, map[int32]string{0: "namespace1", 1: "namespace2"})
	w.ns["namespace1"] = mkState("namespace1", ns1, []*rtnl.Addr{addr(1, "127.0.0.1/8"), addr(2, "192.168.1.11/24")}, map[int32]string{0: ""})
	w.ns["namespace2"] = mkState("namespace2", ns2, []*rtnl.Addr{addr(1, "127.0.0.1/8"), addr(2, "192.168.1.12/24")}, map[int32]string{0: ""})
	w.netns["namespace1"] = netnsInfo{exists: true, file: true, id: nsIdent{4, 100}}
	w.netns["namespace2"] = netnsInfo{exists: true, file: true, id: nsIdent{4, 200}}
	return w
}

func fakeJournal() []*record {
	return []*record{
		{Op: "netns", Name: "namespace1", Dev: 4, Ino: 100},
		{Op: "netns", Name: "namespace2", Dev: 4, Ino: 200},
		{Op: "link", Name: "br1", Index: 3},
		{Op: "link", NS: "namespace1", Name: "veth1", Index: 2, Peer: "br-veth1", PeerIndex: 4},
		{Op: "link", NS: "namespace2", Name: "veth2", Index: 2, Peer: "br-veth2", PeerIndex: 5},
	}
}

func TestAssess(t *testing.T) {
	l := mustParse(t, "default.lab", string(defaultLab))
	w := fakeWorld()
	a := assess(l, w, fakeJournal())
	if len(a.conflicts) != 0 || len(a.missing) != 0 || len(a.present) == 0 {
		t.Fatalf("lab up: conflicts %v missing %v", a.conflicts, a.missing)
	}
	// Without the journal nothing there is the lab's.
	a = assess(l, w, nil)
	if len(a.conflicts) != 7 {
		t.Errorf("no journal: conflicts %v", a.conflicts)
	}
	// veth2 went down and lost its address: half up.
	w.ns["namespace2"].links["veth2"].Flags = 0
	delete(w.ns["namespace2"].addrs, 2)
	a = assess(l, w, fakeJournal())
	if len(a.missing) != 2 || !strings.Contains(a.missing[0].msg, "veth2 in namespace namespace2 is down") ||
		!strings.Contains(a.missing[1].msg, "192.168.1.12/24 is not on veth2") || a.missing[0].line != 16 {
		t.Errorf("missing %v", a.missing)
	}
	// namespace1 replaced by another namespace of that name.
	w.netns["namespace1"] = netnsInfo{exists: true, file: true, id: nsIdent{4, 999}}
	a = assess(l, w, fakeJournal())
	if len(a.conflicts) != 1 || !strings.Contains(a.conflicts[0].msg, "netns namespace1 already exists and was not made by lab default") {
		t.Errorf("conflicts %v", a.conflicts)
	}
}

func TestOverlaps(t *testing.T) {
	l := mustParse(t, "default.lab", string(defaultLab))
	w := fakeWorld()
	s := w.ns[""]
	// The lab's own bridge does not clash with itself ...
	if cl := overlaps(l, s, ownedBy(fakeJournal())); len(cl) != 0 {
		t.Errorf("own links clash: %v", cl)
	}
	// ... a home network on eth0 does, and a route into it too.
	eth0 := &rtnl.Link{IfInfomsg: rtnl.IfInfomsg{Index: 9}, Name: "eth0"}
	s.links["eth0"], s.byIndex[9] = eth0, eth0
	s.order = append(s.order, eth0)
	s.addrs[9] = []*rtnl.Addr{{IfAddrmsg: rtnl.IfAddrmsg{Family: unix.AF_INET, PrefixLen: 24, Index: 9},
		Local: netip.MustParseAddr("192.168.1.1"), Address: netip.MustParseAddr("192.168.1.1")}}
	s.routes = []*rtnl.Route{
		{RtMsg: rtnl.RtMsg{Family: unix.AF_INET, DstLen: 0, Table: unix.RT_TABLE_MAIN}, Gateway: netip.MustParseAddr("192.168.1.254"), OIF: 9},
		{RtMsg: rtnl.RtMsg{Family: unix.AF_INET, DstLen: 16, Table: unix.RT_TABLE_MAIN}, Dst: netip.MustParseAddr("192.168.0.0"), OIF: 9},
	}
	cl := overlaps(l, s, ownedBy(fakeJournal()))
	if len(cl) != 6 {
		t.Fatalf("clashes: %v", cl)
	}
	if cl[0].line != 10 || cl[0].msg != "192.168.1.0/24 (192.168.1.10/24 on br1) overlaps 192.168.1.1/24 on eth0 in the default namespace" {
		t.Errorf("clash 0: %+v", cl[0])
	}
	if cl[1].msg != "192.168.1.0/24 (192.168.1.10/24 on br1) overlaps route 192.168.0.0/16 dev eth0 in the default namespace" {
		t.Errorf("clash 1: %+v", cl[1])
	}
}

func TestShowText(t *testing.T) {
	w := fakeWorld()
	tp := buildTopo(w, []string{"", "namespace1", "namespace2"})
	txt := tp.text()
	for _, want := range []string{
		"+-- default -", "+-- namespace1 -", "+-- namespace2 -",
		"| br1       bridge    UP  192.168.1.10/24  ports: br-veth1 br-veth2",
		"| veth1  veth      UP  192.168.1.11/24  <=> default/br-veth1",
		"default/br-veth1 [br1] <=====> namespace1/veth1 192.168.1.11/24",
		"default/br-veth2 [br1] <=====> namespace2/veth2 192.168.1.12/24",
		"default/br1: br-veth1 br-veth2",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("show lacks %q:\n%s", want, txt)
		}
	}
	// Box lines of one namespace are all as wide.
	for _, block := range strings.Split(strings.SplitN(txt, "\n\n", 2)[0], "+\n+") {
		width := -1
		for _, ln := range strings.Split(strings.Trim(block, "+\n"), "\n") {
			if !strings.HasPrefix(ln, "|") {
				continue
			}
			if width >= 0 && len(ln) != width {
				t.Errorf("ragged box line %q", ln)
			}
			width = len(ln)
		}
	}
	if err := checkDot(tp.dot()); err != nil {
		t.Errorf("dot: %v\n%s", err, tp.dot())
	}
	if !strings.Contains(tp.dot(), `"default/br-veth1" -- "namespace1/veth1"`) {
		t.Errorf("dot lacks the veth1 wire:\n%s", tp.dot())
	}
}

// checkDot is a small checker of the DOT subset show -dot writes: a
// graph, subgraphs, node and edge statements, attribute lists, quoted
// strings with escapes; every statement ends with ';'.
func checkDot(s string) error {
	toks, err := dotTokens(s)
	if err != nil {
		return err
	}
	p := 0
	next := func() string {
		if p >= len(toks) {
			return ""
		}
		p++
		return toks[p-1]
	}
	peek := func() string {
		if p >= len(toks) {
			return ""
		}
		return toks[p]
	}
	isID := func(t string) bool {
		return t != "" && !strings.ContainsAny(t[:1], "{}[];=,-")
	}
	if next() != "graph" {
		return fmt.Errorf("does not start with graph")
	}
	if isID(peek()) {
		next()
	}
	if next() != "{" {
		return fmt.Errorf("no {")
	}
	var attrs func() error
	attrs = func() error {
		for {
			t := next()
			if t == "]" {
				return nil
			}
			if !isID(t) || next() != "=" || !isID(next()) {
				return fmt.Errorf("bad attribute near token %d", p)
			}
			if peek() == "," {
				next()
			}
		}
	}
	var stmts func(depth int) error
	stmts = func(depth int) error {
		for {
			t := next()
			switch {
			case t == "":
				return fmt.Errorf("unexpected end")
			case t == "}":
				return nil
			case t == "subgraph":
				if isID(peek()) {
					next()
				}
				if next() != "{" {
					return fmt.Errorf("subgraph without {")
				}
				if err := stmts(depth + 1); err != nil {
					return err
				}
				continue
			case t == "node" || t == "edge" || t == "graph":
				if next() != "[" {
					return fmt.Errorf("%s without [", t)
				}
				if err := attrs(); err != nil {
					return err
				}
			case isID(t):
				if peek() == "=" {
					next()
					if !isID(next()) {
						return fmt.Errorf("bad assignment")
					}
					break
				}
				for peek() == "--" {
					next()
					if !isID(next()) {
						return fmt.Errorf("edge to nothing")
					}
				}
				if peek() == "[" {
					next()
					if err := attrs(); err != nil {
						return err
					}
				}
			default:
				return fmt.Errorf("unexpected %q", t)
			}
			if next() != ";" {
				return fmt.Errorf("statement not ended by ; near token %d", p)
			}
		}
	}
	if err := stmts(0); err != nil {
		return err
	}
	if p != len(toks) {
		return fmt.Errorf("text after the graph")
	}
	return nil
}

func dotTokens(s string) ([]string, error) {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			i++
		case c == '"':
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' {
					j++
				}
			}
			if j >= len(s) {
				return nil, fmt.Errorf("unterminated string")
			}
			toks = append(toks, s[i:j+1])
			i = j + 1
		case strings.HasPrefix(s[i:], "--"):
			toks = append(toks, "--")
			i += 2
		case strings.ContainsRune("{}[];=,", rune(c)):
			toks = append(toks, string(c))
			i++
		default:
			j := i
			for j < len(s) && (s[j] == '_' || s[j] == '.' || s[j] >= '0' && s[j] <= '9' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z') {
				j++
			}
			if j == i {
				return nil, fmt.Errorf("bad character %q", c)
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	return toks, nil
}

func TestCheckDotRejects(t *testing.T) {
	for _, bad := range []string{"digraph x {}", "graph {", `graph { "a" -- ; }`, `graph { "a" [x=1 }`, `graph { "a }`, `graph { a }`} {
		if checkDot(bad) == nil {
			t.Errorf("checkDot accepted %q", bad)
		}
	}
}

func TestMainUsage(t *testing.T) {
	var out, errw strings.Builder
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 255, "Usage: nsbox lab up"},
		{[]string{"frobnicate"}, 255, `unknown command "frobnicate"`},
		{[]string{"up", "-isolated"}, 255, "-isolated goes with \"lab run\" only"},
		{[]string{"up", "a", "b"}, 255, "one topology file only"},
		{[]string{"up", "/nonexistent/x.lab"}, 1, "no such file or directory"},
		{[]string{"show", "x"}, 255, "takes no file"},
	} {
		out.Reset()
		errw.Reset()
		code := run(cliGlobal(), tc.args, &out, &errw)
		if code != tc.code || !strings.Contains(errw.String(), tc.want) {
			t.Errorf("lab %v: exit %d, stderr %q; want %d, %q", tc.args, code, errw.String(), tc.code, tc.want)
		}
	}
	out.Reset()
	if code := run(cliGlobal(), []string{"print"}, &out, &errw); code != 0 || out.String() != string(defaultLab) {
		t.Errorf("lab print: %d %q", code, out.String())
	}
	out.Reset()
	if code := run(cliGlobal(), []string{"p", "testdata/router.lab"}, &out, &errw); code != 0 || !strings.Contains(out.String(), "route default 10.0.2.0/24 via 10.0.1.1\n") {
		t.Errorf("lab print FILE: %d %q", code, out.String())
	}
}
