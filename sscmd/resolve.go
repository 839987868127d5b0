package sscmd

import (
	"bufio"
	"bytes"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"nsbox/resolve"
)

// Files the resolvers read; tests point them elsewhere.
var (
	servicesFile  = "/etc/services"
	passwdFile    = "/etc/passwd"
	portRangeFile = "/proc/sys/net/ipv4/ip_local_port_range"
)

// service is one /etc/services entry.
type service struct {
	_     noCompare
	name  string
	port  int
	proto string
}

// services is /etc/services, read once, in file order.
type services struct {
	loaded  bool
	entries []service
}

func (s *services) load() {
	if s.loaded {
		return
	}
	s.loaded = true
	if b, err := os.ReadFile(servicesFile); err == nil {
		s.entries = parseServices(b)
	}
}

// parseServices reads services(5): "name port/proto aliases # comment".
func parseServices(b []byte) []service {
	var entries []service
	eachLine(b, func(line string) bool {
		fields := configFields(line)
		if len(fields) < 2 {
			return true
		}
		port, proto, ok := strings.Cut(fields[1], "/")
		if !ok {
			return true
		}
		n, err := strconv.Atoi(port)
		if err != nil || n < 0 || n > 65535 {
			return true
		}
		entries = append(entries, service{name: fields[0], port: n, proto: proto})
		return true
	})
	return entries
}

// eachLine calls fn with every line of b, as bufio.Scanner cuts them,
// until fn returns false.
func eachLine(b []byte, fn func(line string) bool) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if !fn(sc.Text()) {
			return
		}
	}
}

// configFields is the fields of a line of services(5), hosts(5) or
// protocols(5), up to a '#'.
func configFields(line string) []string {
	if i := strings.IndexByte(line, '#'); i >= 0 {
		line = line[:i]
	}
	return strings.Fields(line)
}

// first is getservbyport(3): the first entry for port and proto (any
// protocol when proto is "").
func (s *services) first(port int, proto string) (string, bool) {
	s.load()
	for _, e := range s.entries {
		if e.port == port && (e.proto == proto || proto == "") {
			return e.name, true
		}
	}
	return "", false
}

// last is net-tools' lookup: its list is built by prepending every
// entry, so the last one in the file wins.
func (s *services) last(port int, proto string) (string, bool) {
	s.load()
	for i := len(s.entries) - 1; i >= 0; i-- {
		e := s.entries[i]
		if e.port == port && e.proto == proto {
			return e.name, true
		}
	}
	return "", false
}

// hosts is gethostbyaddr(3) as ss -r and netstat use it: /etc/hosts,
// then DNS (PTR), through package resolve, whose names are fit to print
// (from DNS only what passes glibc's res_hnok, from the file with its
// control bytes escaped). Each address is asked once per run, as ss
// caches its answers.
type hosts struct {
	names map[netip.Addr]string // "" when the address has no name
}

func (h *hosts) lookup(a netip.Addr) (string, bool) {
	a = a.WithZone("")
	n, done := h.names[a]
	if !done {
		if h.names == nil {
			h.names = map[netip.Addr]string{}
		}
		n, _ = resolve.Reverse(a)
		h.names[a] = n
	}
	return n, n != ""
}

// userName is getpwuid(3) from /etc/passwd.
func userName(uid uint32) (string, bool) {
	b, err := os.ReadFile(passwdFile)
	if err != nil {
		return "", false
	}
	return passwdName(b, uid)
}

// passwdName finds uid in passwd(5) text.
func passwdName(b []byte, uid uint32) (string, bool) {
	want := strconv.FormatUint(uint64(uid), 10)
	name, found := "", false
	eachLine(b, func(line string) bool {
		fields := strings.Split(line, ":")
		if len(fields) >= 3 && fields[2] == want {
			name, found = fields[0], true
		}
		return !found
	})
	return name, found
}

// portRange is net.ipv4.ip_local_port_range of the namespace it was read
// in, or ss's fallback 1024..4999.
type portRange struct{ min, max int }

func readPortRange() portRange {
	b, err := os.ReadFile(portRangeFile)
	if err == nil {
		f := strings.Fields(string(b))
		if len(f) >= 2 {
			lo, err1 := strconv.Atoi(f[0])
			hi, err2 := strconv.Atoi(f[1])
			if err1 == nil && err2 == nil {
				return portRange{lo, hi}
			}
		}
	}
	return portRange{1024, 4999}
}

func (r portRange) ephemeral(port int) bool { return port >= r.min && port <= r.max }
