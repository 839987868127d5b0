package sscmd

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"

	"nsbox/sockdiag"
)

func TestParseSSFilters(t *testing.T) {
	for _, c := range []struct {
		args           string
		tcp, udp, raw  bool
		unix           bool
		states         uint32
		noNetid, noSta bool
		v4, v6         bool
	}{
		{"", true, true, true, true, ssConn, false, false, true, true},
		{"-t", true, false, false, false, ssConn, true, false, true, true},
		{"-tl", true, false, false, false, 1<<ssListen | 1<<ssClose, true, false, true, true},
		{"-tunapl", true, true, false, false, 1<<ssListen | 1<<ssClose, false, false, true, true},
		{"-u", false, true, false, false, 1 << ssEstablished, true, true, true, true},
		{"-ta", true, false, false, false, ssAll, true, false, true, true},
		{"-x", false, false, false, true, ssConn, false, false, false, false},
		{"-xa", false, false, false, true, ssAll, false, false, false, false},
		{"-4", true, true, true, false, ssConn, false, false, true, false},
		{"-t -6", true, false, false, false, ssConn, true, false, false, true},
		{"-t state established", true, false, false, false, 1 << ssEstablished, true, true, true, true},
		{"-t state listening state established", true, false, false, false, 1<<ssListen | 1<<ssEstablished, true, false, true, true},
		{"-t exclude listening", true, false, false, false, ssAll &^ (1 << ssListen), true, false, true, true},
		{"state all -t", true, false, false, false, ssAll, true, false, true, true},
		{"-A tcp,udp", true, true, false, false, ssConn, false, false, true, true},
		{"--tcp --listening", true, false, false, false, 1<<ssListen | 1<<ssClose, true, false, true, true},
		{"-f inet6 -t", true, false, false, false, ssConn, true, false, false, true},
		{"-N ns1 -tln", true, false, false, false, 1<<ssListen | 1<<ssClose, true, false, true, true},
	} {
		o, err := parseSS(strings.Fields(c.args))
		if err != nil {
			t.Errorf("%q: %v", c.args, err)
			continue
		}
		f := o.f
		inet := f.families&(fam(afInet)|fam(afInet6)) != 0
		got := [4]bool{inet && f.dbs&(1<<tcpDB) != 0, inet && f.dbs&(1<<udpDB) != 0, inet && f.dbs&(1<<rawDB) != 0, f.families&fam(afUnix) != 0 && f.dbs&unixDBM != 0}
		if got != [4]bool{c.tcp, c.udp, c.raw, c.unix} {
			t.Errorf("%q: tcp/udp/raw/unix %v", c.args, got)
		}
		if f.states != c.states {
			t.Errorf("%q: states %#x, want %#x", c.args, f.states, c.states)
		}
		if (f.dbs&(f.dbs-1) == 0) != c.noNetid || (f.states&(f.states-1) == 0) != c.noSta {
			t.Errorf("%q: column Netid hidden %v, State hidden %v", c.args, f.dbs&(f.dbs-1) == 0, f.states&(f.states-1) == 0)
		}
		if inet && ((o.preferred != afInet6) != c.v4 || (o.preferred != afInet) != c.v6) {
			t.Errorf("%q: v4 %v v6 %v", c.args, o.preferred != afInet6, o.preferred != afInet)
		}
	}
	if o, _ := parseSS([]string{"-N", "ns1", "-p"}); o.netns != "ns1" || !o.users {
		t.Errorf("-N ns1 -p: %+v", o)
	}
	if o, _ := parseSS([]string{"--net=ns2", "-Hne"}); o.netns != "ns2" || !o.noHeader || !o.numeric || !o.details || !o.showOptions {
		t.Errorf("--net=ns2 -Hne: %+v", o)
	}
}

func TestParseSSErrors(t *testing.T) {
	for _, c := range []struct {
		args string
		msg  string
		code int
	}{
		{"-Q", "ss: invalid option -- 'Q'", 255},
		{"--bogus", "ss: unrecognized option '--bogus'", 255},
		{"-N", "ss: option requires an argument -- 'N'", 255},
		{"state bogus", "ss: wrong state name: bogus", 255},
		{"state", "Command line is not complete. Try option \"help\"", 255},
		{"-f bogus", "ss: \"bogus\" is invalid family", 255},
		{"-A bogus", "ss: \"bogus\" is illegal socket table id", 255},
		{"-t dport = :nosuchservice", "Error: \"nosuchservice\" does not look like a port.", 1},
		{"-t foo", "Error: an inet prefix is expected rather than \"foo\".", 1},
		{"-t sport", "ss: bad filter: unexpected end of filter", 255},
		{"-t ( sport = :1", "ss: bad filter: missing \")\"", 255},
		{"--n", "ss: option '--n' is ambiguous", 255},
	} {
		var out, errb bytes.Buffer
		code := runSS(cliGlobal(), strings.Fields(c.args), &out, &errb)
		if code != c.code || strings.TrimSpace(errb.String()) != c.msg || out.Len() != 0 {
			t.Errorf("%q: exit %d stderr %q stdout %q, want %d %q", c.args, code, errb.String(), out.String(), c.code, c.msg)
		}
		if strings.Count(errb.String(), "\n") != 1 {
			t.Errorf("%q: not one line: %q", c.args, errb.String())
		}
	}
}

