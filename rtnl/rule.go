package rtnl

import (
	"net/netip"

	"golang.org/x/sys/unix"

	"nsbox/netlink"
)

// FibRuleHdr is struct fib_rule_hdr, the family header of RTM_*RULE: a
// policy routing rule.
//
//	struct fib_rule_hdr {
//		__u8		family;
//		__u8		dst_len;
//		__u8		src_len;
//		__u8		tos;
//		__u8		table;
//		__u8		res1;	/* reserved */
//		__u8		res2;	/* reserved */
//		__u8		action;
//		__u32		flags;
//	};
type FibRuleHdr struct {
	Family uint8
	DstLen uint8
	SrcLen uint8
	TOS    uint8
	Table  uint8 // RT_TABLE_*; RT_TABLE_UNSPEC with FRA_TABLE for ids >= 256
	Action uint8 // FR_ACT_*
	Flags  uint32
}

// FibRuleHdrLen is sizeof(struct fib_rule_hdr).
const FibRuleHdrLen = 12

// AppendBinary appends the 12 bytes of the header.
func (h FibRuleHdr) AppendBinary(b []byte) []byte {
	b = append(b, h.Family, h.DstLen, h.SrcLen, h.TOS, h.Table, 0, 0, h.Action)
	return native.AppendUint32(b, h.Flags)
}

// ParseFibRuleHdr decodes the header at the start of b.
func ParseFibRuleHdr(b []byte) (FibRuleHdr, error) {
	if len(b) < FibRuleHdrLen {
		return FibRuleHdr{}, errShort("struct fib_rule_hdr", len(b), FibRuleHdrLen)
	}
	return FibRuleHdr{Family: b[0], DstLen: b[1], SrcLen: b[2], TOS: b[3], Table: b[4],
		Action: b[7], Flags: native.Uint32(b[8:])}, nil
}

// FRA_* attributes (<linux/fib_rules.h>).
const (
	FRA_DST                = 1
	FRA_SRC                = 2
	FRA_IIFNAME            = 3
	FRA_GOTO               = 4
	FRA_UNUSED2            = 5 // RTA_GATEWAY of the old "nat" rules
	FRA_PRIORITY           = 6
	FRA_FWMARK             = 10
	FRA_FLOW               = 11
	FRA_TUN_ID             = 12
	FRA_SUPPRESS_IFGROUP   = 13
	FRA_SUPPRESS_PREFIXLEN = 14
	FRA_TABLE              = 15
	FRA_FWMASK             = 16
	FRA_OIFNAME            = 17
	FRA_PAD                = 18
	FRA_L3MDEV             = 19
	FRA_UID_RANGE          = 20
	FRA_PROTOCOL           = 21
	FRA_IP_PROTO           = 22
	FRA_SPORT_RANGE        = 23
	FRA_DPORT_RANGE        = 24
)

// FR_ACT_* actions and FIB_RULE_* flags (<linux/fib_rules.h>).
const (
	FR_ACT_UNSPEC      = 0
	FR_ACT_TO_TBL      = 1
	FR_ACT_GOTO        = 2
	FR_ACT_NOP         = 3
	FR_ACT_BLACKHOLE   = 6
	FR_ACT_UNREACHABLE = 7
	FR_ACT_PROHIBIT    = 8

	FIB_RULE_PERMANENT    = 0x01
	FIB_RULE_INVERT       = 0x02
	FIB_RULE_UNRESOLVED   = 0x04
	FIB_RULE_IIF_DETACHED = 0x08
	FIB_RULE_OIF_DETACHED = 0x10
)

// RuleRange is struct fib_rule_uid_range (FRA_UID_RANGE) or, with 16-bit
// values, struct fib_rule_port_range (FRA_SPORT_RANGE, FRA_DPORT_RANGE).
type RuleRange struct {
	Start, End uint32
}

