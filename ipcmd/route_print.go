package ipcmd

import (
	"encoding/binary"
	"net/netip"
	"strconv"

	"golang.org/x/sys/unix"

	"nsbox/netlink"
	"nsbox/rtnl"
)

// printRoute is print_route(): one route, as "ip route" prints it.
// Fields a selector fixes (a mask of -1 in f) are not printed.
func (s *session) printRoute(p *printer, r *rtnl.Route, f *routeFilter) {
	s.printRouteMsg(p, unix.RTM_NEWROUTE, r, f)
}

// printRouteMsg is printRoute for a message of type typ (RTM_DELROUTE
// prints "Deleted").
func (s *session) printRouteMsg(p *printer, typ uint16, r *rtnl.Route, f *routeFilter) {
	details := s.g.Details
	hostLen := afBitLen(r.Family)
	p.openObject("")
	if typ == unix.RTM_DELROUTE {
		p.jbool("deleted", true)
		p.text("Deleted ")
	}
	tm := f.typesMask()
	if (r.Type != unix.RTN_UNICAST || details) && (tm == 0 || tm&(1<<uint(r.Type&63)) != 0) {
		p.str("type", "%s ", routeTypeName(r.Type))
	}
	var dst string
	switch {
	case r.Dst.IsValid():
		if int(r.DstLen) != hostLen {
			dst = r.Dst.String() + "/" + strconv.Itoa(int(r.DstLen))
		} else {
			dst = r.Dst.String()
		}
	case r.DstLen != 0:
		dst = "0/" + strconv.Itoa(int(r.DstLen)) + " "
	default:
		dst = "default"
	}
	color := -1
	if r.Dst.IsValid() {
		color = familyColor(familyOf(r.Dst))
	}
	p.cstr(color, "dst", "%s ", dst)
	if r.Src.IsValid() {
		src := r.Src.String()
		if int(r.SrcLen) != hostLen {
			src += "/" + strconv.Itoa(int(r.SrcLen))
		}
		p.cstr(familyColor(familyOf(r.Src)), "from", "from %s ", src)
	} else if r.SrcLen != 0 {
		p.str("src", "from %s ", "0/"+strconv.Itoa(int(r.SrcLen)))
	}
	if v, ok := attrU32(r.Other, rtnl.RTA_NH_ID); ok {
		p.uint("nhid", "nhid %d ", uint64(v))
	}
	if r.TOS != 0 && f.tosMask != -1 {
		p.str("tos", "tos %s ", dsfieldN2A(uint32(r.TOS)))
	}
	if r.Gateway.IsValid() && f.rvia.bits != hostLen {
		p.jstr("gateway", r.Gateway.String())
		p.text("via ")
		p.ctext(familyColor(r.Family), "%s ", r.Gateway.String())
	}
	if r.Via.IsValid() {
		printVia(p, r.Via)
	} else if v, ok := attrValue(r.Other, rtnl.RTA_VIA); ok && len(v) >= 2 {
		// a via of another family than IPv4/IPv6 (AF_PACKET, MPLS)
		fam := uint8(binary.NativeEndian.Uint16(v))
		p.openObject("via")
		p.jstr("family", familyName(fam))
		p.text("via %s ", familyName(fam))
		p.str("host", "%s ", lladdr(v[2:]))
		p.closeObject()
	}
	if r.OIF != 0 && f.oifMask != -1 {
		printIfidx(p, "dev", s.links.name(int32(r.OIF)))
	}
	table := r.TableNumber()
	if table != 0 && (table != unix.RT_TABLE_MAIN || details) && f.tb == 0 {
		p.str("table", "table %s ", tableNames.n2a(table))
	}
	if r.RtMsg.Flags&unix.RTM_F_CLONED == 0 {
		if (r.Protocol != unix.RTPROT_BOOT || details) && f.protoMask != -1 {
			p.str("protocol", "proto %s ", protoNames.n2a(uint32(r.Protocol)))
		}
		if (r.Scope != unix.RT_SCOPE_UNIVERSE || details) && f.scopeMask != -1 {
			p.str("scope", "scope %s ", scopeNames.n2a(uint32(r.Scope)))
		}
	}
	if r.PrefSrc.IsValid() && f.rprefsrc.bits != hostLen {
		p.jstr("prefsrc", r.PrefSrc.String())
		p.text("src ")
		p.ctext(familyColor(r.Family), "%s ", r.PrefSrc.String())
	}
	if r.HasPriority && f.metricMask != 0xffffffff {
		p.uint("metric", "metric %d ", uint64(r.Priority))
	}
	printRtFlags(p, r.RtMsg.Flags)
	if r.Mark != 0 {
		switch {
		case p.json:
			p.juint("mark", uint64(r.Mark))
		case r.Mark >= 16:
			p.text("mark %s ", cHex(uint64(r.Mark)))
		default:
			p.text("mark %d ", r.Mark)
		}
	}
	if v, ok := attrU32(r.Other, unix.RTA_FLOW); ok && f.realmMask != ^uint32(0) {
		printFlow(p, v)
	}
	if r.UID != nil {
		p.uint("uid", "uid %d ", uint64(*r.UID))
	}
	if r.Family == unix.AF_INET && r.RtMsg.Flags&unix.RTM_F_CLONED != 0 {
		printCacheFlags(p, r.RtMsg.Flags)
	}
	if r.Family == unix.AF_INET || r.Family == unix.AF_INET6 {
		if v, ok := attrValue(r.Other, unix.RTA_CACHEINFO); ok && len(v) >= 32 {
			s.printRtaCacheinfo(p, v)
		}
	}
	if r.Metrics != nil {
		printMetrics(p, r.Metrics)
	}
	if r.IIF != 0 && f.iifMask != -1 {
		printIfidx(p, "iif", s.links.name(int32(r.IIF)))
	}
	if r.Pref != nil {
		switch *r.Pref {
		case 3:
			p.str("pref", "pref %s", "low")
		case 0:
			p.str("pref", "pref %s", "medium")
		case 1:
			p.str("pref", "pref %s", "high")
		default:
			p.uint("pref", "%d", uint64(*r.Pref))
		}
	}
	if v, ok := attrValue(r.Other, rtnl.RTA_TTL_PROPAGATE); ok && len(v) == 1 {
		if p.json {
			p.add("ttl-propogate", v[0] != 0)
		} else if v[0] != 0 {
			p.text("ttl-propogate %s", "enabled")
		} else {
			p.text("ttl-propogate %s", "disabled")
		}
	}
	if r.NextHops != nil {
		s.printMultipath(p, r)
	}
	p.text("\n")
	p.closeObject()
}

