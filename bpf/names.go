package bpf

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// Files of names the compiler reads as libpcap does through libc
// (getservbyname, getprotobyname); a variable so tests can point them
// elsewhere. Without them (a FROM-scratch container) numbers still work.
var (
	servicesFile  = "/etc/services"
	protocolsFile = "/etc/protocols"
)

// maxNameFile bounds what is read of those files.
const maxNameFile = 4 << 20

// eachLine calls fn with the fields of every line of file, comments cut.
func eachLine(file string, fn func(f []string) bool) {
	fd, err := os.Open(file)
	if err != nil {
		return
	}
	defer fd.Close()
	s := bufio.NewScanner(&limited{fd, maxNameFile})
	for s.Scan() {
		line := s.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		if f := strings.Fields(line); len(f) > 0 && !fn(f) {
			return
		}
	}
}

type limited struct {
	f *os.File
	n int
}

func (l *limited) Read(b []byte) (int, error) {
	if l.n <= 0 {
		return 0, os.ErrClosed
	}
	if len(b) > l.n {
		b = b[:l.n]
	}
	n, err := l.f.Read(b)
	l.n -= n
	return n, err
}

// service is getservbyname(name, proto): the port, or -1.
func service(name, proto string) int {
	port := -1
	eachLine(servicesFile, func(f []string) bool {
		if len(f) < 2 {
			return true
		}
		num, p, ok := strings.Cut(f[1], "/")
		if !ok || p != proto {
			return true
		}
		for _, n := range append([]string{f[0]}, f[2:]...) {
			if n == name {
				if v, err := strconv.Atoi(num); err == nil {
					port = v
					return false
				}
			}
		}
		return true
	})
	return port
}

// lookupPort is pcap_nametoport: a service name's port and protocol
// (-1 when it is the same port for TCP and UDP, or only SCTP is not
// known). A number is taken as it is, as libpcap does.
func lookupPort(name string) (port, proto int, ok bool) {
	if v, err := strconv.Atoi(name); err == nil && v >= 0 {
		return v, -1, true
	}
	tcp, udp := service(name, "tcp"), service(name, "udp")
	switch {
	case tcp >= 0 && udp >= 0 && tcp == udp:
		return tcp, -1, true
	case tcp >= 0:
		return tcp, protoTCP, true
	case udp >= 0:
		return udp, protoUDP, true
	}
	if sctp := service(name, "sctp"); sctp >= 0 {
		return sctp, protoSCTP, true
	}
	return 0, 0, false
}

// lookupPortRange is pcap_nametoportrange: "LO-HI", each a number or a
// service name.
func lookupPortRange(name string) (lo, hi, proto int, ok bool) {
	a, b, found := strings.Cut(name, "-")
	if !found {
		return 0, 0, 0, false
	}
	lo, p1, ok1 := lookupPort(a)
	hi, p2, ok2 := lookupPort(b)
	if !ok1 || !ok2 {
		return 0, 0, 0, false
	}
	proto = p1
	if p1 != p2 {
		proto = -1
	}
	return lo, hi, proto, true
}

// ipProtocols is a fallback for getprotobyname without /etc/protocols.
var ipProtocols = map[string]uint32{
	"icmp": 1, "igmp": 2, "ipencap": 4, "tcp": 6, "egp": 8, "igp": 9, "udp": 17,
	"ipv6": 41, "ipv6-route": 43, "ipv6-frag": 44, "gre": 47, "esp": 50, "ah": 51,
	"ipv6-icmp": 58, "icmp6": 58, "ipv6-nonxt": 59, "ipv6-opts": 60, "ospf": 89,
	"pim": 103, "vrrp": 112, "sctp": 132,
}

// etherProtocols is libpcap's eproto_db.
var etherProtocols = map[string]uint32{
	"aarp": 0x80f3, "arp": 0x0806, "atalk": 0x809b, "decnet": 0x6003, "ip": 0x0800,
	"ip6": 0x86dd, "lat": 0x6004, "loopback": 0x9000, "mopdl": 0x6001, "moprc": 0x6002,
	"rarp": 0x8035, "sca": 0x6007,
}

// lookupProto is libpcap's lookup_proto: a protocol name for "proto".
func lookupProto(name, proto string) (uint32, bool) {
	if proto == "link" {
		v, ok := etherProtocols[name]
		return v, ok
	}
	found, v := false, uint32(0)
	eachLine(protocolsFile, func(f []string) bool {
		if len(f) < 2 {
			return true
		}
		for _, n := range append([]string{f[0]}, f[2:]...) {
			if n == name {
				if x, err := strconv.ParseUint(f[1], 10, 8); err == nil {
					found, v = true, uint32(x)
					return false
				}
			}
		}
		return true
	})
	if found {
		return v, true
	}
	v, ok := ipProtocols[name]
	return v, ok
}
