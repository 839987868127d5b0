package request

import (
	"errors"
	"net/netip"

	"golang.org/x/sys/unix"

	"nsbox/netlink"
	"nsbox/rtnl"
)

// Brd is a broadcast address to compute from the prefix, as iproute2's
// "brd +" and "brd -" ask.
type Brd uint8

const (
	BrdNone  Brd = iota // no computed broadcast (Addr.Broadcast, if set, is sent)
	BrdSet              // "brd +": the prefix with every host bit set
	BrdClear            // "brd -": the prefix with every host bit cleared
)

// ErrBroadcastFamily is the refusal of "brd +" or "brd -" on an address
// that is not IPv4, in iproute2's words.
var ErrBroadcastFamily = errors.New("Broadcast can be set only for IPv4 addresses")

// Addr is an address on a link: what "ip addr add|change|replace|del"
// takes. Local "10.0.0.1/24" is both the address and its prefix length;
// an address given without a length is a /32 (/128).
type Addr struct {
	// Family is ifa_family; 0: that of Local (or Peer).
	Family uint8
	// Link is the link's ifindex (ifa_index).
	Link int32
	// Local is the address (IFA_LOCAL) and its prefix length.
	Local netip.Prefix
	// Peer is the other end of a point-to-point link ("peer P/N"):
	// IFA_ADDRESS, and the prefix length. Without it IFA_ADDRESS is
	// Local.
	Peer netip.Prefix
	// Broadcast is IFA_BROADCAST as given ("brd ADDR").
	Broadcast netip.Addr
	// Brd computes the broadcast from the prefix (Peer's, else Local's):
	// only for IPv4, and only for prefixes of 30 bits or fewer, as
	// iproute2 does ("ip addr add 10.0.0.1/31 brd +" sets none).
	Brd     Brd
	Anycast netip.Addr // IFA_ANYCAST
	Label   string     // IFA_LABEL
	// Scope is ifa_scope; nil: iproute2's default, host for 127.0.0.0/8,
	// global for everything else.
	Scope *uint8
	// Flags are IFA_F_* (nodad, noprefixroute, ...): sent in ifa_flags
	// when they fit 8 bits, else in IFA_FLAGS, as iproute2 does.
	Flags uint32
	// AnyLength, on Delete, matches Local whatever its prefix length:
	// no IFA_ADDRESS is sent (iproute2's wildcard deletion of an IPv4
	// address given without a length).
	AnyLength bool
}

// Message builds the request: RTM_NEWADDR with op's flags, or
// RTM_DELADDR for Delete.
func (a Addr) Message(op Op) (netlink.Message, error) {
	r, err := a.rtnl(op)
	if err != nil {
		return netlink.Message{}, err
	}
	if op == Delete {
		return rtnl.DelAddrRequest(r)
	}
	return rtnl.NewAddrRequest(r, op.flags())
}

// Check returns the error Message would return for a, without building
// the message: callers check the intent before they look its link up,
// so that a bad intent is refused for what it is (as iproute2 does).
func (a Addr) Check(op Op) error {
	_, err := a.rtnl(op)
	return err
}

// rtnl is ipaddr_modify()'s message for a, with every default filled.
func (a Addr) rtnl(op Op) (*rtnl.Addr, error) {
	r := &rtnl.Addr{IfAddrmsg: rtnl.IfAddrmsg{Family: a.Family, Index: uint32(a.Link)}}
	local, peer := a.Local, a.Peer
	for _, p := range []netip.Prefix{local, peer} {
		if !p.IsValid() {
			continue
		}
		if r.Family == unix.AF_UNSPEC {
			r.Family = afOf(p.Addr())
		}
		if afOf(p.Addr()) != r.Family {
			return nil, errors.New("request: addresses of two families in one request")
		}
	}
	if local.IsValid() {
		r.Local = local.Addr()
	}
	if peer.IsValid() {
		r.Address = peer.Addr()
		r.PrefixLen = uint8(peer.Bits())
	} else if local.IsValid() && !(op == Delete && a.AnyLength) {
		peer = local
		r.Address = local.Addr()
	}
	if r.PrefixLen == 0 {
		r.PrefixLen = uint8(local.Bits())
	}
	r.Broadcast = a.Broadcast
	if a.Brd != BrdNone && op != Delete {
		if r.Family != unix.AF_INET {
			return nil, ErrBroadcastFamily
		}
		if b, ok := broadcastOf(peer, a.Brd == BrdSet); ok {
			r.Broadcast = b
		}
	}
	r.Anycast = a.Anycast
	r.Label = a.Label
	switch {
	case a.Scope != nil:
		r.Scope = *a.Scope
	case op != Delete:
		r.Scope = defaultScope(local)
	}
	if a.Flags <= 0xff {
		r.IfAddrmsg.Flags = uint8(a.Flags)
	} else {
		r.ExtFlags = a.Flags
	}
	return r, nil
}

// broadcastOf is "brd +" (set: the host bits set) and "brd -" (host
// bits cleared) as iproute2's ipaddr_modify computes them: only for IPv4
// prefixes of 30 bits or fewer; a /31 or /32 has no broadcast address.
func broadcastOf(p netip.Prefix, set bool) (netip.Addr, bool) {
	if !p.Addr().Is4() || p.Bits() > 30 {
		return netip.Addr{}, false
	}
	b := p.Addr().As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	host := uint32(1)<<(32-p.Bits()) - 1
	if set {
		v |= host
	} else {
		v &^= host
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// defaultScope is iproute2's default_scope(): host for 127.0.0.0/8,
// global (0) for every other address.
func defaultScope(p netip.Prefix) uint8 {
	if p.Addr().Is4() && p.Addr().As4()[0] == 127 {
		return unix.RT_SCOPE_HOST
	}
	return unix.RT_SCOPE_UNIVERSE
}
