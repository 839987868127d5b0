// Package rtnl speaks netlink: the socket, the message header, attributes,
// requests answered by ACKs (with extended ack), dumps, and the rtnetlink
// messages nsbox needs (links, addresses, routes, namespace ids).
//
// It knows nothing of argv or of text output. Every structure is encoded
// in native byte order, as the kernel reads it (binary.NativeEndian), and
// decoded with byte loads, so it works unaligned and on big-endian hosts.
// Only where the kernel says so (NLA_F_NET_BYTEORDER, ports, addresses)
// is network order used.
//
// A netlink datagram is a run of messages:
//
//	<--- nlmsg_total_size(payload)  --->
//	<-- nlmsg_msg_size(payload) ->
//	+----------+- - -+-------------+- - -+-------- - -
//	| nlmsghdr | Pad |   Payload   | Pad | nlmsghdr
//	+----------+- - -+-------------+- - -+-------- - -
//
// and an rtnetlink payload is a family header (ifinfomsg, ifaddrmsg,
// rtmsg, ...) followed by attributes, each a 4-byte nlattr header and its
// value, padded to 4 bytes.
package rtnl
