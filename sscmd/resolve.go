package sscmd

import (
	"bufio"
	"bytes"
	"net/netip"
	"strconv"
	"strings"

	"nsbox/internal/bounded"
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

// load reads servicesFile once: at most maxNamesFile (Debian's file is
// 13 KB, IANA's whole registry under 1 MB).
func (s *services) load() {
	if s.loaded {
		return
	}
	s.loaded = true
	configLines(servicesFile, maxNamesFile, func(line string) bool {
		if e, ok := parseService(line); ok {
			s.entries = append(s.entries, e)
		}
		return true
	})
}

// parseServices reads services(5) text.
func parseServices(b []byte) []service {
	var entries []service
	eachLine(b, func(line string) bool {
		if e, ok := parseService(line); ok {
			entries = append(entries, e)
		}
		return true
	})
	return entries
}

// parseService reads a line of services(5): "name port/proto aliases
// # comment".
func parseService(line string) (service, bool) {
	fields := configFields(line)
	if len(fields) < 2 {
		return service{}, false
	}
	port, proto, ok := strings.Cut(fields[1], "/")
	if !ok {
		return service{}, false
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return service{}, false
	}
	return service{name: fields[0], port: n, proto: proto}, true
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

// configLines calls fn with each line of the file path, a configuration
// file that ss and netstat read for names (services, protocols, passwd,
// the mount table), until fn returns false: at most maxConfigLine a
// line and limit in all (bounded.EachLine; memory is one line). Such a
// file is not the command's input: past a bound the rest of it is
// ignored, with one line on stderr (bounded.Warn), and the command goes
// on with the names before it. A missing file has no lines.
func configLines(path string, limit int, fn func(line string) bool) {
	err := bounded.EachLine(path, maxConfigLine, limit, "a line of "+path, path, func(b []byte) bool {
		return fn(string(b))
	})
	bounded.Warn(path, err)
}

// The bounds of configuration files: no line of theirs is longer than a
// few hundred bytes (a mount table's line holds two paths of at most 4
// KiB, escaped, and the options); maxNamesFile is for the files of
// names (services, protocols), maxPasswd for /etc/passwd (a host with a
// hundred thousand local users has ~10 MB).
const (
	maxConfigLine = 64 << 10
	maxNamesFile  = 4 << 20
	maxPasswd     = 64 << 20
)

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

// userName is getpwuid(3) from /etc/passwd: read line by line to the
// first entry of uid (at most maxPasswd; see configLines).
func userName(uid uint32) (string, bool) {
	return passwdName(func(fn func(string) bool) { configLines(passwdFile, maxPasswd, fn) }, uid)
}

// passwdName is the name of the first passwd(5) entry of uid among the
// lines each gives (each stops when fn returns false).
func passwdName(each func(fn func(line string) bool), uid uint32) (string, bool) {
	want := strconv.FormatUint(uint64(uid), 10)
	name, found := "", false
	each(func(line string) bool {
		name, found = passwdLine(line, want)
		return !found
	})
	return name, found
}

// passwdLine is the name on a line of passwd(5) if its uid is uid.
func passwdLine(line, uid string) (string, bool) {
	fields := strings.Split(line, ":")
	if len(fields) >= 3 && fields[2] == uid {
		return fields[0], true
	}
	return "", false
}

// portRange is net.ipv4.ip_local_port_range of the namespace it was read
// in, or ss's fallback 1024..4999.
type portRange struct{ min, max int }

// readPortRange reads the sysctl, whose text is two numbers: at most
// maxPortRange bytes (a longer text is not the kernel's: the fallback is
// used, with one line on stderr).
func readPortRange() portRange {
	b, err := bounded.ReadFile(portRangeFile, maxPortRange, portRangeFile)
	bounded.Warn(portRangeFile, err)
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

const maxPortRange = 4096

func (r portRange) ephemeral(port int) bool { return port >= r.min && port <= r.max }
