package rtnl

import (
	"net/netip"

	"golang.org/x/sys/unix"

	"nsbox/netlink"
)

// Ndmsg is struct ndmsg, the family header of RTM_*NEIGH: a neighbour
// (ARP, NDISC) entry, or with AF_BRIDGE a bridge forwarding entry.
//
//	struct ndmsg {
//		__u8		ndm_family;
//		__u8		ndm_pad1;
//		__u16		ndm_pad2;
//		__s32		ndm_ifindex;
//		__u16		ndm_state;
//		__u8		ndm_flags;
//		__u8		ndm_type;
//	};
type Ndmsg struct {
	Family uint8
	Index  int32  // ndm_ifindex
	State  uint16 // NUD_*
	Flags  uint8  // NTF_*
	Type   uint8  // RTN_* (RTN_UNICAST for IP neighbours)
}

// NdmsgLen is sizeof(struct ndmsg).
const NdmsgLen = 12

// AppendBinary appends the 12 bytes of the header.
func (h Ndmsg) AppendBinary(b []byte) []byte {
	b = append(b, h.Family, 0, 0, 0)
	b = native.AppendUint32(b, uint32(h.Index))
	b = native.AppendUint16(b, h.State)
	return append(b, h.Flags, h.Type)
}

// ParseNdmsg decodes the header at the start of b.
func ParseNdmsg(b []byte) (Ndmsg, error) {
	if len(b) < NdmsgLen {
		return Ndmsg{}, errShort("struct ndmsg", len(b), NdmsgLen)
	}
	return Ndmsg{Family: b[0], Index: int32(native.Uint32(b[4:])), State: native.Uint16(b[8:]),
		Flags: b[10], Type: b[11]}, nil
}

// NDA_* attributes (<linux/neighbour.h>).
const (
	NDA_DST            = 1
	NDA_LLADDR         = 2
	NDA_CACHEINFO      = 3
	NDA_PROBES         = 4
	NDA_VLAN           = 5
	NDA_PORT           = 6
	NDA_VNI            = 7
	NDA_IFINDEX        = 8
	NDA_MASTER         = 9
	NDA_LINK_NETNSID   = 10
	NDA_SRC_VNI        = 11
	NDA_PROTOCOL       = 12
	NDA_NH_ID          = 13
	NDA_FDB_EXT_ATTRS  = 14
	NDA_FLAGS_EXT      = 15
	NDA_NDM_STATE_MASK = 16
	NDA_NDM_FLAGS_MASK = 17
)

// NUD_* states and NTF_* flags (<linux/neighbour.h>).
const (
	NUD_INCOMPLETE = 0x01
	NUD_REACHABLE  = 0x02
	NUD_STALE      = 0x04
	NUD_DELAY      = 0x08
	NUD_PROBE      = 0x10
	NUD_FAILED     = 0x20
	NUD_NOARP      = 0x40
	NUD_PERMANENT  = 0x80
	NUD_NONE       = 0x00

	NTF_USE         = 0x01
	NTF_SELF        = 0x02
	NTF_MASTER      = 0x04
	NTF_PROXY       = 0x08
	NTF_EXT_LEARNED = 0x10
	NTF_OFFLOADED   = 0x20
	NTF_STICKY      = 0x40
	NTF_ROUTER      = 0x80

	// NTF_EXT_MANAGED is a bit of NDA_FLAGS_EXT.
	NTF_EXT_MANAGED = 0x01
)

// NeighCacheInfo is struct nda_cacheinfo (NDA_CACHEINFO): ages in clock
// ticks (USER_HZ, 100 a second).
type NeighCacheInfo struct {
	Confirmed, Used, Updated, RefCnt uint32
}

