package request

import (
	"errors"
	"net/netip"

	"golang.org/x/sys/unix"

	"nsbox/netlink"
	"nsbox/rtnl"
)

// Rule is a policy routing rule: what "ip rule add|del" takes. The
// pointer fields are the ones whose zero is a value of its own; nil
// leaves them out.
type Rule struct {
	// Family is the rule's family; 0: AF_INET. As in iproute2 it is not
	// taken from Src or Dst ("ip rule add from 2001:db8::/32" without -6
	// is an IPv4 rule with a 16-byte address, which the kernel refuses).
	Family uint8
	// Not inverts the selector (FIB_RULE_INVERT).
	Not bool
	// Src and Dst ("from", "to") select by prefix; the zero Prefix is
	// "all" (no attribute, length 0).
	Src, Dst netip.Prefix
	// TOS is the header's tos ("tos"/"dsfield").
	TOS uint8
	// Priority is FRA_PRIORITY ("pref"); nil: the kernel picks one
	// below the lowest one in use (for Add), any (for Delete).
	Priority *uint32
	// FwMark and FwMask are FRA_FWMARK and FRA_FWMASK ("fwmark M/MASK").
	FwMark, FwMask *uint32
	// Realms is FRA_FLOW.
	Realms *uint32
	// Protocol is FRA_PROTOCOL (who installed the rule).
	Protocol *uint8
	// TunID is FRA_TUN_ID.
	TunID *uint64
	// Table is the table looked up; nil: main for Add (unless Action or
	// L3MDev says otherwise), none for Delete. Ids below 256 go in the
	// header, larger ones in FRA_TABLE.
	Table *uint32
	// SuppressPrefixLen and SuppressIfGroup are the suppressors.
	SuppressPrefixLen, SuppressIfGroup *uint32
	// IIF and OIF are device names (FRA_IIFNAME, FRA_OIFNAME): the rule
	// may name a device that does not exist yet.
	IIF, OIF string
	// L3MDev looks up the table of the packet's L3 master device (VRF).
	L3MDev bool
	// UIDRange, IPProto, SPort and DPort select by socket owner, IP
	// protocol and port ranges.
	UIDRange     *rtnl.RuleRange
	IPProto      *uint8
	SPort, DPort *rtnl.RuleRange
	// NAT is the deprecated "nat ADDRESS" (RTA_GATEWAY, action RTN_NAT).
	NAT netip.Addr
	// Action is the header's action (FR_ACT_*, or a route type such as
	// blackhole, unreachable, prohibit); nil: FR_ACT_TO_TBL for Add,
	// FR_ACT_UNSPEC for Delete.
	Action *uint8
	// Goto is FRA_GOTO, the priority to jump to (action FR_ACT_GOTO).
	Goto *uint32
}

// ErrRuleL3MDevTable is iproute2's refusal of a table with l3mdev.
var ErrRuleL3MDevTable = errors.New("table can not be specified for l3mdev rules")

// Message builds RTM_NEWRULE for Add (NLM_F_CREATE|NLM_F_EXCL) or
// RTM_DELRULE for Delete, with iproute2's defaults.
func (r Rule) Message(op Op) (netlink.Message, error) {
	m, err := r.rtnl(op)
	if err != nil {
		return netlink.Message{}, err
	}
	if op == Delete {
		return rtnl.DelRuleRequest(m)
	}
	return rtnl.NewRuleRequest(m, op.flags())
}

// rtnl is iprule_modify()'s message for r.
func (r Rule) rtnl(op Op) (*rtnl.Rule, error) {
	if r.L3MDev && r.Table != nil && *r.Table != 0 {
		return nil, ErrRuleL3MDevTable
	}
	m := &rtnl.Rule{FibRuleHdr: rtnl.FibRuleHdr{Family: r.Family, TOS: r.TOS}}
	if m.Family == unix.AF_UNSPEC {
		m.Family = unix.AF_INET
	}
	if op != Delete {
		m.Action = rtnl.FR_ACT_TO_TBL
	}
	if r.Not {
		m.Flags |= rtnl.FIB_RULE_INVERT
	}
	if r.Src.IsValid() {
		m.Src, m.SrcLen = r.Src.Addr().Unmap(), uint8(r.Src.Bits())
	}
	if r.Dst.IsValid() {
		m.Dst, m.DstLen = r.Dst.Addr().Unmap(), uint8(r.Dst.Bits())
	}
	m.Priority, m.FwMark, m.FwMask, m.Flow = r.Priority, r.FwMark, r.FwMask, r.Realms
	m.Protocol, m.TunID = r.Protocol, r.TunID
	m.SuppressPrefixLen, m.SuppressIfGroup = r.SuppressPrefixLen, r.SuppressIfGroup
	m.IIFName, m.OIFName = r.IIF, r.OIF
	m.UIDRange, m.IPProto, m.SPort, m.DPort = r.UIDRange, r.IPProto, r.SPort, r.DPort
	tableSet := r.Table != nil || r.L3MDev
	if r.L3MDev {
		one := uint8(1)
		m.L3MDev = &one
	}
	if r.NAT.IsValid() {
		m.Gateway = r.NAT.Unmap()
		m.Action = unix.RTN_NAT
	}
	if r.Goto != nil {
		m.Goto = r.Goto
		m.Action = rtnl.FR_ACT_GOTO
		tableSet = true
	}
	if r.Action != nil {
		m.Action = *r.Action
		tableSet = true
	}
	switch {
	case r.Table != nil && *r.Table < 256:
		m.Table = uint8(*r.Table)
	case r.Table != nil:
		m.TableID = *r.Table
	case !tableSet && op != Delete:
		m.Table = unix.RT_TABLE_MAIN
	}
	return m, nil
}

// RuleQuery is the dump of "ip rule show|flush|save": every rule of a
// family (the kernel filters rules by nothing else).
func RuleQuery(family uint8) netlink.Message { return rtnl.RuleDumpRequest(family) }
