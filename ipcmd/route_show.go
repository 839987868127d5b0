package ipcmd

import (
	"encoding/binary"
	"errors"
	"io"
	"net/netip"
	"os"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	"nsbox/internal/bounded"
	fmt "nsbox/internal/printf"
	"nsbox/netlink"
	"nsbox/request"
	"nsbox/rtnl"
)

// routeAction is what iproute_list_flush_or_save() does with the routes
// its selector picks.
type routeAction int

const (
	routeList routeAction = iota
	routeFlush
	routeSave
)

// routeFilter is iproute.c's filter: each field is compared only where
// its mask says (a mask of -1: the selector fixed it, and print_route
// does not print it).
type routeFilter struct {
	tb                 uint32 // table; 0: every table
	cloned             int    // 1: the cache; 2 (route get): both
	proto, protoMask   int
	scope, scopeMask   int
	typ                int    // one type asked for, -1: none (see typeMask)
	typeMask           uint64 // 1<<RTN_*: the types shown; 0: all
	tos, tosMask       int
	iif, iifMask       int32
	oif, oifMask       int32
	mark, markMask     uint32
	realm, realmMask   uint32
	metric, metricMask uint32
	rprefsrc, rvia     prefix
	rdst, mdst         prefix
	rsrc, msrc         prefix
	flush              bool // deleting what matches: no IPv6 default unreachable of metric -1
	ip6MultipleTables  bool // seen an IPv6 route outside main
	preferredFamily    uint8
}

// newRouteFilter is iproute_reset_filter(0).
func newRouteFilter(family uint8) *routeFilter {
	return &routeFilter{typ: -1, mdst: prefix{bits: -1}, msrc: prefix{bits: -1}, preferredFamily: family}
}

// typesMask is the type filter, typeMask or the one typ names.
func (f *routeFilter) typesMask() uint64 {
	if f.typeMask == 0 && f.typ >= 0 {
		return 1 << uint(f.typ)
	}
	return f.typeMask
}

// routeSelector is what iproute_list_flush_or_save() reads: the filter,
// and the devices it names, found once every word is read.
type routeSelector struct {
	*routeFilter
	idev, odev string // iif, dev (oif)
}

// parseRouteSelector is iproute_list_flush_or_save()'s loop: the filter,
// and the family to dump.
func (s *session) parseRouteSelector(args []string, f *routeFilter) (dumpFamily uint8, err error) {
	sel := &routeSelector{routeFilter: f}
	if err := parseOptions(s, sel, args, routeSelectorOptions, routeSelectorDst); err != nil {
		return 0, err
	}
	dumpFamily = f.preferredFamily
	if dumpFamily == unix.AF_UNSPEC && f.tb != 0 {
		dumpFamily = unix.AF_INET
	}
	if sel.idev != "" {
		if f.iif = s.links.index(sel.idev); f.iif == 0 {
			return 0, nodev(sel.idev)
		}
		f.iifMask = -1
	}
	if sel.odev != "" {
		if f.oif = s.links.index(sel.odev); f.oif == 0 {
			return 0, nodev(sel.odev)
		}
		f.oifMask = -1
	}
	return dumpFamily, nil
}

