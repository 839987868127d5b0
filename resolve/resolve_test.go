package resolve

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"nsbox/internal/sandbox"
	"nsbox/resolve/dnstest"
)

func TestParseNumeric(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"127.0.0.1", "127.0.0.1"}, {"127.1", "127.0.0.1"}, {"10.1.2", "10.1.0.2"},
		{"0x7f.1", "127.0.0.1"}, {"010.0.0.1", "8.0.0.1"}, {"2130706433", "127.0.0.1"},
		{"0x7f000001", "127.0.0.1"}, {"0", "0.0.0.0"}, {"0x", "0.0.0.0"},
		{"::1", "::1"}, {"fe80::1%eth0", "fe80::1%eth0"}, {"::ffff:1.2.3.4", "::ffff:1.2.3.4"},
		{"1.2.3.256", ""}, {"1.2.3.4.5", ""}, {"09.1.1.1", ""}, {"1..2", ""}, {"", ""},
		{"1.2.3.4 ", ""}, {"+1.2.3.4", ""}, {"4294967296", ""}, {"a.b", ""}, {"localhost", ""},
		{"1.2.3.-4", ""}, {"::1::2", ""}, {"1.2.3.4%x", ""}, {"1.0x100.1", ""},
	} {
		a, ok := ParseNumeric(tc.in)
		got := ""
		if ok {
			got = a.String()
		}
		if got != tc.want {
			t.Errorf("ParseNumeric(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseHosts(t *testing.T) {
	h := ParseHosts([]byte("# comment\n127.0.0.1\tlocalhost loopback # trailing\n::1 localhost ip6-localhost\n" +
		"bogus line\n192.0.2.1 Web.Example web\n192.0.2.2 web\n127.0.0.1 localhost\nfe80::1%lo ll\n10.1 short\n"))
	check := func(name string, want ...string) {
		t.Helper()
		var got []string
		for _, a := range h.Addrs(name) {
			got = append(got, a.String())
		}
		if !slices.Equal(got, want) {
			t.Errorf("Addrs(%q) = %v, want %v", name, got, want)
		}
	}
	check("localhost", "127.0.0.1", "::1")
	check("LOCALHOST.", "127.0.0.1", "::1")
	check("web", "192.0.2.1", "192.0.2.2")
	check("web.example", "192.0.2.1")
	check("ll", "fe80::1%lo")
	check("short", "10.0.0.1")
	check("bogus")
	check("line")
	if got := h.Names(netip.MustParseAddr("192.0.2.1")); !slices.Equal(got, []string{"Web.Example", "web"}) {
		t.Errorf("Names = %v", got)
	}
	if _, canon := hostsFamily(h.entries("web"), 0); canon != "Web.Example" {
		t.Errorf("canon = %q", canon)
	}
	// glibc's files backend: ::1 is 127.0.0.1 when IPv4 is asked for.
	h = ParseHosts([]byte("::1 only6\n"))
	if got, _ := hostsFamily(h.entries("only6"), unix.AF_INET); len(got) != 1 || got[0].String() != "127.0.0.1" {
		t.Errorf("only6 for AF_INET = %v", got)
	}
}

func TestParseConf(t *testing.T) {
	c := ParseConf([]byte("; comment\n# comment\nnameserver 192.0.2.53\nnameserver ::1\nnameserver bogus\n" +
		"nameserver 192.0.2.54\nnameserver 192.0.2.55\ndomain old.example\nsearch a.example b.example.\n" +
		"options ndots:3 timeout:2 attempts:4 rotate edns0\noptions ndots:99x\n"))
	want := &Config{
		Servers: []netip.AddrPort{netip.MustParseAddrPort("192.0.2.53:53"), netip.MustParseAddrPort("[::1]:53"),
			netip.MustParseAddrPort("192.0.2.54:53")},
		Search: []string{"a.example", "b.example"}, Ndots: 15, Timeout: 2 * time.Second, Attempts: 4, Rotate: true,
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("ParseConf =\n%+v\nwant\n%+v", c, want)
	}
	// No nameserver: the local one, as glibc (127.0.0.1, then ::1).
	c = ParseConf([]byte("domain lab\noptions attempts:0 timeout:0\n"))
	if len(c.Servers) != 2 || c.Servers[0].String() != "127.0.0.1:53" || c.Servers[1].String() != "[::1]:53" {
		t.Errorf("default servers = %v", c.Servers)
	}
	if !slices.Equal(c.Search, []string{"lab"}) || c.Attempts != 1 || c.Timeout != time.Second || c.Ndots != 1 {
		t.Errorf("conf = %+v", c)
	}
	c.env("x.example y.example.", "ndots:4 attempts:3 debug")
	if !slices.Equal(c.Search, []string{"x.example", "y.example"}) || c.Ndots != 4 || c.Attempts != 3 {
		t.Errorf("LOCALDOMAIN, RES_OPTIONS: %+v", c)
	}
}

// TestAppendQuery: res_mkquery's bytes for "www.example.com" A (as dig
// +noedns sends them, RD set).
func TestAppendQuery(t *testing.T) {
	got, err := appendQuery(nil, 0x1234, "www.example.com.", typeA)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := hex.DecodeString("12340100000100000000000003777777076578616d706c6503636f6d0000010001")
	if !bytes.Equal(got, want) {
		t.Errorf("query\n got %x\nwant %x", got, want)
	}
	for _, bad := range []string{"a..b", strings.Repeat("x", 64) + ".com", strings.Repeat("abcdefghi.", 26)} {
		if _, err := appendQuery(nil, 1, bad, typeA); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// reply builds a response to the question of q with the given records
// (already in wire form).
func reply(q []byte, flags uint16, records ...[]byte) []byte {
	b := append([]byte(nil), q...)
	binary.BigEndian.PutUint16(b[2:], flags)
	binary.BigEndian.PutUint16(b[6:], uint16(len(records)))
	for _, r := range records {
		b = append(b, r...)
	}
	return b
}

func rr(owner []byte, typ uint16, data []byte) []byte {
	b := append([]byte(nil), owner...)
	b = binary.BigEndian.AppendUint16(b, typ)
	b = binary.BigEndian.AppendUint16(b, classIN)
	b = append(b, 0, 0, 0x0e, 0x10)
	b = binary.BigEndian.AppendUint16(b, uint16(len(data)))
	return append(b, data...)
}

func TestParseResponseCNAMEChain(t *testing.T) {
	q, _ := appendQuery(nil, 7, "www.example.com", typeA)
	// www.example.com CNAME web.example.com (compressed: "web" + pointer
	// to "example.com" at offset 16); web.example.com A 192.0.2.7; an
	// unrelated A record that must not be taken.
	target := append([]byte{3, 'w', 'e', 'b'}, 0xc0, 16)
	msg := reply(q, 0x8180,
		rr([]byte{0xc0, 12}, typeCNAME, target),
		rr([]byte{0xc0, byte(len(q))}, typeA, []byte{192, 0, 2, 7}),
		rr([]byte{5, 'o', 't', 'h', 'e', 'r', 0}, typeA, []byte{192, 0, 2, 99}))
	// The second record's owner points at the CNAME's rdata: offset of
	// the first record's rdata in msg.
	off := len(q) + 2 + 10
	msg[len(q)+2+10+len(target)+1] = byte(off)
	r, err := ParseResponse(msg)
	if err != nil {
		t.Fatal(err)
	}
	if !r.matches(7, "WWW.example.com.", typeA) || r.matches(8, "www.example.com", typeA) || r.matches(7, "www.example.com", typeAAAA) {
		t.Error("matches")
	}
	addrs, canon := r.addrs("www.example.com", typeA)
	if len(addrs) != 1 || addrs[0].String() != "192.0.2.7" || canon != "web.example.com" {
		t.Errorf("addrs = %v %q", addrs, canon)
	}
}

func TestParseResponseMalformed(t *testing.T) {
	q, _ := appendQuery(nil, 7, "a.example", typeA)
	for name, msg := range map[string][]byte{
		"short header":    q[:11],
		"query not reply": q,
		"A of 3 bytes":    reply(q, 0x8180, rr([]byte{0xc0, 12}, typeA, []byte{1, 2, 3})),
		"AAAA of 4 bytes": reply(q, 0x8180, rr([]byte{0xc0, 12}, typeAAAA, []byte{1, 2, 3, 4})),
		"pointer loop":    reply(q, 0x8180, rr([]byte{0xc0, byte(len(q))}, typeA, []byte{1, 2, 3, 4})),
		"pointer outside": reply(q, 0x8180, rr([]byte{0xc0, 0xff}, typeA, []byte{1, 2, 3, 4})),
		"rdata past end":  reply(q, 0x8180, rr([]byte{0xc0, 12}, typeA, []byte{1, 2, 3, 4}))[:len(q)+12+3],
		"label 0x40":      reply(q, 0x8180, rr([]byte{0x41, 'x', 0}, typeA, []byte{1, 2, 3, 4})),
		"CNAME bad name":  reply(q, 0x8180, rr([]byte{0xc0, 12}, typeCNAME, []byte{5, 'a', 0})),
	} {
		if _, err := ParseResponse(msg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// A truncated reply cut short still says "truncated".
	msg := reply(q, 0x8380, rr([]byte{0xc0, 12}, typeA, []byte{1, 2, 3, 4}))
	r, err := ParseResponse(msg[:len(msg)-2])
	if err != nil || !r.Truncated || len(r.Answers) != 0 {
		t.Errorf("truncated: %+v %v", r, err)
	}
}

func TestReverseName(t *testing.T) {
	if got := reverseName(netip.MustParseAddr("192.0.2.10")); got != "10.2.0.192.in-addr.arpa" {
		t.Error(got)
	}
	want := "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.ip6.arpa"
	if got := reverseName(netip.MustParseAddr("4321:0:1:2:3:4:567:89ab")); got != want {
		t.Error(got)
	}
}

// TestSearch walks glibc's res_search rules with a fake ask.
func TestSearch(t *testing.T) {
	c := &Config{Ndots: 1, Search: []string{"a.example", "b.example"}}
	for _, tc := range []struct {
		host   string
		ndots  int
		answer map[string]herrno // missing: not found
		asked  string
		want   herrno
	}{
		{"www", 1, nil, "www.a.example www.b.example www", hNotFound},
		{"www.x", 1, nil, "www.x www.x.a.example www.x.b.example", hNotFound},
		{"www.x", 2, nil, "www.x.a.example www.x.b.example www.x", hNotFound},
		{"www.x.", 1, nil, "www.x.", hNotFound},
		{"www", 1, map[string]herrno{"www.b.example": hOK}, "www.a.example www.b.example", hOK},
		{"www", 1, map[string]herrno{"www.a.example": hNoData}, "www.a.example www.b.example www", hNoData},
		{"www", 1, map[string]herrno{"www.a.example": hServFailTry}, "www.a.example www.b.example www", hTryAgain},
		{"www", 1, map[string]herrno{"www.a.example": hTryAgain}, "www.a.example www", hNotFound},
		{"www.x", 1, map[string]herrno{"www.x": hNoData}, "www.x www.x.a.example www.x.b.example", hNoData},
	} {
		c.Ndots = tc.ndots
		var asked []string
		_, h := search(c, tc.host, func(n string) ([]netip.Addr, herrno) {
			asked = append(asked, n)
			h, ok := tc.answer[n]
			if !ok {
				h = hNotFound
			}
			if h == hOK {
				return []netip.Addr{netip.MustParseAddr("192.0.2.1")}, h
			}
			return nil, h
		})
		if got := strings.Join(asked, " "); got != tc.asked || h != tc.want {
			t.Errorf("%s ndots %d: asked %q -> %d, want %q -> %d", tc.host, tc.ndots, got, h, tc.asked, tc.want)
		}
	}
}

func TestSortAddrs(t *testing.T) {
	// Loopback only is usable on any machine: ::1 (precedence 50) goes
	// before 127.0.0.1 (35), and both before an address without a route
	// (a ULA with no source).
	in := []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")}
	got := sortAddrs(slices.Clone(in))
	if _, ok := source(netip.IPv6Loopback()); ok && got[0] != netip.IPv6Loopback() {
		t.Errorf("sort = %v", got)
	}
	if p := classify(netip.MustParseAddr("192.0.2.1")); p.precedence != 35 || p.label != 4 {
		t.Errorf("IPv4 policy %+v", p)
	}
	if s := scope(netip.MustParseAddr("ff05::1")); s != 5 {
		t.Errorf("scope %d", s)
	}
}

// fake starts a dnstest server on a free loopback port and a resolver
// that asks only it (no files).
func fake(t *testing.T, hosts string) (*dnstest.Server, *Resolver) {
	t.Helper()
	s, err := dnstest.Start("127.0.0.1:0")
	if err != nil {
		sandbox.Cannot(t, "no loopback: %v", err)
	}
	t.Cleanup(s.Close)
	r := &Resolver{Hosts: ParseHosts([]byte(hosts)), Conf: &Config{
		Servers: []netip.AddrPort{s.AddrPort()}, Search: []string{"lab"}, Ndots: 1,
		Timeout: 2 * time.Second, Attempts: 1,
	}}
	return s, r
}

func TestLookupFakeServer(t *testing.T) {
	s, r := fake(t, "192.0.2.9 files.test\n")
	A := func(a string) dnstest.RR { return dnstest.RR{Type: 1, Addr: netip.MustParseAddr(a)} }
	s.Add("v4.test", A("192.0.2.1"))
	s.Add("both.test", A("192.0.2.2"), dnstest.RR{Type: 28, Addr: netip.MustParseAddr("2001:db8::2")})
	s.Add("alias.test", dnstest.RR{Type: 5, Target: "v4.test"})
	s.Add("big.test", A("192.0.2.3"))
	s.Set("big.test", dnstest.Truncate)
	s.Add("fail.test")
	s.Set("fail.test", dnstest.ServFail)
	s.Add("empty.test")
	s.Set("empty.test", dnstest.NoData)
	s.Add("host.lab", A("192.0.2.4"))
	s.Add("4.2.0.192.in-addr.arpa", dnstest.RR{Type: 12, Target: "host.lab."})
	for _, tc := range []struct {
		host   string
		family int
		want   string
		canon  string
		err    error
	}{
		{"v4.test", unix.AF_INET, "[192.0.2.1]", "v4.test", nil},
		{"alias.test", unix.AF_INET, "[192.0.2.1]", "v4.test", nil},
		{"both.test", unix.AF_INET6, "[2001:db8::2]", "both.test", nil},
		{"big.test", unix.AF_INET, "[192.0.2.3]", "big.test", nil},
		{"host", unix.AF_INET, "[192.0.2.4]", "host.lab", nil},
		{"files.test", unix.AF_INET, "[192.0.2.9]", "files.test", nil},
		{"localhost", unix.AF_INET, "[127.0.0.1]", "localhost", nil},
		{"v4.test", unix.AF_INET6, "", "", NoData},
		{"nx.test", 0, "", "", NoName},
		{"fail.test", 0, "", "", Again},
		{"empty.test", 0, "", "", NoData},
		{"192.0.2.1", unix.AF_INET6, "", "", AddrFamily},
		{"", 0, "", "", NoName},
	} {
		addrs, canon, err := r.LookupCanon(tc.host, tc.family)
		got := ""
		if err == nil {
			got = fmt.Sprint(addrs)
		}
		if got != tc.want || canon != tc.canon || err != tc.err {
			t.Errorf("%s/%d = %s %q %v, want %s %q %v", tc.host, tc.family, got, canon, err, tc.want, tc.canon, tc.err)
		}
	}
	if !slices.Contains(s.Asked(), "tcp A big.test") {
		t.Errorf("truncated answer not asked again over TCP: %v", s.Asked())
	}
	if name, err := r.Reverse(netip.MustParseAddr("192.0.2.4")); name != "host.lab" || err != nil {
		t.Errorf("Reverse = %q %v (asked %v)", name, err, s.Asked())
	}
	if name, err := r.Reverse(netip.MustParseAddr("192.0.2.9")); name != "files.test" || err != nil {
		t.Errorf("Reverse from hosts = %q %v", name, err)
	}
	if _, err := r.Reverse(netip.MustParseAddr("192.0.2.5")); err != NoName {
		t.Errorf("Reverse unknown: %v", err)
	}
}

// TestLookupServers: a server that refuses is passed over for the next;
// one that never answers makes "temporary failure".
func TestLookupServers(t *testing.T) {
	bad, r := fake(t, "")
	good, _ := fake(t, "")
	bad.Add("x.test")
	bad.Set("x.test", dnstest.Refused)
	good.Add("x.test", dnstest.RR{Type: 1, Addr: netip.MustParseAddr("192.0.2.1")})
	r.Conf.Servers = append(r.Conf.Servers, good.AddrPort())
	if addrs, err := r.Lookup("x.test", unix.AF_INET); err != nil || len(addrs) != 1 {
		t.Errorf("refused then good: %v %v", addrs, err)
	}
	r.Conf.Servers = r.Conf.Servers[:1]
	if _, err := r.Lookup("x.test", unix.AF_INET); err != Again {
		t.Errorf("refused only: %v", err)
	}
	bad.Set("x.test", dnstest.Silent)
	r.Conf.Timeout = 200 * time.Millisecond
	if _, err := r.Lookup("x.test", unix.AF_INET); err != Again {
		t.Errorf("silent: %v", err)
	}
}

// TestTCPTrickle: a server that trickles its TCP reply a byte every
// 200 ms (the whole reply would take 9 s) is given up on when the
// configured timeout (1 s) has passed since the exchange began: the
// lookup fails as "temporary failure" and the server sees the client
// go away before its last byte. A per-read timeout would have read it
// all. Both ways to TCP: use-vc, and a truncated UDP reply.
func TestTCPTrickle(t *testing.T) {
	for _, useVC := range []bool{true, false} {
		t.Run(fmt.Sprintf("use-vc=%v", useVC), func(t *testing.T) {
			s, r := fake(t, "")
			s.Add("slow.test", dnstest.RR{Type: 1, Addr: netip.MustParseAddr("192.0.2.1")})
			s.Set("slow.test", dnstest.Trickle)
			s.TrickleDelay = 200 * time.Millisecond // the whole reply: 9 s
			r.Conf.Timeout = time.Second
			r.Conf.UseVC = useVC
			addrs, err := r.Lookup("slow.test", unix.AF_INET)
			if err != Again {
				t.Fatalf("Lookup = %v %v, want %v", addrs, err, Again)
			}
			// The server notes how far it got once a write fails,
			// which takes a byte or two after the client closed.
			for i := 0; len(s.Trickled()) == 0; i++ {
				if i > 6000 {
					t.Fatal("the trickle never ended")
				}
				time.Sleep(10 * time.Millisecond)
			}
			if got := s.Trickled(); len(got) != 1 || got[0] < 0 {
				t.Fatalf("trickled %v: the client read the whole reply", got)
			}
		})
	}
}
