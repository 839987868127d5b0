package ipcmd

import (
	"encoding/binary"
	"net/netip"
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	fmt "nsbox/internal/printf"
	"nsbox/netlink"
	"nsbox/request"
	"nsbox/rtnl"
)

// "ip rule": policy routing rules, as iproute2's iprule.c.

const ruleUsageText = `Usage: ip rule { add | del } SELECTOR ACTION
       ip rule { flush | save | restore }
       ip rule [ list [ SELECTOR ]]
SELECTOR := [ not ] [ from PREFIX ] [ to PREFIX ] [ tos TOS ]
            [ fwmark FWMARK[/MASK] ]
            [ iif STRING ] [ oif STRING ] [ pref NUMBER ] [ l3mdev ]
            [ uidrange NUMBER-NUMBER ]
            [ ipproto PROTOCOL ]
            [ sport [ NUMBER | NUMBER-NUMBER ]
            [ dport [ NUMBER | NUMBER-NUMBER ] ]
ACTION := [ table TABLE_ID ]
          [ protocol PROTO ]
          [ nat ADDRESS ]
          [ realms [SRCREALM/]DSTREALM ]
          [ goto NUMBER ]
          SUPPRESSOR
SUPPRESSOR := [ suppress_prefixlength NUMBER ]
              [ suppress_ifgroup DEVGROUP ]
TABLE_ID := [ local | main | default | NUMBER ]
`

func ruleUsage() error { return usage(ruleUsageText) }

type ruleAction int

const (
	ruleList ruleAction = iota
	ruleFlush
	ruleSave
)

// ruleVerbs is do_iprule()'s chain.
var ruleVerbs = []objVerb{
	{[]keyword{{"list", anyPrefix}, {"lst", anyPrefix}, {"show", anyPrefix}}, func(s *session, a []string) error { return s.ruleList(a, ruleList) }},
	{[]keyword{{"save", anyPrefix}}, func(s *session, a []string) error { return s.ruleList(a, ruleSave) }},
	{[]keyword{{"restore", anyPrefix}}, func(s *session, _ []string) error { return s.ruleRestore() }},
	{[]keyword{{"add", anyPrefix}}, func(s *session, a []string) error { return s.ruleModify(request.Add, a) }},
	{[]keyword{{"delete", anyPrefix}}, func(s *session, a []string) error { return s.ruleModify(request.Delete, a) }},
	{[]keyword{{"flush", anyPrefix}}, func(s *session, a []string) error { return s.ruleList(a, ruleFlush) }},
	{[]keyword{{"help", anyPrefix}}, func(*session, []string) error { return ruleUsage() }},
}

func doRule(s *session, args []string) error {
	return runVerb(s, args, ruleVerbs, func(s *session, a []string) error { return s.ruleList(a, ruleList) }, "ip rule")
}

// scanRange is sscanf(arg, "%u-%u") (bits 32) or "%hu-%hu" (16): the
// number of values read (a second is optional for the caller to check).
func scanRange(arg string, bits uint) (rtnl.RuleRange, int) {
	var r rtnl.RuleRange
	first, k, _ := strtoulPrefix(arg, 10)
	if k == 0 {
		return r, 0
	}
	mask := uint64(1)<<bits - 1
	r.Start = uint32(first & mask)
	rest := arg[k:]
	if !strings.HasPrefix(rest, "-") {
		return r, 1
	}
	second, k2, _ := strtoulPrefix(rest[1:], 10)
	if k2 == 0 {
		return r, 1
	}
	r.End = uint32(second & mask)
	return r, 2
}

// portRange reads a port or a range of ports ("%hu-%hu"; one port is a
// range of one).
func portRange(args *[]string, msg string) (*rtnl.RuleRange, error) {
	arg, err := nextArg(args)
	if err != nil {
		return nil, err
	}
	r, n := scanRange(arg, 16)
	switch n {
	case 1:
		r.End = r.Start
	case 2:
	default:
		return nil, invArgNL(msg, arg)
	}
	return &r, nil
}

