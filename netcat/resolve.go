package netcat

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// resolver is Go's own resolver: /etc/hosts, then DNS per
// /etc/resolv.conf; no libc, no NSS modules.
var resolver = &net.Resolver{PreferGo: true}

// gai error strings, as glibc's gai_strerror(3) words them.
const (
	eaiNoName     = "Name or service not known"
	eaiAgain      = "Temporary failure in name resolution"
	eaiAddrFamily = "Address family for hostname not supported"
	eaiNoData     = "No address associated with hostname"
)

// parseNumeric parses an IPv4 or IPv6 literal (with an optional %zone).
func parseNumeric(host string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return a, true
}

// lookupHost resolves host for family (0 = any). Numeric addresses never
// touch a resolver; numericOnly (-n) refuses names. The error is the gai
// string, for the caller to put in netcat-openbsd's sentence.
func lookupHost(host string, family int, numericOnly bool) ([]netip.Addr, string) {
	if a, ok := parseNumeric(host); ok {
		if (family == unix.AF_INET && !a.Is4()) || (family == unix.AF_INET6 && a.Is4()) {
			return nil, eaiAddrFamily
		}
		return []netip.Addr{a}, ""
	}
	if numericOnly || host == "" {
		return nil, eaiNoName
	}
	network := "ip"
	switch family {
	case unix.AF_INET:
		network = "ip4"
	case unix.AF_INET6:
		network = "ip6"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	addrs, err := resolver.LookupNetIP(ctx, network, host)
	if err != nil {
		var de *net.DNSError
		if errors.As(err, &de) {
			switch {
			case de.IsNotFound:
				return nil, eaiNoName
			case de.IsTimeout, de.IsTemporary:
				return nil, eaiAgain
			}
		}
		var ae *net.AddrError
		if errors.As(err, &ae) {
			return nil, eaiNoData
		}
		return nil, eaiNoName
	}
	out := make([]netip.Addr, 0, len(addrs))
	seen := map[netip.Addr]bool{}
	for _, a := range addrs {
		a = a.Unmap()
		if seen[a] {
			continue
		}
		seen[a] = true
		if family == unix.AF_INET6 && a.Is4() {
			continue
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, eaiNoData
	}
	return out, ""
}

// reverseName is getnameinfo(3) without NI_NUMERICHOST: the first name
// of addr from /etc/hosts or DNS, or its numeric form. The wait is
// bounded so that a lab without a reachable DNS server stays usable.
func reverseName(a netip.Addr) string {
	if a.IsUnspecified() {
		return a.String()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	names, err := resolver.LookupAddr(ctx, a.String())
	if err != nil || len(names) == 0 || names[0] == "" {
		return a.String()
	}
	return strings.TrimSuffix(names[0], ".")
}

// strerror words an errno as glibc's strerror(3) does (Go's table holds
// the same sentences, starting in lower case).
func strerror(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		if s != "" && s[0] >= 'a' && s[0] <= 'z' {
			s = string(s[0]-'a'+'A') + s[1:]
		}
		return s
	}
	return err.Error()
}
