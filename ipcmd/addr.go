package ipcmd

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	"nsbox/internal/bounded"
	"nsbox/internal/escape"
	"nsbox/internal/jsonprint"
	fmt "nsbox/internal/printf"
	"nsbox/netlink"
	"nsbox/request"
	"nsbox/rtnl"
)

// "ip address", as iproute2's ipaddress.c: add/change/replace/del,
// show/save/flush with its filters, showdump/restore.

const addrUsageText = `Usage: ip address {add|change|replace} IFADDR dev IFNAME [ LIFETIME ]
                                                      [ CONFFLAG-LIST ]
       ip address del IFADDR dev IFNAME [mngtmpaddr]
       ip address {save|flush} [ dev IFNAME ] [ scope SCOPE-ID ]
                            [ to PREFIX ] [ FLAG-LIST ] [ label LABEL ] [up]
       ip address [ show [ dev IFNAME ] [ scope SCOPE-ID ] [ master DEVICE ]
                         [ nomaster ]
                         [ type TYPE ] [ to PREFIX ] [ FLAG-LIST ]
                         [ label LABEL ] [up] [ vrf NAME ] ]
       ip address {showdump|restore}
IFADDR := PREFIX | ADDR peer PREFIX
          [ broadcast ADDR ] [ anycast ADDR ]
          [ label IFNAME ] [ scope SCOPE-ID ] [ metric METRIC ]
SCOPE-ID := [ host | link | global | NUMBER ]
FLAG-LIST := [ FLAG-LIST ] FLAG
FLAG  := [ permanent | dynamic | secondary | primary |
           [-]tentative | [-]deprecated | [-]dadfailed | temporary |
           CONFFLAG-LIST ]
CONFFLAG-LIST := [ CONFFLAG-LIST ] CONFFLAG
CONFFLAG  := [ home | nodad | mngtmpaddr | noprefixroute | autojoin ]
LIFETIME := [ valid_lft LFT ] [ preferred_lft LFT ]
LFT := forever | SECONDS
`

func addrUsage() error { return usage(addrUsageText) }

type addrAction int

const (
	addrList addrAction = iota
	addrFlushing
	addrSaving
)

// addrVerbs is do_ipaddr()'s chain.
var addrVerbs = []objVerb{
	{[]keyword{{"add", anyPrefix}}, func(s *session, a []string) error { return s.addrModify(request.Add, a) }},
	{[]keyword{{"change", anyPrefix}, {"chg", whole}}, func(s *session, a []string) error { return s.addrModify(request.Change, a) }},
	{[]keyword{{"replace", anyPrefix}}, func(s *session, a []string) error { return s.addrModify(request.Replace, a) }},
	{[]keyword{{"delete", anyPrefix}}, func(s *session, a []string) error { return s.addrModify(request.Delete, a) }},
	{[]keyword{{"list", anyPrefix}, {"show", anyPrefix}, {"lst", anyPrefix}}, func(s *session, a []string) error { return s.addrList(a, addrList) }},
	{[]keyword{{"flush", anyPrefix}}, func(s *session, a []string) error { return s.addrList(a, addrFlushing) }},
	{[]keyword{{"save", anyPrefix}}, func(s *session, a []string) error { return s.addrList(a, addrSaving) }},
	{[]keyword{{"showdump", anyPrefix}}, func(s *session, _ []string) error { return s.addrShowdump() }},
	{[]keyword{{"restore", anyPrefix}}, func(s *session, _ []string) error { return s.addrRestore() }},
	{[]keyword{{"help", anyPrefix}}, func(*session, []string) error { return addrUsage() }},
}

func doAddr(s *session, args []string) error {
	return runVerb(s, args, addrVerbs, func(s *session, a []string) error { return s.addrList(a, addrList) }, "ip address")
}

// ifaFlag is ifa_flag_data[]: a flag's name, whether userspace may set
// it, and whether only IPv6 addresses have it.
type ifaFlag struct {
	name     string
	mask     uint32
	readonly bool
	v6only   bool
}

var ifaFlags = []ifaFlag{
	{"secondary", unix.IFA_F_SECONDARY, true, false},
	{"temporary", unix.IFA_F_SECONDARY, true, false},
	{"nodad", unix.IFA_F_NODAD, false, true},
	{"optimistic", unix.IFA_F_OPTIMISTIC, false, true},
	{"dadfailed", unix.IFA_F_DADFAILED, true, true},
	{"home", unix.IFA_F_HOMEADDRESS, false, true},
	{"deprecated", unix.IFA_F_DEPRECATED, true, true},
	{"tentative", unix.IFA_F_TENTATIVE, true, true},
	{"permanent", unix.IFA_F_PERMANENT, true, true},
	{"mngtmpaddr", unix.IFA_F_MANAGETEMPADDR, false, true},
	{"noprefixroute", unix.IFA_F_NOPREFIXROUTE, false, false},
	{"autojoin", unix.IFA_F_MCAUTOJOIN, false, false},
	{"stable-privacy", unix.IFA_F_STABLE_PRIVACY, true, true},
}

