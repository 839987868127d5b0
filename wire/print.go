package wire

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/nsenter"
	"nsbox/rtnl"
)

// The event text of ip monitor (iproute2's print_linkinfo, print_addrinfo,
// print_route, print_neigh, print_netconf, print_nsid). The ipcmd package
// has its own printers for "ip link/addr/route show"; wire cannot use
// them (ipcmd imports wire), so the monitor's are kept here, small.

// native is the byte order of this host, the kernel's.
var native = binary.NativeEndian

type linkName struct {
	name  string
	flags uint32
}

type eventPrinter struct {
	w     io.Writer
	q     *rtnl.Conn // for names of links not seen yet (ll_link_get)
	links map[int32]linkName
	label bool
	dev   int32 // dev NAME filter: only events of this ifindex
}

// name is ll_idx_n2a: the cached name, else ask the kernel, else ifN.
func (p *eventPrinter) name(idx int32) string {
	if l, ok := p.links[idx]; ok {
		return l.name
	}
	if p.q != nil && idx > 0 {
		if l, err := p.q.LinkByIndex(idx); err == nil {
			p.links[idx] = linkName{l.Name, l.Flags}
			return l.Name
		}
	}
	return fmt.Sprintf("if%d", idx)
}

func (p *eventPrinter) prefix(s string) {
	if p.label {
		fmt.Fprintf(p.w, "[%s]", s)
	}
}

// event prints one message as ip monitor does.
func (p *eventPrinter) event(m rtnl.Message) {
	t := m.Header.Type
	switch t {
	case unix.RTM_NEWLINK, unix.RTM_DELLINK:
		l, err := rtnl.ParseLink(m.Data)
		if err != nil {
			return
		}
		if t == unix.RTM_DELLINK {
			// ip monitor forgets the name only after printing
			defer delete(p.links, l.Index)
		} else if l.Name != "" {
			p.links[l.Index] = linkName{l.Name, l.Flags}
		}
		if p.dev != 0 && l.Index != p.dev {
			return
		}
		p.prefix("LINK")
		p.link(t == unix.RTM_DELLINK, l, attrTypes(m.Data[rtnl.IfInfomsgLen:]))
	case unix.RTM_NEWADDR, unix.RTM_DELADDR:
		a, err := rtnl.ParseAddr(m.Data)
		if err != nil || (p.dev != 0 && int32(a.Index) != p.dev) {
			return
		}
		p.prefix("ADDR")
		p.addr(t == unix.RTM_DELADDR, a)
	case unix.RTM_NEWROUTE, unix.RTM_DELROUTE:
		r, err := rtnl.ParseRoute(m.Data)
		if err != nil || (p.dev != 0 && int32(r.OIF) != p.dev) {
			return
		}
		p.prefix("ROUTE")
		p.route(t == unix.RTM_DELROUTE, r, attrTypes(m.Data[min(rtnl.RtMsgLen, len(m.Data)):]))
	case unix.RTM_NEWNEIGH, unix.RTM_DELNEIGH, unix.RTM_GETNEIGH:
		if p.dev != 0 && len(m.Data) >= 8 && int32(native.Uint32(m.Data[4:])) != p.dev {
			return
		}
		p.prefix("NEIGH")
		p.neigh(t, m.Data)
	case unix.RTM_NEWNETCONF, unix.RTM_DELNETCONF:
		p.prefix("NETCONF")
		p.netconf(t == unix.RTM_DELNETCONF, m.Data)
	case unix.RTM_NEWNSID, unix.RTM_DELNSID:
		p.prefix("NSID")
		p.nsid(t == unix.RTM_DELNSID, m.Data)
	case unix.NLMSG_DONE, unix.NLMSG_ERROR, unix.NLMSG_NOOP:
	default:
		tn, _ := typeName(protoRoute, t)
		switch {
		case t >= 32 && t <= 35:
			p.prefix("RULE")
		case t >= 104 && t <= 106:
			p.prefix("NEXTHOP")
		case t == 52:
			p.prefix("PREFIX")
		}
		if tn == "" {
			tn = "unknown"
		}
		fmt.Fprintf(p.w, "Unknown message: type=0x%08x(%d) flags=0x%08x(%d) len=0x%08x(%d) (%s)\n",
			t, t, m.Header.Flags, m.Header.Flags, m.Header.Length, m.Header.Length, tn)
	}
}

