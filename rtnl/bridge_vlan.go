package rtnl

import (
	"encoding/binary"
	fmt "nsbox/internal/printf"

	"golang.org/x/sys/unix"

	"nsbox/netlink"
)

// A bridge's VLANs travel in two forms. The old one rides on links: an
// AF_BRIDGE RTM_NEWLINK (dumped with IFLA_EXT_MASK RTEXT_FILTER_BRVLAN)
// carries IFLA_AF_SPEC { IFLA_BRIDGE_VLAN_INFO struct bridge_vlan_info,
// IFLA_BRIDGE_VLAN_TUNNEL_INFO { ID, VID, FLAGS } ... }, and RTM_SETLINK
// / RTM_DELLINK with the same IFLA_AF_SPEC add and remove them. The new
// one (RTM_NEWVLAN, RTM_GETVLAN: struct br_vlan_msg and BRIDGE_VLANDB_*)
// carries per-VLAN options. A kernel built without
// CONFIG_BRIDGE_VLAN_FILTERING answers both with EOPNOTSUPP.

// IFLA_BRIDGE_* (<linux/if_bridge.h>): the attributes of an AF_BRIDGE
// link's IFLA_AF_SPEC.
const (
	IFLA_BRIDGE_FLAGS            = 0
	IFLA_BRIDGE_MODE             = 1
	IFLA_BRIDGE_VLAN_INFO        = 2
	IFLA_BRIDGE_VLAN_TUNNEL_INFO = 3

	IFLA_BRIDGE_VLAN_TUNNEL_ID    = 1
	IFLA_BRIDGE_VLAN_TUNNEL_VID   = 2
	IFLA_BRIDGE_VLAN_TUNNEL_FLAGS = 3

	BRIDGE_FLAGS_MASTER = 1
	BRIDGE_FLAGS_SELF   = 2
)

// BRIDGE_VLAN_INFO_* (<linux/if_bridge.h>): struct bridge_vlan_info's
// flags.
const (
	BRIDGE_VLAN_INFO_MASTER      = 1 << 0
	BRIDGE_VLAN_INFO_PVID        = 1 << 1
	BRIDGE_VLAN_INFO_UNTAGGED    = 1 << 2
	BRIDGE_VLAN_INFO_RANGE_BEGIN = 1 << 3
	BRIDGE_VLAN_INFO_RANGE_END   = 1 << 4
	BRIDGE_VLAN_INFO_BRENTRY     = 1 << 5
	BRIDGE_VLAN_INFO_ONLY_OPTS   = 1 << 6
)

// BRIDGE_VLANDB_* (<linux/if_bridge.h>): RTM_*VLAN attributes.
const (
	BRIDGE_VLANDB_ENTRY          = 1
	BRIDGE_VLANDB_GLOBAL_OPTIONS = 2

	BRIDGE_VLANDB_DUMP_FLAGS   = 1
	BRIDGE_VLANDB_DUMPF_STATS  = 1 << 0
	BRIDGE_VLANDB_DUMPF_GLOBAL = 1 << 1

	BRIDGE_VLANDB_ENTRY_INFO         = 1
	BRIDGE_VLANDB_ENTRY_RANGE        = 2
	BRIDGE_VLANDB_ENTRY_STATE        = 3
	BRIDGE_VLANDB_ENTRY_MCAST_ROUTER = 5

	BRIDGE_VLANDB_GOPTS_ID    = 1
	BRIDGE_VLANDB_GOPTS_RANGE = 2
)

// BridgeVlanInfo is struct bridge_vlan_info { __u16 flags; __u16 vid; }.
type BridgeVlanInfo struct {
	Flags uint16
	Vid   uint16
}

// AppendBinary appends the struct in native order.
func (v BridgeVlanInfo) AppendBinary(b []byte) []byte {
	b = binary.NativeEndian.AppendUint16(b, v.Flags)
	return binary.NativeEndian.AppendUint16(b, v.Vid)
}

// BridgeVlanTunnel is IFLA_BRIDGE_VLAN_TUNNEL_INFO: a VLAN mapped to a
// tunnel id (a VNI), with the RANGE_BEGIN/END flags of a range.
type BridgeVlanTunnel struct {
	ID    uint32 // IFLA_BRIDGE_VLAN_TUNNEL_ID
	Vid   uint16 // IFLA_BRIDGE_VLAN_TUNNEL_VID
	Flags uint16 // IFLA_BRIDGE_VLAN_TUNNEL_FLAGS
}

// BridgeAFSpec is the VLAN part of an AF_BRIDGE link's IFLA_AF_SPEC, in
// the kernel's order.
type BridgeAFSpec struct {
	Vlans   []BridgeVlanInfo
	Tunnels []BridgeVlanTunnel
}

// AppendAttributes encodes the VLANs, then the tunnels, as the attributes
// of an IFLA_AF_SPEC (the caller opens the nest): what ParseBridgeAFSpec
// reads back.
func (s *BridgeAFSpec) AppendAttributes(e *netlink.AttributeEncoder) {
	for _, v := range s.Vlans {
		e.Bytes(IFLA_BRIDGE_VLAN_INFO, v.AppendBinary(nil))
	}
	for _, t := range s.Tunnels {
		n := e.Nest(IFLA_BRIDGE_VLAN_TUNNEL_INFO)
		e.Uint32(IFLA_BRIDGE_VLAN_TUNNEL_ID, t.ID)
		e.Uint16(IFLA_BRIDGE_VLAN_TUNNEL_VID, t.Vid)
		e.Uint16(IFLA_BRIDGE_VLAN_TUNNEL_FLAGS, t.Flags)
		e.End(n)
	}
}

