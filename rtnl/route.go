package rtnl

import (
	"net/netip"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
	"nsbox/netlink"
)

// RtMsg is struct rtmsg, the family header of RTM_*ROUTE.
//
//	struct rtmsg {
//		unsigned char		rtm_family;
//		unsigned char		rtm_dst_len;
//		unsigned char		rtm_src_len;
//		unsigned char		rtm_tos;
//		unsigned char		rtm_table;	/* Routing table id */
//		unsigned char		rtm_protocol;	/* Routing protocol; see below	*/
//		unsigned char		rtm_scope;	/* See below */
//		unsigned char		rtm_type;	/* See below	*/
//		unsigned		rtm_flags;
//	};
type RtMsg struct {
	Family   uint8
	DstLen   uint8
	SrcLen   uint8
	TOS      uint8
	Table    uint8 // RT_TABLE_*; RT_TABLE_UNSPEC with RTA_TABLE for ids >= 256
	Protocol uint8 // RTPROT_*
	Scope    uint8 // RT_SCOPE_*
	Type     uint8 // RTN_*
	Flags    uint32
}

// RtMsgLen is sizeof(struct rtmsg).
const RtMsgLen = 12

// AppendBinary appends the 12 bytes of the header.
func (h RtMsg) AppendBinary(b []byte) []byte {
	b = append(b, h.Family, h.DstLen, h.SrcLen, h.TOS, h.Table, h.Protocol, h.Scope, h.Type)
	return native.AppendUint32(b, h.Flags)
}

// ParseRtMsg decodes the header at the start of b.
func ParseRtMsg(b []byte) (RtMsg, error) {
	if len(b) < RtMsgLen {
		return RtMsg{}, errShort("struct rtmsg", len(b), RtMsgLen)
	}
	return RtMsg{Family: b[0], DstLen: b[1], SrcLen: b[2], TOS: b[3], Table: b[4],
		Protocol: b[5], Scope: b[6], Type: b[7], Flags: native.Uint32(b[8:12])}, nil
}

// Route is a route as RTM_NEWROUTE describes it. A request sends only the
// fields that are set, in the order: RTA_DST, RTA_SRC, RTA_GATEWAY,
// RTA_PRIORITY, RTA_PREFSRC, RTA_TABLE, RTA_OIF.
type Route struct {
	RtMsg
	Dst      netip.Addr // RTA_DST (with DstLen); invalid for default
	Src      netip.Addr // RTA_SRC (with SrcLen)
	Gateway  netip.Addr // RTA_GATEWAY
	PrefSrc  netip.Addr // RTA_PREFSRC
	OIF      uint32     // RTA_OIF: output ifindex
	IIF      uint32     // RTA_IIF
	Priority uint32     // RTA_PRIORITY: the metric
	// HasPriority says RTA_PRIORITY was present (IPv6 routes carry
	// metric 0 explicitly); a request sends it when set or non-zero.
	HasPriority bool
	// TableID is RTA_TABLE: the full table id (the kernel always sends it).
	TableID uint32
	Pref    *uint8  // RTA_PREF (IPv6 router preference)
	Expires uint32  // RTA_EXPIRES
	Metrics []byte  // RTA_METRICS as received (nested RTAX_*)
	UID     *uint32 // RTA_UID
	Other   []netlink.Attribute
}

// AppendBinary appends the route as a request payload.
func (r *Route) AppendBinary(b []byte) ([]byte, error) {
	e := netlink.NewAttributeEncoder(r.RtMsg.AppendBinary(b))
	if r.Dst.IsValid() {
		e.Addr(unix.RTA_DST, r.Dst)
	}
	if r.Src.IsValid() {
		e.Addr(unix.RTA_SRC, r.Src)
	}
	if r.Gateway.IsValid() {
		e.Addr(unix.RTA_GATEWAY, r.Gateway)
	}
	if r.Priority != 0 || r.HasPriority {
		e.Uint32(unix.RTA_PRIORITY, r.Priority)
	}
	if r.PrefSrc.IsValid() {
		e.Addr(unix.RTA_PREFSRC, r.PrefSrc)
	}
	if r.TableID != 0 {
		e.Uint32(unix.RTA_TABLE, r.TableID)
	}
	if r.IIF != 0 {
		e.Uint32(unix.RTA_IIF, r.IIF)
	}
	if r.OIF != 0 {
		e.Uint32(unix.RTA_OIF, r.OIF)
	}
	for _, o := range r.Other {
		e.Bytes(o.Type, o.Data)
	}
	return e.Encode()
}

