package ipcmd

import (
	"net/netip"
	"strings"

	"golang.org/x/sys/unix"
)

// prefix is iproute2's inet_prefix: an address or a prefix as
// get_addr_1() and get_prefix_1() read it from a word.
type prefix struct {
	family uint8
	// addr is the address; invalid when bytelen is 0 ("any", "all",
	// and "default" when no family is known).
	addr    netip.Addr
	bytelen int
	// bits is bitlen: the prefix length after get_prefix; after
	// get_addr -1 for an address and -2 for default/any/all.
	bits      int
	specified bool // PREFIXLEN_SPECIFIED: "/N" was given, or "default"
}

// netip is the prefix as a netip.Prefix; the zero Prefix when there is
// no address.
func (p prefix) netip() netip.Prefix {
	if !p.addr.IsValid() {
		return netip.Prefix{}
	}
	bits := p.bits
	if bits < 0 {
		bits = p.addr.BitLen()
	}
	return netip.PrefixFrom(p.addr, bits)
}

// afBitLen is af_bit_len().
func afBitLen(f uint8) int {
	switch f {
	case unix.AF_INET6:
		return 128
	case unix.AF_INET:
		return 32
	case unix.AF_MPLS:
		return 20
	}
	return 0
}

func familyVerbose(f uint8) string {
	switch f {
	case unix.AF_INET:
		return "inet"
	case unix.AF_INET6:
		return "inet6"
	case unix.AF_UNSPEC:
		return "any valid"
	}
	return familyName(f)
}

// getAddr1 is get_addr_1(): "default", "all", "any", an IPv6 address
// (inet_pton), or an IPv4 one as get_addr_ipv4 reads it ("10.8" is
// 10.8.0.0; each part strtoul with base 0).
func getAddr1(name string, family uint8) (prefix, bool) {
	switch name {
	case "default":
		if family == unix.AF_MPLS {
			return prefix{}, false
		}
		p := prefix{family: family, bytelen: afBitLen(family) / 8, bits: -2, specified: true}
		switch family {
		case unix.AF_INET:
			p.addr = netip.IPv4Unspecified()
		case unix.AF_INET6:
			p.addr = netip.IPv6Unspecified()
		}
		return p, true
	case "all", "any":
		if family == unix.AF_MPLS {
			return prefix{}, false
		}
		return prefix{family: family, bits: -2}, true
	}
	if family == unix.AF_PACKET || family == unix.AF_MPLS {
		return prefix{}, false // link-layer and MPLS addresses: not here
	}
	if strings.Contains(name, ":") {
		if family != unix.AF_UNSPEC && family != unix.AF_INET6 {
			return prefix{}, false
		}
		a, err := netip.ParseAddr(name)
		if err != nil || a.Zone() != "" {
			return prefix{}, false
		}
		if a.Is4() { // inet_pton(AF_INET6) reads no bare IPv4 address
			return prefix{}, false
		}
		return prefix{family: unix.AF_INET6, addr: a, bytelen: 16, bits: -1}, true
	}
	if family != unix.AF_UNSPEC && family != unix.AF_INET {
		return prefix{}, false
	}
	a, ok := getAddrIPv4(name)
	if !ok {
		return prefix{}, false
	}
	return prefix{family: unix.AF_INET, addr: a, bytelen: 4, bits: -1}, true
}

// getAddrIPv4 is get_addr_ipv4(): up to four parts, each strtoul with
// base 0 and at most 255, separated by dots; missing parts are 0.
func getAddrIPv4(s string) (netip.Addr, bool) {
	var b [4]byte
	for i := 0; i < 4; i++ {
		end := i < 3
		part := s
		if j := strings.IndexByte(s, '.'); j >= 0 && end {
			part = s[:j]
			s = s[j+1:]
		} else {
			end = false
			s = ""
		}
		n, overflow, ok := strtoul(part, 0)
		if !ok || overflow || n > 255 {
			return netip.Addr{}, false
		}
		b[i] = byte(n)
		if !end {
			if s != "" {
				return netip.Addr{}, false
			}
			break
		}
		if s == "" && i < 3 {
			return netip.Addr{}, false // "1.2." : no digits after the dot
		}
	}
	return netip.AddrFrom4(b), true
}

// getPrefix1 is get_prefix_1(): an address, "/" and a length (a number
// or a dotted netmask), or default/any/all (length 0).
func getPrefix1(arg string, family uint8) (prefix, bool) {
	a, l, slash := strings.Cut(arg, "/")
	p, ok := getAddr1(a, family)
	if !ok {
		return prefix{}, false
	}
	bits := afBitLen(p.family)
	if slash {
		if p.bits == -2 {
			return prefix{}, false
		}
		plen, ok := getNetmask(l)
		if !ok || plen > uint32(bits) {
			return prefix{}, false
		}
		p.specified = true
		bits = int(plen)
	} else if p.bits == -2 {
		bits = 0
	}
	p.bits = bits
	return p, true
}

