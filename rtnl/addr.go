package rtnl

import (
	"net/netip"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
	"nsbox/netlink"
)

// IfAddrmsg is struct ifaddrmsg, the family header of RTM_*ADDR.
//
//	struct ifaddrmsg {
//		__u8		ifa_family;
//		__u8		ifa_prefixlen;	/* The prefix length		*/
//		__u8		ifa_flags;	/* Flags			*/
//		__u8		ifa_scope;	/* Address scope		*/
//		__u32		ifa_index;	/* Link index			*/
//	};
type IfAddrmsg struct {
	Family    uint8
	PrefixLen uint8
	Flags     uint8
	Scope     uint8
	Index     uint32
}

// IfAddrmsgLen is sizeof(struct ifaddrmsg).
const IfAddrmsgLen = 8

// IFA_PROTO is the attribute x/sys/unix lacks of the IFA_* ones
// (<linux/if_addr.h>): who added the address (IFAPROT_*).
const IFA_PROTO = 11

// AppendBinary appends the 8 bytes of the header.
func (h IfAddrmsg) AppendBinary(b []byte) []byte {
	b = append(b, h.Family, h.PrefixLen, h.Flags, h.Scope)
	return native.AppendUint32(b, h.Index)
}

// ParseIfAddrmsg decodes the header at the start of b.
func ParseIfAddrmsg(b []byte) (IfAddrmsg, error) {
	if len(b) < IfAddrmsgLen {
		return IfAddrmsg{}, errShort("struct ifaddrmsg", len(b), IfAddrmsgLen)
	}
	return IfAddrmsg{Family: b[0], PrefixLen: b[1], Flags: b[2], Scope: b[3], Index: native.Uint32(b[4:8])}, nil
}

// AddrCacheInfo is struct ifa_cacheinfo (IFA_CACHEINFO); lifetimes in
// seconds, 0xffffffff meaning forever; timestamps in hundredths of a
// second since boot.
type AddrCacheInfo struct {
	Preferred, Valid, Created, Updated uint32
}

// Addr is an address as RTM_NEWADDR describes it. A request sends only
// the fields that are set, in iproute2's order: IFA_LOCAL, IFA_ADDRESS,
// IFA_BROADCAST, IFA_LABEL, IFA_FLAGS.
type Addr struct {
	IfAddrmsg
	Local     netip.Addr // IFA_LOCAL: the address itself (IPv4)
	Address   netip.Addr // IFA_ADDRESS: peer on point-to-point, else = Local
	Broadcast netip.Addr // IFA_BROADCAST
	Anycast   netip.Addr // IFA_ANYCAST
	Label     string     // IFA_LABEL
	// ExtFlags is IFA_FLAGS, the 32-bit flags that supersede ifa_flags.
	ExtFlags  uint32
	CacheInfo *AddrCacheInfo // IFA_CACHEINFO
	Protocol  uint8          // IFA_PROTO
	Other     []netlink.Attribute
}

// AppendBinary appends the address as a request payload.
func (a *Addr) AppendBinary(b []byte) ([]byte, error) {
	e := netlink.NewAttributeEncoder(a.IfAddrmsg.AppendBinary(b))
	if a.Local.IsValid() {
		e.Addr(unix.IFA_LOCAL, a.Local)
	}
	if a.Address.IsValid() {
		e.Addr(unix.IFA_ADDRESS, a.Address)
	}
	if a.Broadcast.IsValid() {
		e.Addr(unix.IFA_BROADCAST, a.Broadcast)
	}
	if a.Anycast.IsValid() {
		e.Addr(unix.IFA_ANYCAST, a.Anycast)
	}
	if a.Label != "" {
		e.String(unix.IFA_LABEL, a.Label)
	}
	if a.ExtFlags != 0 {
		e.Uint32(unix.IFA_FLAGS, a.ExtFlags)
	}
	if a.Protocol != 0 {
		e.Uint8(IFA_PROTO, a.Protocol)
	}
	for _, o := range a.Other {
		e.Bytes(o.Type, o.Data)
	}
	return e.Encode()
}

// Prefix is the address with its prefix length (IFA_LOCAL, or IFA_ADDRESS
// when there is no IFA_LOCAL, as for IPv6).
func (a *Addr) Prefix() netip.Prefix {
	ip := a.Local
	if !ip.IsValid() {
		ip = a.Address
	}
	return netip.PrefixFrom(ip, int(a.PrefixLen))
}

// ParseAddr decodes the payload of RTM_NEWADDR (ifaddrmsg + IFA_*).
func ParseAddr(b []byte) (*Addr, error) {
	h, err := ParseIfAddrmsg(b)
	if err != nil {
		return nil, err
	}
	a := &Addr{IfAddrmsg: h}
	d := netlink.NewAttributeDecoder(b[IfAddrmsgLen:])
	for d.Next() {
		switch d.Type() {
		case unix.IFA_LOCAL:
			a.Local = d.Addr()
		case unix.IFA_ADDRESS:
			a.Address = d.Addr()
		case unix.IFA_BROADCAST:
			a.Broadcast = d.Addr()
		case unix.IFA_ANYCAST:
			a.Anycast = d.Addr()
		case unix.IFA_LABEL:
			a.Label = d.String()
		case unix.IFA_FLAGS:
			a.ExtFlags = d.Uint32()
		case IFA_PROTO:
			a.Protocol = d.Uint8()
		case unix.IFA_CACHEINFO:
			if !d.Want(16) {
				break
			}
			v := d.Bytes()
			a.CacheInfo = &AddrCacheInfo{
				Preferred: native.Uint32(v[0:]), Valid: native.Uint32(v[4:]),
				Created: native.Uint32(v[8:]), Updated: native.Uint32(v[12:]),
			}
		default:
			a.Other = append(a.Other, d.Attribute())
		}
	}
	if err := d.Err(); err != nil {
		return a, fmt.Errorf("rtnl: address on ifindex %d: %w", h.Index, err)
	}
	return a, nil
}

// AllFlags returns the address flags (IFA_F_*): IFA_FLAGS, which holds
// all 32 of them, when the kernel sent it, else the 8 of ifa_flags.
func (a *Addr) AllFlags() uint32 {
	if a.ExtFlags != 0 {
		return a.ExtFlags
	}
	return uint32(a.IfAddrmsg.Flags)
}

// NewAddrRequest builds RTM_NEWADDR (flags: NLM_F_CREATE|NLM_F_EXCL to
// add, NLM_F_CREATE|NLM_F_REPLACE to replace).
func NewAddrRequest(a *Addr, flags netlink.HeaderFlags) (netlink.Message, error) {
	b, err := a.AppendBinary(make([]byte, 0, 64))
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWADDR, Flags: flags}, Data: b}, err
}

// DelAddrRequest builds RTM_DELADDR.
func DelAddrRequest(a *Addr) (netlink.Message, error) {
	b, err := a.AppendBinary(make([]byte, 0, 64))
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_DELADDR}, Data: b}, err
}

// AddrDumpRequest builds the RTM_GETADDR dump request. With strict
// checking the kernel filters by family and, when index is non-zero, by
// ifindex itself.
func AddrDumpRequest(family uint8, index uint32) netlink.Message {
	h := IfAddrmsg{Family: family, Index: index}
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_GETADDR}, Data: h.AppendBinary(nil)}
}

// Addrs dumps addresses of family (0: all) on ifindex (0: all links),
// streaming: fn sees each as it is decoded. An interrupted dump starts
// over, with start called before every attempt (see netlink.Conn.Dump).
func (c *Conn) Addrs(family uint8, index uint32, start func(), fn func(*Addr) error) error {
	return c.Dump(AddrDumpRequest(family, index), start, func(m netlink.Message) error {
		if m.Header.Type != unix.RTM_NEWADDR {
			return nil
		}
		a, err := ParseAddr(m.Data)
		if err != nil {
			return err
		}
		if index != 0 && a.Index != index {
			return nil // an old kernel without strict checking sends all
		}
		return fn(a)
	})
}
