package ping

// ICMP and ICMPv6 bytes: echo requests out, replies and quoted errors in,
// and the kernel's extended error records (IP_RECVERR / IPV6_RECVERR).
// Nothing here touches a socket, so all of it runs in unit tests on any
// architecture. ICMP fields are in network order; the kernel's own records
// (sock_extended_err, cmsg payloads) are in native order.

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"strconv"
)

// ICMP types and codes used here (<linux/icmp.h>, <linux/icmpv6.h>).
const (
	icmpEchoReply      = 0
	icmpDestUnreach    = 3
	icmpSourceQuench   = 4
	icmpRedirect       = 5
	icmpEcho           = 8
	icmpTimeExceeded   = 11
	icmpParameterProb  = 12
	icmp6DestUnreach   = 1
	icmp6PacketTooBig  = 2
	icmp6TimeExceeded  = 3
	icmp6ParamProb     = 4
	icmp6EchoRequest   = 128
	icmp6EchoReply     = 129
	icmpHeaderLen      = 8  // struct icmphdr / struct icmp6_hdr
	ipv4HeaderMinLen   = 20 // struct iphdr without options
	ipv6HeaderLen      = 40 // struct ip6_hdr
	ipProtoICMP        = 1
	ipProtoICMPv6      = 58
	ipv6NextFragment   = 44
	timestampLen       = 16 // struct timeval on 64-bit Linux: the payload's send time
	ipv4MaxPayload     = 0xFFFF - ipv4HeaderMinLen - icmpHeaderLen
	ipv6MaxPayload     = 0xFFFF - icmpHeaderLen
	maxDupCheck        = 0x10000 // one bit per 16-bit sequence number
	defaultDataLen     = 56
	defaultLingerTime  = 10 // seconds (-W)
	defaultIntervalSec = 1
)

// Checksum is the Internet checksum of RFC 1071 over b: the one's
// complement of the one's complement sum of its 16-bit big-endian words,
// an odd last byte padded with zero. A buffer whose checksum field is
// already filled in sums to 0.
//
//	static unsigned short in_cksum(const unsigned short *addr, int len, unsigned short csum)
func Checksum(b []byte) uint16 {
	var sum uint32
	for len(b) >= 2 {
		sum += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		sum += uint32(b[0]) << 8
	}
	for sum>>16 != 0 {
		sum = sum>>16 + sum&0xFFFF
	}
	return ^uint16(sum)
}

// Echo is an ICMP or ICMPv6 echo request or reply.
type Echo struct {
	Type, Code uint8
	Checksum   uint16 // as found on the wire (decoded) or computed (encoded)
	ID, Seq    uint16
	Data       []byte
}

// MarshalEchoRequest lays out an echo request. For IPv4 it fills in the
// checksum; for ICMPv6 it leaves 0, since the kernel computes that one over
// the pseudo-header (and ping sockets rewrite ID and checksum in any case).
func MarshalEchoRequest(v6 bool, id, seq uint16, data []byte) []byte {
	b := make([]byte, icmpHeaderLen+len(data))
	if v6 {
		b[0] = icmp6EchoRequest
	} else {
		b[0] = icmpEcho
	}
	binary.BigEndian.PutUint16(b[4:], id)
	binary.BigEndian.PutUint16(b[6:], seq)
	copy(b[icmpHeaderLen:], data)
	if !v6 {
		binary.BigEndian.PutUint16(b[2:], Checksum(b))
	}
	return b
}

// Kind says what a received ICMP message is to ping.
type Kind int

const (
	KindOther     Kind = iota // anything ping ignores
	KindEchoReply             // an answer to an echo request
	KindError                 // an error quoting one of our echo requests
	KindNotice                // redirect or source quench quoting an echo request
)

// Message is a decoded ICMP/ICMPv6 message as ping sees it.
type Message struct {
	Kind       Kind
	Type, Code uint8
	ID, Seq    uint16 // of the echo reply, or of the quoted echo request
	Info       uint32 // rest of header: gateway (redirect), MTU, pointer
	TTL        int    // from the IPv4 header of a raw socket; -1 if not there
	ICMPLen    int    // bytes from the ICMP header on ("64 bytes from")
	Data       []byte // echo payload
	ChecksumOK bool   // IPv4 only; always true for ICMPv6 (the kernel checks)
	QuotedDst  netip.Addr
}

