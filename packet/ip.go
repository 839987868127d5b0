package packet

import (
	"net/netip"
)

// IP protocol numbers.
const (
	protoHopOpts  = 0
	protoICMP     = 1
	protoIGMP     = 2
	protoTCP      = 6
	protoUDP      = 17
	protoDCCP     = 33
	protoRouting  = 43
	protoFragment = 44
	protoESP      = 50
	protoAH       = 51
	protoICMPv6   = 58
	protoNone     = 59
	protoDstOpts  = 60
	protoSCTP     = 132
)

// ipProtoName is tcpdump's ipproto_values.
func ipProtoName(p uint8) string {
	switch p {
	case 0:
		return "Options"
	case 1:
		return "ICMP"
	case 2:
		return "IGMP"
	case 4:
		return "IPIP"
	case 6:
		return "TCP"
	case 8:
		return "EGP"
	case 9:
		return "IGRP"
	case 17:
		return "UDP"
	case 33:
		return "DCCP"
	case 41:
		return "IPv6"
	case 43:
		return "Routing"
	case 44:
		return "Fragment"
	case 46:
		return "RSVP"
	case 47:
		return "GRE"
	case 50:
		return "ESP"
	case 51:
		return "AH"
	case 55:
		return "Mobile IP"
	case 58:
		return "ICMPv6"
	case 62:
		return "Mobile IP (old)"
	case 88:
		return "EIGRP"
	case 89:
		return "OSPF"
	case 103:
		return "PIM"
	case 108:
		return "Compressed IP"
	case 112:
		return "VRRP"
	case 113:
		return "PGM"
	case 132:
		return "SCTP"
	case 135:
		return "Mobility"
	case 143:
		return "Ethernet"
	}
	return "unknown"
}

func (d *decoder) ip4addr(b []byte, off int) {
	d.need(b, off, 4)
	for i := 0; i < 4; i++ {
		if i > 0 {
			d.s(".")
		}
		d.u(uint64(b[off+i]))
	}
}

// ip6addr prints as glibc's inet_ntop does: netip's form, except that
// IPv4-compatible and -mapped addresses end in dotted quad.
func (d *decoder) ip6addr(b []byte, off int) {
	d.need(b, off, 16)
	a := netip.AddrFrom16([16]byte(b[off : off+16]))
	var w [8]uint16
	for i := range w {
		w[i] = uint16(b[off+2*i])<<8 | uint16(b[off+2*i+1])
	}
	zero5 := w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0
	switch {
	case zero5 && w[5] == 0 && w[6] != 0, zero5 && w[5] == 0 && w[6] == 0 && w[7] > 1:
		d.s("::")
		d.ip4addr(b, off+12)
	case zero5 && w[5] == 0xffff:
		d.s("::ffff:")
		d.ip4addr(b, off+12)
	default:
		d.b = a.AppendTo(d.b)
	}
}

// checksum is the Internet checksum (RFC 1071) of b added to sum.
func checksum(sum uint32, b []byte) uint16 {
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	return ^uint16(sum)
}

// shouldBe is in_cksum_shouldbe: the checksum field that would have
// made the sum come out right.
func shouldBe(field, sum uint16) uint16 {
	s := uint32(^field) + uint32(^sum)
	s = (s >> 16) + (s & 0xffff)
	s += s >> 16
	return ^uint16(s)
}

// ipHeader is what the transport printers need of the IP header.
type ipHeader struct {
	v6       bool
	b        []byte // the IP header (and the packet after it)
	proto    uint8  // the transport protocol (after extension headers)
	nextHdr  uint8  // IPv6's ip6_nxt, IPv4's protocol
	fragment bool
}

func (h *ipHeader) addrs(d *decoder) {
	if h.v6 {
		d.ip6addr(h.b, 8)
		d.s(" > ")
		d.ip6addr(h.b, 24)
	} else {
		d.ip4addr(h.b, 12)
		d.s(" > ")
		d.ip4addr(h.b, 16)
	}
}

