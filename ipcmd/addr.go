package ipcmd

import (
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	fmt "nsbox/internal/printf"
	"nsbox/netlink"
	"nsbox/request"
	"nsbox/rtnl"
)

const addrUsageText = `Usage: ip address {add|change|replace} IFADDR dev IFNAME [ LIFETIME ]
                                                      [ CONFFLAG-LIST ]
       ip address del IFADDR dev IFNAME
       ip address flush dev IFNAME
       ip address [ show [ dev IFNAME ] [ scope SCOPE-ID ]
                         [ label LABEL ] [up] [ type TYPE ] [ master DEV ] ]
IFADDR := PREFIX | ADDR peer PREFIX
          [ broadcast ADDR ] [ anycast ADDR ]
          [ label IFNAME ] [ scope SCOPE-ID ] [ metric METRIC ]
SCOPE-ID := [ host | link | global | NUMBER ]
CONFFLAG-LIST := [ CONFFLAG-LIST ] CONFFLAG
CONFFLAG  := [ home | nodad | mngtmpaddr | noprefixroute | autojoin ]
`

func addrUsage() error { return usage(addrUsageText) }

func doAddr(s *session, args []string) error {
	if len(args) == 0 {
		return s.addrShow(nil)
	}
	w := args[0]
	switch {
	case cli.Matches(w, "add"):
		return s.addrModify(request.Add, args[1:])
	case cli.Matches(w, "change"), w == "chg":
		return s.addrModify(request.Change, args[1:])
	case cli.Matches(w, "replace"):
		return s.addrModify(request.Replace, args[1:])
	case cli.Matches(w, "delete"):
		return s.addrModify(request.Delete, args[1:])
	case cli.Matches(w, "show"), cli.Matches(w, "lst"), cli.Matches(w, "list"):
		return s.addrShow(args[1:])
	case cli.Matches(w, "flush"):
		return s.addrFlush(args[1:])
	case cli.Matches(w, "help"):
		return addrUsage()
	}
	return cli.Usagef("Command \"%s\" is unknown, try \"ip address help\".", w)
}

// prefix is iproute2's inet_prefix.
type prefix struct {
	family    uint8
	addr      netip.Addr // invalid for "default"
	bits      int
	specified bool // "/N" was given
}

// netip is the prefix as a netip.Prefix; the zero Prefix for "default".
func (p prefix) netip() netip.Prefix {
	if !p.addr.IsValid() {
		return netip.Prefix{}
	}
	return netip.PrefixFrom(p.addr, p.bits)
}

func (p prefix) bytelen() int {
	if !p.addr.IsValid() {
		return 0
	}
	return p.addr.BitLen() / 8
}

func familyVerbose(f uint8) string {
	switch f {
	case unix.AF_INET:
		return "inet"
	case unix.AF_INET6:
		return "inet6"
	case unix.AF_UNSPEC:
		return "any valid"
	}
	return familyName(f)
}