// The layout below is iproute2 ss 6.1's, captured from the same sockets.
func TestRenderCompact(t *testing.T) {
	tb := &table{cols: newColumns()}
	tb.cols[colNetid].disabled = true
	tb.header()
	tb.add([colMax]string{"", "LISTEN", "0     ", "1     ", "0.0.0.0:", "8080", "0.0.0.0:", "*", "", ""})
	tb.add([colMax]string{"", "LISTEN", "0     ", "1     ", "*:", "8081", "*:", "*", "", ""})
	var b bytes.Buffer
	tb.render(&b, -1)
	want := "State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n" +
		"LISTEN 0      1            0.0.0.0:8080      0.0.0.0:*          \n" +
		"LISTEN 0      1                  *:8081            *:*          \n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}

	// ss measures the Process field of the last socket only when it
	// moves on: the last line's details do not widen the column.
	tb = &table{cols: newColumns()}
	tb.cols[colNetid].disabled = true
	tb.header()
	tb.add([colMax]string{"", "LISTEN", "0     ", "1     ", "*:", "8081", "*:", "*", " ino:370545 sk:65 cgroup:/ v6only:0 <->", ""})
	b.Reset()
	tb.render(&b, -1)
	want = "State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n" +
		"LISTEN 0      1                  *:8081            *:*    ino:370545 sk:65 cgroup:/ v6only:0 <->\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
}

func TestRenderTerminal(t *testing.T) {
	tb := &table{cols: newColumns()}
	tb.cols[colNetid].disabled = true
	tb.header()
	tb.add([colMax]string{"", "ESTAB", "0     ", "0     ", "127.0.0.1:", "41272", "127.0.0.1:", "8080", "", ""})
	var b bytes.Buffer
	tb.render(&b, 80)
	for i, l := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		if len(l) != 80 {
			t.Errorf("line %d is %d wide on an 80-column terminal: %q", i, len(l), l)
		}
	}
}

func TestMsTimer(t *testing.T) {
	for ms, want := range map[uint32]string{
		0: "", 5: "005ms", 1500: "1.500ms", 12345: "12sec", 60000: "1min", 61500: "1min1sec", 659000: "10min",
	} {
		if got := msTimer(ms); got != want {
			t.Errorf("%d: %q want %q", ms, got, want)
		}
	}
	if got := timerString(3, 59000, 0); got != " timer:(timewait,59sec,0)" {
		t.Errorf("timer %q", got)
	}
}

func TestNtop(t *testing.T) {
	for in, want := range map[string]string{
		"::": "::", "::1": "::1", "::ffff:127.0.0.1": "::ffff:127.0.0.1", "::1.2.3.4": "::1.2.3.4",
		"::0.0.0.2": "::0.0.0.2", "2001:db8::1": "2001:db8::1", "fe80::1:2": "fe80::1:2", "10.0.0.1": "10.0.0.1",
	} {
		if got := ntop(netip.MustParseAddr(in)); got != want {
			t.Errorf("%s: %s want %s", in, got, want)
		}
	}
}

func TestSSAddresses(t *testing.T) {
	w := &ssWriter{o: &ssOptions{numeric: true}, snap: &snapshot{ports: portRange{32768, 60999}}, svc: &services{}, hosts: &hosts{}}
	for _, c := range []struct {
		addr         string
		port         int
		v6only       bool
		ifname       string
		wantA, wantP string
	}{
		{"0.0.0.0", 8080, false, "", "0.0.0.0:", "8080"},
		{"::", 8080, false, "", "*:", "8080"},
		{"::", 8080, true, "", "[::]:", "8080"},
		{"::1", 22, false, "", "[::1]:", "22"},
		{"::ffff:127.0.0.1", 0, false, "", "[::ffff:127.0.0.1]:", "*"},
		{"192.168.1.10", 8080, false, "br1", "192.168.1.10%br1:", "8080"},
	} {
		a, p := w.addr(netip.MustParseAddr(c.addr), c.port, c.ifname, c.v6only, "tcp")
		if a != c.wantA || p != c.wantP {
			t.Errorf("%s %d: %q %q", c.addr, c.port, a, p)
		}
	}
}

