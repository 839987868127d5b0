package resolve

import (
	"bytes"
	"net/netip"
	"strings"
)

// Hosts is /etc/hosts, hosts(5): an address, then its canonical name and
// aliases, blank-separated; '#' starts a comment. Lines that do not
// parse are skipped, as glibc's files backend does.
type Hosts struct {
	byName map[string][]hostEnt    // lower-cased name -> entries, in file order
	byAddr map[netip.Addr][]string // address -> names, in file order
}

// hostEnt is one address for a name and the canonical name (the first
// name) of the line it is on.
type hostEnt struct {
	addr  netip.Addr
	canon string
}

// ParseHosts reads a hosts file.
func ParseHosts(b []byte) *Hosts {
	h := newHosts()
	eachLine(b, func(line []byte) bool {
		h.add(line, nil)
		return true
	})
	return h
}

func newHosts() *Hosts {
	return &Hosts{byName: map[string][]hostEnt{}, byAddr: map[netip.Addr][]string{}}
}

// add adds the names of one line of a hosts file, if it parses and keep
// (nil: every line) wants it: keep sees the address and the names.
func (h *Hosts) add(line []byte, keep func(a netip.Addr, names []string) bool) {
	if i := bytes.IndexByte(line, '#'); i >= 0 {
		line = line[:i]
	}
	f := strings.Fields(string(line))
	if len(f) < 2 {
		return
	}
	a, ok := hostsAddr(f[0])
	if !ok || keep != nil && !keep(a, f[1:]) {
		return
	}
names:
	for _, name := range f[1:] {
		key := hostsKey(name)
		if key == "" {
			continue
		}
		for _, e := range h.byName[key] {
			if e.addr == a {
				continue names
			}
		}
		h.byName[key] = append(h.byName[key], hostEnt{a, f[1]})
		h.byAddr[a] = append(h.byAddr[a], name)
	}
}

// hostsKey is the name as hosts lookups compare it: case folded, a
// trailing dot ignored.
func hostsKey(name string) string { return lowerASCII(strings.TrimSuffix(name, ".")) }

// eachLine calls fn with every line of b ("\n" cut) until it returns false.
func eachLine(b []byte, fn func(line []byte) bool) {
	for len(b) > 0 {
		var line []byte
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			line, b = b, nil
		}
		if !fn(line) {
			return
		}
	}
}

// hostsAddr is the address column: inet_pton(3) for IPv6 (a zone is
// kept), inet_aton(3)'s forms for IPv4 as glibc accepts them there.
func hostsAddr(s string) (netip.Addr, bool) {
	a, ok := ParseNumeric(s)
	if !ok {
		return a, false
	}
	return a.Unmap(), true
}

// Addrs returns the addresses for name (case-insensitive, a trailing
// dot ignored), in file order.
func (h *Hosts) Addrs(name string) []netip.Addr {
	var out []netip.Addr
	for _, e := range h.entries(name) {
		out = append(out, e.addr)
	}
	return out
}

func (h *Hosts) entries(name string) []hostEnt {
	if h == nil {
		return nil
	}
	return h.byName[hostsKey(name)]
}

// Names returns the names for a, canonical name first.
func (h *Hosts) Names(a netip.Addr) []string {
	if h == nil {
		return nil
	}
	return h.byAddr[a]
}

func contains(list []netip.Addr, a netip.Addr) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

// lowerASCII folds A-Z only, as strcasecmp(3) in the C locale (and DNS,
// RFC 4343) compare names.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
