package request

import (
	"errors"
	"net/netip"

	"golang.org/x/sys/unix"

	"nsbox/netlink"
	"nsbox/rtnl"
)

// Neigh is a neighbour entry (an ARP or NDISC cache entry, or a proxy
// entry): what "ip neigh add|change|replace|del" takes.
type Neigh struct {
	// Dst is the neighbour's IP address (NDA_DST); its family is the
	// entry's.
	Dst netip.Addr
	// Link is the device's ifindex (ndm_ifindex); 0 only for a proxy
	// entry on every device.
	Link int32
	// LLAddr is the link-layer address (NDA_LLADDR); nil sends none
	// ("lladdr null", or none given).
	LLAddr rtnl.HardwareAddr
	// State is ndm_state, NUD_*; nil: NUD_PERMANENT, iproute2's
	// default (NUD_NONE with Managed).
	State *uint16
	// Proxy makes it a proxy entry (NTF_PROXY): answer for Dst.
	Proxy bool
	// Router marks an IPv6 router (NTF_ROUTER); Use refreshes the entry
	// as if used (NTF_USE); ExternLearn marks an entry learned outside
	// the kernel (NTF_EXT_LEARNED).
	Router, Use, ExternLearn bool
	// Managed asks the kernel to keep the entry resolved (NDA_FLAGS_EXT
	// NTF_EXT_MANAGED); its state is NUD_NONE unless State says.
	Managed bool
	// Protocol is NDA_PROTOCOL (who installed it); 0: none.
	Protocol uint8
}

// ErrNeighDst is the refusal of an entry without an IP address, in
// iproute2's words.
var ErrNeighDst = errors.New("Device and destination are required arguments.")

// Message builds the request: RTM_NEWNEIGH with op's flags (Add, Change,
// Replace), or RTM_DELNEIGH for Delete. As iproute2, every request,
// Delete included, carries the state.
func (n Neigh) Message(op Op) (netlink.Message, error) {
	m, err := n.rtnl()
	if err != nil {
		return netlink.Message{}, err
	}
	if op == Delete {
		return rtnl.DelNeighRequest(m, 0)
	}
	return rtnl.NewNeighRequest(m, op.flags())
}

// rtnl is ipneigh_modify()'s message for n.
func (n Neigh) rtnl() (*rtnl.Neigh, error) {
	if !n.Dst.IsValid() {
		return nil, ErrNeighDst
	}
	m := &rtnl.Neigh{Ndmsg: rtnl.Ndmsg{Family: afOf(n.Dst), Index: n.Link, State: rtnl.NUD_PERMANENT},
		Dst: n.Dst.Unmap(), LLAddr: n.LLAddr, Protocol: n.Protocol}
	if n.Managed {
		m.FlagsExt = rtnl.NTF_EXT_MANAGED
		m.State = rtnl.NUD_NONE
	}
	if n.State != nil {
		m.State = *n.State
	}
	for _, f := range []struct {
		on   bool
		flag uint8
	}{{n.Proxy, rtnl.NTF_PROXY}, {n.Router, rtnl.NTF_ROUTER}, {n.Use, rtnl.NTF_USE}, {n.ExternLearn, rtnl.NTF_EXT_LEARNED}} {
		if f.on {
			m.Flags |= f.flag
		}
	}
	return m, nil
}

// NeighQuery selects neighbour entries: the dump iproute2 asks for
// ("ip neigh show|flush"), which the kernel filters itself.
type NeighQuery struct {
	Family uint8 // 0: every family
	Link   int32 // NDA_IFINDEX: entries of this device
	// Master is NDA_MASTER: entries of the ports of this bridge or VRF;
	// -1 ("nomaster"): entries of devices without a master.
	Master int32
	Proxy  bool // the proxy entries (NTF_PROXY) instead of the others
}

// Message builds the RTM_GETNEIGH dump request.
func (q NeighQuery) Message() (netlink.Message, error) {
	m := &rtnl.Neigh{Ndmsg: rtnl.Ndmsg{Family: q.Family}, IfIndex: uint32(q.Link), Master: uint32(q.Master)}
	if q.Proxy {
		m.Flags = rtnl.NTF_PROXY
	}
	return rtnl.NeighDumpRequest(m)
}

// NeighGet is "ip neigh get ADDR dev DEV": one entry, from the kernel.
func NeighGet(dst netip.Addr, link int32, proxy bool) (netlink.Message, error) {
	if !dst.IsValid() {
		return netlink.Message{}, ErrNeighDst
	}
	m := &rtnl.Neigh{Ndmsg: rtnl.Ndmsg{Family: afOf(dst), Index: link}, Dst: dst.Unmap()}
	if proxy {
		m.Flags = rtnl.NTF_PROXY
	}
	return rtnl.GetNeighRequest(m)
}

// Deletion is the request that deletes an object a dump delivered, as
// iproute2's "flush" builds it: the message as the kernel sent it,
// resent as RTM_DELNEIGH, RTM_DELROUTE or RTM_DELADDR (so it names the
// object exactly, whatever its attributes).
func Deletion(m netlink.Message) (netlink.Message, error) {
	var typ netlink.HeaderType
	switch m.Header.Type {
	case unix.RTM_NEWNEIGH:
		typ = unix.RTM_DELNEIGH
	case unix.RTM_NEWROUTE:
		typ = unix.RTM_DELROUTE
	case unix.RTM_NEWADDR:
		typ = unix.RTM_DELADDR
	case unix.RTM_NEWRULE:
		typ = unix.RTM_DELRULE
	default:
		return netlink.Message{}, errors.New("request: no deletion for this message type")
	}
	return netlink.Message{Header: netlink.Header{Type: typ}, Data: append([]byte(nil), m.Data...)}, nil
}
