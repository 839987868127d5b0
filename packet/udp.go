package packet

// udp is udp_print, without the application decoders: every datagram
// is "UDP, length N".
func udp(d *decoder, h *ipHeader, b []byte, length int) {
	d.proto = "udp"
	if len(b) < 4 {
		h.addrs(d)
		d.s(": ")
		panic(truncated{})
	}
	sport, dport := d.u16(b, 0), d.u16(b, 2)
	if length < 8 {
		h.addrsPorts(d, protoUDP, sport, dport)
		d.s("truncated-udp ")
		d.u(uint64(length))
		return
	}
	if len(b) < 6 {
		h.addrsPorts(d, protoUDP, sport, dport)
		panic(truncated{})
	}
	ulen := int(d.u16(b, 4))
	if ulen == 0 && length > 65535 {
		ulen = length
	}
	if ulen < 8 {
		h.addrsPorts(d, protoUDP, sport, dport)
		d.s("truncated-udplength ")
		d.u(uint64(ulen))
		return
	}
	ulen -= 8
	length -= 8
	if ulen < length {
		length = ulen
	}
	if len(b) < 8 {
		h.addrsPorts(d, protoUDP, sport, dport)
		panic(truncated{})
	}
	h.addrsPorts(d, protoUDP, sport, dport)
	if d.p.Verbose > 0 && !h.fragment && 8+length <= len(b) {
		field := d.u16(b, 6)
		if !h.v6 && d.p.Verbose > 1 || h.v6 {
			switch sum := checksum(h.pseudo(protoUDP, length+8), b[:length+8]); {
			case field == 0 && !h.v6:
				d.s("[no cksum] ")
			case sum != 0:
				d.s("[bad udp cksum 0x")
				d.hex(uint64(field), 4)
				d.s(" -> 0x")
				d.hex(uint64(shouldBe(field, sum)), 4)
				d.s("!] ")
			default:
				d.s("[udp sum ok] ")
			}
		}
	}
	if d.p.Quiet {
		d.s("UDP, length ")
		d.u(uint64(ulen))
		return
	}
	if ulen > length && !h.fragment {
		d.s("UDP, bad length ")
		d.u(uint64(ulen))
		d.s(" > ")
		d.u(uint64(length))
		return
	}
	d.s("UDP, length ")
	d.u(uint64(ulen))
}