// addrsPorts prints "src.sport > dst.dport: " when the transport header
// follows the IP header right away, "sport > dport: " otherwise.
func (h *ipHeader) addrsPorts(d *decoder, proto uint8, sport, dport uint16) {
	if h.nextHdr != proto {
		d.u(uint64(sport))
		d.s(" > ")
		d.u(uint64(dport))
		d.s(": ")
		return
	}
	if h.v6 {
		d.ip6addr(h.b, 8)
	} else {
		d.ip4addr(h.b, 12)
	}
	d.s(".")
	d.u(uint64(sport))
	d.s(" > ")
	if h.v6 {
		d.ip6addr(h.b, 24)
	} else {
		d.ip4addr(h.b, 16)
	}
	d.s(".")
	d.u(uint64(dport))
	d.s(": ")
}

// pseudo is the transport checksum's pseudo-header sum.
func (h *ipHeader) pseudo(proto uint8, length int) uint32 {
	var sum uint32
	add := func(b []byte) {
		for i := 0; i+1 < len(b); i += 2 {
			sum += uint32(b[i])<<8 | uint32(b[i+1])
		}
	}
	if h.v6 {
		add(h.b[8:40])
		sum += uint32(length>>16) + uint32(length&0xffff)
	} else {
		add(h.b[12:20])
		sum += uint32(length)
	}
	return sum + uint32(proto)
}

// ip4 is ip_print.
func ip4(d *decoder, b []byte, length int) {
	d.proto = "ip"
	if v := d.u8(b, 0) >> 4; v != 4 {
		if v == 6 {
			d.s("IP6, wrong link-layer encapsulation")
		} else {
			d.s("IP")
			d.u(uint64(v))
		}
		d.s(" (invalid)")
		return
	}
	if !d.p.Ether {
		d.s("IP ")
	}
	d.need(b, 0, 20)
	if length < 20 {
		d.s("truncated-ip ")
		d.u(uint64(length))
		return
	}
	hlen := int(b[0]&0xf) * 4
	if hlen < 20 {
		d.s("bad-hlen ")
		d.u(uint64(hlen))
		return
	}
	total := int(d.u16(b, 2))
	if length < total {
		d.s("truncated-ip - ")
		d.u(uint64(total - length))
		d.s(" bytes missing! ")
	}
	if total < hlen {
		d.s("bad-len ")
		d.u(uint64(total))
		return
	}
	if len(b) > total {
		b = b[:total] // nd_push_snaplen: nothing past the IP length
	}
	plen := total - hlen
	off := d.u16(b, 6)
	proto := b[9]
	if d.p.Verbose > 0 {
		tos := b[1]
		d.s("(tos 0x")
		d.hex(uint64(tos), 1)
		switch tos & 3 {
		case 1:
			d.s(",ECT(1)")
		case 2:
			d.s(",ECT(0)")
		case 3:
			d.s(",CE")
		}
		if b[8] >= 1 {
			d.s(", ttl ")
			d.u(uint64(b[8]))
		}
		d.s(", id ")
		d.u(uint64(d.u16(b, 4)))
		d.s(", offset ")
		d.u(uint64(off&0x1fff) * 8)
		d.s(", flags [")
		flags := ""
		if off&0x2000 != 0 {
			flags += "+"
		}
		if off&0x4000 != 0 {
			flags += "DF"
		}
		if off&0x8000 != 0 {
			flags += "rsvd"
		}
		if flags == "" {
			flags = "none"
		}
		d.s(flags + "], proto " + ipProtoName(proto) + " (")
		d.u(uint64(proto))
		d.s("), length ")
		d.u(uint64(total))
		if hlen > 20 {
			d.s(", options (")
			ipOptions(d, b, hlen)
			d.s(")")
		}
		if hlen <= len(b) {
			if sum := checksum(0, b[:hlen]); sum != 0 {
				field := d.u16(b, 10)
				d.s(", bad cksum ")
				d.hex(uint64(field), 1)
				d.s(" (->")
				d.hex(uint64(shouldBe(field, sum)), 1)
				d.s(")!")
			}
		}
		d.s(")\n    ")
	}
	h := &ipHeader{b: b, proto: proto, nextHdr: proto, fragment: off&0x2000 != 0}
	if off&0x1fff == 0 {
		if proto != protoTCP && proto != protoUDP && proto != protoSCTP && proto != protoDCCP {
			h.addrs(d)
			d.s(": ")
		}
		if len(b) < hlen {
			d.s(" [remaining caplen(")
			d.u(uint64(len(b)))
			d.s(") < header length(")
			d.u(uint64(hlen))
			d.s(")]")
			panic(truncated{})
		}
		demux(d, h, b[hlen:], plen, proto)
		return
	}
	h.addrs(d)
	d.s(": ip-proto-")
	d.u(uint64(proto))
}