// Prefix is the destination with its length; for the default route it
// is 0.0.0.0/0 or ::/0.
func (r *Route) Prefix() netip.Prefix {
	if r.Dst.IsValid() {
		return netip.PrefixFrom(r.Dst, int(r.DstLen))
	}
	if r.Family == unix.AF_INET6 {
		return netip.PrefixFrom(netip.IPv6Unspecified(), int(r.DstLen))
	}
	return netip.PrefixFrom(netip.IPv4Unspecified(), int(r.DstLen))
}

// TableNumber returns the table id: RTA_TABLE when sent (ids above 255
// fit only there), else rtm_table.
func (r *Route) TableNumber() uint32 {
	if r.TableID != 0 {
		return r.TableID
	}
	return uint32(r.RtMsg.Table)
}

// ParseRoute decodes the payload of RTM_NEWROUTE (rtmsg + RTA_*).
func ParseRoute(b []byte) (*Route, error) {
	h, err := ParseRtMsg(b)
	if err != nil {
		return nil, err
	}
	r := &Route{RtMsg: h}
	d := netlink.NewAttributeDecoder(b[RtMsgLen:])
	for d.Next() {
		switch d.Type() {
		case unix.RTA_DST:
			r.Dst = d.Addr()
		case unix.RTA_SRC:
			r.Src = d.Addr()
		case unix.RTA_GATEWAY:
			r.Gateway = d.Addr()
		case unix.RTA_PREFSRC:
			r.PrefSrc = d.Addr()
		case unix.RTA_OIF:
			r.OIF = d.Uint32()
		case unix.RTA_IIF:
			r.IIF = d.Uint32()
		case unix.RTA_PRIORITY:
			r.Priority = d.Uint32()
			r.HasPriority = true
		case unix.RTA_TABLE:
			r.TableID = d.Uint32()
		case unix.RTA_PREF:
			v := d.Uint8()
			r.Pref = &v
		case unix.RTA_EXPIRES:
			r.Expires = d.Uint32()
		case unix.RTA_METRICS:
			r.Metrics = d.Bytes()
		case unix.RTA_UID:
			v := d.Uint32()
			r.UID = &v
		default:
			r.Other = append(r.Other, d.Attribute())
		}
	}
	if err := d.Err(); err != nil {
		return r, fmt.Errorf("rtnl: route in table %d: %w", r.TableNumber(), err)
	}
	return r, nil
}

// NewRouteRequest builds RTM_NEWROUTE (flags: NLM_F_CREATE|NLM_F_EXCL to
// add, NLM_F_CREATE|NLM_F_REPLACE to replace).
func NewRouteRequest(r *Route, flags netlink.HeaderFlags) (netlink.Message, error) {
	b, err := r.AppendBinary(make([]byte, 0, 64))
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWROUTE, Flags: flags}, Data: b}, err
}

// DelRouteRequest builds RTM_DELROUTE.
func DelRouteRequest(r *Route) (netlink.Message, error) {
	b, err := r.AppendBinary(make([]byte, 0, 64))
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_DELROUTE}, Data: b}, err
}

// RouteDumpRequest builds the RTM_GETROUTE dump request for family.
func RouteDumpRequest(family uint8) netlink.Message {
	h := RtMsg{Family: family}
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_GETROUTE}, Data: h.AppendBinary(nil)}
}

// Routes dumps the routes of family (0: all), streaming: fn sees each as
// it is decoded. An interrupted dump starts over, with start called
// before every attempt (see netlink.Conn.Dump).
func (c *Conn) Routes(family uint8, start func(), fn func(*Route) error) error {
	return c.Dump(RouteDumpRequest(family), start, func(m netlink.Message) error {
		if m.Header.Type != unix.RTM_NEWROUTE {
			return nil
		}
		r, err := ParseRoute(m.Data)
		if err != nil {
			return err
		}
		return fn(r)
	})
}

// RouteGet asks the kernel which route it would use (ip route get).
func (c *Conn) RouteGet(q *Route) (*Route, error) {
	b, err := q.AppendBinary(nil)
	if err != nil {
		return nil, err
	}
	replies, err := c.Execute(netlink.Message{Header: netlink.Header{Type: unix.RTM_GETROUTE}, Data: b})
	if err != nil {
		return nil, err
	}
	for _, m := range replies {
		if m.Header.Type == unix.RTM_NEWROUTE {
			return ParseRoute(m.Data)
		}
	}
	return nil, &netlink.Error{Errno: unix.ENETUNREACH, Offset: -1}
}
