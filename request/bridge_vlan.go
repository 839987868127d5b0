package request

import (
	"encoding/binary"
	"errors"

	"golang.org/x/sys/unix"

	"nsbox/netlink"
	"nsbox/rtnl"
)

// BridgeVlan is "bridge vlan add|del": the VLAN Vid (to VidEnd, for a
// range, when VidEnd is not 0) on bridge port or bridge Link, as
// bridge/vlan.c's vlan_modify() sends it: an AF_BRIDGE RTM_SETLINK (add)
// or RTM_DELLINK (del) with IFLA_AF_SPEC { IFLA_BRIDGE_FLAGS (self,
// master) when set, then either IFLA_BRIDGE_VLAN_INFO (two for a range:
// RANGE_BEGIN, RANGE_END) or, with Tunnel, IFLA_BRIDGE_VLAN_TUNNEL_INFO
// (likewise) }.
type BridgeVlan struct {
	Link     int32
	Vid      uint16
	VidEnd   uint16 // 0: one VLAN
	Flags    uint16 // BRIDGE_VLAN_INFO_PVID, _UNTAGGED
	Bridge   uint16 // IFLA_BRIDGE_FLAGS: BRIDGE_FLAGS_SELF, _MASTER
	Tunnel   bool   // map the VLAN to tunnel id TunID (to TunIDEnd)
	TunID    uint32
	TunIDEnd uint32
}

// ErrVlanRangePVID is iproute2's refusal of "pvid" for a range.
var ErrVlanRangePVID = errors.New("pvid cannot be configured for a vlan range")

// Message builds the request; op is Add or Delete.
func (v BridgeVlan) Message(op Op) (netlink.Message, error) {
	typ := netlink.HeaderType(unix.RTM_SETLINK)
	if op == Delete {
		typ = unix.RTM_DELLINK
	}
	if v.VidEnd != 0 && v.Flags&rtnl.BRIDGE_VLAN_INFO_PVID != 0 {
		return netlink.Message{}, ErrVlanRangePVID
	}
	h := rtnl.IfInfomsg{Family: unix.AF_BRIDGE, Index: v.Link}
	e := netlink.NewAttributeEncoder(h.AppendBinary(nil))
	af := e.Nest(unix.IFLA_AF_SPEC)
	if v.Bridge != 0 {
		e.Uint16(rtnl.IFLA_BRIDGE_FLAGS, v.Bridge)
	}
	var spec rtnl.BridgeAFSpec
	switch {
	case v.Tunnel && v.VidEnd > v.Vid:
		spec.Tunnels = []rtnl.BridgeVlanTunnel{{ID: v.TunID, Vid: v.Vid, Flags: rtnl.BRIDGE_VLAN_INFO_RANGE_BEGIN},
			{ID: v.TunIDEnd, Vid: v.VidEnd, Flags: rtnl.BRIDGE_VLAN_INFO_RANGE_END}}
	case v.Tunnel:
		spec.Tunnels = []rtnl.BridgeVlanTunnel{{ID: v.TunID, Vid: v.Vid}}
	case v.VidEnd != 0:
		spec.Vlans = []rtnl.BridgeVlanInfo{{Flags: v.Flags | rtnl.BRIDGE_VLAN_INFO_RANGE_BEGIN, Vid: v.Vid},
			{Flags: v.Flags | rtnl.BRIDGE_VLAN_INFO_RANGE_END, Vid: v.VidEnd}}
	default:
		spec.Vlans = []rtnl.BridgeVlanInfo{{Flags: v.Flags, Vid: v.Vid}}
	}
	spec.AppendAttributes(e)
	e.End(af)
	b, err := e.Encode()
	return netlink.Message{Header: netlink.Header{Type: typ}, Data: b}, err
}

// BridgeVlanOptions is "bridge vlan set" and "bridge vlan global set": an
// RTM_NEWVLAN (struct br_vlan_msg { family AF_BRIDGE, ifindex }) with one
// nest, BRIDGE_VLANDB_ENTRY or (Global) BRIDGE_VLANDB_GLOBAL_OPTIONS,
// marked NLA_F_NESTED, holding Attrs in the command line's order (the
// VLAN, its range, the options: bridge/vlan.c adds them as it reads).
type BridgeVlanOptions struct {
	Link   int32
	Global bool
	Attrs  []netlink.Attribute
}

// Message builds the request.
func (o BridgeVlanOptions) Message() (netlink.Message, error) {
	e := netlink.NewAttributeEncoder(brVlanMsg(o.Link))
	typ := uint16(rtnl.BRIDGE_VLANDB_ENTRY)
	if o.Global {
		typ = rtnl.BRIDGE_VLANDB_GLOBAL_OPTIONS
	}
	n := e.Nest(typ | unix.NLA_F_NESTED)
	for _, a := range o.Attrs {
		e.Bytes(a.Type, a.Data)
	}
	e.End(n)
	b, err := e.Encode()
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWVLAN}, Data: b}, err
}

// brVlanMsg is struct br_vlan_msg { __u8 family; __u8 reserved1; __u16
// reserved2; __u32 ifindex; }.
func brVlanMsg(index int32) []byte {
	b := []byte{unix.AF_BRIDGE, 0, 0, 0}
	return binary.NativeEndian.AppendUint32(b, uint32(index))
}

// BridgeVlanDump is rtnl_brvlandump_req(): an RTM_GETVLAN dump of family
// AF_BRIDGE with BRIDGE_VLANDB_DUMP_FLAGS (BRIDGE_VLANDB_DUMPF_*).
func BridgeVlanDump(flags uint32) netlink.Message {
	e := netlink.NewAttributeEncoder(brVlanMsg(0))
	e.Uint32(rtnl.BRIDGE_VLANDB_DUMP_FLAGS, flags)
	b, _ := e.Encode()
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_GETVLAN}, Data: b}
}

// StatsDump is rtnl_statsdump_req_filter(): an RTM_GETSTATS dump (struct
// if_stats_msg { family, pad, pad, ifindex 0, filter_mask }) asking for
// the statistics whose IFLA_STATS_FILTER_BIT(ATTR) are in mask.
func StatsDump(family uint8, mask uint32) netlink.Message {
	b := []byte{family, 0, 0, 0, 0, 0, 0, 0}
	b = binary.NativeEndian.AppendUint32(b, mask)
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_GETSTATS}, Data: b}
}
