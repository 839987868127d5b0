package request

import (
	"encoding/binary"
	"errors"
	"net/netip"

	"golang.org/x/sys/unix"

	"nsbox/netlink"
	"nsbox/rtnl"
)

// Route is a route: what "ip route add|change|replace|prepend|append|
// test|del" takes. The pointer fields are the ones whose zero is a value
// of its own: nil leaves them to iproute2's default.
type Route struct {
	// Family is rtm_family; 0: that of Dst, Gateway or PrefSrc, and
	// AF_INET when none is given ("ip route add default dev X").
	Family uint8
	// Dst is the destination (RTA_DST and rtm_dst_len). The zero
	// Prefix is "default": no RTA_DST, length 0. (0.0.0.0/0 is sent as
	// an RTA_DST of 0.0.0.0, as iproute2 sends it.)
	Dst netip.Prefix
	// Type is rtm_type, RTN_*; nil: RTN_UNICAST, or none on Delete.
	Type    *uint8
	Gateway netip.Addr // RTA_GATEWAY ("via")
	Dev     int32      // RTA_OIF: the output link's ifindex
	PrefSrc netip.Addr // RTA_PREFSRC ("src")
	Metric  *uint32    // RTA_PRIORITY ("metric")
	// Gateway is the next hop ("via"): RTA_GATEWAY, or RTA_VIA when it
	// is of another family than the route ("via inet6 ADDR" for an IPv4
	// route). (The field above.)
	//
	// Table is the routing table; nil: main, or local for the types
	// local, broadcast, nat and anycast. Ids below 256 go in rtm_table,
	// larger ones in RTA_TABLE.
	Table *uint32
	// Protocol is rtm_protocol; nil: RTPROT_BOOT, or none on Delete.
	Protocol *uint8
	// Scope is rtm_scope; nil: iproute2's choice by type (host for
	// local and nat, link for broadcast, multicast and anycast, and for
	// a unicast route without a gateway), global otherwise, and
	// RT_SCOPE_NOWHERE (any) on Delete.
	Scope *uint8
	// Flags are rtm_flags: RTNH_F_ONLINK ("onlink").
	Flags uint32
	// Src is the source prefix a route applies to ("from": RTA_SRC and
	// rtm_src_len, IPv6 only); the zero Prefix is none.
	Src netip.Prefix
	// TOS is rtm_tos ("tos"/"dsfield").
	TOS uint8
	// Metrics are RTA_METRICS (mtu, advmss, window, rtt, ...) in the
	// order given, RTAX_LOCK last when any is locked; nil: none.
	Metrics rtnl.Metrics
	// NextHops make a multipath route (RTA_MULTIPATH): "nexthop via A
	// dev D weight W" each.
	NextHops []NextHop
	// Pref is RTA_PREF (IPv6 router preference), Expires RTA_EXPIRES
	// (seconds, IPv6), Realms RTA_FLOW, TTLPropagate RTA_TTL_PROPAGATE
	// (MPLS); nil: none.
	Pref         *uint8
	Expires      *uint32
	Realms       *uint32
	TTLPropagate *uint8
	// NHID is RTA_NH_ID: a nexthop object instead of a gateway.
	NHID uint32
}

// NextHop is one next hop of a multipath route ("nexthop via ADDR dev
// DEV weight N onlink").
type NextHop struct {
	// Gateway is the next hop's address: RTA_GATEWAY when it is of the
	// route's family, RTA_VIA ("via inet6 ADDR") when it is not.
	Gateway netip.Addr
	Dev     int32 // rtnh_ifindex
	// Weight is 1 to 256; 0 is 1.
	Weight int
	Onlink bool    // RTNH_F_ONLINK
	Realms *uint32 // RTA_FLOW
}

// Message builds the request: RTM_NEWROUTE with op's flags, or
// RTM_DELROUTE for Delete.
func (r Route) Message(op Op) (netlink.Message, error) {
	m, err := r.rtnl(op)
	if err != nil {
		return netlink.Message{}, err
	}
	if op == Delete {
		return rtnl.DelRouteRequest(m)
	}
	return rtnl.NewRouteRequest(m, op.flags())
}

