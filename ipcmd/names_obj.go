package ipcmd

import (
	"strconv"
	"strings"

	"nsbox/internal/bounded"
	fmt "nsbox/internal/printf"
)

// Names of the numbers neigh, route and rule print, beyond tables.go's:
// /etc/iproute2/rt_dsfield and rt_realms (lib/rt_names.c).

var (
	dsfieldNames = &nameTable{file: "rt_dsfield", max: 255}
	realmNames   = &nameTable{file: "rt_realms", max: 255, builtin: []nameEntry{{0, "cosmos"}}}
)

// dsfieldA2N is rtnl_dsfield_a2n(): a name from rt_dsfield, or a number
// in hex ("0x10" and "10" are both 16) up to 255.
func dsfieldA2N(arg string) (uint32, bool) {
	if v, ok := dsfieldNames.lookup(arg); ok {
		return v, true
	}
	v, overflow, ok := strtoul(arg, 16)
	if !ok || overflow || v > 255 {
		return 0, false
	}
	return uint32(v), true
}

// dsfieldN2A is rtnl_dsfield_n2a(): the name, or "0x%02x".
func dsfieldN2A(v uint32) string {
	dsfieldNames.load()
	if n, ok := dsfieldNames.names[v]; ok {
		return n
	}
	const digits = "0123456789abcdef"
	return "0x" + string([]byte{digits[v>>4&15], digits[v&15]})
}

// realmA2N is rtnl_rtrealm_a2n(): a name from rt_realms, or a number
// (strtoul base 0) up to 255.
func realmA2N(arg string) (uint32, bool) {
	if v, ok := realmNames.lookup(arg); ok {
		return v, true
	}
	v, overflow, ok := strtoul(arg, 0)
	if !ok || overflow || v > 255 {
		return 0, false
	}
	return uint32(v), true
}

// getRealmsOrRaw is get_rt_realms_or_raw(): "[FROM/]TO" realms (FROM in
// the high 16 bits), or else any unsigned number.
func getRealmsOrRaw(arg string) (uint32, bool) {
	if v, ok := getRealms(arg); ok {
		return v, true
	}
	return getUnsigned(arg)
}

func getRealms(arg string) (uint32, bool) {
	var realms uint32
	if from, to, ok := strings.Cut(arg, "/"); ok {
		f, ok := realmA2N(from)
		if !ok {
			return 0, false
		}
		realms = f << 16
		arg = to
	}
	if arg != "" {
		t, ok := realmA2N(arg)
		if !ok {
			return 0, false
		}
		realms |= t
	}
	return realms, true
}

// lookup finds a name (only: no numbers).
func (t *nameTable) lookup(name string) (uint32, bool) {
	t.load()
	for v, n := range t.names {
		if n == name {
			return v, true
		}
	}
	return 0, false
}

// ipProtocols is /etc/protocols, for getprotobyname(3) and
// getprotobynumber(3): "name number aliases...", '#' comments. It is
// configuration, read under maxNamesFile like the names tables: a file
// past the bound is named on stderr and ignored.
var ipProtocols struct {
	loaded bool
	byName map[string]uint8
	byNum  map[uint8]string
}

func loadProtocols() {
	if ipProtocols.loaded {
		return
	}
	ipProtocols.loaded = true
	ipProtocols.byName = map[string]uint8{}
	ipProtocols.byNum = map[uint8]string{}
	b, err := bounded.ReadFile("/etc/protocols", maxNamesFile, "/etc/protocols")
	if be, ok := err.(*bounded.Error); ok {
		fmt.Fprintf(stderr, "nsbox: /etc/protocols: %v: ignored\n", be)
		return
	}
	for _, line := range strings.Split(string(b), "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		n, err := strconv.ParseUint(f[1], 10, 8)
		if err != nil {
			continue
		}
		if _, dup := ipProtocols.byNum[uint8(n)]; !dup {
			ipProtocols.byNum[uint8(n)] = f[0]
		}
		for _, name := range append([]string{f[0]}, f[2:]...) {
			if _, dup := ipProtocols.byName[name]; !dup {
				ipProtocols.byName[name] = uint8(n)
			}
		}
	}
}

// inetProtoA2N is inet_proto_a2n(): a number (get_u8, base 10), or a
// name or alias from /etc/protocols.
func inetProtoA2N(s string) (uint8, bool) {
	if v, ok := getUint(s, 10, 0xff); ok {
		return uint8(v), true
	}
	loadProtocols()
	v, ok := ipProtocols.byName[s]
	return v, ok
}

// inetProtoN2A is inet_proto_n2a(): the name, or "ipproto-N".
func inetProtoN2A(v uint8) string {
	loadProtocols()
	if n, ok := ipProtocols.byNum[v]; ok {
		return n
	}
	return "ipproto-" + strconv.Itoa(int(v))
}

// udpService is getservbyname(name, "udp"): the port /etc/services
// gives the name (or an alias) for udp, read under maxNamesFile.
func udpService(name string) (uint16, bool) {
	b, err := bounded.ReadFile("/etc/services", maxNamesFile, "/etc/services")
	if be, ok := err.(*bounded.Error); ok {
		fmt.Fprintf(stderr, "nsbox: /etc/services: %v: ignored\n", be)
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		port, proto, ok := strings.Cut(f[1], "/")
		if !ok || proto != "udp" {
			continue
		}
		for _, n := range append([]string{f[0]}, f[2:]...) {
			if n == name {
				p, err := strconv.ParseUint(port, 10, 16)
				return uint16(p), err == nil
			}
		}
	}
	return 0, false
}