// uidRange reads "uidrange"'s "%u-%u".
func uidRange(args *[]string) (*rtnl.RuleRange, error) {
	arg, err := nextArg(args)
	if err != nil {
		return nil, err
	}
	r, n := scanRange(arg, 32)
	if n != 2 {
		return nil, invArgNL("invalid UID range", arg)
	}
	return &r, nil
}

// fwmarkArg reads "MARK[/MASK]" (get_u32 each).
func fwmarkArg(args *[]string) (mark uint32, mask *uint32, err error) {
	arg, err := nextArg(args)
	if err != nil {
		return 0, nil, err
	}
	m, mk, slash := strings.Cut(arg, "/")
	v, ok := getU32(m)
	if !ok {
		return 0, nil, invArgNL("fwmark value is invalid", m)
	}
	if slash {
		k, ok := getU32(mk)
		if !ok {
			return 0, nil, invArgNL("fwmask value is invalid", mk)
		}
		mask = &k
	}
	return v, mask, nil
}

// ruleArgs is what iprule_modify() collects.
type ruleArgs struct {
	r     request.Rule
	table *uint32
}

// rulePrefix reads "from"'s and "to"'s prefix (get_prefix in the rule's
// family); "all" is none.
func rulePrefix(args *[]string, family uint8, dst *netip.Prefix) error {
	p, err := nextPrefix(args, family)
	if err != nil {
		return err
	}
	if p.bytelen > 0 {
		*dst = netip.PrefixFrom(p.addr, p.bits)
	} else if p.bits > 0 {
		*dst = netip.PrefixFrom(zeroAddr(family), p.bits)
	}
	return nil
}

// ruleIfname reads a device name (check_ifname), msg its refusal.
func ruleIfname(args *[]string, msg string, dst *string) error {
	v, err := nextArg(args)
	if err != nil {
		return err
	}
	if !checkIfname(v) {
		return invArg(msg, v)
	}
	*dst = v
	return nil
}