func TestNetstatAddrPort(t *testing.T) {
	n := &netstatWriter{o: &netstatOptions{numHost: true, numPort: true}, svc: &services{}, hosts: &hosts{}}
	for _, c := range []struct {
		addr string
		port uint16
		want string
	}{
		{"0.0.0.0", 8080, "0.0.0.0:8080"},
		{"0.0.0.0", 0, "0.0.0.0:*"},
		{"::", 8080, ":::8080"},
		{"::", 0, ":::*"},
		{"2001:db8:1234:5678:9abc:def0:1234:5678", 8080, "2001:db8:1234:5678:8080"},
	} {
		if got := n.addrPort(netip.MustParseAddr(c.addr), c.port, "tcp"); got != c.want {
			t.Errorf("%s:%d = %q want %q", c.addr, c.port, got, c.want)
		}
	}
	n.o.wide = true
	if got := n.addrPort(netip.MustParseAddr("2001:db8:1234:5678:9abc:def0:1234:5678"), 8080, "tcp"); got != "2001:db8:1234:5678:9abc:def0:1234:5678:8080" {
		t.Errorf("-W: %q", got)
	}
	n.o = &netstatOptions{}
	if got := n.host(netip.IPv6Unspecified()); got != "[::]" {
		t.Errorf("resolving :: gives %q", got)
	}
}

func TestNetstatLines(t *testing.T) {
	o, err := parseNetstat([]string{"-tunapl"})
	if err != nil {
		t.Fatal(err)
	}
	n := &netstatWriter{o: o, svc: &services{}, hosts: &hosts{}, users: map[uint32]string{},
		owners: map[uint32][]sockdiag.Owner{42: {{PID: 197, FD: 3, Comm: "nc", Argv0: "/usr/bin/nc.openbsd"}, {PID: 300, FD: 4, Argv0: "x"}}}}
	l := &sockdiag.InetSocket{}
	l.Family, l.State, l.Inode, l.WQueue = sockdiag.AF_INET, sockdiag.TCP_LISTEN, 42, 1
	l.ID.SPort = 8080
	u := &sockdiag.InetSocket{}
	u.Family, u.State = sockdiag.AF_INET6, sockdiag.TCP_CLOSE
	u.ID.SPort = 9000
	var b bytes.Buffer
	n.inet(&b, l, "tcp")
	n.inet(&b, u, "udp")
	want := "tcp        0      0 0.0.0.0:8080            0.0.0.0:*               LISTEN      197/nc.openbsd      \n" +
		"udp6       0      0 :::9000                 :::*                                -                   \n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
}

func TestParseNetstat(t *testing.T) {
	o, err := parseNetstat([]string{"-tlnp", "-4"})
	if err != nil || !o.tcp || o.udp || !o.listening || !o.programs || !o.numHost || !o.inet || o.inet6 {
		t.Errorf("-tlnp -4: %+v %v", o, err)
	}
	o, _ = parseNetstat(nil)
	if !o.tcp || !o.udp || !o.raw || !o.inet || !o.inet6 || o.all || o.listening {
		t.Errorf("no options: %+v", o)
	}
	for args, want := range map[string]string{
		"-Q":      "netstat: invalid option -- 'Q'",
		"-r":      "netstat: option -r is not supported by nsbox",
		"-A foo":  "netstat: address family `foo' is not supported by nsbox.",
		"-t junk": "netstat: unexpected argument \"junk\"",
	} {
		var out, errb bytes.Buffer
		code := runNetstat(cliGlobal(), strings.Fields(args), &out, &errb)
		if code == 0 || strings.TrimSpace(errb.String()) != want || strings.Count(errb.String(), "\n") != 1 {
			t.Errorf("%q: exit %d %q", args, code, errb.String())
		}
	}
}

func TestNetstatUnix(t *testing.T) {
	o, err := parseNetstat([]string{"-xap"})
	if err != nil || !o.showUnix || o.showInet {
		t.Fatalf("-xap: %+v %v", o, err)
	}
	n := &netstatWriter{o: o, svc: &services{}, hosts: &hosts{}, owners: map[uint32][]sockdiag.Owner{7: {{PID: 12, Argv0: "/usr/sbin/sshd"}}}}
	l := &sockdiag.UnixSocket{Name: "/run/x.sock\x00", HasName: true}
	l.Type, l.State, l.Ino = sockdiag.SOCK_STREAM, sockdiag.TCP_LISTEN, 7
	d := &sockdiag.UnixSocket{Name: "\x00ab\x00c", HasName: true}
	d.Type, d.State, d.Ino = sockdiag.SOCK_DGRAM, sockdiag.TCP_CLOSE, 8
	var b bytes.Buffer
	n.unix(&b, l, 2)
	n.unix(&b, d, 2)
	want := "unix  2      [ ACC ]     STREAM     LISTENING     7        12/sshd              /run/x.sock\n" +
		"unix  2      [ ]         DGRAM                    8        -                    @ab@c\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
	o, _ = parseNetstat([]string{"-4"})
	if o.showUnix || !o.showInet || !o.tcp || o.inet6 {
		t.Errorf("-4: %+v", o)
	}
	o, _ = parseNetstat(nil)
	if !o.showUnix || !o.showInet {
		t.Errorf("no options: %+v", o)
	}
}