// Rule is a routing rule as RTM_NEWRULE describes it. A request sends
// only the fields that are set, in the order of iproute2's parser
// (iprule_modify's chain of keywords, which is also its usage text's):
// FRA_SRC, FRA_DST, FRA_PRIORITY, FRA_FWMARK, FRA_FWMASK, FRA_FLOW,
// FRA_PROTOCOL, FRA_TUN_ID, FRA_TABLE, FRA_SUPPRESS_PREFIXLEN,
// FRA_SUPPRESS_IFGROUP, FRA_IIFNAME, FRA_OIFNAME, FRA_L3MDEV,
// FRA_UID_RANGE, RTA_GATEWAY (nat), FRA_IP_PROTO, FRA_SPORT_RANGE,
// FRA_DPORT_RANGE, FRA_GOTO. (iproute2 adds them in the order the words
// come; the kernel does not care.)
type Rule struct {
	FibRuleHdr
	Src, Dst          netip.Addr // FRA_SRC, FRA_DST (lengths in the header)
	Priority          *uint32    // FRA_PRIORITY: "pref"
	FwMark            *uint32    // FRA_FWMARK
	FwMask            *uint32    // FRA_FWMASK
	Flow              *uint32    // FRA_FLOW: realms
	Protocol          *uint8     // FRA_PROTOCOL
	TunID             *uint64    // FRA_TUN_ID (network order on the wire)
	TableID           uint32     // FRA_TABLE; 0: none
	SuppressPrefixLen *uint32    // FRA_SUPPRESS_PREFIXLEN (-1: none)
	SuppressIfGroup   *uint32    // FRA_SUPPRESS_IFGROUP (-1: none)
	IIFName           string     // FRA_IIFNAME
	OIFName           string     // FRA_OIFNAME
	L3MDev            *uint8     // FRA_L3MDEV
	UIDRange          *RuleRange // FRA_UID_RANGE
	Gateway           netip.Addr // RTA_GATEWAY (FRA_UNUSED2): the deprecated "nat ADDRESS"
	IPProto           *uint8     // FRA_IP_PROTO
	SPort             *RuleRange // FRA_SPORT_RANGE
	DPort             *RuleRange // FRA_DPORT_RANGE
	Goto              *uint32    // FRA_GOTO
	Other             []netlink.Attribute
}

// TableNumber returns the table id: FRA_TABLE when sent, else the header's.
func (r *Rule) TableNumber() uint32 {
	if r.TableID != 0 {
		return r.TableID
	}
	return uint32(r.FibRuleHdr.Table)
}

// AppendBinary appends the rule as a request payload.
func (r *Rule) AppendBinary(b []byte) ([]byte, error) {
	e := netlink.NewAttributeEncoder(r.FibRuleHdr.AppendBinary(b))
	if r.Src.IsValid() {
		e.Addr(FRA_SRC, r.Src)
	}
	if r.Dst.IsValid() {
		e.Addr(FRA_DST, r.Dst)
	}
	u32 := func(typ uint16, v *uint32) {
		if v != nil {
			e.Uint32(typ, *v)
		}
	}
	u8 := func(typ uint16, v *uint8) {
		if v != nil {
			e.Uint8(typ, *v)
		}
	}
	u32(FRA_PRIORITY, r.Priority)
	u32(FRA_FWMARK, r.FwMark)
	u32(FRA_FWMASK, r.FwMask)
	u32(FRA_FLOW, r.Flow)
	u8(FRA_PROTOCOL, r.Protocol)
	if r.TunID != nil {
		var v [8]byte
		for i := range v {
			v[i] = byte(*r.TunID >> (56 - 8*i))
		}
		e.Bytes(FRA_TUN_ID, v[:])
	}
	if r.TableID != 0 {
		e.Uint32(FRA_TABLE, r.TableID)
	}
	u32(FRA_SUPPRESS_PREFIXLEN, r.SuppressPrefixLen)
	u32(FRA_SUPPRESS_IFGROUP, r.SuppressIfGroup)
	if r.IIFName != "" {
		e.String(FRA_IIFNAME, r.IIFName)
	}
	if r.OIFName != "" {
		e.String(FRA_OIFNAME, r.OIFName)
	}
	u8(FRA_L3MDEV, r.L3MDev)
	if r.UIDRange != nil {
		e.Bytes(FRA_UID_RANGE, native.AppendUint32(native.AppendUint32(nil, r.UIDRange.Start), r.UIDRange.End))
	}
	if r.Gateway.IsValid() {
		e.Addr(FRA_UNUSED2, r.Gateway)
	}
	u8(FRA_IP_PROTO, r.IPProto)
	for _, pr := range []struct {
		typ uint16
		r   *RuleRange
	}{{FRA_SPORT_RANGE, r.SPort}, {FRA_DPORT_RANGE, r.DPort}} {
		if pr.r != nil {
			e.Bytes(pr.typ, native.AppendUint16(native.AppendUint16(nil, uint16(pr.r.Start)), uint16(pr.r.End)))
		}
	}
	u32(FRA_GOTO, r.Goto)
	for _, o := range r.Other {
		e.Bytes(o.Type, o.Data)
	}
	return e.Encode()
}