// ruleOptions is iprule_modify()'s chain; the final else (a type, goto,
// nop) is ruleType.
var ruleOptions = []option[ruleArgs]{
	{[]keyword{{"not", whole}}, func(s *session, a *ruleArgs, args *[]string) error { a.r.Not = true; return nil }},
	{[]keyword{{"from", whole}}, func(s *session, a *ruleArgs, args *[]string) error {
		return rulePrefix(args, a.r.Family, &a.r.Src)
	}},
	{[]keyword{{"to", whole}}, func(s *session, a *ruleArgs, args *[]string) error {
		return rulePrefix(args, a.r.Family, &a.r.Dst)
	}},
	{[]keyword{{"preference", anyPrefix}, {"order", anyPrefix}, {"priority", anyPrefix}}, func(s *session, a *ruleArgs, args *[]string) error {
		return setValue(args, getU32, "preference value is invalid", &a.r.Priority)
	}},
	{[]keyword{{"tos", whole}, {"dsfield", anyPrefix}}, func(s *session, a *ruleArgs, args *[]string) error {
		t, err := nextValue(args, dsfieldA2N, "TOS value is invalid")
		if err != nil {
			return err
		}
		a.r.TOS = uint8(t)
		return nil
	}},
	{[]keyword{{"fwmark", whole}}, func(s *session, a *ruleArgs, args *[]string) error {
		mark, mask, err := fwmarkArg(args)
		if err != nil {
			return err
		}
		a.r.FwMark, a.r.FwMask = &mark, mask
		return nil
	}},
	{[]keyword{{"realms", anyPrefix}}, func(s *session, a *ruleArgs, args *[]string) error {
		return setValue(args, getRealmsOrRaw, "invalid realms", &a.r.Realms)
	}},
	{[]keyword{{"protocol", anyPrefix}}, func(s *session, a *ruleArgs, args *[]string) error {
		p, err := nextValue(args, protoNames.a2n, "\"protocol\" value is invalid")
		if err != nil {
			return err
		}
		a.r.Protocol = new(uint8(p))
		return nil
	}},
	{[]keyword{{"tun_id", anyPrefix}}, func(s *session, a *ruleArgs, args *[]string) error {
		return setValue(args, getU64, "\"tun_id\" value is invalid", &a.r.TunID)
	}},
	{[]keyword{{"table", anyPrefix}, {"lookup", whole}}, func(s *session, a *ruleArgs, args *[]string) error {
		return setValue(args, tableNames.a2n, "invalid table ID", &a.table)
	}},
	{[]keyword{{"suppress_prefixlength", anyPrefix}, {"sup_pl", whole}}, func(s *session, a *ruleArgs, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		pl, ok := getS32(v)
		if !ok || pl < 0 {
			return invArgNL("suppress_prefixlength value is invalid", v)
		}
		n := uint32(pl)
		a.r.SuppressPrefixLen = &n
		return nil
	}},
	{[]keyword{{"suppress_ifgroup", anyPrefix}, {"sup_group", whole}}, func(s *session, a *ruleArgs, args *[]string) error {
		return setValue(args, groupNames.a2n, "Invalid \"suppress_ifgroup\" value", &a.r.SuppressIfGroup)
	}},
	{[]keyword{{"dev", whole}, {"iif", whole}}, func(s *session, a *ruleArgs, args *[]string) error {
		return ruleIfname(args, "\"iif\"/\"dev\" not a valid ifname", &a.r.IIF)
	}},
	{[]keyword{{"oif", whole}}, func(s *session, a *ruleArgs, args *[]string) error {
		return ruleIfname(args, "\"oif\" not a valid ifname", &a.r.OIF)
	}},
	{[]keyword{{"l3mdev", whole}}, func(s *session, a *ruleArgs, args *[]string) error { a.r.L3MDev = true; return nil }},
	{[]keyword{{"uidrange", whole}}, func(s *session, a *ruleArgs, args *[]string) error {
		var err error
		a.r.UIDRange, err = uidRange(args)
		return err
	}},
	{[]keyword{{"nat", whole}, {"map-to", anyPrefix}}, func(s *session, a *ruleArgs, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "Warning: route NAT is deprecated\n")
		p, ok := getAddr1(v, unix.AF_INET)
		if !ok || !p.addr.IsValid() {
			return exitf("Error: an IP address is expected rather than \"%s\"", v)
		}
		a.r.NAT = p.addr
		return nil
	}},
	{[]keyword{{"ipproto", whole}}, func(s *session, a *ruleArgs, args *[]string) error {
		return setValue(args, inetProtoA2N, "Invalid \"ipproto\" value", &a.r.IPProto)
	}},
	{[]keyword{{"sport", whole}}, func(s *session, a *ruleArgs, args *[]string) error {
		var err error
		a.r.SPort, err = portRange(args, "invalid port range")
		return err
	}},
	{[]keyword{{"dport", whole}}, func(s *session, a *ruleArgs, args *[]string) error {
		var err error
		a.r.DPort, err = portRange(args, "invalid dport range")
		return err
	}},
}

// ruleType is the final else of iprule_modify(): [type] goto N, nop, or
// a route type (blackhole, unreachable, prohibit, ...) as the action.
func ruleType(s *session, a *ruleArgs, args *[]string) error {
	w, err := keyOptional(args, is("type"))
	if err != nil {
		return err
	}
	var t uint8
	switch {
	case cli.Matches(w, "help"):
		return ruleUsage()
	case cli.Matches(w, "goto"):
		target, err := nextValue(args, getU32, "invalid target")
		if err != nil {
			return err
		}
		a.r.Goto = &target
		t = rtnl.FR_ACT_GOTO
	case cli.Matches(w, "nop"):
		t = rtnl.FR_ACT_NOP
	default:
		rt, ok := routeTypeA2n(w)
		if !ok {
			return invArg("Failed to parse rule type", w)
		}
		t = rt
	}
	a.r.Action = &t
	return nil
}