// parseAddr is get_addr_1(): an IPv4 address (1 to 4 dotted parts, as
// iproute2's get_addr_ipv4) or an IPv6 one.
func parseAddr(arg string, family uint8) (netip.Addr, bool) {
	if strings.Contains(arg, ":") {
		if family != unix.AF_UNSPEC && family != unix.AF_INET6 {
			return netip.Addr{}, false
		}
		a, err := netip.ParseAddr(arg)
		if err != nil || !a.Is6() || a.Zone() != "" {
			return netip.Addr{}, false
		}
		return a, true
	}
	if family != unix.AF_UNSPEC && family != unix.AF_INET {
		return netip.Addr{}, false
	}
	parts := strings.Split(arg, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var b [4]byte
	for i, p := range parts {
		if p == "" || len(p) > 3 {
			return netip.Addr{}, false
		}
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil || n > 255 {
			return netip.Addr{}, false
		}
		b[i] = byte(n)
	}
	return netip.AddrFrom4(b), true
}

// getPrefix is get_prefix(): on error iproute2 exits 1 on the spot.
func getPrefix(arg string, family uint8) (prefix, error) {
	if arg == "default" || arg == "any" || arg == "all" {
		return prefix{family: family, specified: true}, nil
	}
	addrPart, lenPart, hasLen := strings.Cut(arg, "/")
	a, ok := parseAddr(addrPart, family)
	p := prefix{addr: a, bits: a.BitLen(), family: unix.AF_INET}
	if a.Is6() {
		p.family = unix.AF_INET6
	}
	if ok && hasLen {
		n, err := strconv.ParseUint(lenPart, 10, 16)
		if err != nil || int(n) > a.BitLen() {
			// a dotted netmask
			m, isAddr := parseAddr(lenPart, unix.AF_INET)
			bits := 0
			ok = isAddr && a.Is4()
			if ok {
				bits, ok = maskBits(m)
			}
			n = uint64(bits)
		}
		p.bits = int(n)
		p.specified = true
	}
	if !ok {
		return prefix{}, exitf("Error: %s prefix is expected rather than \"%s\".", familyVerbose(family), arg)
	}
	return p, nil
}

func maskBits(m netip.Addr) (int, bool) {
	b := m.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	n := 0
	for v&0x80000000 != 0 {
		n++
		v <<= 1
	}
	return n, v == 0
}

// getAddr is get_addr(): an address, no prefix length.
func getAddr(arg string, family uint8) (netip.Addr, error) {
	a, ok := parseAddr(arg, family)
	if !ok {
		return netip.Addr{}, exitf("Error: %s address is expected rather than \"%s\".", familyVerbose(family), arg)
	}
	return a, nil
}

// addrModify is ipaddr_modify(): addr add, change, replace, del. The
// words become a request.Addr, which computes what iproute2 computes
// ("brd +", the scope, IFA_ADDRESS).
func (s *session) addrModify(op request.Op, args []string) error {
	a := request.Addr{Family: uint8(s.g.Family)}
	var (
		dev       string
		lcl       prefix
		brdSet    bool
		lclArg    string
		haveLocal bool
		peerGiven bool
	)
	for len(args) > 0 {
		w := args[0]
		switch {
		case w == "peer" || w == "remote":
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			if peerGiven {
				return dupArg("peer", v)
			}
			peer, err := prefixFor(v, &a.Family)
			if err != nil {
				return err
			}
			a.Peer = peer.netip()
			peerGiven = peer.bytelen() != 0
		case cli.Matches(w, "broadcast") || w == "brd":
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			if brdSet {
				return dupArg("broadcast", v)
			}
			brdSet = true
			switch v {
			case "+":
				a.Brd = request.BrdSet
			case "-":
				a.Brd = request.BrdClear
			default:
				if a.Broadcast, err = addrFor(v, &a.Family); err != nil {
					return err
				}
			}
		case w == "anycast":
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			if a.Anycast, err = addrFor(v, &a.Family); err != nil {
				return err
			}
		case w == "scope":
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			sc, ok := scopeA2n(v)
			if !ok {
				return invArg("invalid scope value.", v)
			}
			a.Scope = &sc
		case w == "dev":
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			dev = v
		case w == "label":
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			a.Label = v
		case w == "home":
			a.Flags |= unix.IFA_F_HOMEADDRESS
		case w == "nodad":
			a.Flags |= unix.IFA_F_NODAD
		case w == "mngtmpaddr":
			a.Flags |= unix.IFA_F_MANAGETEMPADDR
		case w == "noprefixroute":
			a.Flags |= unix.IFA_F_NOPREFIXROUTE
		case w == "autojoin":
			a.Flags |= unix.IFA_F_MCAUTOJOIN
		default:
			if w == "local" {
				v, err := nextArg(&args)
				if err != nil {
					return err
				}
				w = v
			}
			if cli.Matches(w, "help") {
				return addrUsage()
			}
			if haveLocal {
				return dupArg2("local", w)
			}
			lclArg = w
			var err error
			if lcl, err = prefixFor(w, &a.Family); err != nil {
				return err
			}
			a.Local = lcl.netip()
			haveLocal = true
		}
		args = args[1:]
	}
	if dev == "" {
		return failf("Not enough information: \"dev\" argument is required.")
	}
	if !peerGiven && lcl.bytelen() != 0 && op == request.Delete && lcl.family == unix.AF_INET && !lcl.specified {
		fmt.Fprintf(stderr, "Warning: Executing wildcard deletion to stay compatible with old scripts.\n"+
			"         Explicitly specify the prefix length (%s/%d) to avoid this warning.\n"+
			"         This special behaviour is likely to disappear in further releases,\n"+
			"         fix your scripts!\n", lclArg, lcl.bytelen()*8)
		a.AnyLength = true
	}
	if err := a.Check(op); err != nil {
		return failf("%v", err)
	}
	if _, err := s.dial(); err != nil {
		return err
	}
	idx, err := s.ifindex(dev)
	if err != nil {
		return err
	}
	a.Link = idx
	m, err := a.Message(op)
	if err != nil {
		return failf("nsbox: %v", err)
	}
	return s.exec(m)
}

// ifindex resolves a device name for a request that needs the index:
// from the cache, else (after flushing any pipeline, whose requests may
// create it) from the kernel.
func (s *session) ifindex(dev string) (int32, error) {
	if i, ok := s.links.byName[dev]; ok {
		return i, nil
	}
	if err := s.sync(); err != nil {
		return 0, err
	}
	i := s.links.index(dev)
	if i == 0 {
		return 0, nodev(dev)
	}
	return i, nil
}

// prefixFor is getPrefix for a request of family *family, which an
// unspecified family takes from the prefix.
func prefixFor(arg string, family *uint8) (prefix, error) {
	p, err := getPrefix(arg, *family)
	if err == nil && *family == unix.AF_UNSPEC {
		*family = p.family
	}
	return p, err
}

// addrFor is getAddr the same way.
func addrFor(arg string, family *uint8) (netip.Addr, error) {
	a, err := getAddr(arg, *family)
	if err == nil && *family == unix.AF_UNSPEC {
		*family = familyOf(a)
	}
	return a, err
}

func familyOf(a netip.Addr) uint8 {
	if a.Is4() {
		return unix.AF_INET
	}
	return unix.AF_INET6
}

// dumpAddrs returns every address of the family (0: all).
func (s *session) dumpAddrs(family uint8) ([]*rtnl.Addr, error) {
	var addrs []*rtnl.Addr
	err := s.conn.Addrs(family, 0, func() { addrs = addrs[:0] }, func(a *rtnl.Addr) error {
		addrs = append(addrs, a)
		return nil
	})
	if err != nil {
		return nil, kernelError(err)
	}
	return addrs, nil
}

func (f *linkFilter) matchAddr(a *rtnl.Addr, family uint8) bool {
	if family != 0 && a.Family != family {
		return false
	}
	if f.scope >= 0 && int(a.Scope) != f.scope {
		return false
	}
	if f.label != "" {
		lab := a.Label
		if ok, _ := pathMatch(f.label, lab); !ok {
			return false
		}
	}
	return true
}

// pathMatch is fnmatch(3) without flags, enough for label patterns.
func pathMatch(pattern, s string) (bool, error) {
	if pattern == "" {
		return s == "", nil
	}
	switch pattern[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if ok, _ := pathMatch(pattern[1:], s[i:]); ok {
				return true, nil
			}
		}
		return false, nil
	case '?':
		return len(s) > 0 && mustMatch(pathMatch(pattern[1:], s[1:])), nil
	}
	return len(s) > 0 && s[0] == pattern[0] && mustMatch(pathMatch(pattern[1:], s[1:])), nil
}