// routeSelectorOptions is iproute_list_flush_or_save()'s chain; the final
// else ([to] PREFIX) is routeSelectorDst. Prefixes are read in the family
// ip -f asked for.
var routeSelectorOptions = []option[routeSelector]{
	{[]keyword{{"table", anyPrefix}}, func(s *session, f *routeSelector, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		if t, ok := tableNames.a2n(v); ok {
			f.tb = t
			return nil
		}
		switch v {
		case "all":
			f.tb = 0
		case "cache":
			f.cloned = 1
		case "help":
			return routeUsage()
		default:
			return invArgNL("table id value is invalid", v)
		}
		return nil
	}},
	{[]keyword{{"vrf", anyPrefix}}, func(s *session, f *routeSelector, args *[]string) error {
		var err error
		f.tb, err = nextValue(args, s.vrfTable, "Invalid VRF")
		f.typeMask = ^uint64(1<<unix.RTN_LOCAL | 1<<unix.RTN_BROADCAST)
		return err
	}},
	{[]keyword{{"cached", anyPrefix}, {"cloned", anyPrefix}}, func(s *session, f *routeSelector, args *[]string) error {
		f.cloned = 1
		return nil
	}},
	{[]keyword{{"tos", whole}, {"dsfield", anyPrefix}}, func(s *session, f *routeSelector, args *[]string) error {
		t, err := nextValue(args, dsfieldA2N, "TOS value is invalid")
		f.tos, f.tosMask = int(t), -1
		return err
	}},
	{[]keyword{{"protocol", anyPrefix}}, func(s *session, f *routeSelector, args *[]string) error {
		var err error
		f.proto, f.protoMask, err = nextValueOrAll(args, protoNames.a2n, 0, "invalid \"protocol\"")
		return err
	}},
	{[]keyword{{"scope", anyPrefix}}, func(s *session, f *routeSelector, args *[]string) error {
		var err error
		f.scope, f.scopeMask, err = nextValueOrAll(args, scopeA2n, unix.RT_SCOPE_NOWHERE, "invalid \"scope\"")
		return err
	}},
	{[]keyword{{"type", anyPrefix}}, func(s *session, f *routeSelector, args *[]string) error {
		t, err := nextValue(args, routeTypeA2n, "node type value is invalid")
		f.typeMask = 1 << (t & 63)
		return err
	}},
	{[]keyword{{"dev", whole}, {"oif", whole}}, func(s *session, f *routeSelector, args *[]string) error {
		var err error
		f.odev, err = nextArg(args)
		return err
	}},
	{[]keyword{{"iif", whole}}, func(s *session, f *routeSelector, args *[]string) error {
		var err error
		f.idev, err = nextArg(args)
		return err
	}},
	{[]keyword{{"mark", whole}}, func(s *session, f *routeSelector, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		m, ok := getUnsigned(v)
		if !ok {
			return invArg("invalid mark value", v)
		}
		f.mark, f.markMask = m, 0xffffffff
		return nil
	}},
	{[]keyword{{"metric", anyPrefix}, {"priority", anyPrefix}, {"preference", whole}}, func(s *session, f *routeSelector, args *[]string) error {
		m, err := nextValue(args, getU32, "\"metric\" value is invalid")
		f.metric, f.metricMask = m, 0xffffffff
		return err
	}},
	{[]keyword{{"via", whole}}, func(s *session, f *routeSelector, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		fam := readFamily(v)
		if fam == unix.AF_UNSPEC {
			fam = f.preferredFamily
		} else if v, err = nextArg(args); err != nil {
			return err
		}
		f.rvia, err = getPrefix(v, fam)
		return err
	}},
	{[]keyword{{"src", whole}}, func(s *session, f *routeSelector, args *[]string) error {
		var err error
		f.rprefsrc, err = nextPrefix(args, f.preferredFamily)
		return err
	}},
	{[]keyword{{"realms", anyPrefix}}, func(s *session, f *routeSelector, args *[]string) error {
		r, err := nextValue(args, getRealmsOrRaw, "invalid realms")
		if err != nil {
			return err
		}
		v := (*args)[0]
		f.realm, f.realmMask = r, ^uint32(0)
		if r&0xffff == 0 && v[len(v)-1] == '/' {
			f.realmMask &^= 0xffff
		}
		if r&0xffff0000 == 0 && (!containsByte(v, '/') || v[0] == '/') {
			f.realmMask &^= 0xffff0000
		}
		return nil
	}},
	{[]keyword{{"from", anyPrefix}}, func(s *session, f *routeSelector, args *[]string) error {
		if _, err := nextArg(args); err != nil {
			return err
		}
		return selectorPrefix(args, f.preferredFamily, &f.rsrc, &f.msrc)
	}},
}