func lookupIfaFlag(name string) *ifaFlag {
	for i := range ifaFlags {
		if ifaFlags[i].name == name {
			return &ifaFlags[i]
		}
	}
	return nil
}

// addrArgs is what ipaddr_modify() collects.
type addrArgs struct {
	a                        request.Addr
	dev                      string
	lcl                      prefix
	lclArg                   string
	localOK, peerOK, brdOK   bool
	anyOK                    bool
	validSeen, preferredSeen bool
}

// addrOptions is ipaddr_modify()'s chain; the final else ([local]
// PREFIX) is addrLocal.
var addrOptions = []option[addrArgs]{
	{[]keyword{{"peer", whole}, {"remote", whole}}, func(s *session, x *addrArgs, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		if x.peerOK {
			return dupArg("peer", v)
		}
		peer, err := prefixFor(v, &x.a.Family)
		if err != nil {
			return err
		}
		x.a.Peer = peer.netip()
		x.peerOK = peer.bytelen != 0
		return nil
	}},
	{[]keyword{{"broadcast", anyPrefix}, {"brd", whole}}, func(s *session, x *addrArgs, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		if x.brdOK {
			return dupArg("broadcast", v)
		}
		switch v {
		case "+":
			x.a.Brd = request.BrdSet
		case "-":
			x.a.Brd = request.BrdClear
		default:
			if x.a.Broadcast, err = addrFor(v, &x.a.Family); err != nil {
				return err
			}
		}
		x.brdOK = true
		return nil
	}},
	{[]keyword{{"anycast", whole}}, func(s *session, x *addrArgs, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		if x.anyOK {
			return dupArg("anycast", v)
		}
		x.anyOK = true
		x.a.Anycast, err = addrFor(v, &x.a.Family)
		return err
	}},
	{[]keyword{{"scope", whole}}, func(s *session, x *addrArgs, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		sc, ok := scopeA2n(v)
		if !ok {
			return invArg("invalid scope value.", v)
		}
		x.a.Scope = &sc
		return nil
	}},
	{[]keyword{{"dev", whole}}, func(s *session, x *addrArgs, args *[]string) error {
		v, err := nextArg(args)
		x.dev = v
		return err
	}},
	{[]keyword{{"label", whole}}, func(s *session, x *addrArgs, args *[]string) error {
		v, err := nextArg(args)
		x.a.Label = v
		return err
	}},
	{[]keyword{{"metric", anyPrefix}, {"priority", anyPrefix}, {"preference", anyPrefix}}, func(s *session, x *addrArgs, args *[]string) error {
		return setValue(args, getU32, "\"metric\" value is invalid", &x.a.Metric)
	}},
	{[]keyword{{"valid_lft", anyPrefix}}, func(s *session, x *addrArgs, args *[]string) error {
		return lifetimeArg(args, "valid_lft", &x.validSeen, &x.a.ValidLft)
	}},
	{[]keyword{{"preferred_lft", anyPrefix}}, func(s *session, x *addrArgs, args *[]string) error {
		return lifetimeArg(args, "preferred_lft", &x.preferredSeen, &x.a.PreferredLft)
	}},
}

// lifetimeArg reads "forever" or a number of seconds (set_lifetime).
func lifetimeArg(args *[]string, key string, seen *bool, dst **uint32) error {
	if *seen {
		return dupArg(key, (*args)[0])
	}
	v, err := nextArg(args)
	if err != nil {
		return err
	}
	*seen = true
	n := uint32(0xffffffff)
	if v != "forever" {
		var ok bool
		if n, ok = getU32(v); !ok {
			return invArg(key+" value", v)
		}
	}
	*dst = &n
	return nil
}