// Neigh is a neighbour entry as RTM_NEWNEIGH describes it: an IP
// neighbour (ip neigh) or, with Family AF_BRIDGE, a bridge forwarding
// entry (bridge fdb). A request sends only the fields that are set, in
// iproute2's order, which differs between the two tools: "ip neigh" sends
// NDA_PROTOCOL, NDA_DST, NDA_FLAGS_EXT, NDA_LLADDR; "bridge fdb" sends
// NDA_LLADDR, NDA_DST, NDA_VLAN, NDA_NH_ID, NDA_PORT, NDA_VNI, NDA_SRC_VNI,
// NDA_IFINDEX, then (get, flush, dumps) NDA_MASTER, NDA_NDM_FLAGS_MASK,
// NDA_NDM_STATE_MASK. AppendBinary follows the first order for an IP
// family and the second for AF_BRIDGE.
type Neigh struct {
	Ndmsg
	Dst       netip.Addr      // NDA_DST: the IP address (for a vxlan fdb entry, the remote)
	LLAddr    HardwareAddr    // NDA_LLADDR; nil: none
	CacheInfo *NeighCacheInfo // NDA_CACHEINFO
	Probes    *uint32         // NDA_PROBES
	Vlan      *uint16         // NDA_VLAN
	Port      uint16          // NDA_PORT (network order on the wire); 0: none
	VNI       *uint32         // NDA_VNI
	IfIndex   uint32          // NDA_IFINDEX: a dump filter, or a vxlan entry's "via"
	Master    uint32          // NDA_MASTER: a dump filter, or the bridge of an entry
	// LinkNetNSID is NDA_LINK_NETNSID; nil: none.
	LinkNetNSID *int32
	SrcVNI      *uint32 // NDA_SRC_VNI
	Protocol    uint8   // NDA_PROTOCOL; 0: none
	NHID        uint32  // NDA_NH_ID
	FlagsExt    uint32  // NDA_FLAGS_EXT (NTF_EXT_*)
	StateMask   uint16  // NDA_NDM_STATE_MASK (bulk delete)
	FlagsMask   uint8   // NDA_NDM_FLAGS_MASK (bulk delete)
	Other       []netlink.Attribute
}

// AppendBinary appends the entry as a request payload.
func (n *Neigh) AppendBinary(b []byte) ([]byte, error) {
	e := netlink.NewAttributeEncoder(n.Ndmsg.AppendBinary(b))
	if n.Family == unix.AF_BRIDGE {
		n.encodeFDB(e)
	} else {
		n.encodeIP(e)
	}
	for _, o := range n.Other {
		e.Bytes(o.Type, o.Data)
	}
	return e.Encode()
}

// encodeIP is ipneigh_modify's order (and the dump filter's).
func (n *Neigh) encodeIP(e *netlink.AttributeEncoder) {
	if n.Protocol != 0 {
		e.Uint8(NDA_PROTOCOL, n.Protocol)
	}
	if n.Dst.IsValid() {
		e.Addr(NDA_DST, n.Dst)
	}
	if n.FlagsExt != 0 {
		e.Uint32(NDA_FLAGS_EXT, n.FlagsExt)
	}
	if n.LLAddr != nil {
		e.Bytes(NDA_LLADDR, n.LLAddr)
	}
	n.encodeRest(e)
}

// encodeFDB is bridge fdb's order: fdb_modify, then fdb_get and the dump
// filter; a bulk deletion (no NDA_LLADDR, masks) is fdb_flush's:
// NDA_IFINDEX, NDA_VLAN, NDA_NDM_FLAGS_MASK, NDA_NDM_STATE_MASK.
func (n *Neigh) encodeFDB(e *netlink.AttributeEncoder) {
	if n.LLAddr == nil && n.IfIndex != 0 && n.Vlan != nil {
		e.Uint32(NDA_IFINDEX, n.IfIndex)
		m := *n
		m.IfIndex = 0
		m.encodeRest(e)
		return
	}
	if n.LLAddr != nil {
		e.Bytes(NDA_LLADDR, n.LLAddr)
	}
	if n.Dst.IsValid() {
		e.Addr(NDA_DST, n.Dst)
	}
	n.encodeRest(e)
}

func (n *Neigh) encodeRest(e *netlink.AttributeEncoder) {
	if n.Vlan != nil {
		e.Uint16(NDA_VLAN, *n.Vlan)
	}
	if n.NHID != 0 {
		e.Uint32(NDA_NH_ID, n.NHID)
	}
	if n.Port != 0 {
		e.Uint16BE(NDA_PORT, n.Port)
	}
	if n.VNI != nil {
		e.Uint32(NDA_VNI, *n.VNI)
	}
	if n.SrcVNI != nil {
		e.Uint32(NDA_SRC_VNI, *n.SrcVNI)
	}
	if n.IfIndex != 0 {
		e.Uint32(NDA_IFINDEX, n.IfIndex)
	}
	if n.Master != 0 {
		e.Uint32(NDA_MASTER, n.Master)
	}
	if n.FlagsMask != 0 {
		e.Uint8(NDA_NDM_FLAGS_MASK, n.FlagsMask)
	}
	if n.StateMask != 0 {
		e.Uint16(NDA_NDM_STATE_MASK, n.StateMask)
	}
	if n.Family == unix.AF_BRIDGE { // bridge(8) sends neither
		if n.Protocol != 0 {
			e.Uint8(NDA_PROTOCOL, n.Protocol)
		}
		if n.FlagsExt != 0 {
			e.Uint32(NDA_FLAGS_EXT, n.FlagsExt)
		}
	}
	// the kernel's own, in its answers (a request has no use for them)
	if n.LinkNetNSID != nil {
		e.Int32(NDA_LINK_NETNSID, *n.LinkNetNSID)
	}
	if ci := n.CacheInfo; ci != nil {
		v := native.AppendUint32(nil, ci.Confirmed)
		v = native.AppendUint32(v, ci.Used)
		v = native.AppendUint32(v, ci.Updated)
		e.Bytes(NDA_CACHEINFO, native.AppendUint32(v, ci.RefCnt))
	}
	if n.Probes != nil {
		e.Uint32(NDA_PROBES, *n.Probes)
	}
}

