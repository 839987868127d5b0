package ipcmd

import (
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/cli"

	"nsbox/internal/bounded"
	fmt "nsbox/internal/printf"
)

// Names iproute2 prints for numbers (lib/rt_names.c, ll_types.c), and the
// files in /etc/iproute2 it reads to extend them.

// link_events[], IFLA_EVENT_*
var linkEvents = []string{"NONE", "REBOOT", "FEATURE CHANGE", "BONDING FAILOVER", "NOTIFY PEERS", "RESEND IGMP", "BONDING OPTION"}

var linkModes = []string{"DEFAULT", "DORMANT"}

// ll_type_n2a, sorted by number: static data, nothing built at start.
var arphrdNames = [...]struct {
	t    uint16
	name string
}{
	{0, "netrom"}, {1, "ether"}, {2, "eether"}, {3, "ax25"}, {4, "pronet"}, {5, "chaos"},
	{6, "ieee802"}, {7, "arcnet"}, {8, "atalk"}, {15, "dlci"}, {19, "atm"}, {23, "metricom"},
	{24, "ieee1394"}, {27, "eui64"}, {32, "infiniband"},
	{256, "slip"}, {257, "cslip"}, {258, "slip6"}, {259, "cslip6"}, {260, "rsrvd"}, {264, "adapt"},
	{270, "rose"}, {271, "x25"}, {272, "hwx25"}, {280, "can"}, {512, "ppp"}, {513, "cisco"},
	{516, "lapb"}, {517, "ddcmp"}, {518, "rawhdlc"}, {519, "rawip"},
	{768, "ipip"}, {769, "tunnel6"}, {770, "frad"}, {771, "skip"}, {772, "loopback"},
	{773, "localtlk"}, {774, "fddi"}, {775, "bif"}, {776, "sit"}, {777, "ip/ddp"}, {778, "gre"},
	{779, "pimreg"}, {780, "hippi"}, {781, "ash"}, {782, "econet"}, {783, "irda"},
	{784, "fcpp"}, {785, "fcal"}, {786, "fcpl"}, {787, "fcfb0"},
	{800, "tr"}, {801, "tr+rif"}, {802, "ieee802.11"}, {803, "ieee802.11/prism"},
	{804, "ieee802.11/radiotap"}, {805, "ieee802.15.4"}, {806, "ieee802.15.4/monitor"},
	{820, "phonet"}, {821, "phonet_pipe"}, {822, "caif"}, {823, "ip6gre"}, {824, "netlink"},
	{825, "6lowpan"}, {826, "vsockmon"},
	{0xfffe, "none"}, {0xffff, "void"},
}

func arphrdName(t uint16) string {
	lo, hi := 0, len(arphrdNames)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if arphrdNames[m].t < t {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(arphrdNames) && arphrdNames[lo].t == t {
		return arphrdNames[lo].name
	}
	return "[" + strconv.Itoa(int(t)) + "]"
}

// nameEntry is one built-in number <-> name pair of a nameTable.
type nameEntry struct {
	v    uint32
	name string
}

// nameTable is one of iproute2's number <-> name maps: built-in names plus
// those in /etc/iproute2/FILE (and FILE.d/*.conf), read on first use
// (the map too is built then, not at program start).
type nameTable struct {
	file    string
	max     uint32
	builtin []nameEntry
	names   map[uint32]string
	loaded  bool
}

func (t *nameTable) load() {
	if t.loaded {
		return
	}
	t.loaded = true
	t.names = make(map[uint32]string, len(t.builtin))
	for _, e := range t.builtin {
		t.names[e.v] = e.name
	}
	left := maxNamesFile
	read := func(path string) {
		b, err := bounded.ReadFile(path, left, "the files of an iproute2 names table")
		if be, ok := err.(*bounded.Error); ok {
			fmt.Fprintf(stderr, "nsbox: %s: %v: ignored\n", path, be)
			left = 0
			return
		}
		if err == nil {
			left -= len(b)
			t.parse(string(b))
		}
	}
	read("/etc/iproute2/" + t.file)
	if ents, err := os.ReadDir("/etc/iproute2/" + t.file + ".d"); err == nil {
		for _, e := range ents {
			if strings.HasSuffix(e.Name(), ".conf") {
				read("/etc/iproute2/" + t.file + ".d/" + e.Name())
			}
		}
	}
}

// maxNamesFile bounds what a names table reads from /etc/iproute2, FILE
// and FILE.d/*.conf together: 1 MiB is tens of thousands of names (the
// files iproute2 ships are under 1 KB). The files are configuration, not
// the command's input: one past the bound is named on stderr and ignored,
// as iproute2 ignores one it cannot read, and the command goes on with
// the names read before it. (A link to /dev/zero made iproute2 and nsbox
// read forever.)
const maxNamesFile = 1 << 20

// parse adds the names of one file in iproute2's format: "NUMBER NAME"
// per line (NUMBER decimal or 0x hex, at most max), '#' comments, other
// lines ignored (rtnl_tab_initialize).
func (t *nameTable) parse(b string) {
	for len(b) > 0 {
		var line string
		if i := strings.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			line, b = b, ""
		}
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 2 || fields[1][0] == '#' {
			continue
		}
		n, err := strconv.ParseUint(fields[0], 0, 32)
		if err != nil || uint32(n) > t.max {
			continue
		}
		t.names[uint32(n)] = fields[1]
	}
}