// ipOptions is ip_optprint: the IPv4 options, comma-separated.
func ipOptions(d *decoder, b []byte, hlen int) {
	opts := b[20:min(hlen, len(b))]
	if len(opts) < hlen-20 {
		panic(truncated{})
	}
	for i := 0; i < len(opts); {
		if i > 0 {
			d.s(",")
		}
		code := opts[i]
		switch code {
		case 0:
			d.s("EOL")
		case 1:
			d.s("NOP")
		case 68:
			d.s("timestamp")
		case 130:
			d.s("security")
		case 7:
			d.s("RR")
		case 137:
			d.s("SSRR")
		case 131:
			d.s("LSRR")
		case 148:
			d.s("RA")
		case 82:
			d.s("traceroute")
		default:
			d.s("unknown ")
			d.u(uint64(code))
		}
		n := 1
		if code > 1 {
			if i+1 >= len(opts) {
				panic(truncated{})
			}
			if n = int(opts[i+1]); n < 2 {
				d.s(" [bad length ")
				d.u(uint64(n))
				d.s("]")
				return
			}
		}
		if n > len(opts)-i {
			d.s(" [bad length ")
			d.u(uint64(n))
			d.s("]")
			return
		}
		o := opts[i : i+n]
		switch code {
		case 0:
			return
		case 7, 131, 137:
			if n < 3 {
				d.s(" [bad length ")
				d.u(uint64(n))
				d.s("]")
				break
			}
			if (n+1)&3 != 0 {
				d.s(" [bad length ")
				d.u(uint64(n))
				d.s("]")
			}
			ptr := int(o[2]) - 1
			if ptr < 3 || (ptr+1)&3 != 0 || ptr > n+1 {
				d.s(" [bad ptr ")
				d.u(uint64(o[2]))
				d.s("]")
			}
			for l := 3; l < n; l += 4 {
				d.s(" ")
				d.ip4addr(o, l)
				if ptr > l {
					d.s(",")
				}
			}
		case 148:
			if n < 4 {
				d.s(" [bad length ")
				d.u(uint64(n))
				d.s("]")
			} else if v := uint64(o[2])<<8 | uint64(o[3]); v != 0 {
				d.s(" value ")
				d.u(v)
			}
		}
		i += n
	}
}

