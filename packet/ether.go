package packet

import (
	"nsbox/internal/escape"
	"strconv"
)

// Ethertypes (<linux/if_ether.h> ETH_P_*).
const (
	EtherTypeIPv4   = 0x0800
	EtherTypeARP    = 0x0806
	EtherTypeRARP   = 0x8035
	EtherTypeVLAN   = 0x8100
	EtherTypeQinQ   = 0x88a8
	EtherType9100   = 0x9100
	EtherType9200   = 0x9200
	EtherTypeIPv6   = 0x86dd
	maxEtherLength  = 1500 // MAX_ETHERNET_LENGTH_VAL: below, a length
	sllHeaderLen    = 16
	sll2HeaderLen   = 20
	etherHeaderLen  = 14
	linuxSLLP8023   = 0x0001 // LINUX_SLL_P_802_3
	linuxSLLP8022   = 0x0004 // LINUX_SLL_P_802_2
	arphrdEther     = 1
	arphrdLoopback  = 772
	macLen          = 6
	ieee80211Radio  = 803
	ethertypeUnkown = "Unknown"
)

// etherTypeName is tcpdump's ethertype_values.
func etherTypeName(t uint16) (string, bool) {
	switch t {
	case 0x0800:
		return "IPv4", true
	case 0x8847:
		return "MPLS unicast", true
	case 0x8848:
		return "MPLS multicast", true
	case 0x86dd:
		return "IPv6", true
	case 0x8100:
		return "802.1Q", true
	case 0x9100:
		return "802.1Q-9100", true
	case 0x88a8:
		return "802.1Q-QinQ", true
	case 0x9200:
		return "802.1Q-9200", true
	case 0x88e5:
		return "802.1AE MACsec", true
	case 0x0806:
		return "ARP", true
	case 0x8035:
		return "Reverse ARP", true
	case 0x809b:
		return "Appletalk", true
	case 0x80f3:
		return "Appletalk ARP", true
	case 0x8137:
		return "IPX", true
	case 0x880b:
		return "PPP", true
	case 0x8809:
		return "Slow Protocols", true
	case 0x8863:
		return "PPPoE D", true
	case 0x8864:
		return "PPPoE S", true
	case 0x888e:
		return "EAPOL", true
	case 0x8870:
		return "Jumbo", true
	case 0x894f:
		return "NSH", true
	case 0x9000:
		return "Loopback", true
	case 0x88cc:
		return "LLDP", true
	case 0x88ca:
		return "TIPC", true
	case 0x88a2:
		return "AoE", true
	case 0x88f7:
		return "PTP", true
	case 0x8902:
		return "CFM", true
	case 0x893a:
		return "IEEE1905.1", true
	}
	return ethertypeUnkown, false
}

func (d *decoder) mac(b []byte, off int) {
	d.need(b, off, macLen)
	for i := 0; i < macLen; i++ {
		if i > 0 {
			d.s(":")
		}
		d.hex(uint64(b[off+i]), 2)
	}
}

func (d *decoder) etherType(t uint16) {
	name, _ := etherTypeName(t)
	if d.p.Quiet {
		if name == ethertypeUnkown {
			d.s("Unknown Ethertype (0x")
			d.hex(uint64(t), 4)
			d.s(")")
			return
		}
		d.s(name)
		return
	}
	d.s("ethertype " + name + " (0x")
	d.hex(uint64(t), 4)
	d.s(")")
}

func (d *decoder) tci(tag uint16) {
	d.s("vlan ")
	d.u(uint64(tag & 0xfff))
	d.s(", p ")
	d.u(uint64(tag >> 13))
	if tag&0x1000 != 0 {
		d.s(", DEI")
	}
}