// linkFlags is print_link_flags: "<UP,BROADCAST,...>".
func linkFlags(flags uint32, mdown bool) string {
	var parts []string
	if flags&unix.IFF_UP != 0 && flags&unix.IFF_RUNNING == 0 {
		parts = append(parts, "NO-CARRIER")
	}
	flags &^= unix.IFF_RUNNING
	for _, f := range []struct {
		v    uint32
		name string
	}{
		{unix.IFF_LOOPBACK, "LOOPBACK"}, {unix.IFF_BROADCAST, "BROADCAST"}, {unix.IFF_POINTOPOINT, "POINTOPOINT"},
		{unix.IFF_MULTICAST, "MULTICAST"}, {unix.IFF_NOARP, "NOARP"}, {unix.IFF_ALLMULTI, "ALLMULTI"},
		{unix.IFF_PROMISC, "PROMISC"}, {unix.IFF_MASTER, "MASTER"}, {unix.IFF_SLAVE, "SLAVE"},
		{unix.IFF_DEBUG, "DEBUG"}, {unix.IFF_DYNAMIC, "DYNAMIC"}, {unix.IFF_AUTOMEDIA, "AUTOMEDIA"},
		{unix.IFF_PORTSEL, "PORTSEL"}, {unix.IFF_NOTRAILERS, "NOTRAILERS"}, {unix.IFF_UP, "UP"},
		{unix.IFF_LOWER_UP, "LOWER_UP"}, {unix.IFF_DORMANT, "DORMANT"}, {unix.IFF_ECHO, "ECHO"},
	} {
		if flags&f.v != 0 {
			parts = append(parts, f.name)
			flags &^= f.v
		}
	}
	if flags != 0 {
		parts = append(parts, fmt.Sprintf("%x", flags))
	}
	if mdown {
		parts = append(parts, "M-DOWN")
	}
	return "<" + strings.Join(parts, ",") + ">"
}

var operStates = []string{"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"}

var linkEvents = map[uint32]string{1: "REBOOT", 2: "FEATURE CHANGE", 3: "BONDING FAILOVER", 4: "NOTIFY PEERS", 5: "RESEND IGMP", 6: "BONDING OPTION"}

// llTypes is ll_type_n2a.
var llTypes = map[uint16]string{
	1: "ether", 2: "eether", 6: "ieee802", 24: "ieee1394", 32: "infiniband", 256: "slip", 512: "ppp",
	768: "ipip", 769: "tunnel6", 772: "loopback", 776: "sit", 778: "gre", 801: "ieee802.11",
	803: "ieee802.11/radiotap", 823: "gre6", 824: "netlink", 825: "6lowpan", 65534: "none", 65535: "void",
}

