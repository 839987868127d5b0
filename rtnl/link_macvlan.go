package rtnl

import (
	"golang.org/x/sys/unix"

	"nsbox/netlink"
)

// MACVLAN_MODE_* and MACVLAN_FLAG_* (<linux/if_link.h>).
const (
	MACVLAN_MODE_PRIVATE  = 1
	MACVLAN_MODE_VEPA     = 2
	MACVLAN_MODE_BRIDGE   = 4
	MACVLAN_MODE_PASSTHRU = 8
	MACVLAN_MODE_SOURCE   = 16

	MACVLAN_FLAG_NOPROMISC = 1
	MACVLAN_FLAG_NODST     = 2
)

// Macvlan is the data of kinds "macvlan" and "macvtap" (IFLA_MACVLAN_*).
// The lower device is the link's IFLA_LINK. Fields left nil are not
// sent, or were not received.
type Macvlan struct {
	kind string // "macvlan" (the zero value) or "macvtap"

	MacaddrMode *uint32 // IFLA_MACVLAN_MACADDR_MODE: MACVLAN_MACADDR_* (mode source)
	Macaddr     HardwareAddr
	BcQueueLen  *uint32 // IFLA_MACVLAN_BC_QUEUE_LEN
	Mode        *uint32 // IFLA_MACVLAN_MODE: MACVLAN_MODE_*
	Flags       *uint16 // IFLA_MACVLAN_FLAGS: MACVLAN_FLAG_*

	// What the kernel reports.
	MacaddrCount   *uint32 // IFLA_MACVLAN_MACADDR_COUNT
	BcQueueLenUsed *uint32 // IFLA_MACVLAN_BC_QUEUE_LEN_USED

	Other []netlink.Attribute // attributes without a field (IFLA_MACVLAN_MACADDR_DATA, ...)
}

// NewMacvtap returns the data of a link of kind "macvtap".
func NewMacvtap() *Macvlan { return &Macvlan{kind: "macvtap"} }

// Kind is "macvlan", or "macvtap" for data made by NewMacvtap or decoded
// from a macvtap.
func (m *Macvlan) Kind() string {
	if m.kind == "" {
		return "macvlan"
	}
	return m.kind
}

// fields is the table of IFLA_MACVLAN_* in the order of iproute2's
// macvlan_parse_opt: what it sends as it reads the options (macaddr,
// bcqueuelen), then mode and flags.
func (m *Macvlan) fields() []attrField {
	return []attrField{
		{unix.IFLA_MACVLAN_MACADDR_MODE, &m.MacaddrMode},
		{unix.IFLA_MACVLAN_MACADDR, &m.Macaddr},
		{unix.IFLA_MACVLAN_BC_QUEUE_LEN, &m.BcQueueLen},
		{unix.IFLA_MACVLAN_MODE, &m.Mode},
		{unix.IFLA_MACVLAN_FLAGS, &m.Flags},
		{unix.IFLA_MACVLAN_MACADDR_COUNT, &m.MacaddrCount},
		{unix.IFLA_MACVLAN_BC_QUEUE_LEN_USED, &m.BcQueueLenUsed},
	}
}

// AppendAttributes encodes the fields that are set, then Other.
func (m *Macvlan) AppendAttributes(e *netlink.AttributeEncoder) {
	appendFields(e, m.fields(), m.Other)
}

// DecodeAttributes decodes IFLA_MACVLAN_*.
func (m *Macvlan) DecodeAttributes(b []byte) error {
	return decodeFields(b, m.fields(), &m.Other)
}
