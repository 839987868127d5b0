package rtnl

import (
	"encoding/binary"
	"net/netip"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
	"nsbox/netlink"
)

// LinkInfo is IFLA_LINKINFO: the kind of a virtual link and the
// attributes its kind reads and reports.
//
//	IFLA_LINKINFO
//		IFLA_INFO_KIND        "veth", "bridge", "vxlan", ...
//		IFLA_INFO_DATA        the kind's own attributes (VETH_INFO_*, IFLA_BR_*, ...)
//		IFLA_INFO_SLAVE_KIND  "bridge" on a bridge port
//		IFLA_INFO_SLAVE_DATA  the port's attributes (IFLA_BRPORT_*)
//
// A request sets the kind's data as a typed value, Data (and SlaveData):
// a *Veth, *Bridge, *Vxlan or *Macvlan (a *BridgePort). Decoding keeps
// the data as received, RawData and RawSlaveData, which alias the
// message (a dump of thousands of links decodes without allocating); the
// DecodeData and DecodeSlaveData methods type them.
type LinkInfo struct {
	Kind         string   // IFLA_INFO_KIND
	Data         LinkData // IFLA_INFO_DATA to send
	SlaveKind    string   // IFLA_INFO_SLAVE_KIND
	SlaveData    LinkData // IFLA_INFO_SLAVE_DATA to send
	RawData      []byte   // IFLA_INFO_DATA as received (or to send, when Data is nil)
	RawSlaveData []byte   // IFLA_INFO_SLAVE_DATA as received
}

// LinkData is one kind's attributes, the ones its driver in the kernel
// (struct rtnl_link_ops) takes in IFLA_INFO_DATA or, for a port,
// IFLA_INFO_SLAVE_DATA. Each kind rtnl knows is a type of its own: Veth,
// Bridge, BridgePort, Vxlan, Macvlan.
type LinkData interface {
	// Kind is the IFLA_INFO_KIND (or IFLA_INFO_SLAVE_KIND) the data
	// belongs to.
	Kind() string
	// AppendAttributes encodes the attributes that are set, in the order
	// iproute2 sends them.
	AppendAttributes(e *netlink.AttributeEncoder)
	// DecodeAttributes decodes the value of IFLA_INFO_DATA (or
	// IFLA_INFO_SLAVE_DATA) into the receiver.
	DecodeAttributes(b []byte) error
}

// newLinkData returns an empty LinkData for kind, nil for a kind rtnl
// has no type for.
func newLinkData(kind string) LinkData {
	switch kind {
	case "veth":
		return &Veth{}
	case "bridge":
		return &Bridge{}
	case "vxlan":
		return &Vxlan{}
	case "macvlan", "macvtap":
		return &Macvlan{kind: kind}
	case "vlan":
		return &Vlan{}
	}
	return nil
}

// newSlaveData is newLinkData for IFLA_INFO_SLAVE_KIND.
func newSlaveData(kind string) LinkData {
	if kind == "bridge" {
		return &BridgePort{}
	}
	return nil
}

// DecodeData types RawData by Kind: a *Veth, *Bridge, *Vxlan or
// *Macvlan. It returns Data if that is set, and nil without an error for
// a kind rtnl has no type for or a link that sent no data.
func (i *LinkInfo) DecodeData() (LinkData, error) {
	return decodeData(i.Data, newLinkData(i.Kind), i.RawData)
}

// DecodeSlaveData types RawSlaveData by SlaveKind: a *BridgePort for a
// port of a bridge.
func (i *LinkInfo) DecodeSlaveData() (LinkData, error) {
	return decodeData(i.SlaveData, newSlaveData(i.SlaveKind), i.RawSlaveData)
}

func decodeData(have, empty LinkData, raw []byte) (LinkData, error) {
	if have != nil {
		return have, nil
	}
	if empty == nil || raw == nil {
		return nil, nil
	}
	if err := empty.DecodeAttributes(raw); err != nil {
		return nil, fmt.Errorf("rtnl: %s data: %w", empty.Kind(), err)
	}
	return empty, nil
}

// encode appends IFLA_LINKINFO. iproute2 sends the kinds without their
// NUL (addattr_l(..., strlen(type))), and no NLA_F_NESTED.
func (i *LinkInfo) encode(e *netlink.AttributeEncoder) {
	li := e.Nest(unix.IFLA_LINKINFO)
	e.Bytes(unix.IFLA_INFO_KIND, []byte(i.Kind))
	switch {
	case i.Data != nil:
		data := e.Nest(unix.IFLA_INFO_DATA)
		i.Data.AppendAttributes(e)
		e.End(data)
	case len(i.RawData) > 0:
		e.Bytes(unix.IFLA_INFO_DATA, i.RawData)
	}
	if i.SlaveKind != "" {
		e.Bytes(unix.IFLA_INFO_SLAVE_KIND, []byte(i.SlaveKind))
	}
	switch {
	case i.SlaveData != nil:
		data := e.Nest(unix.IFLA_INFO_SLAVE_DATA)
		i.SlaveData.AppendAttributes(e)
		e.End(data)
	case len(i.RawSlaveData) > 0:
		e.Bytes(unix.IFLA_INFO_SLAVE_DATA, i.RawSlaveData)
	}
	e.End(li)
}