// routeSelectorDst is the final else of iproute_list_flush_or_save():
// [to] PREFIX.
func routeSelectorDst(s *session, f *routeSelector, args *[]string) error {
	if _, err := keyOptional(args, abbrev("to")); err != nil {
		return err
	}
	return selectorPrefix(args, f.preferredFamily, &f.rdst, &f.mdst)
}

// selectorPrefix reads "root P", "match P" or "[exact] P" (from
// (*args)[0] on) into root and match as iproute2 does: exact sets both.
func selectorPrefix(args *[]string, family uint8, root, match *prefix) error {
	switch w := (*args)[0]; {
	case cli.Matches(w, "root"):
		var err error
		*root, err = nextPrefix(args, family)
		return err
	case cli.Matches(w, "match"):
		var err error
		*match, err = nextPrefix(args, family)
		return err
	}
	w, err := keyOptional(args, abbrev("exact"))
	if err != nil {
		return err
	}
	p, err := getPrefix(w, family)
	if err != nil {
		return err
	}
	*match, *root = p, p
	return nil
}

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

// dumpRequest is rtnl_routedump_req() with iproute_dump_filter(): the
// kernel filters by protocol, table and output device itself.
func (f *routeFilter) dumpRequest(family uint8) (netlink.Message, error) {
	q := &rtnl.Route{RtMsg: rtnl.RtMsg{Family: family, Protocol: uint8(f.proto)}, TableID: f.tb, OIF: uint32(f.oif)}
	if f.cloned != 0 {
		q.RtMsg.Flags |= unix.RTM_F_CLONED
	}
	return rtnl.RouteDumpFilterRequest(q)
}

// set: a selector prefix given with a family, or "/N".
func (p prefix) set() bool { return p.family != 0 || p.specified }

// rootRejects is filter_nlmsg()'s first test of "root P" on a route's
// prefix (its family, plen bits long): another family, or a route
// shorter than P, cannot lie under P.
func (p prefix) rootRejects(family, plen uint8) bool {
	return p.set() && (p.family != 0 && family != p.family || p.bits > int(plen))
}

// matchRejects is the same test of "match P": another family, or a
// route longer than P, cannot cover P.
func (p prefix) matchRejects(family, plen uint8) bool {
	return p.set() && (p.family != 0 && family != p.family || p.bits >= 0 && p.bits < int(plen))
}

