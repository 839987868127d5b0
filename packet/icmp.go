package packet

// icmp is icmp_print.
func icmp(d *decoder, h *ipHeader, b []byte, length int) {
	d.proto = "icmp"
	typ, code := d.u8(b, 0), d.u8(b, 1)
	d.s("ICMP ")
	innerDst := func() { d.ip4addr(b, 8+16) }
	switch typ {
	case 0, 8:
		d.s("echo ")
		if typ == 8 {
			d.s("request")
		} else {
			d.s("reply")
		}
		d.s(", id ")
		d.u(uint64(d.u16(b, 4)))
		d.s(", seq ")
		d.u(uint64(d.u16(b, 6)))
	case 3:
		switch code {
		case 0:
			d.s("net ")
			innerDst()
			d.s(" unreachable")
		case 1:
			d.s("host ")
			innerDst()
			d.s(" unreachable")
		case 2:
			innerDst()
			d.s(" protocol ")
			d.u(uint64(d.u8(b, 8+9)))
			d.s(" unreachable")
		case 3:
			ihl := int(d.u8(b, 8)&0xf) * 4
			proto := d.u8(b, 8+9)
			dport := d.u16(b, 8+ihl+2)
			innerDst()
			switch proto {
			case protoTCP:
				d.s(" tcp port ")
				d.u(uint64(dport))
				d.s(" unreachable")
			case protoUDP:
				d.s(" udp port ")
				d.u(uint64(dport))
				d.s(" unreachable")
			default:
				d.s(" protocol ")
				d.u(uint64(proto))
				d.s(" port ")
				d.u(uint64(dport))
				d.s(" unreachable")
			}
		case 4:
			mtu := d.u16(b, 6)
			innerDst()
			d.s(" unreachable - need to frag")
			if mtu != 0 {
				d.s(" (mtu ")
				d.u(uint64(mtu))
				d.s(")")
			}
		case 5:
			innerDst()
			d.s(" unreachable - source route failed")
		case 6:
			d.s("net ")
			innerDst()
			d.s(" unreachable - unknown")
		case 7:
			d.s("host ")
			innerDst()
			d.s(" unreachable - unknown")
		case 8:
			innerDst()
			d.s(" unreachable - source host isolated")
		case 9:
			d.s("net ")
			innerDst()
			d.s(" unreachable - admin prohibited")
		case 10:
			d.s("host ")
			innerDst()
			d.s(" unreachable - admin prohibited")
		case 11:
			d.s("net ")
			innerDst()
			d.s(" unreachable - tos prohibited")
		case 12:
			d.s("host ")
			innerDst()
			d.s(" unreachable - tos prohibited")
		case 13:
			d.s("host ")
			innerDst()
			d.s(" unreachable - admin prohibited filter")
		case 14:
			d.s("host ")
			innerDst()
			d.s(" unreachable - host precedence violation")
		case 15:
			d.s("host ")
			innerDst()
			d.s(" unreachable - precedence cutoff")
		default:
			innerDst()
			d.s(" unreachable - #")
			d.u(uint64(code))
		}
	case 5:
		d.need(b, 8, 20)
		if code < 4 {
			d.s([...]string{"redirect ", "redirect ", "redirect-tos ", "redirect-tos "}[code])
			innerDst()
			d.s([...]string{" to net ", " to host ", " to net ", " to host "}[code])
		} else {
			d.s("redirect-#")
			d.u(uint64(code))
			d.s(" ")
			innerDst()
			d.s(" to ")
		}
		d.ip4addr(b, 4)
	case 11:
		d.need(b, 8, 20)
		switch code {
		case 0:
			d.s("time exceeded in-transit")
		case 1:
			d.s("ip reassembly time exceeded")
		default:
			d.s("time exceeded-#")
			d.u(uint64(code))
		}
	case 12:
		if code != 0 {
			d.s("parameter problem - code ")
			d.u(uint64(code))
		} else {
			d.s("parameter problem - octet ")
			d.u(uint64(d.u8(b, 4)))
		}
	case 18:
		d.s("address mask is 0x")
		d.hex(uint64(d.u32(b, 12)), 8)
	case 13:
		d.s("time stamp query id ")
		d.u(uint64(d.u16(b, 4)))
		d.s(" seq ")
		d.u(uint64(d.u16(b, 6)))
	default:
		switch typ {
		case 4:
			d.s("source quench")
		case 10:
			d.s("router solicitation")
		case 14:
			d.s("time stamp reply")
		case 15:
			d.s("information request")
		case 16:
			d.s("information reply")
		case 17:
			d.s("address mask request")
		default:
			d.s("type-#")
			d.u(uint64(typ))
		}
	}
	d.s(", length ")
	d.u(uint64(length))
	if d.p.Verbose > 0 && !h.fragment && length <= len(b) {
		if sum := checksum(0, b[:length]); sum != 0 {
			field := d.u16(b, 2)
			d.s(" (wrong icmp cksum ")
			d.hex(uint64(field), 1)
			d.s(" (->")
			d.hex(uint64(shouldBe(field, sum)), 1)
			d.s(")!)")
		}
	}
	if d.p.Verbose > 0 && (typ == 3 || typ == 4 || typ == 5 || typ == 11 || typ == 12) && len(b) > 8 {
		d.s("\n\t")
		inner := b[8:]
		n := int(d.u16(inner, 2))
		if len(inner) > n {
			inner = inner[:n]
		}
		ip4(d, inner, n)
		d.proto = "icmp"
	}
}