func mustMatch(ok bool, _ error) bool { return ok }

func (s *session) addrShow(args []string) error {
	f, err := s.showFilter(args, true)
	if err != nil {
		return err
	}
	family := uint8(s.g.Family)
	if family == unix.AF_PACKET {
		// ip -0 addr: links only
		return s.streamLinks(f, func(p *printer, l *rtnl.Link) {
			s.printLink(p, l, false)
			p.text("\n")
			p.closeObject()
		})
	}
	// the addresses first (small), then the links as they stream
	addrs, err := s.dumpAddrs(family)
	if err != nil {
		return err
	}
	byLink := map[uint32][]*rtnl.Addr{}
	for _, a := range addrs {
		if f.matchAddr(a, family) {
			byLink[a.Index] = append(byLink[a.Index], a)
		}
	}
	addrs = nil
	return s.streamLinks(f, func(p *printer, l *rtnl.Link) {
		list := byLink[uint32(l.Index)]
		if (family != 0 || f.label != "" || f.scope >= 0) && len(list) == 0 {
			return
		}
		if s.g.Brief {
			s.printAddrBrief(p, l, list)
			return
		}
		if s.g.Oneline {
			// -o prints each address on its own line, no link line
			for _, a := range list {
				p.openObject("")
				s.printAddr(p, a, l.Name)
				p.closeObject()
			}
			return
		}
		s.printLink(p, l, false)
		p.text("\n")
		p.openArray("addr_info", "")
		for _, a := range list {
			p.openObject("")
			s.printAddr(p, a, l.Name)
			p.closeObject()
		}
		p.closeArray("")
		p.closeObject()
	})
}

// printAddrBrief is the -brief line of ip addr.
func (s *session) printAddrBrief(p *printer, l *rtnl.Link, list []*rtnl.Addr) {
	p.openObject("")
	s.printNameAndLink(p, "%-16s ", l)
	s.printOperstate(p, l.OperState)
	p.openArray("addr_info", "")
	for _, a := range list {
		p.openObject("")
		local := a.Local
		if !local.IsValid() {
			local = a.Address
		}
		p.str("local", "%s", local.String())
		if a.Address.IsValid() && local.IsValid() && a.Address != local {
			p.text(" %s ", "peer")
			p.str("address", "%s", a.Address.String())
		}
		p.int("prefixlen", "/%d ", int64(a.PrefixLen))
		p.closeObject()
	}
	p.closeArray("")
	p.text("\n")
	p.closeObject()
}

