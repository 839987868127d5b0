package resolve

import (
	"net/netip"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/sys/unix"
)

// Resolver holds where the files are; the zero value reads the system's.
type Resolver struct {
	HostsPath string // "" means /etc/hosts
	ConfPath  string // "" means /etc/resolv.conf

	// Hosts and Conf, when set, are used instead of reading the files.
	Hosts *Hosts
	Conf  *Config
}

// Default is the system's resolver.
var Default = &Resolver{}

// Lookup resolves host for family (0 = any, unix.AF_INET or
// unix.AF_INET6) as getaddrinfo(3) with "hosts: files dns" does:
// a numeric address as it is, else /etc/hosts, else DNS. The error is a
// Code. Addresses come in the order a connecting program should try
// them (RFC 6724 destination address selection, as glibc sorts them).
func Lookup(host string, family int) ([]netip.Addr, error) {
	return Default.Lookup(host, family)
}

// Reverse is getnameinfo(3) with NI_NAMEREQD: the name of a from
// /etc/hosts or DNS (PTR).
func Reverse(a netip.Addr) (string, error) {
	return Default.Reverse(a)
}

func (r *Resolver) Lookup(host string, family int) ([]netip.Addr, error) {
	if family == unix.AF_INET && digitsDots(host) {
		// Asked for IPv4 only and no canonical name, getaddrinfo
		// takes gethostbyname2_r's path, whose
		// __nss_hostname_digits_dots refuses a name of digits and
		// dots (no dot at its end) that inet_aton does not take,
		// without asking /etc/hosts or DNS: "-4 999.1.1.1".
		if a, ok := ParseNumeric(host); ok && a.Is4() {
			return []netip.Addr{a}, nil
		}
		return nil, NoName
	}
	addrs, _, err := r.LookupCanon(host, family)
	return addrs, err
}