// ParseBridgeAFSpec decodes the payload of IFLA_AF_SPEC. A VLAN info
// shorter than its struct is an error; a tunnel info without a VID is
// left out, as iproute2 does.
func ParseBridgeAFSpec(b []byte) (*BridgeAFSpec, error) {
	s := &BridgeAFSpec{}
	d := netlink.NewAttributeDecoder(b)
	for d.Next() {
		switch d.Type() {
		case IFLA_BRIDGE_VLAN_INFO:
			v := d.Bytes()
			if len(v) < 4 {
				return nil, fmt.Errorf("rtnl: IFLA_BRIDGE_VLAN_INFO of %d bytes, want 4", len(v))
			}
			s.Vlans = append(s.Vlans, BridgeVlanInfo{binary.NativeEndian.Uint16(v), binary.NativeEndian.Uint16(v[2:])})
		case IFLA_BRIDGE_VLAN_TUNNEL_INFO:
			var t BridgeVlanTunnel
			hasVid := false
			td := netlink.NewAttributeDecoder(d.Bytes())
			for td.Next() {
				switch td.Type() {
				case IFLA_BRIDGE_VLAN_TUNNEL_ID:
					t.ID = td.Uint32()
				case IFLA_BRIDGE_VLAN_TUNNEL_VID:
					t.Vid, hasVid = td.Uint16(), true
				case IFLA_BRIDGE_VLAN_TUNNEL_FLAGS:
					t.Flags = td.Uint16()
				}
			}
			if err := td.Err(); err != nil {
				return nil, fmt.Errorf("rtnl: IFLA_BRIDGE_VLAN_TUNNEL_INFO: %w", err)
			}
			if hasVid {
				s.Tunnels = append(s.Tunnels, t)
			}
		}
	}
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("rtnl: bridge IFLA_AF_SPEC: %w", err)
	}
	return s, nil
}

// AFSpec returns the payload of the link's IFLA_AF_SPEC (kept in Other),
// nil if it has none.
func (l *Link) AFSpec() []byte {
	for _, a := range l.Other {
		if a.Type&netlink.NLA_TYPE_MASK == unix.IFLA_AF_SPEC {
			return a.Data
		}
	}
	return nil
}

// BridgeVlanXstats is struct bridge_vlan_xstats (BRIDGE_XSTATS_VLAN in
// RTM_NEWSTATS' IFLA_STATS_LINK_XSTATS[_SLAVE] { LINK_XSTATS_TYPE_BRIDGE }).
type BridgeVlanXstats struct {
	RxBytes, RxPackets, TxBytes, TxPackets uint64
	Vid, Flags                             uint16
}

// IFLA_STATS_* and the bridge's extended statistics
// (<linux/if_link.h>, <linux/if_bridge.h>).
const (
	IFLA_STATS_LINK_XSTATS       = 2
	IFLA_STATS_LINK_XSTATS_SLAVE = 3
	LINK_XSTATS_TYPE_BRIDGE      = 1
	BRIDGE_XSTATS_VLAN           = 1
)

// ParseBridgeVlanStats decodes an RTM_NEWSTATS body (struct
// if_stats_msg, 12 bytes, then IFLA_STATS_*): the ifindex and the VLAN
// statistics of the bridge's extended statistics, those of
// IFLA_STATS_LINK_XSTATS first, then of _SLAVE, each in the kernel's
// order, and how many come from the first.
func ParseBridgeVlanStats(b []byte) (index int32, stats []BridgeVlanXstats, first int, err error) {
	if len(b) < 12 {
		return 0, nil, 0, fmt.Errorf("rtnl: if_stats_msg of %d bytes, want 12", len(b))
	}
	index = int32(binary.NativeEndian.Uint32(b[4:]))
	var byType [2][]byte
	d := netlink.NewAttributeDecoder(b[12:])
	for d.Next() {
		if t := d.Type(); t == IFLA_STATS_LINK_XSTATS || t == IFLA_STATS_LINK_XSTATS_SLAVE {
			byType[t-IFLA_STATS_LINK_XSTATS] = d.Bytes()
		}
	}
	if err := d.Err(); err != nil {
		return 0, nil, 0, fmt.Errorf("rtnl: statistics of ifindex %d: %w", index, err)
	}
	for i, x := range byType {
		xd := netlink.NewAttributeDecoder(x)
		for xd.Next() {
			if xd.Type() != LINK_XSTATS_TYPE_BRIDGE {
				continue
			}
			bd := netlink.NewAttributeDecoder(xd.Bytes())
			for bd.Next() {
				v := bd.Bytes()
				if bd.Type() != BRIDGE_XSTATS_VLAN || len(v) < 36 {
					continue
				}
				ne := binary.NativeEndian
				stats = append(stats, BridgeVlanXstats{ne.Uint64(v), ne.Uint64(v[8:]), ne.Uint64(v[16:]), ne.Uint64(v[24:]),
					ne.Uint16(v[32:]), ne.Uint16(v[34:])})
			}
		}
		if i == 0 {
			first = len(stats)
		}
	}
	return index, stats, first, nil
}