var (
	errShort     = errors.New("packet too short")
	errBadHeader = errors.New("bad IP header")
)

// ParseIPv4 decodes what a raw IPPROTO_ICMP socket (withIPHeader: the IP
// header comes first) or a ping socket (ICMP header first) returns.
func ParseIPv4(b []byte, withIPHeader bool) (m Message, err error) {
	m.TTL = -1
	if withIPHeader {
		if len(b) < ipv4HeaderMinLen {
			return m, errShort
		}
		if b[0]>>4 != 4 {
			return m, errBadHeader
		}
		hlen := int(b[0]&0x0F) * 4
		if hlen < ipv4HeaderMinLen {
			return m, errBadHeader
		}
		if len(b) < hlen+icmpHeaderLen {
			return m, errShort
		}
		m.TTL = int(b[8])
		b = b[hlen:]
	}
	if len(b) < icmpHeaderLen {
		return m, errShort
	}
	m.Type, m.Code = b[0], b[1]
	m.ICMPLen = len(b)
	m.ChecksumOK = Checksum(b) == 0
	m.Info = binary.BigEndian.Uint32(b[4:8])
	switch m.Type {
	case icmpEchoReply:
		m.Kind = KindEchoReply
		m.ID = binary.BigEndian.Uint16(b[4:])
		m.Seq = binary.BigEndian.Uint16(b[6:])
		m.Data = b[icmpHeaderLen:]
	case icmpDestUnreach, icmpTimeExceeded, icmpParameterProb, icmpSourceQuench, icmpRedirect:
		// The error quotes the offending IP header and at least 8 bytes
		// of what followed: our echo request's header.
		q := b[icmpHeaderLen:]
		if len(q) < ipv4HeaderMinLen+icmpHeaderLen {
			return m, errShort
		}
		qhlen := int(q[0]&0x0F) * 4
		if q[0]>>4 != 4 || qhlen < ipv4HeaderMinLen {
			return m, errBadHeader
		}
		if len(q) < qhlen+icmpHeaderLen || q[9] != ipProtoICMP {
			return m, errShort
		}
		m.QuotedDst = netip.AddrFrom4([4]byte(q[16:20]))
		qi := q[qhlen:]
		if qi[0] != icmpEcho {
			return m, nil // an error about something else: KindOther
		}
		m.ID = binary.BigEndian.Uint16(qi[4:])
		m.Seq = binary.BigEndian.Uint16(qi[6:])
		if m.Type == icmpRedirect || m.Type == icmpSourceQuench {
			m.Kind = KindNotice
		} else {
			m.Kind = KindError
		}
	}
	return m, nil
}

// ParseIPv6 decodes what an IPPROTO_ICMPV6 socket returns (raw or ping
// socket alike: the kernel never passes the IPv6 header up).
func ParseIPv6(b []byte) (m Message, err error) {
	m.TTL, m.ChecksumOK = -1, true
	if len(b) < icmpHeaderLen {
		return m, errShort
	}
	m.Type, m.Code = b[0], b[1]
	m.ICMPLen = len(b)
	m.Info = binary.BigEndian.Uint32(b[4:8])
	switch m.Type {
	case icmp6EchoReply:
		m.Kind = KindEchoReply
		m.ID = binary.BigEndian.Uint16(b[4:])
		m.Seq = binary.BigEndian.Uint16(b[6:])
		m.Data = b[icmpHeaderLen:]
	case icmp6DestUnreach, icmp6PacketTooBig, icmp6TimeExceeded, icmp6ParamProb:
		q := b[icmpHeaderLen:]
		if len(q) < ipv6HeaderLen+icmpHeaderLen {
			return m, errShort
		}
		if q[0]>>4 != 6 {
			return m, errBadHeader
		}
		m.QuotedDst = netip.AddrFrom16([16]byte(q[24:40]))
		next, qi := q[6], q[ipv6HeaderLen:]
		if next == ipv6NextFragment {
			// struct frag_hdr: nexthdr, reserved, frag_off, identification
			if len(qi) < 8+icmpHeaderLen {
				return m, errShort
			}
			next, qi = qi[0], qi[8:]
		}
		if next != ipProtoICMPv6 || qi[0] != icmp6EchoRequest {
			return m, nil
		}
		m.ID = binary.BigEndian.Uint16(qi[4:])
		m.Seq = binary.BigEndian.Uint16(qi[6:])
		m.Kind = KindError
	}
	return m, nil
}

