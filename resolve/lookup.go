package resolve

import (
	"net/netip"
	"os"
	"strconv"
	"strings"

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
	if host == "" {
		return nil, NoName
	}
	if a, ok := ParseNumeric(host); ok {
		if (family == unix.AF_INET && !a.Is4()) || (family == unix.AF_INET6 && !a.Is6()) {
			return nil, AddrFamily
		}
		if z := a.Zone(); z != "" && !validZone(a, z) {
			return nil, NoName
		}
		return []netip.Addr{a}, nil
	}
	if !validName(host) {
		return nil, NoName
	}
	if addrs := hostsFamily(r.hosts().Addrs(host), family); len(addrs) > 0 {
		return sortAddrs(addrs), nil
	}
	if isLocalhost(host) {
		// RFC 6761 section 6.3: localhost is loopback, no DNS asked
		// (Go's resolver does the same when /etc/hosts is silent).
		lo := []netip.Addr{netip.IPv6Loopback(), netip.AddrFrom4([4]byte{127, 0, 0, 1})}
		return sortAddrs(ofFamily(lo, family)), nil
	}
	addrs, err := r.dns(host, family)
	if err != nil {
		return nil, err
	}
	return sortAddrs(addrs), nil
}

func (r *Resolver) Reverse(a netip.Addr) (string, error) {
	a = a.Unmap()
	if names := r.hosts().Names(a.WithZone("")); len(names) > 0 {
		return names[0], nil
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
	return ParseConf(b)
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

// hostsFamily is ofFamily for /etc/hosts entries: asked for IPv4,
// glibc's files backend reads "::1" as 127.0.0.1.
func hostsFamily(addrs []netip.Addr, family int) []netip.Addr {
	if family == unix.AF_INET {
		var out []netip.Addr
		for _, a := range addrs {
			if a == netip.IPv6Loopback() {
				a = netip.AddrFrom4([4]byte{127, 0, 0, 1})
			}
			if a.Is4() && !contains(out, a) {
				out = append(out, a)
			}
		}
		return out
	}
	return ofFamily(addrs, family)
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
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	return h == "localhost" || strings.HasSuffix(h, ".localhost")
}

// validName: what res_mkquery can put in a question (no empty labels,
// none longer than 63 bytes, 253 characters at most).
func validName(host string) bool {
	_, err := appendName(nil, host)
	return err == nil && host != "."
}
