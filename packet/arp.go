package packet

// arp is arp_print: Ethernet/IPv4 ARP and RARP.
//
//	struct arphdr { be16 ar_hrd, ar_pro; u8 ar_hln, ar_pln; be16 ar_op; }
//	followed by sha[hln] spa[pln] tha[hln] tpa[pln]
func arp(d *decoder, b []byte, length int) {
	d.proto = "arp"
	hrd, pro := d.u16(b, 0), d.u16(b, 2)
	hln, pln := int(d.u8(b, 4)), int(d.u8(b, 5))
	op := d.u16(b, 6)
	sha, spa := 8, 8+hln
	tha, tpa := 8+hln+pln, 8+2*hln+pln
	d.get(b, tpa, pln)
	if !d.p.Ether {
		d.s("ARP, ")
	}
	if pro != EtherTypeIPv4 && pro != 0x1000 || pln != 4 || hln == 0 || d.p.Verbose > 0 {
		switch hrd {
		case arphrdEther:
			d.s("Ethernet")
		case 6:
			d.s("IEEE 802")
		case 15:
			d.s("Frame Relay")
		case 24:
			d.s("IEEE 1394")
		case 32:
			d.s("InfiniBand")
		default:
			d.s("Unknown Hardware (")
			d.u(uint64(hrd))
			d.s(")")
		}
		d.s(" (len ")
		d.u(uint64(hln))
		d.s("), ")
		if name, ok := etherTypeName(pro); ok {
			d.s(name)
		} else {
			d.s("Unknown Protocol (0x")
			d.hex(uint64(pro), 4)
			d.s(")")
		}
		d.s(" (len ")
		d.u(uint64(pln))
		d.s(")")
		if d.p.Verbose == 0 {
			d.s(", length ")
			d.u(uint64(length))
			return
		}
		d.s(", ")
	}
	switch op {
	case 1:
		d.s("Request who-has ")
		d.protoAddr(b, tpa, pln, pro)
		if nonzero(b[tha : tha+hln]) {
			d.s(" (")
			d.linkAddr(b, tha, hln)
			d.s(")")
		}
		d.s(" tell ")
		d.protoAddr(b, spa, pln, pro)
	case 2:
		d.s("Reply ")
		d.protoAddr(b, spa, pln, pro)
		d.s(" is-at ")
		d.linkAddr(b, sha, hln)
	case 3:
		d.s("Reverse Request who-is ")
		d.linkAddr(b, tha, hln)
		d.s(" tell ")
		d.linkAddr(b, sha, hln)
	case 4:
		d.s("Reverse Reply ")
		d.linkAddr(b, tha, hln)
		d.s(" at ")
		d.protoAddr(b, tpa, pln, pro)
	case 8:
		d.s("Inverse Request who-is ")
		d.linkAddr(b, tha, hln)
		d.s(" tell ")
		d.linkAddr(b, sha, hln)
	case 9:
		d.s("Inverse Reply ")
		d.linkAddr(b, sha, hln)
		d.s(" at ")
		d.protoAddr(b, spa, pln, pro)
	default:
		d.s("Unknown (")
		d.u(uint64(op))
		d.s(") ")
		defaultPrint(d, b)
		return
	}
	d.s(", length ")
	d.u(uint64(length))
}

func nonzero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return true
		}
	}
	return false
}

// protoAddr prints an IPv4 address, or "<wrong proto type>"/"<wrong len>"
// as tcpdump's spaddr_print_ip does.
func (d *decoder) protoAddr(b []byte, off, pln int, pro uint16) {
	switch {
	case pro != EtherTypeIPv4 && pro != 0x1000:
		d.s("<wrong proto type>")
	case pln != 4:
		d.s("<wrong len>")
	default:
		d.ip4addr(b, off)
	}
}

// linkAddr is a link-layer address: colon-separated hex bytes.
func (d *decoder) linkAddr(b []byte, off, n int) {
	d.need(b, off, n)
	if n == 0 {
		d.s("<empty>")
		return
	}
	for i := 0; i < n; i++ {
		if i > 0 {
			d.s(":")
		}
		d.hex(uint64(b[off+i]), 2)
	}
}
