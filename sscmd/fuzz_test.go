package sscmd

import (
	"bytes"
	"fmt"
	"maps"
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseServices: whatever the text, every entry kept is a valid
// port with a name, no more entries than lines, and the entries written
// back as services(5) lines read back the same, in the same order.
func FuzzParseServices(f *testing.F) {
	f.Add([]byte("ssh\t\t22/tcp\t\t\t\t# SSH Remote Login Protocol\nhttp-alt\t8080/tcp\twebcache\n# x\nbad 99999/tcp\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		es := parseServices(b)
		if len(es) > bytes.Count(b, []byte("\n"))+1 {
			t.Fatalf("%d entries from %q", len(es), b)
		}
		var text strings.Builder
		for _, e := range es {
			if e.port < 0 || e.port > 65535 || e.name == "" {
				t.Fatalf("bad entry %+v", e)
			}
			text.WriteString(e.name + " " + strconv.Itoa(e.port) + "/" + e.proto + " # comment\n")
		}
		back := parseServices([]byte(text.String()))
		if len(back) != len(es) {
			t.Fatalf("%q read back as %d entries, want %d", text.String(), len(back), len(es))
		}
		for i := range es {
			if back[i].name != es[i].name || back[i].port != es[i].port || back[i].proto != es[i].proto {
				t.Fatalf("entry %d: %+v read back as %+v", i, es[i], back[i])
			}
		}
	})
}

// FuzzPasswdName: the name of the first entry of uid, which a line added
// at the end of the text does not change, and which is the added line's
// when the text has no entry of uid.
func FuzzPasswdName(f *testing.F) {
	f.Add([]byte("root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534::/:/usr/sbin/nologin\n"), uint32(0))
	f.Fuzz(func(t *testing.T, b []byte, uid uint32) {
		n, ok := passwdName(textLines(b), uid)
		if ok && strings.Contains(n, ":") {
			t.Fatalf("name %q", n)
		}
		more := append(append(bytes.Clone(b), '\n'), "zz-added:x:"+strconv.FormatUint(uint64(uid), 10)+":0::/:/bin/sh\n"...)
		n2, ok2 := passwdName(textLines(more), uid)
		if !ok2 || ok && n2 != n || !ok && n2 != "zz-added" {
			t.Fatalf("%q, uid %d: %q %v; with a line added %q %v", b, uid, n, ok, n2, ok2)
		}
	})
}

// FuzzParseUnixRefs: a table written as the kernel's unix_seq_show
// writes /proc/net/unix, from the input (6 bytes a socket: reference
// count, inode, a path), reads back to the model (the last line of an
// inode wins); whatever the text, no more counts than lines after the
// heading, each of an inode the text holds.
func FuzzParseUnixRefs(f *testing.F) {
	f.Add([]byte("Num       RefCount Protocol Flags    Type St Inode Path\n0000000000000000: 00000002 00000000 00010000 0001 01 20179 /tmp/x\n0000000000000000: 00000003 00000000 00000000 0001 03 20181\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		refs := parseUnixRefs(b)
		if lines := bytes.Count(b, []byte("\n")) + 1; len(refs) > lines-1 {
			t.Fatalf("%d counts from %d lines", len(refs), lines)
		}
		for ino := range refs {
			if !bytes.Contains(b, []byte(strconv.FormatUint(uint64(ino), 10))) {
				t.Fatalf("inode %d not in %q", ino, b)
			}
		}
		text := "Num       RefCount Protocol Flags    Type St Inode Path\n"
		want := map[uint32]uint32{}
		for i := 0; i+6 <= len(b) && i < 120; i += 6 {
			ref := uint32(b[i]) | uint32(b[i+1])<<8
			ino := uint32(b[i+2]%16) * 1000003
			path := ""
			if n := int(b[i+3] % 8); n > 0 && i+6+n <= len(b) {
				path = " " + strings.ReplaceAll(string(b[i+6:i+6+n]), "\n", "?")
			}
			text += fmt.Sprintf("%016x: %08X %08X %08X %04X %02X %5d%s\n", 0xffff000000000000|uint64(i), ref, 0, uint32(b[i+4])<<16, b[i+4]%6, b[i+5]%5, ino, path)
			want[ino] = ref
		}
		if got := parseUnixRefs([]byte(text)); !maps.Equal(got, want) {
			t.Fatalf("%q read as %v, want %v", text, got, want)
		}
	})
}

// filterViews are sockets to try filters on: inet and unix, with the
// fields filters look at.
var filterViews = func() []*sockView {
	eph := func(p int) bool { return p >= 32768 && p <= 60999 }
	a := netip.MustParseAddr
	return []*sockView{
		{local: a("127.0.0.1"), remote: a("127.0.0.2"), lport: 8080, rport: 51000, iface: 1, mark: 1, ephemeral: eph},
		{local: a("10.0.0.7"), remote: a("192.0.2.1"), lport: 40000, rport: 22, mark: 0xff, ephemeral: eph},
		{local: a("::1"), remote: a("2001:db8::1"), lport: 22, rport: 1024, iface: 2, ephemeral: eph},
		{local: a("::ffff:10.1.2.3"), remote: a("::"), lport: 53, ephemeral: eph},
		{local: a("0.0.0.0"), remote: a("0.0.0.0"), lport: 0, ephemeral: eph},
		{unix: true, name: "/tmp/x.sock", lport: 123},
		{unix: true, name: "@0001a", peer: "/run/y", lport: 124, rport: 125},
		{unix: true, name: "", peer: "*", lport: 126},
	}
}()

// FuzzParseFilter: the input is one filter or two (split at a NUL).
// Whatever each is, the parser answers an expression or an error, never
// both nor neither for a filter with words; parenthesised, negated and
// combined with "and", "or" and juxtaposition (which ss reads as "and",
// binding tighter than "or") the filters match exactly the sockets the
// same logic on their own answers gives; and a port comparison and its
// opposite split every socket between them.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"sport = :8080", "( dport = :ssh or sport > :1024 ) and not dst 10.0.0.0/8", "src unix:/tmp/*", "dev eth0", "fwmark 0x1/0xff", "src [::1]:22", "!(autobound)", "sport = :22\x00dst 127.0.0.0/8", "src unix:/tmp/*\x00autobound"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		parse := func(words ...string) (expr, error) {
			return parseFilter(words, &filterParser{svc: &services{loaded: true}, tcp: true})
		}
		s1, s2, _ := strings.Cut(s, "\x00")
		if s2 == "" {
			s2 = s1
		}
		e1, err1 := parse(s1)
		e2, err2 := parse(s2)
		for _, c := range []struct {
			s   string
			e   expr
			err error
		}{{s1, e1, err1}, {s2, e2, err2}} {
			if (c.e == nil) == (c.err == nil) && len(tokenize([]string{c.s})) > 0 {
				t.Fatalf("%q: %v, %v", c.s, c.e, c.err)
			}
		}
		if err1 != nil || err2 != nil || e1 == nil || e2 == nil {
			return
		}
		laws := []struct {
			words []string
			want  func(v *sockView) bool
		}{
			{[]string{"(", s1, ")"}, e1.match},
			{[]string{"not", "(", s1, ")"}, func(v *sockView) bool { return !e1.match(v) }},
			{[]string{"!", "(", s1, ")"}, func(v *sockView) bool { return !e1.match(v) }},
			{[]string{"(", s1, ")", "and", "(", s2, ")"}, func(v *sockView) bool { return e1.match(v) && e2.match(v) }},
			{[]string{"(", s1, ")", "(", s2, ")"}, func(v *sockView) bool { return e1.match(v) && e2.match(v) }},
			{[]string{"(", s1, ")", "or", "(", s2, ")"}, func(v *sockView) bool { return e1.match(v) || e2.match(v) }},
			{[]string{"(", s1, ")", "||", "(", s2, ")", "&&", "not", "(", s1, ")"}, func(v *sockView) bool { return e1.match(v) || e2.match(v) && !e1.match(v) }},
			{[]string{"(", s2, ")", "(", s1, ")", "or", "(", s1, ")"}, func(v *sockView) bool { return e2.match(v) && e1.match(v) || e1.match(v) }},
		}
		for _, law := range laws {
			e, err := parse(law.words...)
			if err != nil {
				t.Fatalf("%q: %v", law.words, err)
			}
			for i, v := range filterViews {
				if got, want := e.match(v), law.want(v); got != want {
					t.Fatalf("%q on socket %d: %v, want %v", law.words, i, got, want)
				}
			}
		}
		port := ":" + strconv.Itoa(len(s)*997%65536)
		for _, pair := range [][2]string{{"<", ">="}, {">", "<="}, {"=", "!="}, {"lt", "ge"}, {"gt", "le"}, {"eq", "ne"}} {
			for _, dir := range []string{"sport", "dport"} {
				a, errA := parse(dir, pair[0], port)
				b, errB := parse(dir, pair[1], port)
				if errA != nil || errB != nil {
					t.Fatalf("%s %s/%s %s: %v %v", dir, pair[0], pair[1], port, errA, errB)
				}
				for i, v := range filterViews {
					if a.match(v) == b.match(v) {
						t.Fatalf("%s %s %s and %s %s %s agree on socket %d", dir, pair[0], port, dir, pair[1], port, i)
					}
				}
			}
		}
	})
}