// link is print_linkinfo without details.
func (p *eventPrinter) link(deleted bool, l *rtnl.Link, sent map[uint16]bool) {
	var b strings.Builder
	if deleted {
		b.WriteString("Deleted ")
	}
	fmt.Fprintf(&b, "%d: %s", l.Index, l.Name)
	mdown := false
	if sent[unix.IFLA_LINK] {
		switch {
		case l.Link == 0:
			b.WriteString("@NONE: ")
		case l.LinkNetNSID != nil:
			fmt.Fprintf(&b, "@if%d: ", l.Link)
		default:
			fmt.Fprintf(&b, "@%s: ", p.name(l.Link))
			// a peer that cannot be found here (moved to another
			// namespace) is not called M-DOWN, as ip does not
			if peer, ok := p.links[l.Link]; ok {
				mdown = peer.flags&unix.IFF_UP == 0
			}
		}
	} else {
		b.WriteString(": ")
	}
	b.WriteString(linkFlags(l.Flags, mdown) + " ")
	if l.MTU != 0 {
		fmt.Fprintf(&b, "mtu %d ", l.MTU)
	}
	if l.Qdisc != "" {
		fmt.Fprintf(&b, "qdisc %s ", l.Qdisc)
	}
	if l.Master != nil {
		fmt.Fprintf(&b, "master %s ", p.name(*l.Master))
	}
	if sent[unix.IFLA_OPERSTATE] {
		s := fmt.Sprintf("state %d ", l.OperState)
		if int(l.OperState) < len(operStates) {
			s = "state " + operStates[l.OperState] + " "
		}
		b.WriteString(s)
	}
	if sent[unix.IFLA_GROUP] {
		if l.Group == 0 {
			b.WriteString("group default ")
		} else {
			fmt.Fprintf(&b, "group %d ", l.Group)
		}
	}
	for _, a := range l.Other {
		if a.Kind() == unix.IFLA_EVENT && len(a.Data) == 4 {
			if e := linkEvents[native.Uint32(a.Data)]; e != "" {
				fmt.Fprintf(&b, "event %s ", e)
			}
		}
	}
	b.WriteString("\n    link/")
	if n, ok := llTypes[l.Type]; ok {
		b.WriteString(n + " ")
	} else {
		fmt.Fprintf(&b, "[%d] ", l.Type)
	}
	if len(l.Address) > 0 {
		b.WriteString(llAddr(l.Address))
	}
	if len(l.Broadcast) > 0 {
		if l.Flags&unix.IFF_POINTOPOINT != 0 {
			b.WriteString(" peer ")
		} else {
			b.WriteString(" brd ")
		}
		b.WriteString(llAddr(l.Broadcast))
	}
	if l.LinkNetNSID != nil {
		switch id := *l.LinkNetNSID; {
		case id < 0:
			b.WriteString(" link-netnsid unknown")
		case p.nsidName(id) != "":
			fmt.Fprintf(&b, " link-netns %s", p.nsidName(id))
		default:
			fmt.Fprintf(&b, " link-netnsid %d", id)
		}
	}
	for _, a := range l.Other {
		if a.Kind() == unix.IFLA_NEW_NETNSID && len(a.Data) == 4 {
			id := int32(native.Uint32(a.Data))
			if name := p.nsidName(id); name != "" {
				fmt.Fprintf(&b, " new-netns %s", name)
			} else {
				fmt.Fprintf(&b, " new-netnsid %d", id)
			}
		}
	}
	for _, a := range l.Other {
		if a.Kind() == unix.IFLA_NEW_IFINDEX && len(a.Data) == 4 {
			fmt.Fprintf(&b, " new-ifindex %d", int32(native.Uint32(a.Data)))
		}
	}
	for _, a := range l.Other {
		if a.Kind() == unix.IFLA_PROTO_DOWN && len(a.Data) == 1 && a.Data[0] != 0 {
			b.WriteString(" protodown on ")
		}
	}
	b.WriteString("\n")
	io.WriteString(p.w, b.String())
}

// attrTypes lists the attribute types present in b (rtnl's structs
// keep a zero value as "not sent" for some fields).
func attrTypes(b []byte) map[uint16]bool {
	m := map[uint16]bool{}
	d := rtnl.NewAttributeDecoder(b)
	for d.Next() {
		m[d.Type()] = true
	}
	return m
}

func llAddr(a net.HardwareAddr) string {
	// ll_addr_n2a: IPv4/IPv6 tunnels carry IP addresses as link addresses
	switch len(a) {
	case 4, 16:
		if ip, ok := netip.AddrFromSlice(a); ok {
			return ip.String()
		}
	}
	return a.String()
}

var scopeWords = map[uint8]string{0: "global", 200: "site", 253: "link", 254: "host", 255: "nowhere"}

func scopeWord(s uint8) string {
	if w, ok := scopeWords[s]; ok {
		return w
	}
	return fmt.Sprintf("%d", s)
}

