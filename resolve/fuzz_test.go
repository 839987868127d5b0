package resolve

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzParseResponse feeds bytes from the network to the reply decoder:
// errors are fine; what it accepts must be consistent (addresses of the
// right family, names within RFC 1035's limits and printable), and
// following the CNAME chain must end on a canonical name that is a host
// name (res_hnok) or the question itself.
func FuzzParseResponse(f *testing.F) {
	q, _ := appendQuery(nil, 7, "www.example.com", typeA)
	f.Add(reply(q, 0x8180, rr([]byte{0xc0, 12}, typeA, []byte{192, 0, 2, 1})))
	f.Add(reply(q, 0x8180, rr([]byte{0xc0, 12}, typeCNAME, []byte{1, 'x', 0xc0, 12})))
	f.Add(reply(q, 0x8383))
	f.Fuzz(func(t *testing.T, msg []byte) {
		r, err := ParseResponse(msg)
		if err != nil {
			return
		}
		if len(r.Question) > 4*maxName {
			t.Fatalf("question of %d bytes", len(r.Question))
		}
		for _, rec := range r.Answers {
			switch rec.Type {
			case typeA:
				if !rec.Addr.Is4() {
					t.Fatalf("A %v", rec.Addr)
				}
			case typeAAAA:
				if !rec.Addr.Is6() {
					t.Fatalf("AAAA %v", rec.Addr)
				}
			}
		}
		for _, n := range append([]string{r.Question}, names(r.Answers)...) {
			for i := 0; i < len(n); i++ {
				if n[i] <= ' ' || n[i] >= 0x7f {
					t.Fatalf("name %q holds byte %#x", n, n[i])
				}
			}
		}
		for _, qt := range []uint16{typeA, typeAAAA} {
			addrs, canon := r.addrs(r.Question, qt)
			for _, a := range addrs {
				if a.Is4() != (qt == typeA) {
					t.Fatalf("type %d gave %v", qt, a)
				}
			}
			if canon != r.Question && !hostnameOK(canon) {
				t.Fatalf("canonical name %q is no host name", canon)
			}
		}
	})
}

func names(rs []Record) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Name, r.Target)
	}
	return out
}

// FuzzParseHosts: every name the parser keeps resolves to addresses
// that list it back.
func FuzzParseHosts(f *testing.F) {
	f.Add([]byte("127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\nff02::1 ip6-allnodes\n"))
	f.Add([]byte("# c\n10.1 a b # x\nfe80::1%eth0 ll\n\t192.0.2.1\tWeb.\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h := ParseHosts(b)
		for name, ents := range h.byName {
			if name == "" || name != lowerASCII(name) || len(ents) == 0 {
				t.Fatalf("key %q: %v", name, ents)
			}
			for _, e := range ents {
				if !e.addr.IsValid() || e.canon == "" {
					t.Fatalf("%q: entry %+v", name, e)
				}
				found := false
				for _, n := range h.Names(e.addr) {
					found = found || lowerASCII(strings.TrimSuffix(n, ".")) == name
				}
				if !found {
					t.Fatalf("%q -> %v, not back", name, e.addr)
				}
			}
		}
	})
}

// FuzzParseConf: whatever the file says, the configuration stays within
// glibc's limits and has a server to ask.
func FuzzParseConf(f *testing.F) {
	f.Add([]byte("nameserver 192.0.2.53\nsearch a.example b.example\noptions ndots:2 timeout:1 attempts:3\n"))
	f.Add([]byte("domain lab\nnameserver ::1\nnameserver fe80::1%eth0\noptions rotate use-vc ndots:99\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c := ParseConf(b)
		if len(c.Servers) == 0 || len(c.Servers) > maxNS || len(c.Search) > maxDNSrch {
			t.Fatalf("servers %v search %v", c.Servers, c.Search)
		}
		for _, s := range c.Servers {
			if !s.Addr().IsValid() || s.Port() != 53 || s.Addr().Is4In6() {
				t.Fatalf("server %v", s)
			}
		}
		if c.Ndots < 0 || c.Ndots > maxNdots || c.Attempts < 1 || c.Attempts > maxRetry ||
			c.Timeout <= 0 || c.Timeout > maxRetrans*1e9 {
			t.Fatalf("options %+v", c)
		}
	})
}

