// Package netlink speaks netlink, the socket protocol between user space
// and the kernel, for any of its protocols (NETLINK_ROUTE,
// NETLINK_SOCK_DIAG, ...): the socket, the message header, attributes,
// requests answered by ACKs (with extended ack), dumps, pipelined batches
// and multicast events.
//
// It knows nothing of what the messages mean: package rtnl builds and
// reads rtnetlink's, package sockdiag sock_diag's. It is the only package
// of nsbox that opens a netlink socket (a test checks the tree).
//
// A Conn sends with sendto(2) and receives with recvfrom(2), through
// system calls the Go scheduler sees (a kernel that waits for the RTNL
// lock inside one does not stall the garbage collector); a receive that
// finds nothing queued waits in poll(2), until the deadline if one is set
// (SetDeadline). Execute sends a request and reads its ACK; Dump reads a
// dump and starts it over when the kernel flags it NLM_F_DUMP_INTR (the
// table changed under it); Batch pipelines many requests; JoinGroup and
// Receive read multicast events. Package nltest plays the kernel for
// tests and examples. Every structure is
// encoded in native byte order, as the kernel reads it
// (binary.NativeEndian), and decoded with byte loads, so it works
// unaligned and on big-endian hosts. Only where the kernel says so
// (NLA_F_NET_BYTEORDER, ports, addresses) is network order used.
//
// A netlink datagram is a run of messages:
//
//	<--- nlmsg_total_size(payload)  --->
//	<-- nlmsg_msg_size(payload) ->
//	+----------+- - -+-------------+- - -+-------- - -
//	| nlmsghdr | Pad |   Payload   | Pad | nlmsghdr
//	+----------+- - -+-------------+- - -+-------- - -
//
// and a payload is a family header (ifinfomsg, ifaddrmsg, inet_diag_req_v2,
// ...) followed by attributes, each a 4-byte nlattr header and its value,
// padded to 4 bytes.
package netlink