// ether is ether_print; it returns the link-layer header length.
func ether(d *decoder, b []byte, length int) int {
	d.proto = "ether"
	if len(b) < etherHeaderLen {
		d.llHdrLen = len(b)
		panic(truncated{})
	}
	orig := length
	if d.p.Ether {
		d.mac(b, 6)
		d.s(" > ")
		d.mac(b, 0)
		d.s(", ")
	}
	hdr := 12
	printedLength := false
	t := d.u16(b, hdr)
	hdr += 2
	for t == EtherTypeVLAN || t == EtherType9100 || t == EtherType9200 || t == EtherTypeQinQ {
		if len(b)-hdr < 4 || length-hdr < 4 {
			d.proto = "vlan"
			d.llHdrLen = len(b)
			panic(truncated{})
		}
		if d.p.Ether {
			d.etherType(t)
			if !printedLength {
				d.s(", length ")
				d.u(uint64(orig))
				d.s(": ")
				printedLength = true
			} else {
				d.s(", ")
			}
			d.tci(d.u16(b, hdr))
			d.s(", ")
		}
		t = d.u16(b, hdr+2)
		hdr += 4
	}
	d.llHdrLen = hdr
	payload, plen := b[hdr:], length-hdr
	if t <= maxEtherLength {
		if int(t) < plen {
			plen = int(t)
			payload = payload[:min(len(payload), plen)]
		}
		if d.p.Ether {
			d.s("802.3")
			if !printedLength {
				d.s(", length ")
				d.u(uint64(plen))
				d.s(": ")
			}
		}
		llc(d, b, payload, plen)
		return hdr
	}
	if d.p.Ether {
		d.etherType(t)
		if !printedLength {
			d.s(", length ")
			d.u(uint64(orig))
			d.s(": ")
		} else {
			d.s(", ")
		}
	}
	if !etherTypePrint(d, t, payload, plen) {
		if !d.p.Ether {
			d.mac(b, 6)
			d.s(" > ")
			d.mac(b, 0)
			d.s(", ")
			d.etherType(t)
			d.s(", length ")
			d.u(uint64(orig))
			d.s(": ")
		}
		defaultPrint(d, payload)
	}
	return hdr
}

// etherTypePrint decodes what nsbox knows; false for anything else.
func etherTypePrint(d *decoder, t uint16, b []byte, length int) bool {
	switch t {
	case EtherTypeIPv4:
		ip4(d, b, length)
	case EtherTypeIPv6:
		ip6(d, b, length)
	case EtherTypeARP, EtherTypeRARP:
		arp(d, b, length)
	default:
		return false
	}
	return true
}

// llc prints an 802.3 frame's LLC header: DSAP, SSAP, control.
func llc(d *decoder, frame, b []byte, length int) {
	d.proto = "llc"
	if len(b) < 3 {
		panic(truncated{})
	}
	dsap, ssap, ctl := b[0], b[1], b[2]
	if !d.p.Ether {
		d.mac(frame, 6)
		d.s(" > ")
		d.mac(frame, 0)
		d.s(" ")
	}
	d.s("LLC, dsap 0x")
	d.hex(uint64(dsap), 2)
	d.s(", ssap 0x")
	d.hex(uint64(ssap), 2)
	d.s(", ctrl 0x")
	d.hex(uint64(ctl), 2)
	d.s(", length ")
	d.u(uint64(length))
	defaultPrint(d, b[3:])
}

// sll2 is sll2_if_print (LINKTYPE_LINUX_SLL2, "-i any").
func sll2(d *decoder, b []byte, length int) int {
	d.proto = "sll2"
	d.need(b, 0, sll2HeaderLen)
	d.llHdrLen = sll2HeaderLen
	ifindex := d.u32(b, 4)
	name := ""
	if d.p.IfName != nil {
		name = escape.String(d.p.IfName(ifindex))
	}
	if name == "" {
		name = "?"
	}
	d.s(name)
	for i := len(name); i < 5; i++ {
		d.s(" ")
	}
	d.s(" ")
	pt := pktTypeName(b[10])
	d.s(pt)
	for i := len(pt); i < 3; i++ {
		d.s(" ")
	}
	d.s(" ")
	if d.p.Ether {
		sll2Header(d, b, length)
	}
	t := d.u16(b, 0)
	payload, plen := b[sll2HeaderLen:], length-sll2HeaderLen
	cooked(d, b, t, payload, plen, func() { sll2Header(d, b, length) })
	return sll2HeaderLen
}