// addrLocal is the end of ipaddr_modify()'s chain: a flag's name (a
// warning for the ones userspace cannot set), or [local] PREFIX.
func addrLocal(s *session, x *addrArgs, args *[]string) error {
	w := (*args)[0]
	if f := lookupIfaFlag(w); f != nil {
		switch {
		case f.readonly:
			fmt.Fprintf(stderr, "Warning: %s option is not mutable from userspace\n", f.name)
		case f.v6only && x.a.Family != unix.AF_INET6:
			fmt.Fprintf(stderr, "Warning: %s option can be set only for IPv6 addresses\n", f.name)
		default:
			x.a.Flags |= f.mask
		}
		return nil
	}
	var err error
	if w, err = keyOptional(args, is("local")); err != nil {
		return err
	}
	if cli.Matches(w, "help") {
		return addrUsage()
	}
	if x.localOK {
		return dupArg2("local", w)
	}
	x.lclArg = w
	if x.lcl, err = prefixFor(w, &x.a.Family); err != nil {
		return err
	}
	x.a.Local = x.lcl.netip()
	x.localOK = x.lcl.bytelen != 0
	return nil
}

// addrModify is ipaddr_modify(): addr add, change, replace, del. The
// words become a request.Addr, which computes what iproute2 computes
// ("brd +", the scope, IFA_ADDRESS, the lifetimes).
func (s *session) addrModify(op request.Op, args []string) error {
	x := &addrArgs{a: request.Addr{Family: uint8(s.g.Family)}}
	if err := parseOptions(s, x, args, addrOptions, addrLocal); err != nil {
		return err
	}
	if x.dev == "" {
		return failf("Not enough information: \"dev\" argument is required.")
	}
	if !x.peerOK && x.localOK && op == request.Delete && x.lcl.family == unix.AF_INET && !x.lcl.specified {
		fmt.Fprintf(stderr, "Warning: Executing wildcard deletion to stay compatible with old scripts.\n"+
			"         Explicitly specify the prefix length (%s/%d) to avoid this warning.\n"+
			"         This special behaviour is likely to disappear in further releases,\n"+
			"         fix your scripts!\n", x.lclArg, x.lcl.bytelen*8)
		x.a.AnyLength = true
	}
	early := x.a
	early.ValidLft, early.PreferredLft = nil, nil
	if err := early.Check(op); err != nil {
		return failf("%v", err)
	}
	if _, err := s.dial(); err != nil {
		return err
	}
	idx, err := s.ifindex(x.dev)
	if err != nil {
		return err
	}
	x.a.Link = idx
	if x.a.Flags&unix.IFA_F_MCAUTOJOIN != 0 && !x.a.Local.Addr().IsMulticast() {
		if err := x.a.Check(op); err != nil {
			return failf("%v", err)
		}
		return failf("autojoin needs multicast address")
	}
	m, err := x.a.Message(op)
	if err != nil {
		return failf("%v", err)
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

// addrFilter is ipaddress.c's filter for addresses.
type addrFilter struct {
	family          uint8
	ifindex         int32
	scope, scopeMsk int
	flags, flagMask uint32
	label           string
	pfx             prefix
	up              bool
	group           int64 // -1: any
	master          int32 // >0: ports of; -1: nomaster
	kind, slaveKind string
	dev             string
}

// getFilter is get_filter(): a flag name (or "-name", "primary",
// "dynamic") as a filter on the address flags.
func (f *addrFilter) getFilter(arg string) bool {
	inv := false
	if strings.HasPrefix(arg, "-") {
		inv, arg = true, arg[1:]
	}
	switch arg {
	case "dynamic":
		inv, arg = !inv, "permanent"
	case "primary":
		inv, arg = !inv, "secondary"
	}
	fl := lookupIfaFlag(arg)
	if fl == nil {
		return false
	}
	if inv {
		f.flags &^= fl.mask
	} else {
		f.flags |= fl.mask
	}
	f.flagMask |= fl.mask
	return true
}

// parseAddrFilter is ipaddr_list_flush_or_save()'s loop.
func (s *session) parseAddrFilter(args []string) (*addrFilter, error) {
	f := &addrFilter{family: uint8(s.g.Family), group: -1}
	if err := parseOptions(s, f, args, addrFilterOptions, addrFilterDev); err != nil {
		return nil, err
	}
	if f.dev != "" {
		if f.ifindex = s.links.index(f.dev); f.ifindex <= 0 {
			return nil, failf("Device \"%s\" does not exist.", f.dev)
		}
	}
	return f, nil
}

// addrFilterOptions is ipaddr_list_flush_or_save()'s chain; a flag's
// name (get_filter) and the final else ([dev] IFNAME) are addrFilterDev.
var addrFilterOptions = []option[addrFilter]{
	{[]keyword{{"to", whole}}, func(s *session, f *addrFilter, args *[]string) error {
		var err error
		if f.pfx, err = nextPrefix(args, f.family); err != nil {
			return err
		}
		if f.family == unix.AF_UNSPEC {
			f.family = f.pfx.family
		}
		return nil
	}},
	{[]keyword{{"scope", whole}}, func(s *session, f *addrFilter, args *[]string) error {
		var err error
		f.scope, f.scopeMsk, err = nextValueOrAll(args, scopeA2n, unix.RT_SCOPE_NOWHERE, "invalid \"scope\"")
		return err
	}},
	{[]keyword{{"up", whole}}, func(s *session, f *addrFilter, args *[]string) error { f.up = true; return nil }},
	{[]keyword{{"label", whole}}, func(s *session, f *addrFilter, args *[]string) error {
		var err error
		f.label, err = nextArg(args)
		return err
	}},
	{[]keyword{{"group", whole}}, func(s *session, f *addrFilter, args *[]string) error {
		g, err := nextValue(args, groupNames.a2n, "Invalid \"group\" value")
		f.group = int64(int32(g))
		return err
	}},
	{[]keyword{{"master", whole}}, func(s *session, f *addrFilter, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		if f.master = s.links.index(v); f.master == 0 {
			return invArgNL("Device does not exist", v)
		}
		return nil
	}},
	{[]keyword{{"vrf", whole}}, func(s *session, f *addrFilter, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		if f.master = s.links.index(v); f.master == 0 || !s.isVRF(v) {
			return invArgNL("Not a valid VRF name", v)
		}
		return nil
	}},
	{[]keyword{{"nomaster", whole}}, func(s *session, f *addrFilter, args *[]string) error { f.master = -1; return nil }},
	{[]keyword{{"type", whole}}, func(s *session, f *addrFilter, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		if k, ok := strings.CutSuffix(v, "_slave"); ok {
			f.slaveKind = k
		} else {
			f.kind = v
		}
		return nil
	}},
}

// addrFilterDev is the end of ipaddr_list_flush_or_save()'s chain: a
// flag's name (get_filter: "-name", "primary", "dynamic" too), or [dev]
// IFNAME.
func addrFilterDev(s *session, f *addrFilter, args *[]string) error {
	w := (*args)[0]
	if f.getFilter(w) {
		return nil
	}
	if cli.Matches(w, "help") {
		return addrUsage()
	}
	w, err := keyOptional(args, is("dev"))
	if err != nil {
		return err
	}
	if f.dev != "" {
		return dupArg2("dev", w)
	}
	f.dev = w
	return nil
}

// matchAddr is print_addrinfo()'s filter: index, scope, flags, family,
// label (the link's name when the address has none), prefix.
func (s *session) matchAddr(f *addrFilter, a *rtnl.Addr) bool {
	if f.ifindex != 0 && uint32(f.ifindex) != a.Index {
		return false
	}
	if (f.scope^int(a.Scope))&f.scopeMsk != 0 {
		return false
	}
	if (f.flags^a.AllFlags())&f.flagMask != 0 {
		return false
	}
	if f.family != 0 && f.family != a.Family {
		return false
	}
	if f.label != "" {
		label := a.Label
		if label == "" {
			label = s.links.name(int32(a.Index))
		}
		if !fnmatch(f.label, label) {
			return false
		}
	}
	local := a.Local
	if !local.IsValid() {
		local = a.Address
	}
	return f.pfx.matchRTA(local)
}

// fnmatch is fnmatch(3) with no flags: "*", "?", "[...]" and "\"
// escapes.
func fnmatch(pattern, s string) bool {
	for len(pattern) > 0 {
		switch c := pattern[0]; c {
		case '*':
			for i := 0; i <= len(s); i++ {
				if fnmatch(pattern[1:], s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if s == "" {
				return false
			}
			pattern, s = pattern[1:], s[1:]
		case '[':
			end := strings.IndexByte(pattern[1:], ']')
			if end < 0 || s == "" {
				if s == "" || s[0] != '[' {
					return false
				}
				pattern, s = pattern[1:], s[1:]
				continue
			}
			if end == 0 { // "[]...]": the first ] is part of the set
				if e := strings.IndexByte(pattern[2:], ']'); e >= 0 {
					end = e + 1
				}
			}
			set := pattern[1 : 1+end]
			neg := len(set) > 0 && (set[0] == '!' || set[0] == '^')
			if neg {
				set = set[1:]
			}
			in := false
			for i := 0; i < len(set); i++ {
				if i+2 < len(set) && set[i+1] == '-' {
					if set[i] <= s[0] && s[0] <= set[i+2] {
						in = true
					}
					i += 2
				} else if set[i] == s[0] {
					in = true
				}
			}
			if in == neg {
				return false
			}
			pattern, s = pattern[2+end:], s[1:]
		case '\\':
			if len(pattern) > 1 {
				pattern = pattern[1:]
			}
			fallthrough
		default:
			if s == "" || s[0] != pattern[0] {
				return false
			}
			pattern, s = pattern[1:], s[1:]
		}
	}
	return s == ""
}

// dumpAddrs returns every address of family (0: all) on ifindex (0:
// every link), as the kernel filters them.
func (s *session) dumpAddrs(family uint8, ifindex int32) ([]*rtnl.Addr, error) {
	var addrs []*rtnl.Addr
	err := s.conn.Addrs(family, uint32(ifindex), func() { addrs = addrs[:0] }, func(a *rtnl.Addr) error {
		addrs = append(addrs, a)
		return nil
	})
	if err != nil {
		return nil, dumpFailed(err, "Dump terminated", cli.ExitFail)
	}
	return addrs, nil
}

// addrList is ipaddr_list_flush_or_save(): list, flush or save.
func (s *session) addrList(args []string, act addrAction) error {
	if _, err := s.dial(); err != nil {
		return err
	}
	if err := s.sync(); err != nil {
		return err
	}
	if act == addrFlushing {
		if len(args) == 0 {
			return failf("Flush requires arguments.")
		}
		if s.g.Family == unix.AF_PACKET {
			return failf("Cannot flush link addresses.")
		}
	}
	f, err := s.parseAddrFilter(args)
	if err != nil {
		return err
	}
	switch act {
	case addrFlushing:
		return s.addrFlush(f)
	case addrSaving:
		return s.addrSave(f)
	}
	return s.addrShow(f)
}

// addrShow is the listing: the links (one, asked by index, for "dev
// NAME"; else a dump, which for -6 is inet6's shorter one), those
// without a matching address left out, each with its addresses.
func (s *session) addrShow(f *addrFilter) error {
	family := f.family
	// the addresses of each link, and whether one of them passes the
	// filter: one map, looked up once per address and once per link
	type linkAddrs struct {
		list []*rtnl.Addr
		ok   bool
	}
	byLink := map[uint32]linkAddrs{}
	if family != unix.AF_PACKET {
		addrs, err := s.dumpAddrs(family, f.ifindex)
		if err != nil {
			return err
		}
		for _, a := range addrs {
			la := byLink[a.Index]
			la.list = append(la.list, a)
			if (f.family == 0 || f.family == a.Family) && (f.scope^int(a.Scope))&f.scopeMsk == 0 &&
				(f.flags^a.AllFlags())&f.flagMask == 0 && s.labelMatch(f, a) {
				local := a.Local
				if !local.IsValid() {
					local = a.Address
				}
				la.ok = la.ok || f.pfx.matchRTA(local)
			}
			byLink[a.Index] = la
		}
	}
	show := func(p *printer, l *rtnl.Link) {
		la, hasAddr := byLink[uint32(l.Index)]
		if family != unix.AF_PACKET && !la.ok && (hasAddr || family != unix.AF_UNSPEC) {
			return // ipaddr_filter()
		}
		s.addrShowLink(p, f, l, la.list)
	}
	if f.ifindex != 0 {
		mask := uint32(rtnl.RTEXT_FILTER_VF)
		if s.g.Stats == 0 {
			mask |= rtnl.RTEXT_FILTER_SKIP_STATS
		}
		b, err := (&rtnl.Link{IfInfomsg: rtnl.IfInfomsg{Family: family, Index: f.ifindex}, ExtMask: mask}).AppendBinary(nil)
		if err != nil {
			return failf("nsbox: %v", err)
		}
		l, err := s.conn.GetLink(netlink.Message{Data: b})
		if err != nil {
			fmt.Fprintf(stderr, "RTNETLINK answers: %s\nCannot send link request: %s\n", errnoText(err), errnoText(err))
			return s.printer().Flush()
		}
		s.links.put(l)
		p := s.printer()
		show(p, l)
		return p.Flush()
	}
	// the kernel filters the dump by master and kind (iplink_filter_req);
	// "up" and "group" are print_linkinfo()'s, in addrShowLink
	lf := &linkFilter{master: f.master}
	if f.kind != "" {
		lf.kind = f.kind
	} else if f.slaveKind != "" {
		lf.kind = f.slaveKind + "_slave"
	}
	return s.streamLinks(lf, show)
}

// labelMatch is ifa_label_match_rta() == 0.
func (s *session) labelMatch(f *addrFilter, a *rtnl.Addr) bool {
	if f.label == "" {
		return true
	}
	label := a.Label
	if label == "" {
		label = s.links.name(int32(a.Index))
	}
	return fnmatch(f.label, label)
}

// addrShowLink is one turn of ipaddr_list_flush_or_save()'s loop: the
// link's JSON object, print_linkinfo() (whose own filters, up, group,
// master and kind, leave the object empty; with a label filter it prints
// nothing of the link and filters nothing more), the addresses
// (print_selected_addrinfo), and with -s the link's statistics.
func (s *session) addrShowLink(p *printer, f *addrFilter, l *rtnl.Link, list []*rtnl.Addr) {
	opened := false
	open := func() {
		if !opened {
			p.OpenObject("")
			opened = true
		}
	}
	defer func() {
		open()
		p.CloseObject()
	}()
	if f.up && l.Flags&unix.IFF_UP == 0 {
		return
	}
	printed := false // print_linkinfo() returned 1
	if f.label == "" {
		if f.group != -1 && l.Seen.Has(unix.IFLA_GROUP) && int64(int32(l.Group)) != f.group ||
			f.master > 0 && l.Master != f.master || f.kind != "" && l.Info.Kind != f.kind ||
			f.slaveKind != "" && l.Info.SlaveKind != f.slaveKind {
			return
		}
		switch {
		case s.g.Brief:
			open()
			s.printNameAndLink(p, "%-16s ", l)
			s.printOperstate(p, l.OperState)
			if f.family == unix.AF_PACKET {
				if len(l.Address) > 0 {
					p.llAddr("address", "%s ", l.Address, l.Type)
				}
				printLinkFlags(p, l.Flags, false)
				p.Text("\n")
			}
		case !s.g.Oneline || f.family == unix.AF_PACKET:
			// print_linkinfo() decides on filter.family, which "to
			// PREFIX" sets too
			global := s.g.Family
			s.g.Family = int(f.family)
			s.printLink(p, l, false) // opens the object
			s.g.Family = global
			opened = true
			p.Text("\n")
			printed = true
		}
	}
	open()
	if f.family != unix.AF_PACKET {
		p.OpenArray("addr_info", "")
		for _, a := range list {
			if f.family != 0 && f.family != a.Family {
				continue
			}
			// print_addrinfo()'s own filter leaves its object empty
			p.OpenObject("")
			if s.matchAddr(f, a) {
				if s.g.Brief {
					printAddrBriefEntry(p, a)
				} else {
					s.printAddrLine(p, unix.RTM_NEWADDR, a, s.g.Oneline)
				}
			}
			p.CloseObject()
		}
		p.CloseArray("")
		if s.g.Brief {
			p.Text("\n")
		}
	}
	if printed && s.g.Stats > 0 && l.Seen.Has(unix.IFLA_STATS64) {
		if p.JSON() {
			printStats(p, l, s.g.Stats)
		} else {
			// print_link_stats(): the block starts a line of its own
			var b bytes.Buffer
			w := bufio.NewWriter(&b)
			printStats(newPrinter(w, false, false, s.g.Oneline), l, s.g.Stats)
			w.Flush()
			out := b.String()
			if s.g.Oneline {
				out = strings.TrimPrefix(out, "\\")
			} else {
				out = strings.TrimPrefix(out, "\n")
			}
			p.Text("%s", out)
			p.NL()
		}
	}
}

// printAddrBriefEntry is print_addrinfo() under -brief: the address and
// its length.
func printAddrBriefEntry(p *printer, a *rtnl.Addr) {
	local, address := a.Local, a.Address
	if !local.IsValid() {
		local = address
	}
	if !address.IsValid() {
		address = local
	}
	if !local.IsValid() {
		return
	}
	p.ColorString(jsonprint.FamilyColor(a.Family), "local", "%s", local.String())
	if address != local {
		p.Text(" %s ", "peer")
		p.ColorString(jsonprint.FamilyColor(a.Family), "address", "%s", address.String())
	}
	p.Int("prefixlen", "/%d ", int64(a.PrefixLen))
	if a.RtPriority != nil {
		p.Uint("metric", "metric %d ", uint64(*a.RtPriority))
	}
}

// printAddr is print_addrinfo() for one address of link dev, with the
// "N: DEV" prefix of -oneline.
func (s *session) printAddr(p *printer, a *rtnl.Addr, dev string) {
	s.printAddrLine(p, unix.RTM_NEWADDR, a, s.g.Oneline)
}

// printAddrLine is print_addrinfo(): prefix adds "N: DEV" before it
// (-oneline, flush).
func (s *session) printAddrLine(p *printer, typ uint16, a *rtnl.Addr, prefix bool) {
	if typ == unix.RTM_DELADDR {
		p.JSONBool("deleted", true)
		p.Text("Deleted ")
	}
	if prefix {
		dev := s.links.name(int32(a.Index))
		if p.JSON() {
			p.JSONInt("index", int64(a.Index))
			p.JSONString("dev", dev)
		} else {
			p.Text("%d: %s", a.Index, escape.String(dev))
		}
	}
	if name := familyName(a.Family); name != "???" {
		p.String("family", "    %s ", name)
	} else {
		p.Int("family_index", "    family %d ", int64(a.Family))
	}
	local, address := a.Local, a.Address
	if !local.IsValid() {
		local = address
	}
	if !address.IsValid() {
		address = local
	}
	if local.IsValid() {
		p.ColorString(jsonprint.FamilyColor(a.Family), "local", "%s", local.String())
		if address != local {
			p.Text(" %s ", "peer")
			p.ColorString(jsonprint.FamilyColor(a.Family), "address", "%s", address.String())
		}
		p.Int("prefixlen", "/%d ", int64(a.PrefixLen))
		if a.RtPriority != nil {
			p.Uint("metric", "metric %d ", uint64(*a.RtPriority))
		}
	}
	if a.Broadcast.IsValid() {
		p.Text("%s ", "brd")
		p.ColorString(jsonprint.FamilyColor(a.Family), "broadcast", "%s ", a.Broadcast.String())
	}
	if a.Anycast.IsValid() {
		p.Text("%s ", "any")
		p.ColorString(jsonprint.FamilyColor(a.Family), "anycast", "%s ", a.Anycast.String())
	}
	p.String("scope", "scope %s ", scopeNames.n2a(uint32(a.Scope)))
	flags := a.AllFlags()
	for _, fl := range ifaFlags {
		if fl.mask == unix.IFA_F_PERMANENT {
			if flags&fl.mask == 0 {
				p.JSONBool("dynamic", true)
				p.Text("dynamic ")
			}
		} else if flags&fl.mask != 0 {
			name := fl.name
			if fl.mask == unix.IFA_F_SECONDARY && a.Family == unix.AF_INET6 {
				name = "temporary"
			}
			p.JSONBool(name, true)
			p.Text("%s ", name)
		}
		flags &^= fl.mask
	}
	if flags != 0 {
		hex := fmt.Sprintf("%02x", flags)
		p.JSONString("ifa_flags", hex)
		p.Text("flags %s ", hex)
	}
	if a.Label != "" {
		p.String("label", "%s", a.Label)
	}
	if ci := a.CacheInfo; ci != nil {
		p.NL()
		p.Text("       valid_lft ")
		if ci.Valid == 0xffffffff {
			p.JSONUint("valid_life_time", uint64(ci.Valid))
			p.Text("forever")
		} else {
			p.Uint("valid_life_time", "%dsec", uint64(ci.Valid))
		}
		p.Text(" preferred_lft ")
		if ci.Preferred == 0xffffffff {
			p.JSONUint("preferred_life_time", uint64(ci.Preferred))
			p.Text("forever")
		} else if a.AllFlags()&unix.IFA_F_DEPRECATED != 0 {
			p.Int("preferred_life_time", "%dsec", int64(int32(ci.Preferred)))
		} else {
			p.Uint("preferred_life_time", "%dsec", uint64(ci.Preferred))
		}
	}
	p.Text("\n")
}

// addrFlush is ipaddr_flush(): rounds of a dump and the deletion of the
// addresses print_addrinfo()'s filter selects (up to 10 rounds; one
// when "primary" is asked, lest promoted secondaries go too).
func (s *session) addrFlush(f *addrFilter) error {
	p := s.printer()
	for round := 0; round < maxAddrFlushRounds; {
		addrs, msgs, err := s.dumpAddrMessages(f)
		if err != nil {
			p.Flush()
			return asExit(err, cli.ExitFail)
		}
		var dels []netlink.Message
		for i, a := range addrs {
			if !s.matchAddr(f, a) {
				continue
			}
			d, err := request.Deletion(msgs[i])
			if err != nil {
				return failf("nsbox: %v", err)
			}
			dels = append(dels, d)
			if s.g.Stats >= 2 {
				s.printAddrLine(p, unix.RTM_NEWADDR, a, true)
			}
		}
		if len(dels) == 0 {
			return s.flushDone(p, round)
		}
		round++
		// the kernel may delete several addresses for one request
		// (secondaries with their primary): EADDRNOTAVAIL is passed over
		if err := s.flushSend(dels, func(e error) bool { return isErrno(e, unix.EADDRNOTAVAIL) }); err != nil {
			p.Flush()
			return asExit(err, cli.ExitUsage)
		}
		if s.g.Stats > 0 {
			p.Text("\n*** Round %d, deleting %d addresses ***\n", round, len(dels))
		}
		if f.flags&unix.IFA_F_SECONDARY == 0 && f.flagMask&unix.IFA_F_SECONDARY != 0 {
			return s.flushDone(p, round)
		}
	}
	p.Flush()
	return &cli.Error{Code: cli.ExitUsage, Msg: fmt.Sprintf("*** Flush remains incomplete after %d rounds. ***", maxAddrFlushRounds)}
}

// maxAddrFlushRounds is iproute2's max_flush_loops.
const maxAddrFlushRounds = 10

func (s *session) flushDone(p *printer, round int) error {
	if s.g.Stats > 0 {
		if round == 0 {
			p.Text("Nothing to flush.\n")
		} else {
			p.Text("*** Flush is complete after %d round%s ***\n", round, plural(round))
		}
	}
	return p.Flush()
}

// dumpAddrMessages is the address dump of f's family and device, each
// address with its message as the kernel sent it.
func (s *session) dumpAddrMessages(f *addrFilter) ([]*rtnl.Addr, []netlink.Message, error) {
	msgs, err := s.conn.DumpAll(rtnl.AddrDumpRequest(f.family, uint32(f.ifindex)))
	if err != nil {
		return nil, nil, dumpFailed(err, "Flush terminated", cli.ExitFail)
	}
	var addrs []*rtnl.Addr
	var keep []netlink.Message
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWADDR {
			continue
		}
		a, err := rtnl.ParseAddr(m.Data)
		if err != nil {
			return nil, nil, failf("nsbox: %v", err)
		}
		addrs = append(addrs, a)
		keep = append(keep, m)
	}
	return addrs, keep, nil
}

// addrDumpMagic starts what "ip addr save" writes.
const addrDumpMagic = 0x47361222

// addrSave is "ip addr save": the magic, then every address of the
// family and device as the kernel sent it (no other filter applies).
func (s *session) addrSave(f *addrFilter) error {
	if cli.IsTerminal(1) {
		return exitf("Not sending a binary stream to stdout")
	}
	s.out.Write(binary.NativeEndian.AppendUint32(nil, addrDumpMagic))
	// a dump that starts over (NLM_F_DUMP_INTR) writes its messages anew
	var buf bytes.Buffer
	err := s.conn.Dump(rtnl.AddrDumpRequest(uint8(s.g.Family), uint32(f.ifindex)), buf.Reset, func(m netlink.Message) error {
		if m.Header.Type != unix.RTM_NEWADDR {
			return nil
		}
		return writeMessage(&buf, m)
	})
	s.out.Write(buf.Bytes())
	if err != nil {
		return dumpFailed(err, "Save terminated", cli.ExitFail)
	}
	return nil
}

// addrInput is standard input for restore and showdump, bounded.
func addrInput() io.Reader {
	return bounded.LimitReader(stdin, maxRestore, "an address dump on standard input")
}

// addrRestore is ipaddr_restore(): each saved address sent again with
// NLM_F_CREATE; one that exists is reported and passed over.
func (s *session) addrRestore() error {
	in := addrInput()
	if err := checkMagic(in, addrDumpMagic, "address"); err != nil {
		return asExit(err, cli.ExitUsage)
	}
	if _, err := s.dial(); err != nil {
		return err
	}
	err := routeMessages(in, stdinPos(), s.restoreOne)
	return asExit(err, cli.ExitUsage)
}

// addrShowdump is ipaddr_showdump(): a saved dump, printed.
func (s *session) addrShowdump() error {
	in := addrInput()
	if err := checkMagic(in, addrDumpMagic, "address"); err != nil {
		return asExit(err, cli.ExitUsage)
	}
	if _, err := s.dial(); err != nil {
		return err
	}
	p := s.printer()
	p.OpenObject("")
	p.OpenArray("addr_info", "")
	err := routeMessages(in, stdinPos(), func(m netlink.Message) error {
		if m.Header.Type != unix.RTM_NEWADDR && m.Header.Type != unix.RTM_DELADDR {
			return nil
		}
		a, err := rtnl.ParseAddr(m.Data)
		if err != nil {
			return nil
		}
		p.OpenObject("")
		p.Int("index", "if%d:", int64(a.Index))
		p.NL()
		s.printAddrLine(p, uint16(m.Header.Type), a, false)
		p.CloseObject()
		return nil
	})
	p.CloseArray("")
	p.CloseObject()
	p.Flush()
	return asExit(err, cli.ExitUsage)
}
