package ipcmd

import (
	"encoding/binary"
	"net/netip"
	"strconv"

	"golang.org/x/sys/unix"

	"nsbox/internal/jsonprint"
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
	p.OpenObject("")
	if typ == unix.RTM_DELROUTE {
		p.JSONBool("deleted", true)
		p.Text("Deleted ")
	}
	tm := f.typesMask()
	if (r.Type != unix.RTN_UNICAST || details) && (tm == 0 || tm&(1<<uint(r.Type&63)) != 0) {
		p.String("type", "%s ", routeTypeName(r.Type))
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
		color = jsonprint.FamilyColor(familyOf(r.Dst))
	}
	p.ColorString(color, "dst", "%s ", dst)
	if r.Src.IsValid() {
		src := r.Src.String()
		if int(r.SrcLen) != hostLen {
			src += "/" + strconv.Itoa(int(r.SrcLen))
		}
		p.ColorString(jsonprint.FamilyColor(familyOf(r.Src)), "from", "from %s ", src)
	} else if r.SrcLen != 0 {
		p.String("src", "from %s ", "0/"+strconv.Itoa(int(r.SrcLen)))
	}
	if v, ok := attrU32(r.Other, rtnl.RTA_NH_ID); ok {
		p.Uint("nhid", "nhid %d ", uint64(v))
	}
	if r.TOS != 0 && f.tosMask != -1 {
		p.String("tos", "tos %s ", dsfieldN2A(uint32(r.TOS)))
	}
	if r.Gateway.IsValid() && f.rvia.bits != hostLen {
		p.JSONString("gateway", r.Gateway.String())
		p.Text("via ")
		p.ColorText(jsonprint.FamilyColor(r.Family), "%s ", r.Gateway.String())
	}
	if r.Via.IsValid() {
		printVia(p, r.Via)
	} else if v, ok := attrValue(r.Other, rtnl.RTA_VIA); ok && len(v) >= 2 {
		// a via of another family than IPv4/IPv6 (AF_PACKET, MPLS)
		fam := uint8(binary.NativeEndian.Uint16(v))
		p.OpenObject("via")
		p.JSONString("family", familyName(fam))
		p.Text("via %s ", familyName(fam))
		p.String("host", "%s ", lladdr(v[2:]))
		p.CloseObject()
	}
	if r.OIF != 0 && f.oifMask != -1 {
		printIfidx(p, "dev", s.links.name(int32(r.OIF)))
	}
	table := r.TableNumber()
	if table != 0 && (table != unix.RT_TABLE_MAIN || details) && f.tb == 0 {
		p.String("table", "table %s ", tableNames.n2a(table))
	}
	if r.RtMsg.Flags&unix.RTM_F_CLONED == 0 {
		if (r.Protocol != unix.RTPROT_BOOT || details) && f.protoMask != -1 {
			p.String("protocol", "proto %s ", protoNames.n2a(uint32(r.Protocol)))
		}
		if (r.Scope != unix.RT_SCOPE_UNIVERSE || details) && f.scopeMask != -1 {
			p.String("scope", "scope %s ", scopeNames.n2a(uint32(r.Scope)))
		}
	}
	if r.PrefSrc.IsValid() && f.rprefsrc.bits != hostLen {
		p.JSONString("prefsrc", r.PrefSrc.String())
		p.Text("src ")
		p.ColorText(jsonprint.FamilyColor(r.Family), "%s ", r.PrefSrc.String())
	}
	if r.HasPriority && f.metricMask != 0xffffffff {
		p.Uint("metric", "metric %d ", uint64(r.Priority))
	}
	printRtFlags(p, r.RtMsg.Flags)
	if r.Mark != 0 {
		switch {
		case p.JSON():
			p.JSONUint("mark", uint64(r.Mark))
		case r.Mark >= 16:
			p.Text("mark %s ", jsonprint.CHex(uint64(r.Mark)))
		default:
			p.Text("mark %d ", r.Mark)
		}
	}
	if v, ok := attrU32(r.Other, unix.RTA_FLOW); ok && f.realmMask != ^uint32(0) {
		printFlow(p, v)
	}
	if r.UID != nil {
		p.Uint("uid", "uid %d ", uint64(*r.UID))
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
			p.String("pref", "pref %s", "low")
		case 0:
			p.String("pref", "pref %s", "medium")
		case 1:
			p.String("pref", "pref %s", "high")
		default:
			p.Uint("pref", "%d", uint64(*r.Pref))
		}
	}
	if v, ok := attrValue(r.Other, rtnl.RTA_TTL_PROPAGATE); ok && len(v) == 1 {
		if p.JSON() {
			p.JSONBool("ttl-propogate", v[0] != 0)
		} else if v[0] != 0 {
			p.Text("ttl-propogate %s", "enabled")
		} else {
			p.Text("ttl-propogate %s", "disabled")
		}
	}
	if r.NextHops != nil {
		s.printMultipath(p, r)
	}
	p.Text("\n")
	p.CloseObject()
}