// wireName is a reference decoder for the fuzz target below: the name
// at off in msg as uncompressed wire bytes (pointers followed, at most
// 255 bytes, reserved label types refused), written independently of
// readName.
func wireName(msg []byte, off int) ([]byte, bool) {
	var out []byte
	for hops := 0; hops <= maxHops; {
		if off >= len(msg) {
			return nil, false
		}
		l := int(msg[off])
		switch {
		case l == 0:
			out = append(out, 0)
			return out, len(out) <= maxName
		case l >= 0xc0:
			if off+1 >= len(msg) {
				return nil, false
			}
			off = (l&0x3f)<<8 | int(msg[off+1])
			hops++
		case l > maxLabel:
			return nil, false
		default:
			if off+1+l > len(msg) {
				return nil, false
			}
			out = append(out, msg[off:off+1+l]...)
			if len(out)+1 > maxName {
				return nil, false
			}
			off += 1 + l
		}
	}
	return nil, false
}

// pton is ns_name_pton(3) for what readName writes: dotted labels,
// "\c" for a special character and "\DDD" for any byte.
func pton(s string) ([]byte, bool) {
	if s == "." {
		return []byte{0}, true
	}
	var out, label []byte
	flush := func() bool {
		if len(label) == 0 || len(label) > maxLabel {
			return false
		}
		out = append(append(out, byte(len(label))), label...)
		label = label[:0]
		return true
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.':
			if !flush() {
				return nil, false
			}
		case c == '\\' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			if i+3 >= len(s) {
				return nil, false
			}
			v := 0
			for _, d := range s[i+1 : i+4] {
				if d < '0' || d > '9' {
					return nil, false
				}
				v = v*10 + int(d-'0')
			}
			if v > 255 {
				return nil, false
			}
			label = append(label, byte(v))
			i += 3
		case c == '\\' && i+1 < len(s):
			label = append(label, s[i+1])
			i++
		default:
			label = append(label, c)
		}
	}
	if !flush() {
		return nil, false
	}
	return append(out, 0), true
}

// FuzzReadName: a name from the network comes back printable (bytes
// '!' to '~' only: no control byte, no blank can reach a terminal) and
// unambiguous: read back by ns_name_pton it is exactly the name on the
// wire, label for label (a dot inside a label stays inside it), as the
// reference decoder above finds it.
func FuzzReadName(f *testing.F) {
	f.Add([]byte("\x03www\x07example\x03com\x00"), 0)
	f.Add([]byte("\x03a.b\x07example\x00"), 0)
	f.Add([]byte("\x0f\x1b[2J\x1b]0;owned\x07\x03com\x00"), 0)
	f.Add([]byte("\x04a\\\"b\x00\x01x\xc0\x00"), 6)
	f.Add([]byte("\x00"), 0)
	f.Add([]byte("\x01\xff\x01 \x00"), 0)
	f.Fuzz(func(t *testing.T, msg []byte, off int) {
		if off < 0 || off >= len(msg) {
			return
		}
		name, _, err := readName(msg, off)
		ref, ok := wireName(msg, off)
		if err != nil {
			if ok {
				t.Fatalf("readName refused %q, the reference reads %q", msg[off:], ref)
			}
			return
		}
		if !ok {
			t.Fatalf("readName took %q as %q, the reference refuses it", msg[off:], name)
		}
		for i := 0; i < len(name); i++ {
			if name[i] <= ' ' || name[i] >= 0x7f {
				t.Fatalf("%q: byte %#x printed", name, name[i])
			}
		}
		back, ok := pton(name)
		if !ok || !bytes.Equal(back, ref) {
			t.Fatalf("%q read as %q, which is %q on the wire", ref, name, back)
		}
	})
}