// match is filter_nlmsg(): whether r passes the selector.
func (f *routeFilter) match(r *rtnl.Route) bool {
	table := r.TableNumber()
	if f.preferredFamily != unix.AF_UNSPEC && r.Family != f.preferredFamily {
		return false
	}
	if r.Family == unix.AF_INET6 && table != unix.RT_TABLE_MAIN {
		f.ip6MultipleTables = true
	}
	notCloned := 1
	if r.RtMsg.Flags&unix.RTM_F_CLONED != 0 {
		notCloned = 0
	}
	if f.cloned == notCloned {
		return false
	}
	if r.Family == unix.AF_INET6 && !f.ip6MultipleTables {
		if f.tb != 0 {
			switch f.tb {
			case unix.RT_TABLE_LOCAL:
				if r.Type != unix.RTN_LOCAL {
					return false
				}
			case unix.RT_TABLE_MAIN:
				if r.Type == unix.RTN_LOCAL {
					return false
				}
			default:
				return false
			}
		}
	} else if f.tb > 0 && f.tb != table {
		return false
	}
	if (f.proto^int(r.Protocol))&f.protoMask != 0 || (f.scope^int(r.Scope))&f.scopeMask != 0 {
		return false
	}
	if tm := f.typesMask(); tm != 0 && tm&(1<<uint(r.Type&63)) == 0 {
		return false
	}
	if (f.tos^int(r.TOS))&f.tosMask != 0 {
		return false
	}
	if f.rdst.rootRejects(r.Family, r.DstLen) || f.mdst.matchRejects(r.Family, r.DstLen) ||
		f.rsrc.rootRejects(r.Family, r.SrcLen) || f.msrc.matchRejects(r.Family, r.SrcLen) {
		return false
	}
	if f.rvia.family != 0 {
		fam := r.Family
		if r.Via.IsValid() {
			fam = familyOf(r.Via)
		}
		if fam != f.rvia.family {
			return false
		}
	}
	if f.rprefsrc.family != 0 && r.Family != f.rprefsrc.family {
		return false
	}
	dst := zeroAddr(r.Family)
	if r.Dst.IsValid() {
		dst = r.Dst
	}
	src := zeroAddr(r.Family)
	if r.Src.IsValid() {
		src = r.Src
	}
	if f.rdst.set() && !addrMatch(dst, f.rdst.addrOr(r.Family), f.rdst.bits) {
		return false
	}
	if f.mdst.set() && !addrMatch(dst, f.mdst.addrOr(r.Family), int(r.DstLen)) {
		return false
	}
	if f.rsrc.set() && !addrMatch(src, f.rsrc.addrOr(r.Family), f.rsrc.bits) {
		return false
	}
	if f.msrc.set() && f.msrc.bits >= 0 && !addrMatch(src, f.msrc.addrOr(r.Family), int(r.SrcLen)) {
		return false
	}
	if f.rvia.family != 0 {
		via := zeroAddr(f.rvia.family)
		if f.rvia.bits > 0 {
			if r.Gateway.IsValid() {
				via = r.Gateway
			}
			if r.Via.IsValid() {
				via = r.Via
			}
		}
		if !addrMatch(via, f.rvia.addrOr(f.rvia.family), f.rvia.bits) {
			return false
		}
	}
	if f.rprefsrc.family != 0 {
		ps := zeroAddr(r.Family)
		if f.rprefsrc.bits > 0 && r.PrefSrc.IsValid() {
			ps = r.PrefSrc
		}
		if !addrMatch(ps, f.rprefsrc.addrOr(r.Family), f.rprefsrc.bits) {
			return false
		}
	}
	if f.realmMask != 0 {
		if (routeRealms(r)^f.realm)&f.realmMask != 0 {
			return false
		}
	}
	if f.iifMask != 0 && (int32(r.IIF)^f.iif)&f.iifMask != 0 {
		return false
	}
	if f.oifMask != 0 && (int32(r.OIF)^f.oif)&f.oifMask != 0 {
		return false
	}
	if f.markMask != 0 && (r.Mark^f.mark)&f.markMask != 0 {
		return false
	}
	if f.metricMask != 0 && (r.Priority^f.metric)&f.metricMask != 0 {
		return false
	}
	if f.flush && r.Family == unix.AF_INET6 && r.DstLen == 0 && r.Type == unix.RTN_UNREACHABLE &&
		r.HasPriority && r.Priority == 0xffffffff {
		return false
	}
	return true
}

// zeroAddr is the all-zero address of family (inet_prefix's data before
// anything is copied in).
func zeroAddr(family uint8) netip.Addr {
	if family == unix.AF_INET6 {
		return netip.IPv6Unspecified()
	}
	return netip.IPv4Unspecified()
}

// addrOr is the prefix's address, or zeros of family when it has none
// (any, all, default).
func (p prefix) addrOr(family uint8) netip.Addr {
	if p.addr.IsValid() {
		return p.addr
	}
	return zeroAddr(family)
}

// routeRealms is RTA_FLOW, 0 if absent.
func routeRealms(r *rtnl.Route) uint32 {
	for _, o := range r.Other {
		if o.Kind() == unix.RTA_FLOW && len(o.Data) == 4 {
			return binary.NativeEndian.Uint32(o.Data)
		}
	}
	return 0
}

