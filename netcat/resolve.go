package netcat

import (
	"errors"
	"net/netip"
	"syscall"

	"nsbox/resolve"
)

// gai error strings, as glibc's gai_strerror(3) words them.
var (
	eaiNoName     = resolve.NoName.Error()
	eaiAddrFamily = resolve.AddrFamily.Error()
)

// parseNumeric parses an IPv4 (inet_aton forms) or IPv6 literal (with
// an optional %zone), as getaddrinfo does under AI_NUMERICHOST.
func parseNumeric(host string) (netip.Addr, bool) {
	return resolve.ParseNumeric(host)
}

// lookupHost resolves host for family (0 = any): numeric addresses as
// they are, names through /etc/hosts and DNS (package resolve);
// numericOnly (-n) refuses names. The error is the gai string, for the
// caller to put in netcat-openbsd's sentence.
func lookupHost(host string, family int, numericOnly bool) ([]netip.Addr, string) {
	if numericOnly {
		if _, ok := parseNumeric(host); !ok {
			return nil, eaiNoName
		}
	}
	addrs, err := resolve.Lookup(host, family)
	if err != nil {
		return nil, err.Error()
	}
	out := make([]netip.Addr, 0, len(addrs))
	for _, a := range addrs {
		a = a.Unmap()
		if !contains(out, a) {
			out = append(out, a)
		}
	}
	return out, ""
}

func contains(list []netip.Addr, a netip.Addr) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

// reverseName is getnameinfo(3) without NI_NUMERICHOST: the first name
// of addr from /etc/hosts or DNS, or its numeric form.
func reverseName(a netip.Addr) string {
	if a.IsUnspecified() {
		return a.String()
	}
	name, err := resolve.Reverse(a)
	if err != nil || name == "" {
		return a.String()
	}
	return name
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
