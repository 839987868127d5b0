package request

import (
	"errors"
	"net/netip"

	"golang.org/x/sys/unix"

	"nsbox/netlink"
	"nsbox/rtnl"
)

// FDB is a bridge forwarding database entry: what "bridge fdb
// add|append|replace|del" takes.
type FDB struct {
	// MAC is the Ethernet address (NDA_LLADDR), 6 bytes.
	MAC rtnl.HardwareAddr
	// Link is the port's ifindex (ndm_ifindex), or the bridge's own.
	Link int32
	// Self puts the entry in the device's own table (NTF_SELF), Master
	// in its bridge's (NTF_MASTER); neither: Self, as iproute2 assumes.
	Self, Master bool
	// Permanent, Static and Dynamic are iproute2's words for ndm_state:
	// "local"/"permanent" (NUD_PERMANENT), "static"/"temp" (NUD_REACHABLE
	// with NUD_NOARP: not aged), "dynamic" (NUD_REACHABLE: aged). None
	// of them: permanent.
	Permanent, Static, Dynamic bool
	// Router, Use, ExternLearn, Sticky are NTF_ROUTER, NTF_USE,
	// NTF_EXT_LEARNED, NTF_STICKY.
	Router, Use, ExternLearn, Sticky bool
	// Vlan is NDA_VLAN; nil: none.
	Vlan *uint16
	// Dst, Port, VNI, SrcVNI, Via (an ifindex) and NHID are a vxlan
	// device's remote: NDA_DST, NDA_PORT, NDA_VNI, NDA_SRC_VNI,
	// NDA_IFINDEX, NDA_NH_ID.
	Dst    netip.Addr
	Port   uint16
	VNI    *uint32
	SrcVNI *uint32
	Via    int32
	NHID   uint32
}

// ErrFDBNHID is iproute2's refusal of a next hop id with a remote.
var ErrFDBNHID = errors.New("dst, port, vni are mutually exclusive with nhid")

// Message builds the request: RTM_NEWNEIGH with op's flags (Add, Append,
// Replace), or RTM_DELNEIGH for Delete.
func (f FDB) Message(op Op) (netlink.Message, error) {
	if f.NHID != 0 && (f.Dst.IsValid() || f.Port != 0 || f.VNI != nil) {
		return netlink.Message{}, ErrFDBNHID
	}
	if len(f.MAC) != 6 {
		return netlink.Message{}, errors.New("request: an fdb entry's MAC has 6 bytes")
	}
	m := &rtnl.Neigh{Ndmsg: rtnl.Ndmsg{Family: unix.AF_BRIDGE, Index: f.Link, State: rtnl.NUD_NOARP},
		LLAddr: f.MAC, Dst: f.Dst.Unmap(), Vlan: f.Vlan, NHID: f.NHID, Port: f.Port, VNI: f.VNI,
		SrcVNI: f.SrcVNI, IfIndex: uint32(f.Via)}
	for _, x := range []struct {
		on   bool
		flag uint8
	}{{f.Self, rtnl.NTF_SELF}, {f.Master, rtnl.NTF_MASTER}, {f.Router, rtnl.NTF_ROUTER},
		{f.Use, rtnl.NTF_USE}, {f.ExternLearn, rtnl.NTF_EXT_LEARNED}, {f.Sticky, rtnl.NTF_STICKY}} {
		if x.on {
			m.Flags |= x.flag
		}
	}
	if f.Permanent {
		m.State |= rtnl.NUD_PERMANENT
	}
	if f.Static {
		m.State |= rtnl.NUD_REACHABLE
	}
	if f.Dynamic {
		m.State |= rtnl.NUD_REACHABLE
		m.State &^= rtnl.NUD_NOARP
	}
	if m.Flags&(rtnl.NTF_SELF|rtnl.NTF_MASTER) == 0 {
		m.Flags |= rtnl.NTF_SELF
	}
	if m.State&(rtnl.NUD_PERMANENT|rtnl.NUD_REACHABLE) == 0 {
		m.State |= rtnl.NUD_PERMANENT
	}
	switch op {
	case Delete:
		return rtnl.DelNeighRequest(m, 0)
	case Append:
		return rtnl.NewNeighRequest(m, unix.NLM_F_CREATE|unix.NLM_F_APPEND)
	}
	return rtnl.NewNeighRequest(m, op.flags())
}

// FDBQuery selects forwarding entries: the AF_BRIDGE dump "bridge fdb
// show" asks for, filtered by the kernel (strict checking).
type FDBQuery struct {
	Port   int32 // ndm_ifindex: the entries of this port (brport/dev)
	Bridge int32 // NDA_MASTER: the entries of this bridge's ports
}

// Message builds the RTM_GETNEIGH dump request (family AF_BRIDGE).
func (q FDBQuery) Message() (netlink.Message, error) {
	m := &rtnl.Neigh{Ndmsg: rtnl.Ndmsg{Family: unix.AF_BRIDGE, Index: q.Port}, Master: uint32(q.Bridge)}
	return rtnl.NeighDumpRequest(m)
}

// FDBFlush is "bridge fdb flush dev DEV ...": one RTM_DELNEIGH with
// NLM_F_BULK, and the kernel deletes every entry of the device that
// matches: ndm_state and ndm_flags under their masks, the port, the vlan.
type FDBFlush struct {
	Link      int32 // the bridge (or device) whose table is flushed
	Port      int32 // NDA_IFINDEX: entries of this port only; 0: all
	Vlan      *uint16
	State     uint16 // NUD_* bits wanted, under StateMask
	StateMask uint16
	Flags     uint8 // NTF_* bits wanted, under FlagsMask; neither NTF_SELF nor NTF_MASTER: NTF_SELF
	FlagsMask uint8
}

// Message builds the bulk RTM_DELNEIGH.
func (f FDBFlush) Message() (netlink.Message, error) {
	m := &rtnl.Neigh{Ndmsg: rtnl.Ndmsg{Family: unix.AF_BRIDGE, Index: f.Link, State: f.State, Flags: f.Flags},
		IfIndex: uint32(f.Port), Vlan: f.Vlan, FlagsMask: f.FlagsMask, StateMask: f.StateMask}
	if m.Flags&(rtnl.NTF_SELF|rtnl.NTF_MASTER) == 0 {
		m.Flags |= rtnl.NTF_SELF
	}
	return rtnl.DelNeighRequest(m, unix.NLM_F_BULK)
}
