// Package rtnl builds and reads rtnetlink messages (NETLINK_ROUTE): links,
// addresses, routes (metrics, next hops, RTA_VIA), neighbours and bridge
// forwarding entries (ndmsg), routing rules (fib_rule_hdr) and namespace
// ids, as typed Go values encoded in iproute2's attribute order. The transport (socket, header, attributes,
// ACKs, dumps) is package netlink; Conn is a netlink.Conn with rtnetlink's
// requests as methods.
//
// It knows nothing of argv or of text output. An rtnetlink payload is a
// family header (ifinfomsg, ifaddrmsg, rtmsg, ...) followed by attributes.
//
// A link's kind-specific attributes (IFLA_LINKINFO's IFLA_INFO_DATA) are
// typed by small drivers, one per kind: Veth (the peer), Bridge
// (IFLA_BR_*), BridgePort (IFLA_BRPORT_*, a bridge port's
// IFLA_INFO_SLAVE_DATA), Vxlan and Macvlan; each is one table of its
// attributes in iproute2's order, for encoding and decoding alike.
// Which requests to send for what a caller wants, with which defaults,
// is package request's business, not this one's.
//
// LinkEvents listens to link news (RTNLGRP_LINK) and notes each link's
// operational state (OperState) as the kernel announces it.
package rtnl

import (
	"encoding/binary"

	fmt "nsbox/internal/printf"
)

var native = binary.NativeEndian

func errShort(what string, have, need int) error {
	return fmt.Errorf("rtnl: %d bytes, need %d for %s", have, need, what)
}