// addr is print_addrinfo as ip monitor calls it (oneline filter: the
// index and name lead).
func (p *eventPrinter) addr(deleted bool, a *rtnl.Addr) {
	var b strings.Builder
	if deleted {
		b.WriteString("Deleted ")
	}
	fmt.Fprintf(&b, "%d: %s", a.Index, p.name(int32(a.Index)))
	switch a.Family {
	case unix.AF_INET:
		b.WriteString("    inet ")
	case unix.AF_INET6:
		b.WriteString("    inet6 ")
	default:
		fmt.Fprintf(&b, "    family %d ", a.Family)
	}
	local := a.Local
	if !local.IsValid() {
		local = a.Address
	}
	if local.IsValid() {
		b.WriteString(local.String())
	}
	if a.Local.IsValid() && a.Address.IsValid() && a.Address != a.Local {
		fmt.Fprintf(&b, " peer %s", a.Address)
	}
	fmt.Fprintf(&b, "/%d ", a.PrefixLen)
	if a.Broadcast.IsValid() {
		fmt.Fprintf(&b, "brd %s ", a.Broadcast)
	}
	if a.Anycast.IsValid() {
		fmt.Fprintf(&b, "any %s ", a.Anycast)
	}
	fmt.Fprintf(&b, "scope %s ", scopeWord(a.Scope))
	flags := a.AllFlags()
	for _, f := range []struct {
		v    uint32
		name string
	}{
		{0x01, "secondary"}, {0x02, "nodad"}, {0x04, "optimistic"}, {0x08, "dadfailed"}, {0x10, "home"},
		{0x20, "deprecated"}, {0x40, "tentative"}, {0x80, "permanent"}, {0x100, "mngtmpaddr"},
		{0x200, "noprefixroute"}, {0x400, "autojoin"}, {0x800, "stable-privacy"},
	} {
		switch {
		case f.v == 0x80:
			if flags&f.v == 0 {
				b.WriteString("dynamic ")
			}
		case flags&f.v != 0:
			if f.v == 0x01 && a.Family == unix.AF_INET6 {
				b.WriteString("temporary ")
			} else {
				b.WriteString(f.name + " ")
			}
		}
		flags &^= f.v
	}
	if flags != 0 {
		fmt.Fprintf(&b, "flags %02x ", flags)
	}
	if a.Label != "" {
		b.WriteString(a.Label)
	}
	if ci := a.CacheInfo; ci != nil {
		b.WriteString("\n       valid_lft ")
		b.WriteString(lifetime(ci.Valid))
		b.WriteString(" preferred_lft ")
		b.WriteString(lifetime(ci.Preferred))
	}
	b.WriteString("\n")
	io.WriteString(p.w, b.String())
}

func lifetime(v uint32) string {
	if v == 0xffffffff {
		return "forever"
	}
	return fmt.Sprintf("%dsec", v)
}

var rtnTypeWords = map[uint8]string{0: "none", 1: "unicast", 2: "local", 3: "broadcast", 4: "anycast", 5: "multicast",
	6: "blackhole", 7: "unreachable", 8: "prohibit", 9: "throw", 10: "nat", 11: "xresolve"}

var protoWords = map[uint8]string{0: "unspec", 1: "redirect", 2: "kernel", 3: "boot", 4: "static", 8: "gated", 9: "ra",
	10: "mrt", 11: "zebra", 12: "bird", 13: "dnrouted", 14: "xorp", 15: "ntk", 16: "dhcp", 18: "keepalived",
	42: "babel", 186: "bgp", 187: "isis", 188: "ospf", 189: "rip", 192: "eigrp"}

var tableWords = map[uint32]string{253: "default", 254: "main", 255: "local"}