// rtnl is iproute_modify()'s message for r, with every default filled.
func (r Route) rtnl(op Op) (*rtnl.Route, error) {
	m := &rtnl.Route{RtMsg: rtnl.RtMsg{Family: r.Family, Table: unix.RT_TABLE_MAIN, Scope: unix.RT_SCOPE_NOWHERE}}
	if op != Delete {
		m.Protocol = unix.RTPROT_BOOT
		m.Scope = unix.RT_SCOPE_UNIVERSE
		m.Type = unix.RTN_UNICAST
	}
	if r.Type != nil {
		m.Type = *r.Type
	}
	if r.Protocol != nil {
		m.Protocol = *r.Protocol
	}
	for _, a := range []netip.Addr{r.Dst.Addr(), r.PrefSrc, r.Src.Addr()} {
		if !a.IsValid() {
			continue
		}
		if m.Family == unix.AF_UNSPEC {
			m.Family = afOf(a)
		}
		if afOf(a) != m.Family {
			return nil, errors.New("request: addresses of two families in one route")
		}
	}
	if m.Family == unix.AF_UNSPEC && r.Gateway.IsValid() {
		m.Family = afOf(r.Gateway)
	}
	if m.Family == unix.AF_UNSPEC && len(r.NextHops) > 0 && r.NextHops[0].Gateway.IsValid() {
		m.Family = afOf(r.NextHops[0].Gateway)
	}
	if r.Dst.IsValid() {
		m.Dst = r.Dst.Addr()
		m.DstLen = uint8(r.Dst.Bits())
	}
	if r.Src.IsValid() {
		m.Src = r.Src.Addr()
		m.SrcLen = uint8(r.Src.Bits())
	}
	m.TOS = r.TOS
	if r.Gateway.IsValid() && m.Family != unix.AF_UNSPEC && afOf(r.Gateway) != m.Family {
		m.Via = r.Gateway
	} else {
		m.Gateway = r.Gateway
	}
	m.PrefSrc = r.PrefSrc
	m.Metrics = r.Metrics
	m.Pref = r.Pref
	if r.Expires != nil {
		m.Expires = *r.Expires
	}
	if r.Realms != nil {
		m.Other = append(m.Other, netlink.Attribute{Type: unix.RTA_FLOW, Data: native32(*r.Realms)})
	}
	if r.NHID != 0 {
		m.Other = append(m.Other, netlink.Attribute{Type: rtnl.RTA_NH_ID, Data: native32(r.NHID)})
	}
	if r.TTLPropagate != nil {
		m.Other = append(m.Other, netlink.Attribute{Type: rtnl.RTA_TTL_PROPAGATE, Data: []byte{*r.TTLPropagate}})
	}
	for _, h := range r.NextHops {
		nh := rtnl.NextHop{IfIndex: h.Dev, Flow: h.Realms}
		if h.Weight > 1 {
			nh.Hops = uint8(h.Weight - 1)
		}
		if h.Onlink {
			nh.Flags |= unix.RTNH_F_ONLINK
		}
		if h.Gateway.IsValid() && afOf(h.Gateway) != m.Family && m.Family != unix.AF_UNSPEC {
			nh.Via = h.Gateway
		} else {
			nh.Gateway = h.Gateway
		}
		m.NextHops = append(m.NextHops, nh)
	}
	m.OIF = uint32(r.Dev)
	if r.Metric != nil {
		m.Priority = *r.Metric
		m.HasPriority = true
	}
	m.RtMsg.Flags = r.Flags
	if m.Family == unix.AF_UNSPEC {
		m.Family = unix.AF_INET
	}
	switch {
	case r.Scope != nil:
		m.Scope = *r.Scope
	case m.Family == unix.AF_INET6 || m.Family == unix.AF_MPLS:
		m.Scope = unix.RT_SCOPE_UNIVERSE
	default:
		switch m.Type {
		case unix.RTN_LOCAL, unix.RTN_NAT:
			m.Scope = unix.RT_SCOPE_HOST
		case unix.RTN_BROADCAST, unix.RTN_MULTICAST, unix.RTN_ANYCAST:
			m.Scope = unix.RT_SCOPE_LINK
		case unix.RTN_UNICAST, unix.RTN_UNSPEC:
			if op == Delete {
				m.Scope = unix.RT_SCOPE_NOWHERE
			} else if !r.Gateway.IsValid() && len(r.NextHops) == 0 && r.NHID == 0 {
				m.Scope = unix.RT_SCOPE_LINK
			}
		}
	}
	switch {
	case r.Table != nil && *r.Table < 256:
		m.Table = uint8(*r.Table)
	case r.Table != nil:
		m.Table = unix.RT_TABLE_UNSPEC
		m.TableID = *r.Table
	case m.Type == unix.RTN_LOCAL || m.Type == unix.RTN_BROADCAST || m.Type == unix.RTN_NAT || m.Type == unix.RTN_ANYCAST:
		m.Table = unix.RT_TABLE_LOCAL
	}
	return m, nil
}

func native32(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }
