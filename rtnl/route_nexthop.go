package rtnl

import (
	"net/netip"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
	"nsbox/netlink"
)

// RTA_* attributes of routes beyond the basic ones (<linux/rtnetlink.h>).
const (
	RTA_VIA           = 18
	RTA_NEWDST        = 19
	RTA_ENCAP_TYPE    = 21
	RTA_ENCAP         = 22
	RTA_TTL_PROPAGATE = 26
	RTA_NH_ID         = 30
)

// RtNexthopLen is sizeof(struct rtnexthop).
const RtNexthopLen = 8

// NextHop is one next hop of a multipath route: a struct rtnexthop in
// RTA_MULTIPATH, followed by its own RTA_* attributes.
//
//	struct rtnexthop {
//		unsigned short		rtnh_len;
//		unsigned char		rtnh_flags;
//		unsigned char		rtnh_hops;
//		int			rtnh_ifindex;
//	};
type NextHop struct {
	Flags   uint8      // rtnh_flags: RTNH_F_*
	Hops    uint8      // rtnh_hops: the weight minus one
	IfIndex int32      // rtnh_ifindex
	Gateway netip.Addr // RTA_GATEWAY, of the route's family
	Via     netip.Addr // RTA_VIA, of another family
	Flow    *uint32    // RTA_FLOW: realms
	Other   []netlink.Attribute
}

// Weight is the next hop's weight, rtnh_hops + 1.
func (nh *NextHop) Weight() int { return int(nh.Hops) + 1 }

// appendVia appends struct rtvia for a: the family (a __kernel_sa_family_t,
// native order) and the address.
//
//	struct rtvia {
//		__kernel_sa_family_t	rtvia_family;
//		__u8			rtvia_addr[];
//	};
func appendVia(b []byte, a netip.Addr) []byte {
	b = native.AppendUint16(b, uint16(afOf(a)))
	return append(b, a.AsSlice()...)
}

// parseVia decodes struct rtvia: an IPv4 or IPv6 address; another family
// (AF_PACKET, AF_MPLS) gives the zero Addr and false.
func parseVia(b []byte) (netip.Addr, bool) {
	if len(b) < 2 {
		return netip.Addr{}, false
	}
	switch native.Uint16(b) {
	case unix.AF_INET:
		if len(b) == 6 {
			return netip.AddrFrom4([4]byte(b[2:])), true
		}
	case unix.AF_INET6:
		if len(b) == 18 {
			return netip.AddrFrom16([16]byte(b[2:])), true
		}
	}
	return netip.Addr{}, false
}

func afOf(a netip.Addr) uint8 {
	if a.Is4() { // an IPv4-mapped IPv6 address is AF_INET6, as the kernel sent it
		return unix.AF_INET
	}
	return unix.AF_INET6
}

// appendMultipath appends the value of RTA_MULTIPATH: each next hop's
// struct rtnexthop with rtnh_len covering its attributes (RTA_GATEWAY or
// RTA_VIA, then RTA_FLOW, as iproute2's parse_one_nh adds them).
func appendMultipath(b []byte, hops []NextHop) ([]byte, error) {
	for _, nh := range hops {
		start := len(b)
		b = native.AppendUint16(b, 0) // rtnh_len, set below
		b = append(b, nh.Flags, nh.Hops)
		b = native.AppendUint32(b, uint32(nh.IfIndex))
		e := netlink.NewAttributeEncoder(nil)
		if nh.Gateway.IsValid() {
			e.Addr(unix.RTA_GATEWAY, nh.Gateway)
		}
		if nh.Via.IsValid() {
			e.Bytes(RTA_VIA, appendVia(nil, nh.Via))
		}
		if nh.Flow != nil {
			e.Uint32(unix.RTA_FLOW, *nh.Flow)
		}
		for _, o := range nh.Other {
			e.Bytes(o.Type, o.Data)
		}
		attrs, err := e.Encode()
		if err != nil {
			return nil, err
		}
		b = append(b, attrs...)
		if len(b)-start > 0xffff {
			return nil, fmt.Errorf("rtnl: a next hop of %d bytes does not fit rtnh_len", len(b)-start)
		}
		native.PutUint16(b[start:], uint16(len(b)-start))
	}
	return b, nil
}

// parseMultipath decodes RTA_MULTIPATH. Like iproute2's
// print_rta_multipath it stops at a next hop that does not fit.
func parseMultipath(b []byte) ([]NextHop, error) {
	var hops []NextHop
	for len(b) >= RtNexthopLen {
		n := int(native.Uint16(b))
		if n < RtNexthopLen || n > len(b) {
			break
		}
		nh := NextHop{Flags: b[2], Hops: b[3], IfIndex: int32(native.Uint32(b[4:]))}
		d := netlink.NewAttributeDecoder(b[RtNexthopLen:n])
		for d.Next() {
			switch d.Type() {
			case unix.RTA_GATEWAY:
				nh.Gateway = d.Addr()
			case RTA_VIA:
				if a, ok := parseVia(d.Bytes()); ok {
					nh.Via = a
				} else {
					nh.Other = append(nh.Other, d.Attribute())
				}
			case unix.RTA_FLOW:
				v := d.Uint32()
				nh.Flow = &v
			default:
				nh.Other = append(nh.Other, d.Attribute())
			}
		}
		if err := d.Err(); err != nil {
			return hops, err
		}
		hops = append(hops, nh)
		if netlink.Align(n) >= len(b) {
			break
		}
		b = b[netlink.Align(n):]
	}
	return hops, nil
}