// ParseNeigh decodes the payload of RTM_NEWNEIGH (ndmsg + NDA_*).
func ParseNeigh(b []byte) (*Neigh, error) {
	h, err := ParseNdmsg(b)
	if err != nil {
		return nil, err
	}
	n := &Neigh{Ndmsg: h}
	d := netlink.NewAttributeDecoder(b[NdmsgLen:])
	for d.Next() {
		switch d.Type() {
		case NDA_DST:
			n.Dst = d.Addr()
		case NDA_LLADDR:
			n.LLAddr = HardwareAddr(d.Bytes())
		case NDA_CACHEINFO:
			if !d.Want(16) {
				break
			}
			v := d.Bytes()
			n.CacheInfo = &NeighCacheInfo{Confirmed: native.Uint32(v[0:]), Used: native.Uint32(v[4:]),
				Updated: native.Uint32(v[8:]), RefCnt: native.Uint32(v[12:])}
		case NDA_PROBES:
			v := d.Uint32()
			n.Probes = &v
		case NDA_VLAN:
			v := d.Uint16()
			n.Vlan = &v
		case NDA_PORT:
			if d.Want(2) {
				n.Port = uint16(d.Bytes()[0])<<8 | uint16(d.Bytes()[1])
			}
		case NDA_VNI:
			v := d.Uint32()
			n.VNI = &v
		case NDA_IFINDEX:
			n.IfIndex = d.Uint32()
		case NDA_MASTER:
			n.Master = d.Uint32()
		case NDA_LINK_NETNSID:
			v := d.Int32()
			n.LinkNetNSID = &v
		case NDA_SRC_VNI:
			v := d.Uint32()
			n.SrcVNI = &v
		case NDA_PROTOCOL:
			n.Protocol = d.Uint8()
		case NDA_NH_ID:
			n.NHID = d.Uint32()
		case NDA_FLAGS_EXT:
			n.FlagsExt = d.Uint32()
		case NDA_NDM_STATE_MASK:
			n.StateMask = d.Uint16()
		case NDA_NDM_FLAGS_MASK:
			n.FlagsMask = d.Uint8()
		default:
			n.Other = append(n.Other, d.Attribute())
		}
	}
	return n, d.Err()
}

// NewNeighRequest builds RTM_NEWNEIGH (flags: NLM_F_CREATE|NLM_F_EXCL to
// add, NLM_F_CREATE|NLM_F_REPLACE to replace, NLM_F_REPLACE to change,
// NLM_F_CREATE|NLM_F_APPEND to append a bridge fdb entry).
func NewNeighRequest(n *Neigh, flags netlink.HeaderFlags) (netlink.Message, error) {
	b, err := n.AppendBinary(make([]byte, 0, 64))
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWNEIGH, Flags: flags}, Data: b}, err
}

// DelNeighRequest builds RTM_DELNEIGH (flags: NLM_F_BULK for bridge fdb
// flush, which deletes every entry the masks select).
func DelNeighRequest(n *Neigh, flags netlink.HeaderFlags) (netlink.Message, error) {
	b, err := n.AppendBinary(make([]byte, 0, 64))
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_DELNEIGH, Flags: flags}, Data: b}, err
}

// GetNeighRequest builds RTM_GETNEIGH for one entry (ip neigh get,
// bridge fdb get).
func GetNeighRequest(n *Neigh) (netlink.Message, error) {
	b, err := n.AppendBinary(make([]byte, 0, 64))
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_GETNEIGH}, Data: b}, err
}

// NeighDumpRequest builds the RTM_GETNEIGH dump request. With strict
// checking the kernel filters by what q sets: ndm_flags NTF_PROXY (the
// proxy entries instead of the others), NDA_IFINDEX, NDA_MASTER; for
// AF_BRIDGE, ndm_ifindex (the port) and NDA_MASTER (the bridge).
func NeighDumpRequest(q *Neigh) (netlink.Message, error) {
	b, err := q.AppendBinary(make([]byte, 0, 32))
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_GETNEIGH}, Data: b}, err
}