// routeList is iproute_list_flush_or_save(): list, flush or save the
// routes the selector picks.
func (s *session) routeList(args []string, act routeAction) error {
	if act == routeSave && cli.IsTerminal(1) {
		return failf("Not sending a binary stream to stdout")
	}
	if _, err := s.dial(); err != nil {
		return err
	}
	if err := s.sync(); err != nil {
		return err
	}
	if act == routeSave {
		s.out.Write(binary.NativeEndian.AppendUint32(nil, routeDumpMagic))
	}
	f := newRouteFilter(uint8(s.g.Family))
	f.tb = unix.RT_TABLE_MAIN
	if act == routeFlush && len(args) == 0 {
		return failf("\"ip route flush\" requires arguments.")
	}
	family, err := s.parseRouteSelector(args, f)
	if err != nil {
		return err
	}
	if act == routeFlush {
		return s.routeFlushLoop(f, family)
	}
	req, err := f.dumpRequest(family)
	if err != nil {
		return failf("nsbox: %v", err)
	}
	p := s.printer()
	err = s.dumpEach(req, func(m netlink.Message) error {
		if m.Header.Type != unix.RTM_NEWROUTE && m.Header.Type != unix.RTM_DELROUTE {
			return nil
		}
		r, err := rtnl.ParseRoute(m.Data)
		if err != nil {
			return failf("nsbox: %v", err)
		}
		if !f.match(r) {
			return nil
		}
		if act == routeSave {
			return writeMessage(s.out, m)
		}
		s.printRoute(p, r, f)
		return nil
	})
	if err != nil {
		// save_route_errhndlr: main's table missing is no error
		var re *netlink.Error
		if errors.As(err, &re) && re.Request.Type == 0 && re.Errno == unix.ENOENT && f.tb == unix.RT_TABLE_MAIN {
			err = nil
		}
	}
	if act == routeSave {
		if err != nil {
			return dumpFailed(err, "Dump terminated", cli.ExitKernel)
		}
		return nil
	}
	if err != nil {
		if ce := dumpFailed(err, "Dump terminated", cli.ExitKernel); ce != nil {
			// iproute2 exits with its JSON array open: "[" and
			// what was printed, no "]"
			if p.JSON() {
				p.Begin()
			}
			p.Out().Flush()
			return ce
		}
	}
	return p.Flush()
}

// writeMessage writes m as the kernel sent it: header and payload,
// nlmsg_len bytes (save_route(), save_nlmsg(), save_rule()).
func writeMessage(w io.Writer, m netlink.Message) error {
	h := make([]byte, 0, 16)
	h = binary.NativeEndian.AppendUint32(h, uint32(16+len(m.Data)))
	h = binary.NativeEndian.AppendUint16(h, uint16(m.Header.Type))
	h = binary.NativeEndian.AppendUint16(h, uint16(m.Header.Flags))
	h = binary.NativeEndian.AppendUint32(h, m.Header.Sequence)
	h = binary.NativeEndian.AppendUint32(h, m.Header.PID)
	if _, err := w.Write(h); err != nil {
		return err
	}
	_, err := w.Write(m.Data)
	return err
}

// routeDumpMagic starts what "ip route save" writes.
const routeDumpMagic = 0x45311224

// routeFlushLoop is iproute_flush(): rounds of a dump and the deletion
// of what it selected, until a dump selects nothing.
func (s *session) routeFlushLoop(f *routeFilter, family uint8) error {
	p := s.printer()
	if f.cloned == 1 {
		if family != unix.AF_INET6 {
			if err := os.WriteFile("/proc/sys/net/ipv4/route/flush", []byte("-1"), 0); err != nil {
				var pe *os.PathError
				if errors.As(err, &pe) && pe.Op == "open" {
					return failf("Cannot open \"%s\": %s", "/proc/sys/net/ipv4/route/flush", errnoText(pe.Err))
				}
				return failf("Cannot flush routing cache")
			}
			if s.g.Stats > 0 {
				p.Text("*** IPv4 routing cache is flushed.\n")
			}
		}
		if family == unix.AF_INET {
			return p.Flush()
		}
	}
	f.flush = true
	req, err := f.dumpRequest(family)
	if err != nil {
		return failf("nsbox: %v", err)
	}
	for round := 0; ; {
		var dels []netlink.Message
		err := s.dumpEach(req, func(m netlink.Message) error {
			if m.Header.Type != unix.RTM_NEWROUTE {
				return nil
			}
			r, err := rtnl.ParseRoute(m.Data)
			if err != nil {
				return failf("nsbox: %v", err)
			}
			if !f.match(r) {
				return nil
			}
			d, err := request.Deletion(m)
			if err != nil {
				return err
			}
			dels = append(dels, d)
			if s.g.Stats >= 2 {
				s.printRoute(p, r, f)
			}
			return nil
		})
		if err != nil {
			p.Flush()
			if ce := dumpFailed(err, "Flush terminated", cli.ExitKernel); ce != nil {
				return ce
			}
		}
		if len(dels) == 0 {
			if s.g.Stats > 0 {
				if round == 0 && (f.cloned == 0 || family == unix.AF_INET6) {
					p.Text("Nothing to flush.\n")
				} else {
					p.Text("*** Flush is complete after %d round%s ***\n", round, plural(round))
				}
			}
			return p.Flush()
		}
		round++
		if err := s.flushSend(dels, nil); err != nil {
			p.Flush()
			return &cli.Error{Code: cli.ExitKernel, Msg: err.(*cli.Error).Msg}
		}
		if s.g.Stats > 0 {
			p.Text("\n*** Round %d, deleting %d entries ***\n", round, len(dels))
		}
		if round >= maxFlushRounds {
			p.Text("\n*** Flush not completed after %d rounds, %d entries remain ***\n", round, len(dels))
			p.Flush()
			return &cli.Error{Code: cli.ExitFail}
		}
	}
}