// ruleModify is iprule_modify(): rule add and del.
func (s *session) ruleModify(op request.Op, args []string) error {
	a := &ruleArgs{r: request.Rule{Family: uint8(s.g.Family)}}
	if len(args) == 0 {
		if op == request.Add {
			return failf("\"ip rule add\" requires arguments.")
		}
		return failf("\"ip rule del\" requires arguments.")
	}
	if err := parseOptions(s, a, args, ruleOptions, ruleType); err != nil {
		return err
	}
	a.r.Table = a.table
	if a.r.L3MDev && a.table != nil && *a.table != 0 {
		return &cli.Error{Code: int(unix.EINVAL), Msg: request.ErrRuleL3MDevTable.Error()}
	}
	if _, err := s.dial(); err != nil {
		return err
	}
	m, err := a.r.Message(op)
	if err != nil {
		return failf("nsbox: %v", err)
	}
	return s.exec(m)
}

// ruleFilter is iprule.c's filter.
type ruleFilter struct {
	family                 uint8 // the prefixes' (ip -f; inet when none)
	not, l3mdev            bool
	iif, oif               string
	uidrange               *rtnl.RuleRange
	tb                     uint32
	tos                    uint8
	tosSet                 bool
	pref                   uint32
	prefSet                bool
	fwmark, fwmask         uint32
	tunID                  uint64
	src, dst               prefix
	protocol, protocolMask int
	sport, dport           rtnl.RuleRange
	ipproto                uint8
}

// ruleFilterOptions is iprule_list_flush_or_save()'s chain; the final
// else ([dst|to] PREFIX) is ruleFilterDst.
var ruleFilterOptions = []option[ruleFilter]{
	{[]keyword{{"preference", anyPrefix}, {"order", anyPrefix}, {"priority", anyPrefix}}, func(s *session, f *ruleFilter, args *[]string) error {
		var err error
		f.pref, err = nextValue(args, getU32, "preference value is invalid")
		f.prefSet = true
		return err
	}},
	{[]keyword{{"not", whole}}, func(s *session, f *ruleFilter, args *[]string) error { f.not = true; return nil }},
	{[]keyword{{"tos", whole}, {"dsfield", whole}}, func(s *session, f *ruleFilter, args *[]string) error {
		t, err := nextValue(args, dsfieldA2N, "TOS value is invalid")
		f.tos, f.tosSet = uint8(t), true
		return err
	}},
	{[]keyword{{"fwmark", whole}}, func(s *session, f *ruleFilter, args *[]string) error {
		mark, mask, err := fwmarkArg(args)
		f.fwmark = mark
		if mask != nil {
			f.fwmask = *mask
		}
		return err
	}},
	{[]keyword{{"dev", whole}, {"iif", whole}}, func(s *session, f *ruleFilter, args *[]string) error {
		return ruleIfname(args, "\"iif\"/\"dev\" not a valid ifname", &f.iif)
	}},
	{[]keyword{{"oif", whole}}, func(s *session, f *ruleFilter, args *[]string) error {
		return ruleIfname(args, "\"oif\" not a valid ifname", &f.oif)
	}},
	{[]keyword{{"l3mdev", whole}}, func(s *session, f *ruleFilter, args *[]string) error { f.l3mdev = true; return nil }},
	{[]keyword{{"uidrange", whole}}, func(s *session, f *ruleFilter, args *[]string) error {
		var err error
		f.uidrange, err = uidRange(args)
		return err
	}},
	{[]keyword{{"tun_id", anyPrefix}}, func(s *session, f *ruleFilter, args *[]string) error {
		var err error
		f.tunID, err = nextValue(args, getU64, "\"tun_id\" value is invalid")
		return err
	}},
	{[]keyword{{"lookup", anyPrefix}, {"table", anyPrefix}}, func(s *session, f *ruleFilter, args *[]string) error {
		var err error
		f.tb, err = nextValue(args, tableNames.a2n, "table id value is invalid")
		return err
	}},
	{[]keyword{{"from", anyPrefix}, {"src", anyPrefix}}, func(s *session, f *ruleFilter, args *[]string) error {
		var err error
		f.src, err = nextPrefix(args, f.family)
		return err
	}},
	{[]keyword{{"protocol", anyPrefix}}, func(s *session, f *ruleFilter, args *[]string) error {
		var err error
		f.protocol, f.protocolMask, err = nextValueOrAll(args, protoNames.a2n, 0, "invalid \"protocol\"")
		return err
	}},
	{[]keyword{{"ipproto", whole}}, func(s *session, f *ruleFilter, args *[]string) error {
		var err error
		f.ipproto, err = nextValue(args, inetProtoA2N, "Invalid \"ipproto\" value")
		return err
	}},
	{[]keyword{{"sport", whole}}, func(s *session, f *ruleFilter, args *[]string) error {
		r, err := portRange(args, "invalid port range")
		if err == nil {
			f.sport = *r
		}
		return err
	}},
	{[]keyword{{"dport", whole}}, func(s *session, f *ruleFilter, args *[]string) error {
		r, err := portRange(args, "invalid dport range")
		if err == nil {
			f.dport = *r
		}
		return err
	}},
}

