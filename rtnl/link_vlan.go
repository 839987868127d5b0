package rtnl

import (
	"golang.org/x/sys/unix"

	"nsbox/netlink"
)

// VLAN_FLAG_* (<linux/if_vlan.h>): struct ifla_vlan_flags bits.
const (
	VLAN_FLAG_REORDER_HDR    = 0x1
	VLAN_FLAG_GVRP           = 0x2
	VLAN_FLAG_LOOSE_BINDING  = 0x4
	VLAN_FLAG_MVRP           = 0x8
	VLAN_FLAG_BRIDGE_BINDING = 0x10
)

// VlanFlags is struct ifla_vlan_flags: the flags to set and which of
// them the request changes.
type VlanFlags struct {
	Flags, Mask uint32
}

// Vlan is the data of kind "vlan" (IFLA_VLAN_*): an 802.1Q or 802.1ad
// sub-interface of the link's IFLA_LINK. (Kernels built without
// CONFIG_VLAN_8021Q refuse the kind: "Unknown device type".)
type Vlan struct {
	Protocol *uint16    // IFLA_VLAN_PROTOCOL: ETH_P_8021Q or ETH_P_8021AD (network order on the wire)
	ID       *uint16    // IFLA_VLAN_ID: 0-4095
	Flags    *VlanFlags // IFLA_VLAN_FLAGS

	Other []netlink.Attribute // attributes without a field (the QoS maps)
}

// Kind is "vlan".
func (*Vlan) Kind() string { return "vlan" }

// fields is IFLA_VLAN_* in iproute2's order for "protocol P id N ...":
// vlan_parse_opt sends protocol and id as it reads them, the flags last.
func (v *Vlan) fields() []attrField {
	return []attrField{
		{unix.IFLA_VLAN_PROTOCOL, be16{&v.Protocol}},
		{unix.IFLA_VLAN_ID, &v.ID},
		{unix.IFLA_VLAN_FLAGS, &v.Flags},
	}
}

// AppendAttributes encodes the fields that are set, then Other.
func (v *Vlan) AppendAttributes(e *netlink.AttributeEncoder) {
	appendFields(e, v.fields(), v.Other)
}

// DecodeAttributes decodes IFLA_VLAN_*.
func (v *Vlan) DecodeAttributes(b []byte) error {
	return decodeFields(b, v.fields(), &v.Other)
}