// getNetmask is get_netmask(): a number, or a dotted IPv4 netmask.
func getNetmask(s string) (uint32, bool) {
	if v, ok := getUnsigned(s); ok {
		return v, true
	}
	if m, ok := getAddr1(s, unix.AF_INET); ok && m.family == unix.AF_INET && m.addr.IsValid() {
		if b, ok := maskBits(m.addr); ok {
			return uint32(b), true
		}
	}
	return 0, false
}

// maskBits is mask2bits(): the length of a netmask (2^n-1 host bits).
func maskBits(m netip.Addr) (int, bool) {
	b := m.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	host := ^v
	if host&(host+1) != 0 {
		return 0, false
	}
	n := 0
	for ; v != 0; v <<= 1 {
		n++
	}
	return n, true
}

// nextPrefix is NEXT_ARG() and get_prefix() of the word it reads.
func nextPrefix(args *[]string, family uint8) (prefix, error) {
	v, err := nextArg(args)
	if err != nil {
		return prefix{}, err
	}
	return getPrefix(v, family)
}

// getPrefix is get_prefix(): on error iproute2 exits 1 on the spot.
func getPrefix(arg string, family uint8) (prefix, error) {
	if family == unix.AF_PACKET {
		return prefix{}, exitf("Error: \"%s\" may be inet prefix, but it is not allowed in this context.", arg)
	}
	p, ok := getPrefix1(arg, family)
	if !ok {
		return prefix{}, exitf("Error: %s prefix is expected rather than \"%s\".", familyVerbose(family), arg)
	}
	return p, nil
}

// getAddrPrefix is get_addr() with the whole inet_prefix.
func getAddrPrefix(arg string, family uint8) (prefix, error) {
	p, ok := getAddr1(arg, family)
	if !ok {
		return prefix{}, exitf("Error: %s address is expected rather than \"%s\".", familyVerbose(family), arg)
	}
	return p, nil
}

// getAddr is get_addr() for callers that want the address only.
func getAddr(arg string, family uint8) (netip.Addr, error) {
	p, err := getAddrPrefix(arg, family)
	return p.addr, err
}

// prefixFor is getPrefix for a request of family *family, which an
// unspecified family takes from the prefix.
func prefixFor(arg string, family *uint8) (prefix, error) {
	p, err := getPrefix(arg, *family)
	if err == nil && *family == unix.AF_UNSPEC {
		*family = p.family
	}
	return p, err
}

// addrFor is getAddr the same way.
func addrFor(arg string, family *uint8) (netip.Addr, error) {
	p, err := getAddrPrefix(arg, *family)
	if err == nil && *family == unix.AF_UNSPEC {
		*family = p.family
	}
	return p.addr, err
}

func familyOf(a netip.Addr) uint8 {
	if a.Is4() {
		return unix.AF_INET
	}
	return unix.AF_INET6
}

// addrMatch is inet_addr_match(): whether the first bits of a and b are
// equal (a and b of the same length).
func addrMatch(a, b netip.Addr, bits int) bool {
	if bits <= 0 {
		return true
	}
	if !a.IsValid() || !b.IsValid() || a.BitLen() != b.BitLen() || bits > a.BitLen() {
		return a == b
	}
	pa, _ := a.Prefix(bits)
	pb, _ := b.Prefix(bits)
	return pa == pb
}

// matchRTA is inet_addr_match_rta() == 0: a filter prefix m (none: its
// family is unspecified or its length not positive) against an
// attribute's address (invalid: the attribute is missing, which
// matches).
func (m prefix) matchRTA(a netip.Addr) bool {
	if !a.IsValid() || m.family == unix.AF_UNSPEC || m.bits <= 0 {
		return true
	}
	if familyOf(a) != m.family {
		return false
	}
	return addrMatch(a, m.addr, m.bits)
}

// readFamily is read_family(): a family name, AF_UNSPEC for none.
func readFamily(name string) uint8 {
	switch name {
	case "inet":
		return unix.AF_INET
	case "inet6":
		return unix.AF_INET6
	case "link":
		return unix.AF_PACKET
	case "ipx":
		return unix.AF_IPX
	case "mpls":
		return unix.AF_MPLS
	case "bridge":
		return unix.AF_BRIDGE
	}
	return unix.AF_UNSPEC
}