// ruleFilterDst is the final else of iprule_list_flush_or_save():
// [dst|to] PREFIX.
func ruleFilterDst(s *session, f *ruleFilter, args *[]string) error {
	w, err := keyOptional(args, abbrev("dst"), abbrev("to"))
	if err != nil {
		return err
	}
	f.dst, err = getPrefix(w, f.family)
	return err
}

// match is filter_nlmsg().
func (f *ruleFilter) match(r *rtnl.Rule, preferred uint8) bool {
	if preferred != 0 && r.Family != preferred {
		return false
	}
	if f.prefSet {
		prio := uint32(0)
		if r.Priority != nil {
			prio = *r.Priority
		}
		if f.pref != prio {
			return false
		}
	}
	if f.not && r.Flags&rtnl.FIB_RULE_INVERT == 0 {
		return false
	}
	for _, x := range []struct {
		p    prefix
		a    netip.Addr
		plen uint8
	}{{f.src, r.Src, r.SrcLen}, {f.dst, r.Dst, r.DstLen}} {
		if x.p.family == 0 {
			continue
		}
		if x.p.family != r.Family || x.p.bits > int(x.plen) || !x.p.matchRTA(x.a) {
			return false
		}
	}
	if f.tosSet && f.tos != r.TOS {
		return false
	}
	if f.fwmark != 0 && (r.FwMark == nil || *r.FwMark != f.fwmark) {
		return false
	}
	if f.fwmask != 0 && (r.FwMask == nil || *r.FwMask != f.fwmask) {
		return false
	}
	if f.iif != "" && r.IIFName != f.iif || f.oif != "" && r.OIFName != f.oif {
		return false
	}
	if f.l3mdev && (r.L3MDev == nil || *r.L3MDev == 0) {
		return false
	}
	if f.uidrange != nil && (r.UIDRange == nil || *r.UIDRange != *f.uidrange) {
		return false
	}
	if f.ipproto != 0 && (r.IPProto == nil || *r.IPProto != f.ipproto) {
		return false
	}
	if f.sport.Start != 0 && (r.SPort == nil || *r.SPort != f.sport) {
		return false
	}
	if f.dport.Start != 0 && (r.DPort == nil || *r.DPort != f.dport) {
		return false
	}
	if f.tunID != 0 && (r.TunID == nil || *r.TunID != f.tunID) {
		return false
	}
	return !(f.tb > 0 && f.tb != r.TableNumber())
}

// ruleDumpMagic starts what "ip rule save" writes.
const ruleDumpMagic = 0x71706986