// ExtendedErr is struct sock_extended_err with the offender address that
// follows it (SO_EE_OFFENDER), from an IP_RECVERR/IPV6_RECVERR cmsg.
//
//	struct sock_extended_err {
//		__u32 ee_errno; __u8 ee_origin; __u8 ee_type; __u8 ee_code;
//		__u8 ee_pad; __u32 ee_info; __u32 ee_data;
//	};
type ExtendedErr struct {
	Errno    uint32
	Origin   uint8 // SO_EE_ORIGIN_LOCAL (1), _ICMP (2), _ICMP6 (3)
	Type     uint8
	Code     uint8
	Info     uint32
	Data     uint32
	Offender netip.Addr // invalid when the kernel gave none (AF_UNSPEC)
}

const (
	sizeofSockExtendedErr = 16
	afInet                = 2
	afInet6               = 10
	eeOriginLocal         = 1
	eeOriginICMP          = 2
	eeOriginICMP6         = 3
)

// ParseExtendedErr decodes the payload of an IP_RECVERR/IPV6_RECVERR
// control message. The sockaddr after it is in the kernel's layout:
// native-order family, then port, (flowinfo,) address in network order, and
// for IPv6 a native-order scope id that becomes the address's zone through
// zone (nil: numeric zone).
func ParseExtendedErr(b []byte, zone func(index uint32) string) (e ExtendedErr, err error) {
	if len(b) < sizeofSockExtendedErr {
		return e, errShort
	}
	ne := binary.NativeEndian
	e.Errno = ne.Uint32(b[0:])
	e.Origin, e.Type, e.Code = b[4], b[5], b[6]
	e.Info = ne.Uint32(b[8:])
	e.Data = ne.Uint32(b[12:])
	sa := b[sizeofSockExtendedErr:]
	if len(sa) < 2 {
		return e, nil
	}
	switch ne.Uint16(sa) {
	case afInet: // struct sockaddr_in: family, port, addr
		if len(sa) >= 8 {
			e.Offender = netip.AddrFrom4([4]byte(sa[4:8]))
		}
	case afInet6: // struct sockaddr_in6: family, port, flowinfo, addr, scope_id
		if len(sa) >= 24 {
			a := netip.AddrFrom16([16]byte(sa[8:24]))
			if len(sa) >= 28 {
				if id := ne.Uint32(sa[24:]); id != 0 && a.Is6() {
					a = a.WithZone(zoneName(id, zone))
				}
			}
			e.Offender = a
		}
	}
	return e, nil
}

func zoneName(id uint32, zone func(uint32) string) string {
	if zone != nil {
		if n := zone(id); n != "" {
			return n
		}
	}
	return uitoa(uint64(id))
}

func uitoa(v uint64) string { return strconv.FormatUint(v, 10) }

// payload fills an echo payload the way iputils does: byte i is i, and
// when the payload has room for it, the first 16 bytes carry the send time
// (seconds and microseconds, native order, as a struct timeval on 64-bit).
func payload(n int, sec, usec int64) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)
	}
	if n >= timestampLen {
		putTimestamp(b, sec, usec)
	}
	return b
}

func putTimestamp(b []byte, sec, usec int64) {
	binary.NativeEndian.PutUint64(b[0:], uint64(sec))
	binary.NativeEndian.PutUint64(b[8:], uint64(usec))
}

// timestamp reads back the send time of payload (in microseconds).
func timestamp(b []byte) (int64, bool) {
	if len(b) < timestampLen {
		return 0, false
	}
	sec := int64(binary.NativeEndian.Uint64(b[0:]))
	usec := int64(binary.NativeEndian.Uint64(b[8:]))
	return sec*1000000 + usec, true
}