// refMatch is fnmatch by plain recursion: a '*' tries every split of
// the name, as glibc's internal_fnmatch does before its "ends" record
// commits to one. Exponential in the number of stars, so only for small
// inputs: the reference the one-backtrack matcher must agree with. Both
// share element(), glibc's matching of one element against one byte
// (checked against iproute2's ss in TestFilterFnmatchOracle).
func refMatch(p, n string) bool {
	if p == "" {
		return n == ""
	}
	if p[0] == '*' {
		for i := 0; i <= len(n); i++ {
			if refMatch(p[1:], n[i:]) {
				return true
			}
		}
		return false
	}
	if n == "" {
		return false
	}
	next, ok := element(p, 0, n[0])
	return ok && refMatch(p[next:], n[1:])
}

// FuzzFnmatch: the matcher ss uses on socket names other users choose
// agrees with the reference on small inputs, and never takes more than
// (len(pattern)+1) * (len(name)+1) steps (steps counted, not time).
func FuzzFnmatch(f *testing.F) {
	f.Add("*a*a*a*a*a*a*a*b", strings.Repeat("a", 60))
	f.Add("/tmp/*.sock", "/tmp/X.SOCK")
	f.Add("@[a-f]*[!0-9]?", "@beef1x")
	f.Add("[[:alpha:]]*[]]", "Q]")
	f.Add("[a", "[a")
	f.Add("*[?[!", "x[.[!")
	f.Add("\\*\\", "*\\")
	f.Add("[[.a.]-z][=b=]", "cb")
	f.Fuzz(func(t *testing.T, p, n string) {
		got, steps := fnmatchSteps(p, n)
		p, n = cString(p), cString(n)
		if bound := (len(p) + 1) * (len(n) + 1); steps > bound {
			t.Fatalf("fnmatch(%q, %q): %d steps, bound %d", p, n, steps, bound)
		}
		if len(p) <= 16 && len(n) <= 24 && strings.Count(p, "*") <= 6 {
			if want := refMatch(p, n); got != want {
				t.Fatalf("fnmatch(%q, %q) = %v, reference %v", p, n, got, want)
			}
		}
	})
}

// textLines gives the lines of b as passwdName reads them.
func textLines(b []byte) func(func(string) bool) {
	return func(fn func(string) bool) { eachLine(b, fn) }
}