// printVia is print_rta_via() for an IPv4 or IPv6 address.
func printVia(p *printer, a netip.Addr) {
	fam := familyName(familyOf(a))
	if p.JSON() {
		p.OpenObject("via")
		p.JSONString("family", fam)
		p.JSONString("host", a.String())
		p.CloseObject()
		return
	}
	p.Text("via %s ", fam)
	p.ColorText(jsonprint.FamilyColor(familyOf(a)), "%s ", a.String())
}

// printIfidx is print_rta_ifidx(): "dev NAME" (or "iif NAME"), the name
// in the interface colour.
func printIfidx(p *printer, prefix, name string) {
	if p.JSON() {
		p.JSONString(prefix, name)
		return
	}
	p.Text("%s ", prefix)
	p.Text("%s", p.Paint(jsonprint.ColorIfname, name+" "))
}

// printFlow is print_rta_flow(): realms, FROM/TO.
func printFlow(p *printer, to uint32) {
	from := to >> 16
	to &= 0xffff
	if p.JSON() {
		p.OpenObject("flow")
		if from != 0 {
			p.JSONString("from", realmNames.n2a(from))
		}
		p.JSONString("to", realmNames.n2a(to))
		p.CloseObject()
		return
	}
	if from != 0 {
		p.Text("realms %s/", realmNames.n2a(from))
	} else {
		p.Text("realm ")
	}
	p.Text("%s ", realmNames.n2a(to))
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
	p.OpenArray("flags", "")
	for _, f := range rtFlagNames {
		if flags&f.flag != 0 {
			p.String("", "%s ", f.name)
		}
	}
	p.CloseArray("")
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
	if p.JSON() {
		p.OpenArray("cache", "")
	} else {
		p.NL()
		p.Text("    cache ")
		if flags == 0 {
			return
		}
		p.Text("<")
	}
	for _, c := range rtcfNames {
		if flags&c.flag == 0 {
			continue
		}
		flags &^= c.flag
		if p.JSON() {
			p.String("", "", c.name)
		} else if flags != 0 {
			p.Text("%s,", c.name)
		} else {
			p.Text("%s> ", c.name)
		}
	}
	if flags != 0 {
		if p.JSON() {
			p.String("", "", strconv.FormatUint(uint64(flags), 16))
		} else {
			p.Text("%s>", strconv.FormatUint(uint64(flags), 16))
		}
	}
	if p.JSON() {
		p.CloseArray("")
	}
}