// maxFlushRounds stands for iproute2's 30 seconds: a table that keeps
// refilling is not flushed forever (each round deletes every route it
// saw; only routes added meanwhile make another).
const maxFlushRounds = 1000

// routeMessages reads a file of rtnetlink messages as rtnl_from_file()
// does: each a struct nlmsghdr and NLMSG_ALIGN(len - 16) more bytes, at
// most 16 KiB (iproute2's buffer), calling fn with each. pos is where in
// the file r starts (-1 for a pipe), for the messages that name an
// offset as ftell() does. Its own failures are iproute2's lines, exit 1.
func routeMessages(r io.Reader, pos int64, fn func(netlink.Message) error) error {
	buf := make([]byte, 16384)
	at := func() uint64 {
		if pos < 0 {
			return ^uint64(0)
		}
		return uint64(pos)
	}
	for {
		n, err := io.ReadFull(r, buf[:16])
		if err == io.EOF {
			return nil
		}
		if be := (*bounded.Error)(nil); errors.As(err, &be) {
			return failf("nsbox: standard input: %v", be)
		}
		if err != nil || n < 16 {
			return failf("rtnl-from_file: truncated message")
		}
		if pos >= 0 {
			pos += 16
		}
		l := int(int32(binary.NativeEndian.Uint32(buf)))
		if l < 16 || l > len(buf) {
			return failf("!!!malformed message: len=%d @%d", l, at())
		}
		rest := netlink.Align(l - 16)
		if 16+rest > len(buf) {
			return failf("rtnl-from_file: truncated message")
		}
		if _, err := io.ReadFull(r, buf[16:16+rest]); err != nil {
			if be := (*bounded.Error)(nil); errors.As(err, &be) {
				return failf("nsbox: standard input: %v", be)
			}
			return failf("rtnl-from_file: truncated message")
		}
		if pos >= 0 {
			pos += int64(rest)
		}
		h, _ := netlink.ParseHeader(buf[:16])
		m := netlink.Message{Header: h, Data: buf[16:l]}
		if err := fn(m); err != nil {
			return err
		}
	}
}

// maxRestore bounds what restore and showdump read from standard input.
const maxRestore = 256 << 20

// checkMagic is route_dump_check_magic() (and its twins for addresses and
// rules): the first four bytes, in native order.
func checkMagic(r io.Reader, want uint32, what string) error {
	if cli.IsTerminal(0) {
		return failf("Can't restore %s dump from a terminal", what)
	}
	var b [4]byte
	n, _ := io.ReadFull(r, b[:])
	magic := uint32(0)
	if n == 4 {
		magic = binary.NativeEndian.Uint32(b[:])
	}
	if magic != want {
		elems := 0
		if n == 4 {
			elems = 1
		}
		return failf("Magic mismatch (%d elems, %x magic)", elems, magic)
	}
	return nil
}

