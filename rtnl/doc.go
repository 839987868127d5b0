// Package rtnl builds and reads rtnetlink messages (NETLINK_ROUTE): links,
// addresses, routes and namespace ids, as typed Go values encoded in
// iproute2's attribute order. The transport (socket, header, attributes,
// ACKs, dumps) is package netlink; Conn is a netlink.Conn with rtnetlink's
// requests as methods.
//
// It knows nothing of argv or of text output. An rtnetlink payload is a
// family header (ifinfomsg, ifaddrmsg, rtmsg, ...) followed by attributes.
package rtnl

import (
	"encoding/binary"

	fmt "nsbox/internal/printf"
)

var native = binary.NativeEndian

func errShort(what string, have, need int) error {
	return fmt.Errorf("rtnl: %d bytes, need %d for %s", have, need, what)
}
