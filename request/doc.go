// Package request is the one place that turns what a caller wants done
// to a network namespace into the rtnetlink requests that do it: "a veth
// pair with this peer in that namespace, a port of that bridge, up",
// "this address with brd +", "this route". Every default is computed
// here, as iproute2 6.1 computes it (the broadcast of "brd +", an
// address's scope, a route's table, protocol, scope and type), so that
// "ip addr add", "nsbox lab up" and a CNI ADD cannot disagree about them.
//
// It is a package of its own, above rtnl, because rtnl is the wire: it
// encodes whatever message it is given, attribute for attribute, and
// decodes what the kernel says. This package is the policy: which
// messages an intent takes, with which defaults, and how few. It knows
// nothing of argv or text (package ipcmd turns iproute2's grammar into
// its intents) nor of sockets (callers send what it builds, through
// rtnl.Conn or a batch).
//
// Two kinds of intent:
//
//   - One request, as iproute2 sends it: Addr, Route, and Link (an
//     rtnl.Link as "ip link add|set|del" fills it). For these the bytes
//     are iproute2's own, so that nsbox's ip sends what ip sends.
//   - A plan of the fewest requests the kernel accepts for something
//     bigger: Bridge (created up, in one request) and VethPair (created
//     with each end's namespace, the main end's bridge and up state in
//     one RTM_NEWLINK; the peer's bridge and up state need one more, see
//     VethPair.Plan for why). lab uses these; so will the CNI plugin.
//
// A plan's steps name the namespace each request goes to with the
// caller's own names (lab's namespace names, a CNI netns path), and carry
// what they do as fields, so that a caller can say it in its own words
// (lab prints each step as the iproute2 command that does the same).
//
// The API in a few lines:
//
//	request.Addr{Link: idx, Local: p, Brd: request.BrdSet}.Message(request.Add)
//	request.Route{Dst: p, Gateway: gw, Dev: idx}.Message(request.Add)
//	request.Link(&rtnl.Link{...}, request.Change)
//	request.Bridge{Name: "br1", Up: true}.Message()
//	steps := (&request.VethPair{A: end, B: end}).Plan(from)  // each Step: NS, what it does, Message()
//	request.Echoed(replies, name)  // the link an NLM_F_ECHO create made
//	request.SetUp(index, name)
package request