// icmp6TypeName is tcpdump's icmp6_type_values.
func icmp6TypeName(t uint8) string {
	switch t {
	case 1:
		return "destination unreachable"
	case 2:
		return "packet too big"
	case 3:
		return "time exceeded in-transit"
	case 4:
		return "parameter problem"
	case 128:
		return "echo request"
	case 129:
		return "echo reply"
	case 130:
		return "multicast listener query"
	case 131:
		return "multicast listener report"
	case 132:
		return "multicast listener done"
	case 133:
		return "router solicitation"
	case 134:
		return "router advertisement"
	case 135:
		return "neighbor solicitation"
	case 136:
		return "neighbor advertisement"
	case 137:
		return "redirect"
	case 138:
		return "router renumbering"
	case 141:
		return "inverse neighbor solicitation"
	case 142:
		return "inverse neighbor advertisement"
	case 143:
		return "multicast listener report v2"
	case 144:
		return "ha discovery request"
	case 145:
		return "ha discovery reply"
	case 146:
		return "mobile router solicitation"
	case 147:
		return "mobile router advertisement"
	case 139:
		return "node information query"
	case 140:
		return "node information reply"
	case 200:
		return "mtrace message"
	case 201:
		return "mtrace response"
	case 155:
		return "RPL"
	}
	return ""
}