func (t *nameTable) n2a(v uint32) string {
	t.load()
	if n, ok := t.names[v]; ok {
		return n
	}
	return strconv.FormatUint(uint64(v), 10)
}

// a2n accepts a name or a number (decimal, 0x hex) up to max.
func (t *nameTable) a2n(s string) (uint32, bool) {
	t.load()
	for v, n := range t.names {
		if n == s {
			return v, true
		}
	}
	n, err := strconv.ParseUint(s, 0, 32)
	if err != nil || uint32(n) > t.max {
		return 0, false
	}
	return uint32(n), true
}

var (
	scopeNames = &nameTable{file: "rt_scopes", max: 255, builtin: []nameEntry{
		{0, "global"}, {200, "site"}, {253, "link"}, {254, "host"}, {255, "nowhere"}}}
	protoNames = &nameTable{file: "rt_protos", max: 255, builtin: []nameEntry{
		{0, "unspec"}, {1, "redirect"}, {2, "kernel"}, {3, "boot"}, {4, "static"}, {8, "gated"},
		{9, "ra"}, {10, "mrt"}, {11, "zebra"}, {12, "bird"}, {13, "dnrouted"}, {14, "xorp"},
		{15, "ntk"}, {16, "dhcp"}, {17, "mrouted"}, {18, "keepalived"}, {42, "babel"},
		{99, "openr"}, {186, "bgp"}, {187, "isis"}, {188, "ospf"}, {189, "rip"}, {192, "eigrp"}}}
	tableNames = &nameTable{file: "rt_tables", max: 0xffffffff, builtin: []nameEntry{
		{0, "unspec"}, {253, "default"}, {254, "main"}, {255, "local"}}}
	groupNames = &nameTable{file: "group", max: 0xffffffff, builtin: []nameEntry{{0, "default"}}}
)

// scopeA2n is rtnl_rtscope_a2n: also "universe" (global) for input.
func scopeA2n(s string) (uint8, bool) {
	if s == "universe" {
		return 0, true
	}
	v, ok := scopeNames.a2n(s)
	return uint8(v), ok && v <= 255
}

// routeTypes are rtnl_rtntype_n2a()'s names for RTN_*.
var routeTypes = []string{"none", "unicast", "local", "broadcast", "anycast",
	"multicast", "blackhole", "unreachable", "prohibit", "throw", "nat", "xresolve"}

func routeTypeName(t uint8) string {
	if int(t) < len(routeTypes) {
		return routeTypes[t]
	}
	return strconv.Itoa(int(t))
}

// routeTypeA2n is rtnl_rtntype_a2n(): local, nat, brd and throw exactly,
// the others abbreviated, in its order, or a number up to 255.
func routeTypeA2n(s string) (uint8, bool) {
	switch {
	case s == "local":
		return unix.RTN_LOCAL, true
	case s == "nat":
		return unix.RTN_NAT, true
	case cli.Matches(s, "broadcast"), s == "brd":
		return unix.RTN_BROADCAST, true
	case cli.Matches(s, "anycast"):
		return unix.RTN_ANYCAST, true
	case cli.Matches(s, "multicast"):
		return unix.RTN_MULTICAST, true
	case cli.Matches(s, "prohibit"):
		return unix.RTN_PROHIBIT, true
	case cli.Matches(s, "unreachable"):
		return unix.RTN_UNREACHABLE, true
	case cli.Matches(s, "blackhole"):
		return unix.RTN_BLACKHOLE, true
	case cli.Matches(s, "xresolve"):
		return unix.RTN_XRESOLVE, true
	case cli.Matches(s, "unicast"):
		return unix.RTN_UNICAST, true
	case s == "throw":
		return unix.RTN_THROW, true
	}
	v, overflow, ok := strtoul(s, 0)
	if !ok || overflow || v > 255 {
		return 0, false
	}
	return uint8(v), true
}

func familyName(f uint8) string {
	switch f {
	case unix.AF_INET:
		return "inet"
	case unix.AF_INET6:
		return "inet6"
	case unix.AF_PACKET:
		return "link"
	case unix.AF_BRIDGE:
		return "bridge"
	case unix.AF_MPLS:
		return "mpls"
	}
	return "???"
}

// ifa_flag_names, in bit order.
var ifaFlagNames = []string{"secondary", "nodad", "optimistic", "dadfailed", "home",
	"deprecated", "tentative", "permanent", "mngtmpaddr", "noprefixroute",
	"autojoin", "stable-privacy"}

var brStates = []string{"disabled", "listening", "learning", "forwarding", "blocking"}