// decode fills i from the value of IFLA_LINKINFO. kind and slaveKind
// are the names of the message decoded before: reused when the same.
func (i *LinkInfo) decode(b []byte, kind, slaveKind string) error {
	var d netlink.AttributeDecoder
	d.Reset(b)
	for d.Next() {
		switch d.Type() {
		case unix.IFLA_INFO_KIND:
			i.Kind = sameString(kind, d.Bytes())
		case unix.IFLA_INFO_DATA:
			i.RawData = d.Bytes()
		case unix.IFLA_INFO_SLAVE_KIND:
			i.SlaveKind = sameString(slaveKind, d.Bytes())
		case unix.IFLA_INFO_SLAVE_DATA:
			i.RawSlaveData = d.Bytes()
		}
	}
	return d.Err()
}

// An attrField ties an attribute type to the field of a LinkData that
// holds its value, so that a kind's attributes are one table, in
// iproute2's order, for encoding and decoding alike. v points to the
// field: a nil pointer field is an attribute not sent (not received).
//
//	**uint8, **uint16, **uint32, **uint64  integers in native order
//	**bool                                  a u8, 0 or 1
//	*bool                                   a flag: present or not, no value
//	flagU8                                  a flag to send, a u8 0 or 1 received
//	be16, be32                              integers in network order
//	*HardwareAddr, *netip.Addr              bytes as they are
//	**BridgeID                              struct ifla_bridge_id
//	**BridgeBoolOpt                         struct br_boolopt_multi
//	**VxlanPortRange                        struct ifla_vxlan_port_range
//	**VlanFlags                             struct ifla_vlan_flags
type attrField struct {
	typ uint16
	v   any
}

type (
	be16   struct{ p **uint16 }
	be32   struct{ p **uint32 }
	flagU8 struct{ p *bool }
)

// appendFields encodes the fields that are set, in table order, then the
// attributes without a field (other), as they are.
func appendFields(e *netlink.AttributeEncoder, fields []attrField, other []netlink.Attribute) {
	for _, f := range fields {
		switch v := f.v.(type) {
		case **uint8:
			if *v != nil {
				e.Uint8(f.typ, **v)
			}
		case **uint16:
			if *v != nil {
				e.Uint16(f.typ, **v)
			}
		case **uint32:
			if *v != nil {
				e.Uint32(f.typ, **v)
			}
		case **uint64:
			if *v != nil {
				e.Uint64(f.typ, **v)
			}
		case **bool:
			if *v != nil {
				e.Uint8(f.typ, boolByte(**v))
			}
		case *bool:
			if *v {
				e.Flag(f.typ)
			}
		case flagU8:
			if *v.p {
				e.Flag(f.typ)
			}
		case be16:
			if *v.p != nil {
				e.Uint16BE(f.typ, **v.p)
			}
		case be32:
			if *v.p != nil {
				e.Bytes(f.typ, binary.BigEndian.AppendUint32(nil, **v.p))
			}
		case *HardwareAddr:
			if len(*v) > 0 {
				e.Bytes(f.typ, *v)
			}
		case *netip.Addr:
			if v.IsValid() {
				e.Addr(f.typ, *v)
			}
		case **BridgeID:
			if *v != nil {
				e.Bytes(f.typ, (*v)[:])
			}
		case **BridgeBoolOpt:
			if *v != nil {
				b := native.AppendUint32(nil, (*v).Value)
				e.Bytes(f.typ, native.AppendUint32(b, (*v).Mask))
			}
		case **VxlanPortRange:
			if *v != nil {
				b := binary.BigEndian.AppendUint16(nil, (*v).Low)
				e.Bytes(f.typ, binary.BigEndian.AppendUint16(b, (*v).High))
			}
		case **VlanFlags:
			if *v != nil {
				b := native.AppendUint32(nil, (*v).Flags)
				e.Bytes(f.typ, native.AppendUint32(b, (*v).Mask))
			}
		}
	}
	for _, a := range other {
		e.Bytes(a.Type, a.Data)
	}
}

// decodeFields decodes b into the fields the table names; attributes it
// has no field for go to other.
func decodeFields(b []byte, fields []attrField, other *[]netlink.Attribute) error {
	d := netlink.NewAttributeDecoder(b)
next:
	for d.Next() {
		for _, f := range fields {
			if f.typ != d.Type() {
				continue
			}
			switch v := f.v.(type) {
			case **uint8:
				*v = new(d.Uint8())
			case **uint16:
				*v = new(d.Uint16())
			case **uint32:
				*v = new(d.Uint32())
			case **uint64:
				*v = new(d.Uint64())
			case **bool:
				*v = new(d.Uint8() != 0)
			case *bool:
				*v = true
			case flagU8:
				*v.p = d.Len() == 0 || d.Bytes()[0] != 0
			case be16:
				if d.Want(2) {
					*v.p = new(binary.BigEndian.Uint16(d.Bytes()))
				}
			case be32:
				if d.Want(4) {
					*v.p = new(binary.BigEndian.Uint32(d.Bytes()))
				}
			case *HardwareAddr:
				*v = d.Bytes()
			case *netip.Addr:
				*v = d.Addr()
			case **BridgeID:
				if d.Want(8) {
					*v = new(BridgeID(d.Bytes()))
				}
			case **BridgeBoolOpt:
				if d.Want(8) {
					*v = &BridgeBoolOpt{Value: native.Uint32(d.Bytes()), Mask: native.Uint32(d.Bytes()[4:])}
				}
			case **VxlanPortRange:
				if d.Want(4) {
					*v = &VxlanPortRange{Low: binary.BigEndian.Uint16(d.Bytes()), High: binary.BigEndian.Uint16(d.Bytes()[2:])}
				}
			case **VlanFlags:
				if d.Want(8) {
					*v = &VlanFlags{Flags: native.Uint32(d.Bytes()), Mask: native.Uint32(d.Bytes()[4:])}
				}
			}
			continue next
		}
		*other = append(*other, d.Attribute())
	}
	return d.Err()
}

func boolByte(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}