// icmpText is how iputils names an ICMP error (pr_icmph), without newline.
// info is what the kernel reports in ee_info: the MTU for "frag needed",
// the pointer for a parameter problem; for a redirect, the gateway.
func icmpText(typ, code uint8, info uint32) string {
	switch typ {
	case icmpEchoReply:
		return "Echo Reply"
	case icmpDestUnreach:
		if code == 4 {
			return "Frag needed and DF set (mtu = " + uitoa(uint64(info)) + ")"
		}
		if int(code) < len(unreachText) {
			return unreachText[code]
		}
		return "Dest Unreachable, Bad Code: " + uitoa(uint64(code))
	case icmpSourceQuench:
		return "Source Quench"
	case icmpRedirect:
		var s string
		if int(code) < len(redirectText) {
			s = redirectText[code]
		} else {
			s = "Redirect, Bad Code: " + uitoa(uint64(code))
		}
		var gw [4]byte
		binary.BigEndian.PutUint32(gw[:], info)
		return s + "(New nexthop: " + netip.AddrFrom4(gw).String() + ")"
	case icmpEcho:
		return "Echo Request"
	case icmpTimeExceeded:
		switch code {
		case 0:
			return "Time to live exceeded"
		case 1:
			return "Frag reassembly time exceeded"
		}
		return "Time exceeded, Bad Code: " + uitoa(uint64(code))
	case icmpParameterProb:
		return "Parameter problem: pointer = " + uitoa(uint64(info))
	}
	return "Bad ICMP type: " + uitoa(uint64(typ))
}

// The texts iputils prints for the codes of Destination Unreachable
// (code 4, fragmentation needed, carries the MTU) and Redirect.
var unreachText = [...]string{
	0:  "Destination Net Unreachable",
	1:  "Destination Host Unreachable",
	2:  "Destination Protocol Unreachable",
	3:  "Destination Port Unreachable",
	5:  "Source Route Failed",
	6:  "Destination Net Unknown",
	7:  "Destination Host Unknown",
	8:  "Source Host Isolated",
	9:  "Destination Net Prohibited",
	10: "Destination Host Prohibited",
	11: "Destination Net Unreachable for Type of Service",
	12: "Destination Host Unreachable for Type of Service",
	13: "Packet filtered",
	14: "Precedence Violation",
	15: "Precedence Cutoff",
}

var redirectText = [...]string{
	0: "Redirect Network",
	1: "Redirect Host",
	2: "Redirect Type of Service and Network",
	3: "Redirect Type of Service and Host",
}

// unreach6Text is ICMPv6 Destination Unreachable's codes, as iputils
// words them.
var unreach6Text = [...]string{
	0: "Destination unreachable: No route",
	1: "Destination unreachable: Administratively prohibited",
	2: "Destination unreachable: Beyond scope of source address",
	3: "Destination unreachable: Address unreachable",
	4: "Destination unreachable: Port unreachable",
	5: "Destination unreachable: Source address failed ingress/egress policy",
	6: "Destination unreachable: Reject route to destination",
}

// icmp6Text is iputils' print_icmp for ICMPv6 errors.
func icmp6Text(typ, code uint8, info uint32) string {
	switch typ {
	case icmp6DestUnreach:
		if int(code) < len(unreach6Text) {
			return unreach6Text[code]
		}
		return "Destination unreachable: Unknown code " + uitoa(uint64(code))
	case icmp6PacketTooBig:
		s := "Packet too big: mtu=" + uitoa(uint64(info))
		if code != 0 {
			s += ", code=" + uitoa(uint64(code))
		}
		return s
	case icmp6TimeExceeded:
		switch code {
		case 0:
			return "Time exceeded: Hop limit"
		case 1:
			return "Time exceeded: Defragmentation failure"
		}
		return "Time exceeded: code " + uitoa(uint64(code))
	case icmp6ParamProb:
		s := "Parameter problem: "
		switch code {
		case 0:
			s += "Wrong header field "
		case 1:
			s += "Unknown header "
		case 2:
			s += "Unknown option "
		default:
			s += "code " + uitoa(uint64(code)) + " "
		}
		return s + "at " + uitoa(uint64(info))
	case icmp6EchoRequest:
		return "Echo request"
	case icmp6EchoReply:
		return "Echo reply"
	case 130:
		return "MLD Query"
	case 131:
		return "MLD Report"
	case 132:
		return "MLD Reduction"
	}
	return "unknown icmp type: " + uitoa(uint64(typ))
}