// printRtaCacheinfo is print_rta_cacheinfo(): struct rta_cacheinfo.
func (s *session) printRtaCacheinfo(p *printer, b []byte) {
	const hz = 100 // USER_HZ
	u := func(i int) uint32 { return binary.NativeEndian.Uint32(b[4*i:]) }
	clntref, lastuse, expires, errv, used, id, ts, tsage := u(0), u(1), int32(u(2)), u(3), u(4), u(5), u(6), u(7)
	if expires != 0 {
		p.Int("expires", "expires %dsec ", int64(expires/hz))
	}
	if errv != 0 {
		p.Uint("error", "error %d ", uint64(errv))
	}
	if s.g.Stats > 0 {
		if clntref != 0 {
			p.Uint("users", "users %d ", uint64(clntref))
		}
		if used != 0 {
			p.Uint("used", "used %d ", uint64(used))
		}
		if lastuse != 0 {
			p.Uint("age", "age %dsec ", uint64(lastuse/hz))
		}
	}
	if id != 0 {
		if p.JSON() {
			p.JSONString("ipid", jsonprint.CHex(uint64(id)))
		} else {
			p.Text("ipid 0x%04x ", id)
		}
	}
	if ts != 0 || tsage != 0 {
		p.Hex0x("ts", "ts %s", uint64(ts))
		p.Uint("tsage", "tsage %dsec ", uint64(tsage))
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
	p.OpenArray("metrics", "")
	p.OpenObject("")
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
		if !p.JSON() {
			if name != "" {
				p.Text("%s ", name)
			} else {
				p.Text("metric %d ", i)
			}
			if locked {
				p.Text("lock ")
			}
		}
		switch i {
		case rtnl.RTAX_FEATURES:
			f := v
			if f&rtnl.RTAX_FEATURE_ECN != 0 {
				p.Null("ecn", "ecn ", "")
				f &^= rtnl.RTAX_FEATURE_ECN
			}
			if f != 0 {
				p.Hex0x("features", "%s ", uint64(v))
			}
		case rtnl.RTAX_RTT, rtnl.RTAX_RTTVAR, rtnl.RTAX_RTO_MIN:
			if i == rtnl.RTAX_RTT {
				v /= 8
			} else if i == rtnl.RTAX_RTTVAR {
				v /= 4
			}
			switch {
			case p.JSON():
				p.JSONUint(name, uint64(v))
			case v >= 1000:
				p.Text("%ss ", strconv.FormatFloat(float64(v)/1e3, 'g', 6, 64))
			default:
				p.Text("%dms ", v)
			}
		case rtnl.RTAX_CC_ALGO:
			cc, _ := m.CongCtl()
			p.String("congestion", "%s ", cc)
		default:
			p.Uint(name, "%d ", uint64(v))
		}
	}
	p.CloseObject()
	p.CloseArray("")
}

// printMultipath is print_rta_multipath(): each next hop on a line of
// its own.
func (s *session) printMultipath(p *printer, r *rtnl.Route) {
	p.OpenArray("nexthops", "")
	mcast := r.RtMsg.Flags&unix.RTM_F_CLONED != 0 && r.Type == unix.RTN_MULTICAST
	for i, nh := range r.NextHops {
		p.OpenObject("")
		if mcast {
			if i == 0 {
				p.Text("Oifs: ")
			} else {
				p.Text(" ")
			}
		} else {
			p.NL()
			p.Text("\tnexthop ")
		}
		if nh.Gateway.IsValid() {
			p.JSONString("gateway", nh.Gateway.String())
			p.Text("via ")
			p.ColorText(jsonprint.FamilyColor(r.Family), "%s ", nh.Gateway.String())
		}
		if nh.Via.IsValid() {
			printVia(p, nh.Via)
		}
		if nh.Flow != nil {
			printFlow(p, *nh.Flow)
		}
		if mcast {
			p.String("dev", "%s", s.links.name(nh.IfIndex))
			if nh.Hops != 1 {
				p.Int("ttl", "(ttl>%d)", int64(nh.Hops))
			}
			p.Text(" ")
		} else {
			p.String("dev", "dev %s ", s.links.name(nh.IfIndex))
			if r.Family != unix.AF_MPLS {
				p.Int("weight", "weight %d ", int64(nh.Weight()))
			}
		}
		printRtFlags(p, uint32(nh.Flags))
		p.CloseObject()
	}
	p.CloseArray("")
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