// printVia is print_rta_via() for an IPv4 or IPv6 address.
func printVia(p *printer, a netip.Addr) {
	fam := familyName(familyOf(a))
	if p.json {
		p.openObject("via")
		p.jstr("family", fam)
		p.jstr("host", a.String())
		p.closeObject()
		return
	}
	p.text("via %s ", fam)
	p.ctext(familyColor(familyOf(a)), "%s ", a.String())
}

// printIfidx is print_rta_ifidx(): "dev NAME" (or "iif NAME"), the name
// in the interface colour.
func printIfidx(p *printer, prefix, name string) {
	if p.json {
		p.jstr(prefix, name)
		return
	}
	p.text("%s ", prefix)
	p.text("%s", p.paint(colorIfname, name+" "))
}

// printFlow is print_rta_flow(): realms, FROM/TO.
func printFlow(p *printer, to uint32) {
	from := to >> 16
	to &= 0xffff
	if p.json {
		p.openObject("flow")
		if from != 0 {
			p.jstr("from", realmNames.n2a(from))
		}
		p.jstr("to", realmNames.n2a(to))
		p.closeObject()
		return
	}
	if from != 0 {
		p.text("realms %s/", realmNames.n2a(from))
	} else {
		p.text("realm ")
	}
	p.text("%s ", realmNames.n2a(to))
}

// rtFlagNames are print_rt_flags()'s, in its order.
var rtFlagNames = []struct {
	flag uint32
	name string
}{
	{unix.RTNH_F_DEAD, "dead"}, {unix.RTNH_F_ONLINK, "onlink"},
	{unix.RTNH_F_PERVASIVE, "pervasive"}, {unix.RTNH_F_OFFLOAD, "offload"},
	{unix.RTNH_F_TRAP, "trap"}, {unix.RTM_F_NOTIFY, "notify"}, {unix.RTNH_F_LINKDOWN, "linkdown"},
	{unix.RTNH_F_UNRESOLVED, "unresolved"}, {0x4000, "rt_offload"},
	{0x8000, "rt_trap"}, {0x20000000, "rt_offload_failed"},
}

