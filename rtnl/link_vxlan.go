package rtnl

import (
	"net/netip"

	"golang.org/x/sys/unix"

	"nsbox/netlink"
)

// VxlanPortRange is struct ifla_vxlan_port_range (IFLA_VXLAN_PORT_RANGE):
// the UDP source ports, in network order on the wire.
type VxlanPortRange struct {
	Low, High uint16
}

// Vxlan is the data of kind "vxlan" (IFLA_VXLAN_*). Fields left nil (or
// invalid, for addresses) are not sent, or were not received.
type Vxlan struct {
	Link             *uint32         // IFLA_VXLAN_LINK: the underlying device's ifindex ("dev")
	TTLInherit       bool            // IFLA_VXLAN_TTL_INHERIT, a flag
	TTL              *uint8          // IFLA_VXLAN_TTL; 0: auto
	TOS              *uint8          // IFLA_VXLAN_TOS; 1: inherit
	DF               *uint8          // IFLA_VXLAN_DF: VXLAN_DF_UNSET, _SET, _INHERIT
	Label            *uint32         // IFLA_VXLAN_LABEL: IPv6 flow label (network order on the wire)
	Ageing           *uint32         // IFLA_VXLAN_AGEING, seconds
	Limit            *uint32         // IFLA_VXLAN_LIMIT: most FDB entries
	PortRange        *VxlanPortRange // IFLA_VXLAN_PORT_RANGE
	Proxy            *bool           // IFLA_VXLAN_PROXY
	RSC              *bool           // IFLA_VXLAN_RSC
	L2Miss           *bool           // IFLA_VXLAN_L2MISS
	L3Miss           *bool           // IFLA_VXLAN_L3MISS
	UDPCsum          *bool           // IFLA_VXLAN_UDP_CSUM
	UDPZeroCsum6Tx   *bool           // IFLA_VXLAN_UDP_ZERO_CSUM6_TX
	UDPZeroCsum6Rx   *bool           // IFLA_VXLAN_UDP_ZERO_CSUM6_RX
	RemCsumTx        *bool           // IFLA_VXLAN_REMCSUM_TX
	RemCsumRx        *bool           // IFLA_VXLAN_REMCSUM_RX
	CollectMetadata  *bool           // IFLA_VXLAN_COLLECT_METADATA ("external")
	GBP              bool            // IFLA_VXLAN_GBP, a flag
	GPE              bool            // IFLA_VXLAN_GPE, a flag
	VNIFilter        *bool           // IFLA_VXLAN_VNIFILTER
	ID               *uint32         // IFLA_VXLAN_ID: the VNI, below 1<<24
	Local            netip.Addr      // IFLA_VXLAN_LOCAL (IPv4)
	Local6           netip.Addr      // IFLA_VXLAN_LOCAL6
	Group            netip.Addr      // IFLA_VXLAN_GROUP: multicast group or remote (IPv4)
	Group6           netip.Addr      // IFLA_VXLAN_GROUP6
	Learning         *bool           // IFLA_VXLAN_LEARNING
	Port             *uint16         // IFLA_VXLAN_PORT: destination UDP port (network order on the wire)
	RemCsumNoPartial bool            // IFLA_VXLAN_REMCSUM_NOPARTIAL, a flag

	Other []netlink.Attribute // attributes without a field
}

// Kind is "vxlan".
func (*Vxlan) Kind() string { return "vxlan" }

// fields is the table of IFLA_VXLAN_* in the order of iproute2's
// vxlan_parse_opt: the options it sends as it reads them, then those it
// sends last (id, local, remote or group, learning, dstport).
func (v *Vxlan) fields() []attrField {
	return []attrField{
		{unix.IFLA_VXLAN_LINK, &v.Link},
		{unix.IFLA_VXLAN_TTL_INHERIT, flagU8{&v.TTLInherit}},
		{unix.IFLA_VXLAN_TTL, &v.TTL},
		{unix.IFLA_VXLAN_TOS, &v.TOS},
		{unix.IFLA_VXLAN_DF, &v.DF},
		{unix.IFLA_VXLAN_LABEL, be32{&v.Label}},
		{unix.IFLA_VXLAN_AGEING, &v.Ageing},
		{unix.IFLA_VXLAN_LIMIT, &v.Limit},
		{unix.IFLA_VXLAN_PORT_RANGE, &v.PortRange},
		{unix.IFLA_VXLAN_PROXY, &v.Proxy},
		{unix.IFLA_VXLAN_RSC, &v.RSC},
		{unix.IFLA_VXLAN_L2MISS, &v.L2Miss},
		{unix.IFLA_VXLAN_L3MISS, &v.L3Miss},
		{unix.IFLA_VXLAN_UDP_CSUM, &v.UDPCsum},
		{unix.IFLA_VXLAN_UDP_ZERO_CSUM6_TX, &v.UDPZeroCsum6Tx},
		{unix.IFLA_VXLAN_UDP_ZERO_CSUM6_RX, &v.UDPZeroCsum6Rx},
		{unix.IFLA_VXLAN_REMCSUM_TX, &v.RemCsumTx},
		{unix.IFLA_VXLAN_REMCSUM_RX, &v.RemCsumRx},
		{unix.IFLA_VXLAN_COLLECT_METADATA, &v.CollectMetadata},
		{unix.IFLA_VXLAN_GBP, &v.GBP},
		{unix.IFLA_VXLAN_GPE, &v.GPE},
		{unix.IFLA_VXLAN_VNIFILTER, &v.VNIFilter},
		{unix.IFLA_VXLAN_ID, &v.ID},
		{unix.IFLA_VXLAN_LOCAL, &v.Local},
		{unix.IFLA_VXLAN_LOCAL6, &v.Local6},
		{unix.IFLA_VXLAN_GROUP, &v.Group},
		{unix.IFLA_VXLAN_GROUP6, &v.Group6},
		{unix.IFLA_VXLAN_LEARNING, &v.Learning},
		{unix.IFLA_VXLAN_PORT, be16{&v.Port}},
		{unix.IFLA_VXLAN_REMCSUM_NOPARTIAL, &v.RemCsumNoPartial},
	}
}

// AppendAttributes encodes the fields that are set, then Other.
func (v *Vxlan) AppendAttributes(e *netlink.AttributeEncoder) {
	appendFields(e, v.fields(), v.Other)
}

// DecodeAttributes decodes IFLA_VXLAN_*.
func (v *Vxlan) DecodeAttributes(b []byte) error {
	return decodeFields(b, v.fields(), &v.Other)
}