func TestFilter(t *testing.T) {
	v4 := &sockView{local: netip.MustParseAddr("127.0.0.1"), remote: netip.MustParseAddr("10.1.2.3"), lport: 8080, rport: 40000,
		ephemeral: portRange{32768, 60999}.ephemeral}
	v6 := &sockView{local: netip.MustParseAddr("::ffff:127.0.0.1"), remote: netip.MustParseAddr("::1"), lport: 22, rport: 33000}
	ux := &sockView{unix: true, name: "/run/dbus/system_bus_socket", lport: 1234}
	for _, c := range []struct {
		f          string
		v4, v6, ux bool
	}{
		{"sport = :8080", true, false, false},
		{"sport == 8080", true, false, false},
		{"sport eq :http-alt", true, false, false},
		{"sport != :8080", false, true, true},
		{"dport > :35000", true, false, false},
		{"dport >= :33000", true, true, false},
		{"dport lt :35000", false, true, true},
		{"src 127.0.0.1", true, true, false},
		{"src 127.0.0.0/8:8080", true, false, false},
		{"dst 10.0.0.0/8", true, false, false},
		{"dst [::1]", false, true, false},
		{"dst [::1]:33000", false, true, false},
		{"sport = :22 or sport = :8080", true, true, false},
		{"( sport = :22 or sport = :8080 ) and dst 10.0.0.0/8", true, false, false},
		{"(sport = :22 || sport = :8080) && !dst 10.0.0.0/8", false, true, false},
		{"not sport = :8080 sport = :22", false, true, false},
		{"src unix:/run/*", false, false, true},
		{"src unix:/RUN/DBUS/*", false, false, true},
		{"src unix:/tmp/*", false, false, false},
		{"autobound", false, false, false},
		{"dport > :32767 and dport < :61000", true, true, false},
	} {
		e, err := parseFilter(strings.Fields(c.f), &filterParser{svc: &services{}, tcp: true})
		if err != nil {
			t.Errorf("%q: %v", c.f, err)
			continue
		}
		if got := [3]bool{e.match(v4), e.match(v6), e.match(ux)}; got != [3]bool{c.v4, c.v6, c.ux} {
			t.Errorf("%q: %v, want %v", c.f, got, [3]bool{c.v4, c.v6, c.ux})
		}
	}
}

// TestFnmatch: glibc's answers (fnmatch(3) with FNM_CASEFOLD in the C
// locale, glibc 2.36, checked with the real one), and the 8-star pattern
// against 60 bytes that took a recursive matcher 31 s: a few thousand
// steps here.
func TestFnmatch(t *testing.T) {
	for _, c := range []struct {
		p, n string
		ok   bool
	}{
		{"/tmp/*", "/tmp/a/b", true}, {"*sock", "/x/y.sock", true}, {"/tmp/?", "/tmp/ab", false},
		{"@[a-f]*", "@b123", true}, {"abc", "abc", true}, {"abc", "abd", false}, {"*", "", true},
		{"*SOCK", "/x/y.sock", true}, {"[A-Z]", "q", true}, {"[[:upper:]]", "q", false}, {"[[:upper:]]", "Q", true},
		{"[!a]", "b", true}, {"[^a]", "a", false}, {"[]a]", "]", true}, {"[a-]", "-", true},
		{"[a", "[a", true}, {"[[", "[[", true}, {"[a-", "[a-", false}, {"[]", "[]", true}, {"[?[!", "[.[!", true},
		{"a\\", "a\\", false}, {"\\*", "*", true}, {"\\*", "x", false}, {"[[:bogus:]]", "b", false},
		{"[[=a=]]", "a", true}, {"[[.a.]-c]", "b", true}, {"[[:alpha:]", "[a", true}, {"[[:alpha:]", "[:alpha:", false},
	} {
		if fnmatch(c.p, c.n) != c.ok {
			t.Errorf("fnmatch(%q, %q) != %v", c.p, c.n, c.ok)
		}
	}
	p, n := "*a*a*a*a*a*a*a*b", strings.Repeat("a", 60)
	ok, steps := fnmatchSteps(p, n)
	if ok || steps > (len(p)+1)*(len(n)+1) {
		t.Errorf("%q against 60 a's: %v after %d steps", p, ok, steps)
	}
	t.Logf("%q against 60 a's: %d steps", p, steps)
}