// digitsDots: host starts with a digit, has only digits and dots, and
// does not end in a dot (glibc's nss/digits_dots.c).
func digitsDots(host string) bool {
	if host == "" || host[0] < '0' || host[0] > '9' || host[len(host)-1] == '.' {
		return false
	}
	for i := 0; i < len(host); i++ {
		if c := host[i]; c != '.' && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// LookupCanon is Lookup under AI_CANONNAME: it also returns the
// canonical name (a numeric host as given, the first name of the hosts
// line, or the name DNS answered for at the end of its CNAME chain,
// search domain included). A name that came from DNS is a valid host
// name (res_hnok); one from the hosts file is made printable.
func (r *Resolver) LookupCanon(host string, family int) ([]netip.Addr, string, error) {
	if host == "" {
		return nil, "", NoName
	}
	if a, ok := ParseNumeric(host); ok {
		if (family == unix.AF_INET && !a.Is4()) || (family == unix.AF_INET6 && !a.Is6()) {
			return nil, "", AddrFamily
		}
		if z := a.Zone(); z != "" && !validZone(a, z) {
			return nil, "", NoName
		}
		return []netip.Addr{a}, host, nil
	}
	if !validName(host) {
		return nil, "", NoName
	}
	if addrs, canon := hostsFamily(r.hosts().entries(host), family); len(addrs) > 0 {
		return sortAddrs(addrs), printable(canon), nil
	}
	if isLocalhost(host) {
		// RFC 6761 section 6.3: localhost is loopback, no DNS asked
		// (Go's resolver does the same when /etc/hosts is silent).
		lo := []netip.Addr{netip.IPv6Loopback(), netip.AddrFrom4([4]byte{127, 0, 0, 1})}
		return sortAddrs(ofFamily(lo, family)), strings.TrimSuffix(host, "."), nil
	}
	if !hostnameOK(host) {
		return nil, "", NoName // glibc's DNS backend asks nothing for it
	}
	addrs, canon, err := r.dns(host, family)
	if err != nil {
		return nil, "", err
	}
	return sortAddrs(addrs), canon, nil
}

// Reverse's name is printable: a host name from DNS that passed
// res_hnok, or a hosts file name with its control bytes escaped.
func (r *Resolver) Reverse(a netip.Addr) (string, error) {
	a = a.Unmap()
	if names := r.hosts().Names(a.WithZone("")); len(names) > 0 {
		return printable(names[0]), nil
	}
	return r.ptr(a.WithZone(""))
}

// hosts reads the hosts file afresh (a missing file is an empty one).
func (r *Resolver) hosts() *Hosts {
	if r.Hosts != nil {
		return r.Hosts
	}
	p := r.HostsPath
	if p == "" {
		p = "/etc/hosts"
	}
	b, _ := os.ReadFile(p)
	return ParseHosts(b)
}

func (r *Resolver) conf() *Config {
	if r.Conf != nil {
		return r.Conf
	}
	p := r.ConfPath
	if p == "" {
		p = "/etc/resolv.conf"
	}
	b, _ := os.ReadFile(p)
	c := ParseConf(b)
	c.env(os.Getenv("LOCALDOMAIN"), os.Getenv("RES_OPTIONS"))
	return c
}

func ofFamily(addrs []netip.Addr, family int) []netip.Addr {
	var out []netip.Addr
	for _, a := range addrs {
		if (family == unix.AF_INET && !a.Is4()) || (family == unix.AF_INET6 && !a.Is6()) {
			continue
		}
		out = append(out, a)
	}
	return out
}

// hostsFamily picks the entries of family and the canonical name of
// the first. Asked for IPv4, glibc's files backend reads "::1" as
// 127.0.0.1.
func hostsFamily(ents []hostEnt, family int) ([]netip.Addr, string) {
	var out []netip.Addr
	canon := ""
	for _, e := range ents {
		a := e.addr
		if family == unix.AF_INET && a == netip.IPv6Loopback() {
			a = netip.AddrFrom4([4]byte{127, 0, 0, 1})
		}
		if (family == unix.AF_INET && !a.Is4()) || (family == unix.AF_INET6 && !a.Is6()) || contains(out, a) {
			continue
		}
		if canon == "" {
			canon = e.canon
		}
		out = append(out, a)
	}
	return out, canon
}

// validZone is glibc's __inet6_scopeid_pton: an interface name for a
// link-local unicast or multicast address, else a decimal index.
func validZone(a netip.Addr, z string) bool {
	if a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() {
		if _, err := IfIndex(z); err == nil {
			return true
		}
	}
	_, err := strconv.ParseUint(z, 10, 32)
	return err == nil
}

func isLocalhost(host string) bool {
	h := lowerASCII(strings.TrimSuffix(host, "."))
	return h == "localhost" || strings.HasSuffix(h, ".localhost")
}

// hostnameOK is glibc's res_hnok: labels of letters, digits, '-' and
// '_', the name not starting with '-'.
func hostnameOK(host string) bool {
	if strings.HasPrefix(host, "-") {
		return false
	}
	for i := 0; i < len(host); i++ {
		c := host[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// printable is a name from a file as it may go to a terminal: control
// bytes (C0, DEL, C1) and bytes that are not UTF-8 written as \DDD, as
// ns_name_ntop writes them; the rest, UTF-8 letters included, as it is
// (glibc prints a hosts file name raw).
func printable(name string) string {
	var b []byte // nil until something needs escaping
	for i := 0; i < len(name); {
		r, n := utf8.DecodeRuneInString(name[i:])
		if r < 0x20 || (r >= 0x7f && r < 0xa0) || (r == utf8.RuneError && n == 1) {
			if b == nil {
				b = []byte(name[:i])
			}
			b = appendLabel(b, []byte(name[i:i+n]))
		} else if b != nil {
			b = append(b, name[i:i+n]...)
		}
		i += n
	}
	if b == nil {
		return name
	}
	return string(b)
}

// validName: what res_mkquery can put in a question (no empty labels,
// none longer than 63 bytes, 253 characters at most).
func validName(host string) bool {
	_, err := appendName(nil, host)
	return err == nil && host != "."
}
