package request

import (
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
	for _, a := range []netip.Addr{r.Dst.Addr(), r.Gateway, r.PrefSrc} {
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
	if r.Dst.IsValid() {
		m.Dst = r.Dst.Addr()
		m.DstLen = uint8(r.Dst.Bits())
	}
	m.Gateway = r.Gateway
	m.PrefSrc = r.PrefSrc
	m.OIF = uint32(r.Dev)
	if r.Metric != nil {
		m.Priority = *r.Metric
		m.HasPriority = true
	}
	m.RtMsg.Flags = r.Flags
	switch {
	case r.Scope != nil:
		m.Scope = *r.Scope
	default:
		switch m.Type {
		case unix.RTN_LOCAL, unix.RTN_NAT:
			m.Scope = unix.RT_SCOPE_HOST
		case unix.RTN_BROADCAST, unix.RTN_MULTICAST, unix.RTN_ANYCAST:
			m.Scope = unix.RT_SCOPE_LINK
		case unix.RTN_UNICAST, unix.RTN_UNSPEC:
			if op == Delete {
				m.Scope = unix.RT_SCOPE_NOWHERE
			} else if !r.Gateway.IsValid() {
				m.Scope = unix.RT_SCOPE_LINK
			}
		}
	}
	if m.Family == unix.AF_UNSPEC {
		m.Family = unix.AF_INET
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