// ruleList is iprule_list_flush_or_save().
func (s *session) ruleList(args []string, act ruleAction) error {
	af := uint8(s.g.Family)
	if af == unix.AF_UNSPEC {
		af = unix.AF_INET
	}
	if act == ruleSave {
		if len(args) > 0 {
			return failf("\"ip rule save\" does not take any arguments.")
		}
		if cli.IsTerminal(1) {
			return failf("Not sending a binary stream to stdout")
		}
		s.out.Write(binary.NativeEndian.AppendUint32(nil, ruleDumpMagic))
	}
	f := &ruleFilter{family: af}
	if err := parseOptions(s, f, args, ruleFilterOptions, ruleFilterDst); err != nil {
		return err
	}
	if _, err := s.dial(); err != nil {
		return err
	}
	if err := s.sync(); err != nil {
		return err
	}
	p := s.printer()
	err := s.dumpEach(request.RuleQuery(af), func(m netlink.Message) error {
		if m.Header.Type != unix.RTM_NEWRULE && m.Header.Type != unix.RTM_DELRULE {
			return nil
		}
		if act == ruleSave {
			return writeMessage(s.out, m)
		}
		r, err := rtnl.ParseRule(m.Data)
		if err != nil {
			return failf("nsbox: %v", err)
		}
		if !f.match(r, uint8(s.g.Family)) {
			return nil
		}
		if act == ruleFlush {
			if r.Protocol != nil && (f.protocol^int(*r.Protocol))&f.protocolMask != 0 {
				return nil
			}
			if r.Priority == nil {
				return nil
			}
			d, err := request.Deletion(m)
			if err != nil {
				return err
			}
			if _, err := s.conn.Execute(d); err != nil {
				s.out.Flush()
				fmt.Fprintln(stderr, cli.KernelError(err).Msg)
				return &cli.Error{Code: cli.ExitUsage, Msg: "Dump terminated"}
			}
			return nil
		}
		s.printRule(p, uint16(m.Header.Type), r)
		return nil
	})
	if err != nil {
		p.Flush()
		return dumpFailed(err, "Dump terminated", cli.ExitUsage)
	}
	return p.Flush()
}

// printRule is print_rule().
func (s *session) printRule(p *printer, typ uint16, r *rtnl.Rule) {
	hostLen := afBitLen(r.Family)
	p.OpenObject("")
	if typ == unix.RTM_DELRULE {
		p.JSONBool("deleted", true)
		p.Text("Deleted ")
	}
	prio := uint32(0)
	if r.Priority != nil {
		prio = *r.Priority
	}
	p.Uint("priority", "%d:\t", uint64(prio))
	if r.Flags&rtnl.FIB_RULE_INVERT != 0 {
		p.Null("not", "not ", "")
	}
	switch {
	case r.Src.IsValid():
		p.Text("from ")
		p.String("src", "%s", r.Src.String())
		if int(r.SrcLen) != hostLen {
			p.Uint("srclen", "/%d", uint64(r.SrcLen))
		}
	case r.SrcLen != 0:
		p.String("src", "from %s", "0")
		p.Uint("srclen", "/%d", uint64(r.SrcLen))
	default:
		p.String("src", "from %s", "all")
	}
	switch {
	case r.Dst.IsValid():
		p.Text(" to ")
		p.String("dst", "%s", r.Dst.String())
		if int(r.DstLen) != hostLen {
			p.Uint("dstlen", "/%d", uint64(r.DstLen))
		}
	case r.DstLen != 0:
		p.String("dst", " to %s", "0")
		p.Uint("dstlen", "/%d", uint64(r.DstLen))
	}
	if r.TOS != 0 {
		p.String("tos", " tos %s", dsfieldN2A(uint32(r.TOS)))
	}
	if r.FwMark != nil || r.FwMask != nil {
		mark := uint32(0)
		if r.FwMark != nil {
			mark = *r.FwMark
		}
		p.Hex0x("fwmark", " fwmark %s", uint64(mark))
		if r.FwMask != nil && *r.FwMask != 0xffffffff {
			p.Hex0x("fwmask", "/%s", uint64(*r.FwMask))
		}
	}
	if r.IIFName != "" {
		p.Text(" iif ")
		p.String("iif", "%s", r.IIFName)
		if r.Flags&rtnl.FIB_RULE_IIF_DETACHED != 0 {
			p.Null("iif_detached", " [detached]", "")
		}
	}
	if r.OIFName != "" {
		p.Text(" oif ")
		p.String("oif", "%s", r.OIFName)
		if r.Flags&rtnl.FIB_RULE_OIF_DETACHED != 0 {
			p.Null("oif_detached", " [detached]", "")
		}
	}
	if r.L3MDev != nil && *r.L3MDev != 0 {
		p.Null("l3mdev", " lookup [l3mdev-table]", "")
	}
	if r.UIDRange != nil {
		p.Uint("uid_start", " uidrange %d", uint64(r.UIDRange.Start))
		p.Uint("uid_end", "-%d", uint64(r.UIDRange.End))
	}
	if r.IPProto != nil {
		p.String("ipproto", " ipproto %s", inetProtoN2A(*r.IPProto))
	}
	for _, x := range []struct {
		r    *rtnl.RuleRange
		name string
	}{{r.SPort, "sport"}, {r.DPort, "dport"}} {
		if x.r == nil {
			continue
		}
		if x.r.Start == x.r.End {
			p.Uint(x.name, " "+x.name+" %d", uint64(x.r.Start))
		} else {
			p.Uint(x.name+"_start", " "+x.name+" %d", uint64(x.r.Start))
			p.Uint(x.name+"_end", "-%d", uint64(x.r.End))
		}
	}
	if r.TunID != nil {
		p.Uint("tun_id", " tun_id %d", *r.TunID)
	}
	if table := r.TableNumber(); table != 0 {
		p.String("table", " lookup %s", tableNames.n2a(table))
		if r.SuppressPrefixLen != nil && int32(*r.SuppressPrefixLen) != -1 {
			p.Int("suppress_prefixlen", " suppress_prefixlength %d", int64(int32(*r.SuppressPrefixLen)))
		}
		if r.SuppressIfGroup != nil && int32(*r.SuppressIfGroup) != -1 {
			p.String("suppress_ifgroup", " suppress_ifgroup %s", groupNames.n2a(*r.SuppressIfGroup))
		}
	}
	if r.Flow != nil {
		to := *r.Flow
		from := to >> 16
		to &= 0xffff
		if from != 0 {
			p.String("flow_from", " realms %s/", realmNames.n2a(from))
		} else {
			p.Text(" realms ")
		}
		p.String("flow_to", "%s", realmNames.n2a(to))
	}
	switch r.Action {
	case unix.RTN_NAT:
		if r.Gateway.IsValid() {
			p.String("nat_gateway", " map-to %s", r.Gateway.String())
		} else {
			p.Null("masquerade", " masquerade", "")
		}
	case rtnl.FR_ACT_GOTO:
		if r.Goto != nil {
			p.Uint("goto", " goto %d", uint64(*r.Goto))
		} else {
			p.String("goto", " goto %s", "none")
		}
		if r.Flags&rtnl.FIB_RULE_UNRESOLVED != 0 {
			p.Null("unresolved", " [unresolved]", "")
		}
	case rtnl.FR_ACT_NOP:
		p.Null("nop", " nop", "")
	case rtnl.FR_ACT_TO_TBL:
	default:
		p.String("action", " %s", routeTypeName(r.Action))
	}
	if r.Protocol != nil && (*r.Protocol != 0 && *r.Protocol != unix.RTPROT_KERNEL || s.g.Details) {
		p.String("protocol", " proto %s", protoNames.n2a(uint32(*r.Protocol)))
	}
	p.Text("\n")
	p.CloseObject()
}

// ruleRestore is iprule_restore(): each saved rule sent again with
// NLM_F_CREATE; one that exists is reported and passed over.
func (s *session) ruleRestore() error {
	in := addrInput()
	if err := checkMagic(in, ruleDumpMagic, "rule"); err != nil {
		return asExit(err, cli.ExitUsage)
	}
	if _, err := s.dial(); err != nil {
		return err
	}
	err := routeMessages(in, stdinPos(), s.restoreOne)
	return asExit(err, cli.ExitUsage)
}
