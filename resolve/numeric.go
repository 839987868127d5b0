package resolve

import (
	"net/netip"
	"strconv"
	"strings"
)

// ParseNumeric parses host as getaddrinfo(3) does under AI_NUMERICHOST:
// IPv4 in inet_aton(3)'s forms ("127.1", "0x7f.0.0.1", "010.0.0.1"),
// IPv6 per inet_pton(3) with an optional "%zone". The zone is kept as
// written; Lookup checks that it names an interface.
func ParseNumeric(host string) (netip.Addr, bool) {
	if strings.IndexByte(host, ':') >= 0 {
		a, err := netip.ParseAddr(host)
		if err != nil || !a.Is6() {
			return netip.Addr{}, false
		}
		return a, true
	}
	return inetAton(host)
}

// inetAton is glibc's __inet_aton_exact: one to four numbers separated
// by dots, each in C notation (0x hex, leading 0 octal, else decimal);
// the last fills the remaining bytes.
func inetAton(s string) (netip.Addr, bool) {
	if s == "" {
		return netip.Addr{}, false
	}
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var v [4]uint64
	for i, p := range parts {
		n, ok := cNumber(p)
		if !ok {
			return netip.Addr{}, false
		}
		v[i] = n
	}
	last := len(parts) - 1
	for i := 0; i < last; i++ {
		if v[i] > 0xff {
			return netip.Addr{}, false
		}
	}
	if v[last] > 0xffffffff>>(8*last) {
		return netip.Addr{}, false
	}
	var b [4]byte
	for i := 0; i < last; i++ {
		b[i] = byte(v[i])
	}
	rest := v[last]
	for i := 3; i >= last; i-- {
		b[i] = byte(rest)
		rest >>= 8
	}
	return netip.AddrFrom4(b), true
}

// cNumber reads an unsigned number as strtoul(s, NULL, 0) would, the
// whole string only.
func cNumber(p string) (uint64, bool) {
	base := 10
	switch {
	case len(p) > 1 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'):
		base, p = 16, p[2:]
		if p == "" {
			return 0, true // "0x" is 0 to inet_aton
		}
	case len(p) > 1 && p[0] == '0':
		base, p = 8, p[1:]
	}
	if p == "" || p[0] == '+' || p[0] == '-' {
		return 0, false
	}
	n, err := strconv.ParseUint(p, base, 32)
	if err != nil {
		return 0, false
	}
	return n, true
}