// route is print_route without details.
func (p *eventPrinter) route(deleted bool, r *rtnl.Route, sent map[uint16]bool) {
	var b strings.Builder
	if deleted {
		b.WriteString("Deleted ")
	}
	if r.Type != unix.RTN_UNICAST {
		if w, ok := rtnTypeWords[r.Type]; ok {
			b.WriteString(w + " ")
		} else {
			fmt.Fprintf(&b, "%d ", r.Type)
		}
	}
	hostLen := 32
	if r.Family == unix.AF_INET6 {
		hostLen = 128
	}
	switch {
	case r.Dst.IsValid() && int(r.DstLen) != hostLen:
		fmt.Fprintf(&b, "%s/%d ", r.Dst, r.DstLen)
	case r.Dst.IsValid():
		fmt.Fprintf(&b, "%s ", r.Dst)
	case r.DstLen != 0:
		fmt.Fprintf(&b, "0/%d ", r.DstLen)
	default:
		b.WriteString("default ")
	}
	if r.Src.IsValid() {
		if int(r.SrcLen) != hostLen {
			fmt.Fprintf(&b, "from %s/%d ", r.Src, r.SrcLen)
		} else {
			fmt.Fprintf(&b, "from %s ", r.Src)
		}
	}
	if r.TOS != 0 {
		fmt.Fprintf(&b, "tos 0x%02x ", r.TOS)
	}
	if r.Gateway.IsValid() {
		fmt.Fprintf(&b, "via %s ", r.Gateway)
	}
	if r.OIF != 0 {
		fmt.Fprintf(&b, "dev %s ", p.name(int32(r.OIF)))
	}
	if t := r.TableNumber(); t != 0 && t != unix.RT_TABLE_MAIN {
		if w, ok := tableWords[t]; ok {
			fmt.Fprintf(&b, "table %s ", w)
		} else {
			fmt.Fprintf(&b, "table %d ", t)
		}
	}
	if r.Flags&unix.RTM_F_CLONED == 0 {
		if r.Protocol != unix.RTPROT_BOOT {
			if w, ok := protoWords[r.Protocol]; ok {
				fmt.Fprintf(&b, "proto %s ", w)
			} else {
				fmt.Fprintf(&b, "proto %d ", r.Protocol)
			}
		}
		if r.Scope != unix.RT_SCOPE_UNIVERSE {
			fmt.Fprintf(&b, "scope %s ", scopeWord(r.Scope))
		}
	}
	if r.PrefSrc.IsValid() {
		fmt.Fprintf(&b, "src %s ", r.PrefSrc)
	}
	if sent[unix.RTA_PRIORITY] {
		fmt.Fprintf(&b, "metric %d ", r.Priority)
	}
	for _, f := range []struct {
		v    uint32
		name string
	}{
		{unix.RTNH_F_DEAD, "dead"}, {unix.RTNH_F_ONLINK, "onlink"}, {unix.RTNH_F_PERVASIVE, "pervasive"},
		{unix.RTNH_F_OFFLOAD, "offload"}, {0x40, "trap"}, {unix.RTM_F_NOTIFY, "notify"},
		{unix.RTNH_F_LINKDOWN, "linkdown"}, {unix.RTNH_F_UNRESOLVED, "unresolved"},
		{0x4000, "rt_offload"}, {0x8000, "rt_trap"}, {0x20000000, "rt_offload_failed"},
	} {
		if r.Flags&f.v != 0 {
			b.WriteString(f.name + " ")
		}
	}
	if r.Pref != nil {
		switch *r.Pref {
		case 0:
			b.WriteString("pref medium")
		case 1:
			b.WriteString("pref high")
		case 3:
			b.WriteString("pref low")
		default:
			fmt.Fprintf(&b, "pref %d", *r.Pref)
		}
	}
	b.WriteString("\n")
	io.WriteString(p.w, b.String())
}

var nudWords = []struct {
	v    uint16
	name string
}{{0x01, "INCOMPLETE"}, {0x02, "REACHABLE"}, {0x04, "STALE"}, {0x08, "DELAY"}, {0x10, "PROBE"},
	{0x20, "FAILED"}, {0x40, "NOARP"}, {0x80, "PERMANENT"}}

// neigh is print_neigh.
func (p *eventPrinter) neigh(t uint16, b []byte) {
	if len(b) < 12 {
		return
	}
	family := b[0]
	ifindex := int32(native.Uint32(b[4:]))
	state := native.Uint16(b[8:])
	flags := b[10]
	var s strings.Builder
	switch t {
	case unix.RTM_DELNEIGH:
		s.WriteString("Deleted ")
	case unix.RTM_GETNEIGH:
		s.WriteString("miss ")
	}
	var dst netip.Addr
	var lladdr []byte
	proto := -1
	d := rtnl.NewAttributeDecoder(b[12:])
	for d.Next() {
		switch d.Type() {
		case unix.NDA_DST:
			if a, ok := netip.AddrFromSlice(d.Bytes()); ok {
				dst = a
			}
		case unix.NDA_LLADDR:
			lladdr = d.Bytes()
		case 12: // NDA_PROTOCOL
			if d.Len() == 1 {
				proto = int(d.Bytes()[0])
			}
		}
	}
	_ = family
	if dst.IsValid() {
		s.WriteString(dst.String() + " ")
	}
	if ifindex != 0 {
		fmt.Fprintf(&s, "dev %s ", p.name(ifindex))
	}
	if lladdr != nil {
		fmt.Fprintf(&s, "lladdr %s ", llAddr(lladdr))
	}
	if flags&unix.NTF_ROUTER != 0 {
		s.WriteString("router ")
	}
	if flags&unix.NTF_PROXY != 0 {
		s.WriteString("proxy ")
	}
	if flags&0x10 != 0 {
		s.WriteString("extern_learn ")
	}
	if flags&0x20 != 0 {
		s.WriteString("offload ")
	}
	if proto >= 0 {
		if w, ok := protoWords[uint8(proto)]; ok {
			fmt.Fprintf(&s, "proto %s ", w)
		} else {
			fmt.Fprintf(&s, "proto %d ", proto)
		}
	}
	if state == 0 {
		s.WriteString("NONE ")
	}
	for _, n := range nudWords {
		if state&n.v != 0 {
			s.WriteString(n.name + " ")
		}
	}
	s.WriteString("\n")
	io.WriteString(p.w, s.String())
}

