package rtnl

import "nsbox/netlink"

// VETH_INFO_* (<linux/veth.h>): the attributes of a veth's IFLA_INFO_DATA.
const (
	VETH_INFO_UNSPEC = 0
	VETH_INFO_PEER   = 1 // struct ifinfomsg, then the peer's IFLA_*
)

// Veth is the data of kind "veth": the other end of the pair, which the
// kernel creates with the link (veth_newlink).
//
//	IFLA_INFO_DATA
//		VETH_INFO_PEER  struct ifinfomsg, IFLA_IFNAME, IFLA_NET_NS_FD, ...
//
// The peer's IFLA_* are those of a link of its own: its name, namespace
// (IFLA_NET_NS_FD), MTU, address. The kernel creates the peer with
// rtnl_create_link, which takes no IFLA_MASTER, and configures it
// (rtnl_configure_link: ifi_flags) before the pair is joined, when
// veth_open still refuses IFF_UP with ENOTCONN: a peer that must be a
// bridge port, or up, needs a request of its own after the pair exists.
// A veth dump carries no IFLA_INFO_DATA: the peer is IFLA_LINK.
type Veth struct {
	Peer *Link
}

// Kind is "veth".
func (*Veth) Kind() string { return "veth" }

// AppendAttributes encodes VETH_INFO_PEER.
func (v *Veth) AppendAttributes(e *netlink.AttributeEncoder) {
	if v.Peer == nil {
		return
	}
	peer := e.Nest(VETH_INFO_PEER)
	e.Raw(v.Peer.IfInfomsg.AppendBinary(nil))
	v.Peer.encode(e)
	e.End(peer)
}

// DecodeAttributes decodes VETH_INFO_PEER into a new Peer.
func (v *Veth) DecodeAttributes(b []byte) error {
	d := netlink.NewAttributeDecoder(b)
	for d.Next() {
		if d.Type() == VETH_INFO_PEER {
			v.Peer = &Link{}
			if err := v.Peer.Decode(d.Bytes()); err != nil {
				return err
			}
		}
	}
	return d.Err()
}