// printRtFlags is print_rt_flags().
func printRtFlags(p *printer, flags uint32) {
	p.openArray("flags", "")
	for _, f := range rtFlagNames {
		if flags&f.flag != 0 {
			p.str("", "%s ", f.name)
		}
	}
	p.closeArray("")
}

// rtcfNames are print_cache_flags()'s RTCF_* (<linux/in_route.h>), in
// its order.
var rtcfNames = []struct {
	flag uint32
	name string
}{
	{0x80000000, "local"}, {0x40000000, "reject"}, {0x20000000, "mc"}, {0x10000000, "brd"},
	{0x08000000, "dst-nat"}, {0x00800000, "src-nat"}, {0x00400000, "masq"},
	{0x00020000, "dst-direct"}, {0x04000000, "src-direct"}, {0x00040000, "redirected"},
	{0x01000000, "redirect"}, {0x00200000, "fastroute"}, {0x00010000, "notify"}, {0x00080000, "proxy"},
}

// printCacheFlags is print_cache_flags(): the RTCF_* bits of a cached
// IPv4 route.
func printCacheFlags(p *printer, flags uint32) {
	flags &^= 0xffff
	if p.json {
		p.openArray("cache", "")
	} else {
		p.nl()
		p.text("    cache ")
		if flags == 0 {
			return
		}
		p.text("<")
	}
	for _, c := range rtcfNames {
		if flags&c.flag == 0 {
			continue
		}
		flags &^= c.flag
		if p.json {
			p.str("", "", c.name)
		} else if flags != 0 {
			p.text("%s,", c.name)
		} else {
			p.text("%s> ", c.name)
		}
	}
	if flags != 0 {
		if p.json {
			p.str("", "", strconv.FormatUint(uint64(flags), 16))
		} else {
			p.text("%s>", strconv.FormatUint(uint64(flags), 16))
		}
	}
	if p.json {
		p.closeArray("")
	}
}

// printRtaCacheinfo is print_rta_cacheinfo(): struct rta_cacheinfo.
func (s *session) printRtaCacheinfo(p *printer, b []byte) {
	const hz = 100 // USER_HZ
	u := func(i int) uint32 { return binary.NativeEndian.Uint32(b[4*i:]) }
	clntref, lastuse, expires, errv, used, id, ts, tsage := u(0), u(1), int32(u(2)), u(3), u(4), u(5), u(6), u(7)
	if expires != 0 {
		p.int("expires", "expires %dsec ", int64(expires/hz))
	}
	if errv != 0 {
		p.uint("error", "error %d ", uint64(errv))
	}
	if s.g.Stats > 0 {
		if clntref != 0 {
			p.uint("users", "users %d ", uint64(clntref))
		}
		if used != 0 {
			p.uint("used", "used %d ", uint64(used))
		}
		if lastuse != 0 {
			p.uint("age", "age %dsec ", uint64(lastuse/hz))
		}
	}
	if id != 0 {
		if p.json {
			p.jstr("ipid", cHex(uint64(id)))
		} else {
			p.text("ipid 0x%04x ", id)
		}
	}
	if ts != 0 || tsage != 0 {
		p.hex0x("ts", "ts %s", uint64(ts))
		p.uint("tsage", "tsage %dsec ", uint64(tsage))
	}
}

// rtaxNames are mx_names[]: the RTAX_* metrics by number.
var rtaxNames = [...]string{
	2: "mtu", 3: "window", 4: "rtt", 5: "rttvar", 6: "ssthresh", 7: "cwnd",
	8: "advmss", 9: "reordering", 10: "hoplimit", 11: "initcwnd", 12: "features",
	13: "rto_min", 14: "initrwnd", 15: "quickack", 16: "congctl", 17: "fastopen_no_cookie",
}