// printAddr is print_addrinfo(); dev is the name of a's link.
func (s *session) printAddr(p *printer, a *rtnl.Addr, dev string) {
	if s.g.Oneline {
		if p.json {
			p.jint("index", int64(a.Index))
			p.jstr("dev", dev)
		} else {
			p.text("%d: %s", a.Index, dev)
		}
	}
	if name := familyName(a.Family); name != "???" {
		p.str("family", "    %s ", name)
	} else {
		p.int("family_index", "    family %d ", int64(a.Family))
	}
	local, address := a.Local, a.Address
	if !local.IsValid() {
		local = address
	}
	if !address.IsValid() {
		address = local
	}
	if local.IsValid() {
		p.str("local", "%s", local.String())
		if address != local {
			p.text(" %s ", "peer")
			p.str("address", "%s", address.String())
		}
		p.int("prefixlen", "/%d ", int64(a.PrefixLen))
	}
	if a.Broadcast.IsValid() {
		p.text("%s ", "brd")
		p.str("broadcast", "%s ", a.Broadcast.String())
	}
	if a.Anycast.IsValid() {
		p.text("%s ", "any")
		p.str("anycast", "%s ", a.Anycast.String())
	}
	p.str("scope", "scope %s ", scopeNames.n2a(uint32(a.Scope)))
	flags := a.AllFlags()
	for i, name := range ifaFlagNames {
		mask := uint32(1) << i
		if mask == unix.IFA_F_PERMANENT {
			if flags&mask == 0 {
				p.jbool("dynamic", true)
				p.text("dynamic ")
			}
		} else if flags&mask != 0 {
			if mask == unix.IFA_F_SECONDARY && a.Family == unix.AF_INET6 {
				name = "temporary"
			}
			p.jbool(name, true)
			p.text("%s ", name)
		}
		flags &^= mask
	}
	if flags != 0 {
		p.uint("flags", "flags %02x ", uint64(flags))
	}
	if a.Label != "" {
		p.str("label", "%s", a.Label)
	}
	if ci := a.CacheInfo; ci != nil {
		p.nl()
		p.text("       valid_lft ")
		if ci.Valid == 0xffffffff {
			p.juint("valid_life_time", uint64(ci.Valid))
			p.text("forever")
		} else {
			p.uint("valid_life_time", "%dsec", uint64(ci.Valid))
		}
		p.text(" preferred_lft ")
		if ci.Preferred == 0xffffffff {
			p.juint("preferred_life_time", uint64(ci.Preferred))
			p.text("forever")
		} else if a.AllFlags()&unix.IFA_F_DEPRECATED != 0 {
			p.int("preferred_life_time", "%dsec", int64(int32(ci.Preferred)))
		} else {
			p.uint("preferred_life_time", "%dsec", uint64(ci.Preferred))
		}
	}
	p.text("\n")
}

// addrFlush is "ip addr flush dev DEV ...": delete every address the
// filter selects.
func (s *session) addrFlush(args []string) error {
	if len(args) == 0 {
		return failf("Flush requires arguments.")
	}
	f, links, err := s.showLinks(args, true)
	if err != nil {
		return err
	}
	want := map[uint32]bool{}
	for _, l := range links {
		want[uint32(l.Index)] = true
	}
	for round := 0; round < 10; round++ {
		addrs, err := s.dumpAddrs(uint8(s.g.Family))
		if err != nil {
			return err
		}
		var reqs []netlink.Message
		for _, a := range addrs {
			if !want[a.Index] || !f.matchAddr(a, uint8(s.g.Family)) {
				continue
			}
			d := &rtnl.Addr{IfAddrmsg: a.IfAddrmsg, Local: a.Local, Address: a.Address}
			m, err := rtnl.DelAddrRequest(d)
			if err != nil {
				return failf("nsbox: %v", err)
			}
			reqs = append(reqs, m)
		}
		if len(reqs) == 0 {
			return nil
		}
		errs, err := s.conn.Batch(reqs)
		if err != nil {
			return kernelError(err)
		}
		for _, e := range errs {
			// deleting a primary address takes its secondaries with it
			if e != nil && !isErrno(e, unix.EADDRNOTAVAIL) {
				return kernelError(e)
			}
		}
	}
	return failf("*** Flush remains incomplete after 10 rounds. ***")
}