// netconf is print_netconf.
func (p *eventPrinter) netconf(deleted bool, b []byte) {
	if len(b) < 4 {
		return
	}
	var s strings.Builder
	if deleted {
		s.WriteString("Deleted ")
	}
	switch b[0] {
	case unix.AF_INET:
		s.WriteString("inet ")
	case unix.AF_INET6:
		s.WriteString("inet6 ")
	case unix.AF_MPLS:
		s.WriteString("mpls ")
	default:
		fmt.Fprintf(&s, "family %d ", b[0])
	}
	onOff := func(v int32) string {
		if v != 0 {
			return "on"
		}
		return "off"
	}
	d := rtnl.NewAttributeDecoder(b[4:])
	for d.Next() {
		if d.Len() != 4 {
			continue
		}
		v := d.Int32()
		switch d.Type() {
		case 1: // NETCONFA_IFINDEX
			switch v {
			case -1:
				s.WriteString("all ")
			case -2:
				s.WriteString("default ")
			default:
				s.WriteString(p.name(v) + " ")
			}
		case 2:
			fmt.Fprintf(&s, "forwarding %s ", onOff(v))
		case 3:
			switch v {
			case 0:
				s.WriteString("rp_filter off ")
			case 1:
				s.WriteString("rp_filter strict ")
			case 2:
				s.WriteString("rp_filter loose ")
			default:
				s.WriteString("rp_filter unknown mode ")
			}
		case 4:
			fmt.Fprintf(&s, "mc_forwarding %s ", onOff(v))
		case 5:
			fmt.Fprintf(&s, "proxy_neigh %s ", onOff(v))
		case 6:
			fmt.Fprintf(&s, "ignore_routes_with_linkdown %s ", onOff(v))
		case 7:
			fmt.Fprintf(&s, "input %s ", onOff(v))
		}
	}
	s.WriteString("\n")
	io.WriteString(p.w, s.String())
}

// nsid is print_nsid.
func (p *eventPrinter) nsid(deleted bool, b []byte) {
	n, err := rtnl.ParseNSID(b)
	if err != nil {
		return
	}
	var s strings.Builder
	if deleted {
		s.WriteString("Deleted ")
	}
	if n.ID < 0 {
		s.WriteString("nsid unassigned ")
	} else {
		fmt.Fprintf(&s, "nsid %d ", n.ID)
	}
	if n.Current >= 0 {
		fmt.Fprintf(&s, "current-nsid %d ", n.Current)
	}
	if name := p.nsidName(n.ID); name != "" {
		fmt.Fprintf(&s, "(iproute2 netns name: %s)", name)
	}
	s.WriteString("\n")
	io.WriteString(p.w, s.String())
}

// nsidName is get_name_from_nsid: the /var/run/netns name whose id, as
// seen from here, is id.
func (p *eventPrinter) nsidName(id int32) string {
	if id < 0 || p.q == nil {
		return ""
	}
	names, _ := nsenter.List()
	for _, name := range names {
		f, err := nsenter.Open(name)
		if err != nil {
			continue
		}
		got, err := p.q.GetNSID(int(f.Fd()))
		f.Close()
		if err == nil && got == id {
			return name
		}
	}
	return ""
}