// routeRestore is iproute_restore(): the routes of a saved dump, added
// in three passes (local addresses' routes, then local networks', then
// the rest via gateways), each reading the file from after the magic,
// so standard input must be a file. A route that exists already is
// reported (rtnl_talk's line) and passed over.
func (s *session) routeRestore() error {
	in := bounded.LimitReader(stdin, maxRestore, "a route dump on standard input")
	if err := checkMagic(in, routeDumpMagic, "route"); err != nil {
		return err
	}
	f, ok := stdin.(*os.File)
	pos := int64(-1)
	if ok {
		if at, err := f.Seek(0, io.SeekCurrent); err == nil {
			pos = at
		}
	}
	if pos < 0 {
		return failf("Failed to restore: ftell: %s", errnoText(unix.ESPIPE))
	}
	if _, err := s.dial(); err != nil {
		return err
	}
	for prio := 0; prio < 3; prio++ {
		in := bounded.LimitReader(f, maxRestore, "a route dump on standard input")
		err := routeMessages(in, pos, func(m netlink.Message) error {
			r, err := rtnl.ParseRoute(m.Data)
			if err != nil {
				return nil
			}
			gw := r.Gateway.IsValid()
			local := !r.PrefSrc.IsValid() || r.PrefSrc == r.Dst
			if !(prio == 0 && !gw && local || prio == 1 && !gw && !local || prio == 2 && gw) {
				return nil
			}
			return s.restoreOne(m)
		})
		if err != nil {
			return asExit(err, cli.ExitKernel)
		}
		if _, err := f.Seek(pos, io.SeekStart); err != nil {
			return failf("Failed to restore: fseek: %s", errnoText(err))
		}
	}
	return nil
}

// restoreOne is restore_handler(): the saved message sent again with
// NLM_F_CREATE; a refusal is printed, and only EEXIST is passed over.
func (s *session) restoreOne(m netlink.Message) error {
	m.Header.Flags |= unix.NLM_F_CREATE
	m.Header.Sequence, m.Header.PID = 0, 0
	if _, err := s.conn.Execute(m); err != nil {
		ce := cli.KernelError(err)
		if !isErrno(err, unix.EEXIST) {
			return ce
		}
		s.out.Flush()
		fmt.Fprintln(stderr, ce.Msg)
	}
	return nil
}

// asExit gives err the exit code code (keeping its message).
func asExit(err error, code int) error {
	if ce, ok := err.(*cli.Error); ok {
		return &cli.Error{Code: code, Msg: ce.Msg, Fatal: ce.Fatal}
	}
	return err
}

// routeShowdump is iproute_showdump(): a saved dump, printed.
func (s *session) routeShowdump() error {
	in := bounded.LimitReader(stdin, maxRestore, "a route dump on standard input")
	if err := checkMagic(in, routeDumpMagic, "route"); err != nil {
		return err
	}
	if _, err := s.dial(); err != nil {
		return err
	}
	f := newRouteFilter(uint8(s.g.Family))
	p := newPrinter(s.out, false, false, s.g.Oneline)
	err := routeMessages(in, stdinPos(), func(m netlink.Message) error {
		if m.Header.Type != unix.RTM_NEWROUTE && m.Header.Type != unix.RTM_DELROUTE {
			fmt.Fprintf(stderr, "Not a route: %08x %08x %08x\n", m.Header.Length, m.Header.Type, m.Header.Flags)
			return nil
		}
		r, err := rtnl.ParseRoute(m.Data)
		if err != nil {
			return nil
		}
		s.printRoute(p, r, f)
		return nil
	})
	p.Flush()
	if err != nil {
		return asExit(err, cli.ExitKernel)
	}
	return nil
}

// stdinPos is ftell(stdin): where standard input is, -1 for a pipe.
func stdinPos() int64 {
	if f, ok := stdin.(*os.File); ok {
		if at, err := f.Seek(0, io.SeekCurrent); err == nil {
			return at
		}
	}
	return -1
}