// printMetrics is print_rta_metrics(): each metric present or locked,
// from RTAX_MTU up, "lock" before a locked one's value.
func printMetrics(p *printer, m rtnl.Metrics) {
	p.openArray("metrics", "")
	p.openObject("")
	lock, _ := m.Get(rtnl.RTAX_LOCK)
	maxType := uint16(len(rtaxNames) - 1)
	for _, x := range m {
		maxType = max(maxType, x.Type)
	}
	for i := uint16(2); i <= maxType && i < 32; i++ {
		v, present := m.Get(i)
		locked := lock&(1<<i) != 0
		if !present && !locked {
			continue
		}
		if i == rtnl.RTAX_CC_ALGO {
			v = 0
		}
		if i == rtnl.RTAX_HOPLIMIT && int32(v) == -1 {
			continue
		}
		name := ""
		if int(i) < len(rtaxNames) {
			name = rtaxNames[i]
		}
		if !p.json {
			if name != "" {
				p.text("%s ", name)
			} else {
				p.text("metric %d ", i)
			}
			if locked {
				p.text("lock ")
			}
		}
		switch i {
		case rtnl.RTAX_FEATURES:
			f := v
			if f&rtnl.RTAX_FEATURE_ECN != 0 {
				p.null("ecn", "ecn ", "")
				f &^= rtnl.RTAX_FEATURE_ECN
			}
			if f != 0 {
				p.hex0x("features", "%s ", uint64(v))
			}
		case rtnl.RTAX_RTT, rtnl.RTAX_RTTVAR, rtnl.RTAX_RTO_MIN:
			if i == rtnl.RTAX_RTT {
				v /= 8
			} else if i == rtnl.RTAX_RTTVAR {
				v /= 4
			}
			switch {
			case p.json:
				p.juint(name, uint64(v))
			case v >= 1000:
				p.text("%ss ", strconv.FormatFloat(float64(v)/1e3, 'g', 6, 64))
			default:
				p.text("%dms ", v)
			}
		case rtnl.RTAX_CC_ALGO:
			cc, _ := m.CongCtl()
			p.str("congestion", "%s ", cc)
		default:
			p.uint(name, "%d ", uint64(v))
		}
	}
	p.closeObject()
	p.closeArray("")
}

// printMultipath is print_rta_multipath(): each next hop on a line of
// its own.
func (s *session) printMultipath(p *printer, r *rtnl.Route) {
	p.openArray("nexthops", "")
	mcast := r.RtMsg.Flags&unix.RTM_F_CLONED != 0 && r.Type == unix.RTN_MULTICAST
	for i, nh := range r.NextHops {
		p.openObject("")
		if mcast {
			if i == 0 {
				p.text("Oifs: ")
			} else {
				p.text(" ")
			}
		} else {
			p.nl()
			p.text("\tnexthop ")
		}
		if nh.Gateway.IsValid() {
			p.jstr("gateway", nh.Gateway.String())
			p.text("via ")
			p.ctext(familyColor(r.Family), "%s ", nh.Gateway.String())
		}
		if nh.Via.IsValid() {
			printVia(p, nh.Via)
		}
		if nh.Flow != nil {
			printFlow(p, *nh.Flow)
		}
		if mcast {
			p.str("dev", "%s", s.links.name(nh.IfIndex))
			if nh.Hops != 1 {
				p.int("ttl", "(ttl>%d)", int64(nh.Hops))
			}
			p.text(" ")
		} else {
			p.str("dev", "dev %s ", s.links.name(nh.IfIndex))
			if r.Family != unix.AF_MPLS {
				p.int("weight", "weight %d ", int64(nh.Weight()))
			}
		}
		printRtFlags(p, uint32(nh.Flags))
		p.closeObject()
	}
	p.closeArray("")
}

// attrValue is the value of the first attribute of type typ in attrs.
func attrValue(attrs []netlink.Attribute, typ uint16) ([]byte, bool) {
	for _, o := range attrs {
		if o.Kind() == typ {
			return o.Data, true
		}
	}
	return nil, false
}

// attrU32 is otherAttr for a u32.
func attrU32(attrs []netlink.Attribute, typ uint16) (uint32, bool) {
	v, ok := attrValue(attrs, typ)
	if !ok || len(v) != 4 {
		return 0, false
	}
	return binary.NativeEndian.Uint32(v), true
}
