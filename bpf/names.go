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

// ipProtocol is a fallback for getprotobyname without /etc/protocols.
func ipProtocol(name string) (uint32, bool) {
	switch name {
	case "icmp":
		return 1, true
	case "igmp":
		return 2, true
	case "ipencap":
		return 4, true
	case "tcp":
		return 6, true
	case "egp":
		return 8, true
	case "igp":
		return 9, true
	case "udp":
		return 17, true
	case "ipv6":
		return 41, true
	case "ipv6-route":
		return 43, true
	case "ipv6-frag":
		return 44, true
	case "gre":
		return 47, true
	case "esp":
		return 50, true
	case "ah":
		return 51, true
	case "ipv6-icmp":
		return 58, true
	case "icmp6":
		return 58, true
	case "ipv6-nonxt":
		return 59, true
	case "ipv6-opts":
		return 60, true
	case "ospf":
		return 89, true
	case "pim":
		return 103, true
	case "vrrp":
		return 112, true
	case "sctp":
		return 132, true
	}
	return 0, false
}

// etherProtocol is libpcap's eproto_db.
func etherProtocol(name string) (uint32, bool) {
	switch name {
	case "aarp":
		return 0x80f3, true
	case "arp":
		return 0x0806, true
	case "atalk":
		return 0x809b, true
	case "decnet":
		return 0x6003, true
	case "ip":
		return 0x0800, true
	case "ip6":
		return 0x86dd, true
	case "lat":
		return 0x6004, true
	case "loopback":
		return 0x9000, true
	case "mopdl":
		return 0x6001, true
	case "moprc":
		return 0x6002, true
	case "rarp":
		return 0x8035, true
	case "sca":
		return 0x6007, true
	}
	return 0, false
}

// lookupProto is libpcap's lookup_proto: a protocol name for "proto".
func lookupProto(name, proto string) (uint32, bool) {
	if proto == "link" {
		return etherProtocol(name)
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
	return ipProtocol(name)
}