// ip6 is ip6_print, with the extension headers it walks through.
func ip6(d *decoder, b []byte, length int) {
	d.proto = "ip6"
	d.need(b, 0, 40)
	if length < 40 {
		d.s("truncated-ip6 ")
		d.u(uint64(length))
		return
	}
	if !d.p.Ether {
		d.s("IP6 ")
	}
	if v := b[0] >> 4; v != 6 {
		d.s("version error: ")
		d.u(uint64(v))
		d.s(" != 6")
		return
	}
	plen := int(d.u16(b, 4))
	total := plen + 40
	if plen != 0 && length < total {
		d.s("truncated-ip6 - ")
		d.u(uint64(total - length))
		d.s(" bytes missing!")
	}
	if plen == 0 {
		total = length // a jumbogram, or nothing: tcpdump's guess
	}
	nh := b[6]
	if d.p.Verbose > 0 {
		flow := d.u32(b, 0)
		d.s("(")
		if flow&0x0ff00000 != 0 {
			d.s("class 0x")
			d.hex(uint64(flow&0x0ff00000>>20), 2)
			d.s(", ")
		}
		if flow&0x000fffff != 0 {
			d.s("flowlabel 0x")
			d.hex(uint64(flow&0x000fffff), 5)
			d.s(", ")
		}
		d.s("hlim ")
		d.u(uint64(b[7]))
		d.s(", next-header " + ipProtoName(nh) + " (")
		d.u(uint64(nh))
		d.s(") payload length: ")
		d.u(uint64(plen))
		d.s(") ")
	}
	if len(b) > total {
		b = b[:total]
	}
	h := &ipHeader{v6: true, b: b, nextHdr: nh}
	if nh != protoTCP && nh != protoUDP && nh != protoDCCP && nh != protoSCTP {
		h.addrs(d)
		d.s(": ")
	}
	off, rest := 40, total-40
	seenHBH := false
	for {
		switch nh {
		case protoHopOpts, protoDstOpts:
			if nh == protoHopOpts {
				if seenHBH || off != 40 {
					d.s("[The Hop-by-Hop Options header was already found]")
					d.s(" (invalid)")
					return
				}
				seenHBH = true
				d.s("HBH ")
			} else {
				d.s("DSTOPT ")
			}
			d.proto = "ip6"
			n := (int(d.u8(b, off+1)) + 1) * 8
			d.need(b, off, n)
			if d.p.Verbose > 0 {
				ip6Options(d, b[off+2:off+n])
			}
			nh = b[off]
			off, rest = off+n, rest-n
		case protoFragment:
			d.proto = "frag6"
			offlg := d.u16(b, off+2)
			d.need(b, off, 8)
			if d.p.Verbose > 0 {
				d.s("frag (0x")
				d.hex(uint64(d.u32(b, off+4)), 8)
				d.s(":")
			} else {
				d.s("frag (")
			}
			d.u(uint64(offlg & 0xfff8))
			d.s("|")
			d.u(uint64(plen + 40 - off - 8))
			d.s(")")
			if offlg&0xfff8 != 0 {
				return
			}
			d.s(" ")
			h.fragment = true
			nh = b[off]
			off, rest = off+8, rest-8
		case protoRouting:
			d.proto = "rt6"
			n := (int(d.u8(b, off+1)) + 1) * 8
			d.s("RT6 (len=")
			d.u(uint64(b[off+1]))
			d.s(", type=")
			d.u(uint64(d.u8(b, off+2)))
			d.s(", segleft=")
			d.u(uint64(d.u8(b, off+3)))
			d.s(") ")
			d.need(b, off, n)
			nh = b[off]
			off, rest = off+n, rest-n
		default:
			if rest < 0 {
				panic(truncated{})
			}
			h.proto = nh
			demux(d, h, b[off:], rest, nh)
			return
		}
		if rest < 0 {
			panic(truncated{})
		}
	}
}

// ip6Options prints hop-by-hop and destination options as -v does.
func ip6Options(d *decoder, b []byte) {
	for i := 0; i < len(b); {
		t := b[i]
		if t == 0 {
			d.s("(pad1)")
			i++
			continue
		}
		if i+1 >= len(b) {
			d.s("(type ")
			d.u(uint64(t))
			d.s(": trunc)")
			return
		}
		n := int(b[i+1]) + 2
		switch {
		case t == 1:
			d.s("(padn)")
		case t == 5 && n == 4 && i+4 <= len(b):
			d.s("(rtalert: 0x")
			d.hex(uint64(b[i+2])<<8|uint64(b[i+3]), 4)
			d.s(") ")
		default:
			d.s("(opt_type 0x")
			d.hex(uint64(t), 2)
			d.s(": len=")
			d.u(uint64(n - 2))
			d.s(")")
		}
		i += n
	}
	d.s(" ")
}

// demux is ip_demux_print: the transport protocol's printer, or
// "ip-proto-N length".
func demux(d *decoder, h *ipHeader, b []byte, length int, proto uint8) {
	switch proto {
	case protoTCP:
		tcp(d, h, b, length)
	case protoUDP:
		udp(d, h, b, length)
	case protoICMP:
		if h.v6 {
			d.s("[ICMP requires IPv4] (invalid)")
			return
		}
		icmp(d, h, b, length)
	case protoICMPv6:
		if !h.v6 {
			d.s("[ICMPv6 requires IPv6] (invalid)")
			return
		}
		icmp6(d, h, b, length)
	case protoIGMP:
		if h.v6 {
			d.s("[IGMP requires IPv4] (invalid)")
			return
		}
		igmp(d, b, length)
	case protoNone:
		d.s("no next header")
	default:
		d.s(" ip-proto-")
		d.u(uint64(proto))
		d.s(" ")
		d.u(uint64(length))
	}
}
