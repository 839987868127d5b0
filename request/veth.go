package request

import (
	"errors"

	"golang.org/x/sys/unix"

	"nsbox/netlink"
	"nsbox/rtnl"
)

// VethEnd is one end of a veth pair: its name, the namespace it belongs
// in, the bridge it is to be a port of, whether it is to be up.
type VethEnd struct {
	Name string
	// NS is the caller's name for the end's namespace (lab's namespace
	// name, a CNI netns path); Plan compares it with the namespace the
	// pair is created from, and gives it back in the Steps.
	NS string
	// NSFD is an open file of NS: IFLA_NET_NS_FD when the end is born
	// in a namespace other than the one the request is sent in.
	NSFD int32
	// Bridge names the bridge the end is to be a port of ("": none);
	// BridgeIndex is its ifindex in NS, which the request carries. Plan
	// needs only the name; the caller fills the index in before it
	// builds a Step's message.
	Bridge      string
	BridgeIndex int32
	Up          bool
	MTU         uint32            // IFLA_MTU; 0: the kernel's
	Addr        rtnl.HardwareAddr // IFLA_ADDRESS; nil: a random one
}

// VethPair is a veth pair to make, each end set up as it says.
type VethPair struct {
	A, B VethEnd
}

// Step is one request of a plan: what it does, and Message to build it.
type Step struct {
	// NS is where to send the request: a VethEnd's NS, or the from of
	// Plan.
	NS string
	// Create: the RTM_NEWLINK that makes the pair (NLM_F_CREATE|
	// NLM_F_EXCL). End is the link it names, Peer its VETH_INFO_PEER.
	// Otherwise the step sets End (named by IFLA_IFNAME, in End's own
	// namespace).
	Create    bool
	End, Peer *VethEnd
	// Master: the request makes End a port of End.Bridge. Up: it brings
	// End up. (A create always leaves the peer down and a port of none.)
	Master, Up bool
	// Echo: the create asks for NLM_F_ECHO, so the kernel's answer is
	// the new link (see Echoed), its IFLA_LINK the peer's ifindex.
	Echo bool
	from string
}

// Plan returns the requests that make the pair, from namespace from
// (the one the first request is sent in), in order: the fewest the
// kernel accepts. It needs the ends' names, namespaces, bridge names and
// up states; their NSFD and BridgeIndex are read when a Step's Message is
// built.
//
// One RTM_NEWLINK creates both ends, each in its namespace
// (IFLA_NET_NS_FD in the link's attributes and in VETH_INFO_PEER's), and
// takes the main end's bridge (IFLA_MASTER) and up state (IFF_UP in
// ifi_flags and ifi_change) along: rtnl_newlink_create applies both to
// the device it creates. It cannot do the same for the peer, which
// veth_newlink creates with rtnl_create_link (which ignores IFLA_MASTER)
// and configures before the pair is joined, when veth_open refuses
// IFF_UP with ENOTCONN ("ip link add a type veth peer name b up" fails
// the same way). So the peer's bridge and up state take a second
// request, sent in the peer's namespace, by name.
//
// The main end is therefore the one that is a bridge port in from (its
// IFLA_MASTER is an ifindex there), else one in from (so that the
// kernel's NLM_F_ECHO reaches the socket: it is sent in the namespace
// the link is in), else A. A main end with a bridge in another namespace
// takes a third request there. A pair with nothing to set beyond its
// namespaces is one request.
func (p *VethPair) Plan(from string) []Step {
	main, peer := &p.A, &p.B
	switch {
	case p.A.NS == from && p.A.Bridge != "":
	case p.B.NS == from && p.B.Bridge != "":
		main, peer = &p.B, &p.A
	case p.A.NS == from:
	case p.B.NS == from:
		main, peer = &p.B, &p.A
	}
	create := Step{NS: from, Create: true, End: main, Peer: peer, Echo: main.NS == from, from: from,
		Master: main.NS == from && main.Bridge != "", Up: main.Up}
	steps := []Step{create}
	if peer.Bridge != "" || peer.Up {
		steps = append(steps, Step{NS: peer.NS, End: peer, Master: peer.Bridge != "", Up: peer.Up})
	}
	if main.Bridge != "" && !create.Master {
		steps = append(steps, Step{NS: main.NS, End: main, Master: true})
	}
	return steps
}

// Message builds the step's request from its ends as they are now.
func (s *Step) Message() (netlink.Message, error) {
	l := &rtnl.Link{Name: s.End.Name}
	if s.Create {
		l = s.End.link(s.from)
	}
	if s.Master {
		if s.End.BridgeIndex == 0 {
			return netlink.Message{}, errors.New("request: no ifindex for bridge " + s.End.Bridge)
		}
		l.Master = s.End.BridgeIndex
	}
	if s.Up {
		l.Flags, l.Change = unix.IFF_UP, unix.IFF_UP
	}
	if !s.Create {
		return Link(l, Change)
	}
	l.Info = rtnl.LinkInfo{Kind: "veth", Data: &rtnl.Veth{Peer: s.Peer.link(s.from)}}
	flags := Add.linkFlags()
	if s.Echo {
		flags |= unix.NLM_F_ECHO
	}
	return rtnl.NewLinkRequest(l, flags)
}

// link is the end's own part of the create: name, namespace (when not
// from), MTU, address.
func (e *VethEnd) link(from string) *rtnl.Link {
	l := &rtnl.Link{Name: e.Name, MTU: e.MTU, Address: e.Addr}
	if e.NS != from {
		l.NetNSFD = new(e.NSFD)
	}
	return l
}