// icmp6 is icmp6_print, for the messages a lab sees.
func icmp6(d *decoder, h *ipHeader, b []byte, length int) {
	d.proto = "icmp6"
	if length == 0 {
		d.s("ICMP6, length 0 (invalid)")
		return
	}
	if d.p.Verbose > 0 && !h.fragment && length <= len(b) {
		field := d.u16(b, 2)
		if sum := checksum(h.pseudo(protoICMPv6, length), b[:length]); sum != 0 {
			d.s("[bad icmp6 cksum 0x")
			d.hex(uint64(field), 4)
			d.s(" -> 0x")
			d.hex(uint64(shouldBe(field, sum)), 4)
			d.s("!] ")
		} else {
			d.s("[icmp6 sum ok] ")
		}
	}
	typ := d.u8(b, 0)
	d.s("ICMP6, ")
	if name := icmp6TypeName(typ); name != "" {
		d.s(name)
	} else {
		d.s("unknown icmp6 type (")
		d.u(uint64(typ))
		d.s(")")
	}
	if d.p.Verbose > 0 && (typ == 133 || typ == 134 || typ == 135 || typ == 136 || typ == 137 || typ == 145 || typ == 147) {
		d.s(", length ")
		d.u(uint64(length))
	}
	code := d.u8(b, 1)
	switch typ {
	case 1:
		d.s(", ")
		switch code {
		case 0:
			d.s("unreachable route ")
			d.ip6addr(b, 8+24)
		case 1:
			d.s(" unreachable prohibited ")
			d.ip6addr(b, 8+24)
		case 2:
			d.s("beyond scope ")
			d.ip6addr(b, 8+24)
			d.s(", source address ")
			d.ip6addr(b, 8+8)
		case 3:
			d.s("unreachable address ")
			d.ip6addr(b, 8+24)
		case 4:
			d.s("unreachable port")
			proto, off := upperLayer(d, b[8:])
			dport := d.u16(b, 8+off+2)
			d.s(", ")
			d.ip6addr(b, 8+24)
			switch proto {
			case protoTCP:
				d.s(" tcp port ")
				d.u(uint64(dport))
			case protoUDP:
				d.s(" udp port ")
				d.u(uint64(dport))
			default:
				d.s(" protocol ")
				d.u(uint64(proto))
				d.s(" port ")
				d.u(uint64(dport))
				d.s(" unreachable")
			}
		default:
			d.s("unknown unreach code (")
			d.u(uint64(code))
			d.s(")")
			if d.p.Verbose <= 1 {
				hexASCII(d, b[:min(len(b), length)])
				return
			}
		}
	case 2:
		d.s(", mtu ")
		d.u(uint64(d.u32(b, 4)))
	case 3:
		switch code {
		case 0:
			d.s(" for ")
			d.ip6addr(b, 8+24)
		case 1:
			d.s(" (reassembly)")
		default:
			d.s(", unknown code (")
			d.u(uint64(code))
			d.s(")")
		}
	case 4:
		d.need(b, 8+24, 16)
		names := [...]string{"erroneous", "next header", "option", "incomplete header chain"}
		if int(code) < len(names) {
			d.s(", " + names[code] + " - octet ")
			d.u(uint64(d.u32(b, 4)))
		} else {
			d.s(", code-#")
			d.u(uint64(code))
		}
	case 128, 129:
		d.s(", id ")
		d.u(uint64(d.u16(b, 4)))
		d.s(", seq ")
		d.u(uint64(d.u16(b, 6)))
	case 130, 131, 132:
		if typ == 130 && length != 24 {
			if length >= 28 {
				d.s(" v2")
			} else {
				d.s(" unknown-version (len ")
				d.u(uint64(length))
				d.s(") ")
			}
			break
		}
		if len(b) >= 24 {
			d.s("max resp delay: ")
			d.u(uint64(d.u16(b, 4)))
			d.s(" addr: ")
			d.ip6addr(b, 8)
		}
	case 135:
		d.s(", who has ")
		d.ip6addr(b, 8)
	case 136:
		d.s(", tgt is ")
		d.ip6addr(b, 8)
		if d.p.Verbose > 0 {
			flags := d.u32(b, 4)
			var f string
			for _, x := range []struct {
				bit  uint32
				name string
			}{{0x80000000, "router"}, {0x40000000, "solicited"}, {0x20000000, "override"}} {
				if flags&x.bit != 0 {
					if f != "" {
						f += ", "
					}
					f += x.name
				}
			}
			if f == "" {
				f = "none"
			}
			d.s(", Flags [" + f + "]")
		}
	case 137:
		d.s(", ")
		d.ip6addr(b, 24)
		d.s(" to ")
		d.ip6addr(b, 8)
	case 143:
		if length < 8 {
			d.s(" [invalid len ")
			d.u(uint64(length))
			d.s("]")
			break
		}
		groups := int(d.u16(b, 6))
		d.s(", ")
		d.u(uint64(groups))
		d.s(" group record(s)")
		if d.p.Verbose > 0 {
			off := 8
			for i := 0; i < groups; i++ {
				if length < off+20 {
					d.s(" [invalid number of groups]")
					return
				}
				d.s(" [gaddr ")
				d.ip6addr(b, off+4)
				switch d.u8(b, off) {
				case 1:
					d.s(" is_in")
				case 2:
					d.s(" is_ex")
				case 3:
					d.s(" to_in")
				case 4:
					d.s(" to_ex")
				case 5:
					d.s(" allow")
				case 6:
					d.s(" block")
				default:
					d.s("  [v2-report-#")
					d.u(uint64(b[off]))
					d.s("]")
				}
				n := int(d.u16(b, off+2))
				if length < off+20+16*n {
					d.s(" [invalid number of sources ")
					d.u(uint64(n))
					d.s("]")
					return
				}
				d.s(", ")
				d.u(uint64(n))
				d.s(" source(s)]")
				off += 20 + 16*n
			}
		}
	case 133, 134, 138, 139, 140, 141, 142, 155:
		// No detail without -v (and nsbox prints none with it).
	case 144, 146:
		d.s(", id 0x")
		d.hex(uint64(d.u16(b, 4)), 4)
	case 145, 147:
	default:
		d.s(", length ")
		d.u(uint64(length))
		if d.p.Verbose <= 1 {
			hexASCII(d, b[:min(len(b), length)])
		}
		return
	}
	if d.p.Verbose == 0 {
		d.s(", length ")
		d.u(uint64(length))
	}
}

// upperLayer finds the transport protocol of the IPv6 packet b quotes
// (get_upperlayer), and its offset in b.
func upperLayer(d *decoder, b []byte) (uint8, int) {
	nh := d.u8(b, 6)
	off := 40
	for {
		switch nh {
		case protoHopOpts, protoDstOpts, protoRouting:
			n := (int(d.u8(b, off+1)) + 1) * 8
			nh = b[off]
			off += n
		case protoFragment:
			if d.u16(b, off+2)&0xfff8 != 0 {
				panic(truncated{})
			}
			nh = b[off]
			off += 8
		case protoAH:
			n := (int(d.u8(b, off+1)) + 2) * 4
			nh = b[off]
			off += n
		default:
			return nh, off
		}
	}
}