// ParseRule decodes the payload of RTM_NEWRULE (fib_rule_hdr + FRA_*).
func ParseRule(b []byte) (*Rule, error) {
	h, err := ParseFibRuleHdr(b)
	if err != nil {
		return nil, err
	}
	r := &Rule{FibRuleHdr: h}
	d := netlink.NewAttributeDecoder(b[FibRuleHdrLen:])
	u32 := func() *uint32 { v := d.Uint32(); return &v }
	u8 := func() *uint8 { v := d.Uint8(); return &v }
	for d.Next() {
		switch d.Type() {
		case FRA_SRC:
			r.Src = d.Addr()
		case FRA_DST:
			r.Dst = d.Addr()
		case FRA_PRIORITY:
			r.Priority = u32()
		case FRA_FWMARK:
			r.FwMark = u32()
		case FRA_FWMASK:
			r.FwMask = u32()
		case FRA_FLOW:
			r.Flow = u32()
		case FRA_PROTOCOL:
			r.Protocol = u8()
		case FRA_TUN_ID:
			if d.Want(8) {
				var v uint64
				for _, c := range d.Bytes() {
					v = v<<8 | uint64(c)
				}
				r.TunID = &v
			}
		case FRA_TABLE:
			r.TableID = d.Uint32()
		case FRA_SUPPRESS_PREFIXLEN:
			r.SuppressPrefixLen = u32()
		case FRA_SUPPRESS_IFGROUP:
			r.SuppressIfGroup = u32()
		case FRA_IIFNAME:
			r.IIFName = d.String()
		case FRA_OIFNAME:
			r.OIFName = d.String()
		case FRA_L3MDEV:
			r.L3MDev = u8()
		case FRA_UID_RANGE:
			if d.Want(8) {
				v := d.Bytes()
				r.UIDRange = &RuleRange{native.Uint32(v), native.Uint32(v[4:])}
			}
		case FRA_UNUSED2:
			r.Gateway = d.Addr()
		case FRA_IP_PROTO:
			r.IPProto = u8()
		case FRA_SPORT_RANGE, FRA_DPORT_RANGE:
			if d.Want(4) {
				v := d.Bytes()
				pr := &RuleRange{uint32(native.Uint16(v)), uint32(native.Uint16(v[2:]))}
				if d.Type() == FRA_SPORT_RANGE {
					r.SPort = pr
				} else {
					r.DPort = pr
				}
			}
		case FRA_GOTO:
			r.Goto = u32()
		default:
			r.Other = append(r.Other, d.Attribute())
		}
	}
	return r, d.Err()
}

// NewRuleRequest builds RTM_NEWRULE (flags: NLM_F_CREATE|NLM_F_EXCL, as
// "ip rule add" sends).
func NewRuleRequest(r *Rule, flags netlink.HeaderFlags) (netlink.Message, error) {
	b, err := r.AppendBinary(make([]byte, 0, 64))
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWRULE, Flags: flags}, Data: b}, err
}

// DelRuleRequest builds RTM_DELRULE: the kernel deletes the first rule
// that matches every field sent.
func DelRuleRequest(r *Rule) (netlink.Message, error) {
	b, err := r.AppendBinary(make([]byte, 0, 64))
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_DELRULE}, Data: b}, err
}

// RuleDumpRequest builds the RTM_GETRULE dump request for family (the
// kernel takes no filter attributes for rules).
func RuleDumpRequest(family uint8) netlink.Message {
	h := FibRuleHdr{Family: family}
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_GETRULE}, Data: h.AppendBinary(nil)}
}
