package resolve

import (
	"strings"
	"testing"
)

// FuzzParseResponse feeds bytes from the network to the reply decoder:
// errors are fine; what it accepts must be consistent (addresses of the
// right family, names within RFC 1035's limits), and following the
// CNAME chain must end.
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
		for _, qt := range []uint16{typeA, typeAAAA} {
			addrs, _ := r.addrs(r.Question, qt)
			for _, a := range addrs {
				if a.Is4() != (qt == typeA) {
					t.Fatalf("type %d gave %v", qt, a)
				}
			}
		}
	})
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
