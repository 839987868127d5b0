package resolve

import (
	"net/netip"

	"golang.org/x/sys/unix"
)

// Destination address selection, RFC 6724 section 6, as glibc's
// getaddrinfo sorts its results (rfc3484_sort) with the default policy
// table. The source address each destination would get comes from
// connecting a UDP socket to it (no packet is sent); one that gets none
// is unusable and goes last.

type policy struct {
	prefix     [16]byte // the table's prefixes, IPv4 as ::ffff:a.b.c.d
	bits       int
	precedence int
	label      int
}

// The default policy table, RFC 6724 section 2.1, most specific first;
// static data, no parsing at start.
var policies = [...]policy{
	{[16]byte{15: 1}, 128, 50, 0},             // ::1/128
	{[16]byte{10: 0xff, 11: 0xff}, 96, 35, 4}, // ::ffff:0:0/96
	{[16]byte{0x20, 0x02}, 16, 30, 2},         // 2002::/16
	{[16]byte{0x20, 0x01}, 32, 5, 5},          // 2001::/32
	{[16]byte{0xfc}, 7, 3, 13},                // fc00::/7
	{[16]byte{}, 96, 1, 3},                    // ::/96
	{[16]byte{0xfe, 0xc0}, 10, 1, 11},         // fec0::/10
	{[16]byte{0x3f, 0xfe}, 16, 1, 12},         // 3ffe::/16
	{[16]byte{}, 0, 40, 1},                    // ::/0
}

func classify(a netip.Addr) policy {
	m := a.As16() // IPv4 as ::ffff:a.b.c.d, zone dropped
	for _, p := range policies {
		if commonPrefix(m, p.prefix) >= p.bits {
			return p
		}
	}
	return policies[len(policies)-1]
}

// scope is RFC 6724 section 3.1's: IPv4 loopback and link-local are
// link-local (2), other IPv4 global (14); IPv6 multicast carries its own.
func scope(a netip.Addr) int {
	switch {
	case a.Is4():
		b := a.As4()
		if b[0] == 127 || (b[0] == 169 && b[1] == 254) {
			return 2
		}
		return 14
	case a.IsMulticast():
		return int(a.As16()[1] & 0xf)
	case a.IsLoopback(), a.IsLinkLocalUnicast():
		return 2
	case a.As16()[0] == 0xfe && a.As16()[1]&0xc0 == 0xc0: // fec0::/10
		return 5
	}
	return 14
}

// source is the address the kernel would send from to reach dst.
func source(dst netip.Addr) (netip.Addr, bool) {
	var sa unix.Sockaddr
	af := unix.AF_INET
	if dst.Is4() {
		sa = &unix.SockaddrInet4{Port: 9, Addr: dst.As4()}
	} else {
		af = unix.AF_INET6
		s6 := &unix.SockaddrInet6{Port: 9, Addr: dst.As16()}
		if z := dst.Zone(); z != "" {
			s6.ZoneId, _ = ZoneIndex(z)
		}
		sa = s6
	}
	fd, err := unix.Socket(af, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return netip.Addr{}, false
	}
	defer unix.Close(fd)
	if unix.Connect(fd, sa) != nil {
		return netip.Addr{}, false
	}
	lsa, err := unix.Getsockname(fd)
	if err != nil {
		return netip.Addr{}, false
	}
	switch s := lsa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrFrom4(s.Addr), true
	case *unix.SockaddrInet6:
		return netip.AddrFrom16(s.Addr), true
	}
	return netip.Addr{}, false
}

// info is one destination with what rules 1-9 compare.
type info struct {
	dst, src   netip.Addr
	ok         bool
	pd, ps     policy
	sd, ss     int
	commonBits int
}

// sortAddrs orders addrs by rules 1, 2, 5, 6, 8 and 9 (the rest need
// state a static binary does not have: deprecated, home and temporary
// addresses); equal ones keep their order (rule 10).
func sortAddrs(addrs []netip.Addr) []netip.Addr {
	if len(addrs) < 2 {
		return addrs
	}
	in := make([]info, len(addrs))
	for i, a := range addrs {
		src, ok := source(a)
		in[i] = info{dst: a, src: src, ok: ok, pd: classify(a), sd: scope(a)}
		if ok {
			in[i].ps, in[i].ss = classify(src), scope(src)
			if a.Is6() && src.Is6() {
				in[i].commonBits = commonPrefix(a.As16(), src.As16())
			}
		}
	}
	// Insertion sort, stable: a handful of addresses (as slices.SortStableFunc
	// does for up to 20; one instantiation fewer in the binary).
	for i := 1; i < len(in); i++ {
		for j := i; j > 0 && rfc6724Cmp(&in[j], &in[j-1]) < 0; j-- {
			in[j], in[j-1] = in[j-1], in[j]
		}
	}
	for i := range in {
		addrs[i] = in[i].dst
	}
	return addrs
}

// rfc6724Cmp is < 0 if a goes before b.
func rfc6724Cmp(a, b *info) int {
	if a.ok != b.ok { // rule 1: avoid unusable destinations
		return bool2cmp(a.ok, b.ok)
	}
	if !a.ok {
		return 0
	}
	if ma, mb := a.sd == a.ss, b.sd == b.ss; ma != mb { // rule 2: matching scope
		return bool2cmp(ma, mb)
	}
	if ma, mb := a.pd.label == a.ps.label, b.pd.label == b.ps.label; ma != mb { // rule 5
		return bool2cmp(ma, mb)
	}
	if a.pd.precedence != b.pd.precedence { // rule 6
		return b.pd.precedence - a.pd.precedence
	}
	if a.sd != b.sd { // rule 8: smaller scope
		return a.sd - b.sd
	}
	if a.dst.Is6() && b.dst.Is6() && a.commonBits != b.commonBits { // rule 9
		return b.commonBits - a.commonBits
	}
	return 0
}

func bool2cmp(a, b bool) int {
	if a {
		return -1
	}
	return 1
}

func commonPrefix(a, b [16]byte) int {
	n := 0
	for i := 0; i < 16; i++ {
		x := a[i] ^ b[i]
		if x == 0 {
			n += 8
			continue
		}
		for x&0x80 == 0 {
			n++
			x <<= 1
		}
		break
	}
	return n
}