func sll2Header(d *decoder, b []byte, length int) {
	d.s("ifindex ")
	d.u(uint64(d.u32(b, 4)))
	d.s(" ")
	if b[11] == macLen {
		d.mac(b, 12)
		d.s(" ")
	}
	sllType(d, d.u16(b, 0), length)
}

func sllType(d *decoder, t uint16, length int) {
	if d.p.Quiet {
		return
	}
	if t <= maxEtherLength {
		switch t {
		case linuxSLLP8023:
			d.s("802.3")
		case linuxSLLP8022:
			d.s("802.2")
		default:
			d.s("ethertype Unknown (0x")
			d.hex(uint64(t), 4)
			d.s(")")
		}
	} else {
		name, _ := etherTypeName(t)
		d.s("ethertype " + name + " (0x")
		d.hex(uint64(t), 4)
		d.s(")")
	}
	d.s(", length ")
	d.u(uint64(length))
	d.s(": ")
}

// cooked decodes what follows a LINUX_SLL/SLL2 header.
func cooked(d *decoder, hdr []byte, t uint16, b []byte, length int, header func()) {
	for t == EtherTypeVLAN {
		if len(b) < 4 {
			d.proto = "vlan"
			panic(truncated{})
		}
		if d.p.Ether {
			d.tci(d.u16(b, 0))
			d.s(", ")
		}
		t = d.u16(b, 2)
		if t <= maxEtherLength {
			t = linuxSLLP8022
		}
		if !d.p.Quiet {
			name, _ := etherTypeName(t)
			d.s("ethertype " + name + ", ")
		}
		b, length = b[4:], length-4
	}
	if t <= maxEtherLength {
		defaultPrint(d, b)
		return
	}
	if !etherTypePrint(d, t, b, length) {
		if !d.p.Ether {
			header()
		}
		defaultPrint(d, b)
	}
}

func pktTypeName(t uint8) string {
	switch t {
	case 0:
		return "In"
	case 1:
		return "B"
	case 2:
		return "M"
	case 3:
		return "P"
	case 4:
		return "Out"
	}
	return "?"
}

// sll is sll_if_print (LINKTYPE_LINUX_SLL).
func sll(d *decoder, b []byte, length int) int {
	d.proto = "sll"
	d.need(b, 0, sllHeaderLen)
	d.llHdrLen = sllHeaderLen
	if d.p.Ether {
		sllHeader(d, b, length)
	}
	t := d.u16(b, 14)
	cooked(d, b, t, b[sllHeaderLen:], length-sllHeaderLen, func() { sllHeader(d, b, length) })
	return sllHeaderLen
}

func sllHeader(d *decoder, b []byte, length int) {
	d.s(pktTypeName(uint8(d.u16(b, 0))))
	d.s(" ")
	if alen := d.u16(b, 4); alen == macLen {
		d.mac(b, 6)
		d.s(" ")
	} else if alen > 0 {
		d.s("[address length " + strconv.Itoa(int(alen)) + "] ")
	}
	sllType(d, d.u16(b, 14), length)
}

// raw is LINKTYPE_RAW: an IPv4 or IPv6 packet and nothing before it.
func raw(d *decoder, b []byte, length int) {
	d.proto = "raw"
	switch d.u8(b, 0) >> 4 {
	case 4:
		ip4(d, b, length)
	case 6:
		ip6(d, b, length)
	default:
		d.s("IP")
		d.u(uint64(b[0] >> 4))
		d.s(" (invalid)")
	}
}
