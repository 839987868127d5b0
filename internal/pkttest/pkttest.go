// Package pkttest builds packets for tests: a corpus of crafted Ethernet
// frames with the edge cases packet filters and decoders trip over (IP
// options, fragments, IPv6 extension headers, VLAN tags, 802.3 frames,
// truncation), and the reference exercise's traffic as tcpdump captured
// it on br1 (testdata/exercise.pcap: ARP, ICMP, ICMPv6, TCP to 8080 in
// both namespaces, UDP). Used by tests only.
package pkttest

import (
	"bytes"
	_ "embed"
	"encoding/binary"
	"io"
	"net/netip"
	"time"

	"nsbox/pcap"
)

// Packet is one frame: Data are the captured bytes, Len the length on
// the wire (more than len(Data) for a truncated capture).
type Packet struct {
	Name string
	Data []byte
	Len  int
}

//go:embed testdata/exercise.pcap
var exercisePcap []byte

// ExercisePcap is the exercise's capture, as tcpdump -w wrote it.
func ExercisePcap() []byte { return bytes.Clone(exercisePcap) }

// Exercise is the frames of ExercisePcap.
func Exercise() []Packet {
	r, err := pcap.NewReader(bytes.NewReader(exercisePcap))
	if err != nil {
		panic(err)
	}
	var out []Packet
	for i := 0; ; i++ {
		rec, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			panic(err)
		}
		out = append(out, Packet{Name: "exercise#" + itoa(i+1), Data: bytes.Clone(rec.Data), Len: rec.Length})
	}
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// MACs and addresses of the crafted frames: the exercise's.
var (
	MacA  = []byte{0x02, 0x00, 0x00, 0x00, 0x00, 0x0a}
	MacB  = []byte{0x02, 0x00, 0x00, 0x00, 0x00, 0x0b}
	Bcast = []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	IPA   = netip.MustParseAddr("192.168.1.10")
	IPB   = netip.MustParseAddr("192.168.1.11")
	IPC   = netip.MustParseAddr("192.168.1.12")
	IP6A  = netip.MustParseAddr("fe80::1")
	IP6B  = netip.MustParseAddr("fe80::2")
)

var be = binary.BigEndian

// Eth is an Ethernet II frame (or 802.3 when typ <= 1500).
func Eth(dst, src []byte, typ uint16, payload []byte) []byte {
	b := append(append(append([]byte{}, dst...), src...), byte(typ>>8), byte(typ))
	return append(b, payload...)
}

// VLAN is an 802.1Q (or tpid's) tag followed by the inner ethertype.
func VLAN(tpid uint16, vid uint16, inner uint16, payload []byte) (uint16, []byte) {
	b := []byte{byte(vid >> 8), byte(vid), byte(inner >> 8), byte(inner)}
	return tpid, append(b, payload...)
}

// Checksum is the Internet checksum (RFC 1071) of b.
func Checksum(b []byte, sum uint32) uint16 {
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(be.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	return ^uint16(sum)
}

// IPv4Opts describes an IPv4 header beyond its addresses.
type IPv4Opts struct {
	ID      uint16
	TTL     uint8
	Flags   uint16 // DF 0x4000, MF 0x2000, with the fragment offset (8-byte units)
	Options []byte // padded to 4 bytes
	TOS     uint8
}

// IPv4 is an IPv4 packet with a correct header checksum.
func IPv4(src, dst netip.Addr, proto uint8, payload []byte, o IPv4Opts) []byte {
	opts := append([]byte{}, o.Options...)
	for len(opts)%4 != 0 {
		opts = append(opts, 0)
	}
	hl := 20 + len(opts)
	h := make([]byte, hl)
	h[0] = 0x40 | byte(hl/4)
	h[1] = o.TOS
	be.PutUint16(h[2:], uint16(hl+len(payload)))
	be.PutUint16(h[4:], o.ID)
	be.PutUint16(h[6:], o.Flags)
	ttl := o.TTL
	if ttl == 0 {
		ttl = 64
	}
	h[8], h[9] = ttl, proto
	s, d := src.As4(), dst.As4()
	copy(h[12:], s[:])
	copy(h[16:], d[:])
	copy(h[20:], opts)
	be.PutUint16(h[10:], Checksum(h, 0))
	return append(h, payload...)
}

// IPv6 is an IPv6 packet; next is the first next-header value.
func IPv6(src, dst netip.Addr, next uint8, payload []byte) []byte {
	h := make([]byte, 40)
	h[0] = 0x60
	be.PutUint16(h[4:], uint16(len(payload)))
	h[6], h[7] = next, 64
	s, d := src.As16(), dst.As16()
	copy(h[8:], s[:])
	copy(h[24:], d[:])
	return append(h, payload...)
}

// ExtHeader is an IPv6 extension header (hop-by-hop, routing,
// destination options: 8 bytes with PadN).
func ExtHeader(next uint8, payload []byte) []byte {
	return append([]byte{next, 0, 1, 4, 0, 0, 0, 0}, payload...)
}

// FragHeader is an IPv6 fragment header.
func FragHeader(next uint8, offset uint16, more bool, id uint32, payload []byte) []byte {
	fo := offset << 3
	if more {
		fo |= 1
	}
	b := []byte{next, 0, byte(fo >> 8), byte(fo), 0, 0, 0, 0}
	be.PutUint32(b[4:], id)
	return append(b, payload...)
}

// pseudo is the checksum of the pseudo-header of src, dst.
func pseudo(src, dst netip.Addr, proto uint8, n int) uint32 {
	var b []byte
	if src.Is4() {
		s, d := src.As4(), dst.As4()
		b = append(append(b, s[:]...), d[:]...)
		b = append(b, 0, proto, byte(n>>8), byte(n))
	} else {
		s, d := src.As16(), dst.As16()
		b = append(append(b, s[:]...), d[:]...)
		b = append(b, byte(n>>24), byte(n>>16), byte(n>>8), byte(n), 0, 0, 0, proto)
	}
	var sum uint32
	for i := 0; i < len(b); i += 2 {
		sum += uint32(be.Uint16(b[i:]))
	}
	return sum
}

// TCP is a TCP segment with a correct checksum for src, dst.
func TCP(src, dst netip.Addr, sport, dport uint16, seq, ack uint32, flags uint8, win uint16, opts, data []byte) []byte {
	for len(opts)%4 != 0 {
		opts = append(opts, 1)
	}
	h := make([]byte, 20+len(opts))
	be.PutUint16(h[0:], sport)
	be.PutUint16(h[2:], dport)
	be.PutUint32(h[4:], seq)
	be.PutUint32(h[8:], ack)
	h[12] = byte(len(h)/4) << 4
	h[13] = flags
	be.PutUint16(h[14:], win)
	copy(h[20:], opts)
	seg := append(h, data...)
	be.PutUint16(seg[16:], Checksum(seg, pseudo(src, dst, 6, len(seg))))
	return seg
}

// UDP is a UDP datagram with a correct checksum.
func UDP(src, dst netip.Addr, sport, dport uint16, data []byte) []byte {
	h := make([]byte, 8)
	be.PutUint16(h[0:], sport)
	be.PutUint16(h[2:], dport)
	be.PutUint16(h[4:], uint16(8+len(data)))
	d := append(h, data...)
	be.PutUint16(d[6:], Checksum(d, pseudo(src, dst, 17, len(d))))
	return d
}

// ICMP is an ICMP message with a correct checksum.
func ICMP(typ, code uint8, rest []byte) []byte {
	b := append([]byte{typ, code, 0, 0}, rest...)
	be.PutUint16(b[2:], Checksum(b, 0))
	return b
}

// ICMP6 is an ICMPv6 message with a correct checksum for src, dst.
func ICMP6(src, dst netip.Addr, typ, code uint8, rest []byte) []byte {
	b := append([]byte{typ, code, 0, 0}, rest...)
	be.PutUint16(b[2:], Checksum(b, pseudo(src, dst, 58, len(b))))
	return b
}

// ARP is an Ethernet/IPv4 ARP message (op 1 request, 2 reply).
func ARP(op uint16, sha []byte, spa netip.Addr, tha []byte, tpa netip.Addr) []byte {
	b := []byte{0, 1, 8, 0, 6, 4, byte(op >> 8), byte(op)}
	s, t := spa.As4(), tpa.As4()
	b = append(append(b, sha...), s[:]...)
	b = append(append(b, tha...), t[:]...)
	return b
}

func echo(id, seq uint16, n int) []byte {
	b := []byte{byte(id >> 8), byte(id), byte(seq >> 8), byte(seq)}
	for i := 0; i < n; i++ {
		b = append(b, byte(i))
	}
	return b
}

func pkt(name string, data []byte) Packet { return Packet{Name: name, Data: data, Len: len(data)} }

// cut is p truncated to n captured bytes (Len stays the wire length).
func cut(p Packet, n int) Packet {
	if n > len(p.Data) {
		n = len(p.Data)
	}
	return Packet{Name: p.Name + "/cut" + itoa(n), Data: p.Data[:n], Len: p.Len}
}

// Crafted is the corpus of hand-made Ethernet frames.
func Crafted() []Packet {
	mss := []byte{2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7}
	syn := TCP(IPA, IPB, 40000, 8080, 1000, 0, 0x02, 64240, mss, nil)
	synack := TCP(IPB, IPA, 8080, 40000, 5000, 1001, 0x12, 65160, mss, nil)
	push := TCP(IPA, IPB, 40000, 8080, 1001, 5001, 0x18, 502, nil, []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	tcpv4 := func(name string, seg []byte, o IPv4Opts, src, dst netip.Addr) Packet {
		return pkt(name, Eth(MacB, MacA, 0x0800, IPv4(src, dst, 6, seg, o)))
	}
	var c []Packet
	add := func(p ...Packet) { c = append(c, p...) }
	arpReq := pkt("arp request", Eth(Bcast, MacA, 0x0806, ARP(1, MacA, IPA, make([]byte, 6), IPB)))
	add(arpReq,
		pkt("arp reply", Eth(MacA, MacB, 0x0806, ARP(2, MacB, IPB, MacA, IPA))),
		pkt("rarp", Eth(Bcast, MacA, 0x8035, ARP(3, MacA, IPA, MacA, IPA))),
		pkt("icmp echo", Eth(MacB, MacA, 0x0800, IPv4(IPA, IPB, 1, ICMP(8, 0, echo(7, 1, 56)), IPv4Opts{ID: 1, Flags: 0x4000}))),
		pkt("icmp reply", Eth(MacA, MacB, 0x0800, IPv4(IPB, IPA, 1, ICMP(0, 0, echo(7, 1, 56)), IPv4Opts{ID: 2}))),
		tcpv4("tcp syn", syn, IPv4Opts{ID: 3, Flags: 0x4000}, IPA, IPB),
		tcpv4("tcp synack", synack, IPv4Opts{ID: 4, Flags: 0x4000}, IPB, IPA),
		tcpv4("tcp push", push, IPv4Opts{ID: 5, Flags: 0x4000}, IPA, IPB),
		// IP options (record route, 12 bytes): the ports move.
		tcpv4("tcp ip options", syn, IPv4Opts{ID: 6, Options: []byte{7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0}}, IPA, IPB),
		tcpv4("tcp ip options max", syn, IPv4Opts{ID: 7, Options: append([]byte{7, 39, 4}, make([]byte, 36)...)}, IPA, IPC),
		// Fragments: the first has the UDP header, a later one data
		// that looks like ports 53.
		pkt("udp first fragment", Eth(MacB, MacA, 0x0800, IPv4(IPA, IPB, 17, UDP(IPA, IPB, 5353, 53, make([]byte, 32)), IPv4Opts{ID: 8, Flags: 0x2000}))),
		pkt("udp later fragment", Eth(MacB, MacA, 0x0800, IPv4(IPA, IPB, 17, []byte{0, 53, 0, 53, 1, 2, 3, 4}, IPv4Opts{ID: 8, Flags: 5}))),
		pkt("tcp later fragment", Eth(MacB, MacA, 0x0800, IPv4(IPA, IPB, 6, []byte{0x1f, 0x90, 0x1f, 0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 2, 0, 0}, IPv4Opts{ID: 9, Flags: 0x2000 | 3}))),
		pkt("udp", Eth(MacB, MacA, 0x0800, IPv4(IPA, IPB, 17, UDP(IPA, IPB, 41000, 9999, []byte("udp\n")), IPv4Opts{ID: 10, Flags: 0x4000}))),
		pkt("udp broadcast", Eth(Bcast, MacA, 0x0800, IPv4(IPA, netip.MustParseAddr("255.255.255.255"), 17, UDP(IPA, netip.MustParseAddr("255.255.255.255"), 68, 67, make([]byte, 20)), IPv4Opts{ID: 11}))),
		pkt("udp subnet broadcast", Eth(Bcast, MacA, 0x0800, IPv4(IPA, netip.MustParseAddr("192.168.1.255"), 17, UDP(IPA, netip.MustParseAddr("192.168.1.255"), 9999, 9999, []byte("hi")), IPv4Opts{ID: 12}))),
		pkt("igmp multicast", Eth([]byte{0x01, 0, 0x5e, 0, 0, 0x16}, MacA, 0x0800, IPv4(IPA, netip.MustParseAddr("224.0.0.22"), 2, []byte{0x22, 0, 0xfa, 0x02, 0, 0, 0, 0}, IPv4Opts{ID: 13, TTL: 1, Options: []byte{0x94, 4, 0, 0}}))),
		pkt("sctp 8080", Eth(MacB, MacA, 0x0800, IPv4(IPA, IPB, 132, []byte{0x9c, 0x40, 0x1f, 0x90, 0, 0, 0, 1, 0, 0, 0, 0}, IPv4Opts{ID: 14}))),
		pkt("esp from 10.1.2.3", Eth(MacB, MacA, 0x0800, IPv4(netip.MustParseAddr("10.1.2.3"), IPB, 50, []byte{0, 0, 1, 0, 0, 0, 0, 1, 9, 9, 9, 9}, IPv4Opts{ID: 18}))),
		pkt("udp 120 bytes from 192.168.1.200", Eth(MacB, MacA, 0x0800, IPv4(netip.MustParseAddr("192.168.1.200"), IPB, 17, UDP(netip.MustParseAddr("192.168.1.200"), IPB, 9990, 10000, append([]byte{0, 0, 0, 9}, make([]byte, 96)...)), IPv4Opts{ID: 19}))),
		pkt("gre", Eth(MacB, MacA, 0x0800, IPv4(IPA, IPB, 47, []byte{0, 0, 0x08, 0, 1, 2, 3, 4}, IPv4Opts{ID: 15}))),
		pkt("ip header length 4 (bogus)", Eth(MacB, MacA, 0x0800, append([]byte{0x44}, IPv4(IPA, IPB, 6, syn, IPv4Opts{})[1:]...))),
		pkt("ip version 5", Eth(MacB, MacA, 0x0800, append([]byte{0x55}, IPv4(IPA, IPB, 17, UDP(IPA, IPB, 1, 2, nil), IPv4Opts{})[1:]...))),
		pkt("tcp port 80 src 192.168.1.12", Eth(MacB, MacA, 0x0800, IPv4(IPC, IPB, 6, TCP(IPC, IPB, 80, 33000, 1, 1, 0x10, 100, nil, nil), IPv4Opts{ID: 16}))),
		pkt("tcp rst", Eth(MacA, MacB, 0x0800, IPv4(IPC, IPA, 6, TCP(IPC, IPA, 8081, 45932, 0, 1771717887, 0x14, 0, nil, nil), IPv4Opts{ID: 0, Flags: 0x4000}))),
		pkt("icmp port unreachable", Eth(MacA, MacB, 0x0800, IPv4(IPB, IPA, 1, ICMP(3, 3, append([]byte{0, 0, 0, 0}, IPv4(IPA, IPB, 17, UDP(IPA, IPB, 41000, 9999, []byte("udp\n")), IPv4Opts{ID: 10})...)), IPv4Opts{ID: 17}))),
	)
	// IPv6, with and without extension headers.
	tcp6 := TCP(IP6A, IP6B, 40001, 8080, 7, 0, 0x02, 64800, mss, nil)
	udp6 := UDP(IP6A, IP6B, 41001, 9999, []byte("udp6"))
	ip6tcp := pkt("ip6 tcp", Eth(MacB, MacA, 0x86dd, IPv6(IP6A, IP6B, 6, tcp6)))
	add(ip6tcp,
		pkt("ip6 udp", Eth(MacB, MacA, 0x86dd, IPv6(IP6A, IP6B, 17, udp6))),
		pkt("ip6 icmp6 echo", Eth(MacB, MacA, 0x86dd, IPv6(IP6A, IP6B, 58, ICMP6(IP6A, IP6B, 128, 0, echo(9, 1, 56))))),
		pkt("ip6 icmp6 reply", Eth(MacA, MacB, 0x86dd, IPv6(IP6B, IP6A, 58, ICMP6(IP6B, IP6A, 129, 0, echo(9, 1, 56))))),
		pkt("ip6 hop-by-hop mld", Eth([]byte{0x33, 0x33, 0, 0, 0, 0x16}, MacA, 0x86dd, IPv6(IP6A, netip.MustParseAddr("ff02::16"), 0,
			ExtHeader(58, ICMP6(IP6A, netip.MustParseAddr("ff02::16"), 143, 0, []byte{0, 0, 0, 1, 4, 0, 0, 0, 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0, 0, 1}))))),
		pkt("ip6 fragment udp", Eth(MacB, MacA, 0x86dd, IPv6(IP6A, IP6B, 44, FragHeader(17, 0, true, 99, udp6)))),
		pkt("ip6 later fragment", Eth(MacB, MacA, 0x86dd, IPv6(IP6A, IP6B, 44, FragHeader(6, 100, false, 99, []byte{0x1f, 0x90, 0x1f, 0x90, 9, 9, 9, 9})))),
		pkt("ip6 routing tcp", Eth(MacB, MacA, 0x86dd, IPv6(IP6A, IP6B, 43, ExtHeader(6, tcp6)))),
		pkt("ip6 dstopts udp", Eth(MacB, MacA, 0x86dd, IPv6(IP6A, IP6B, 60, ExtHeader(17, udp6)))),
		pkt("ip6 neighbor solicitation", Eth([]byte{0x33, 0x33, 0xff, 0, 0, 2}, MacA, 0x86dd, IPv6(IP6A, netip.MustParseAddr("ff02::1:ff00:2"), 58,
			ICMP6(IP6A, netip.MustParseAddr("ff02::1:ff00:2"), 135, 0, append(append([]byte{0, 0, 0, 0}, IP6B.AsSlice()...), 1, 1, 2, 0, 0, 0, 0, 0x0a))))),
		pkt("ip6 pim", Eth([]byte{0x33, 0x33, 0, 0, 0, 0x0d}, MacA, 0x86dd, IPv6(IP6A, netip.MustParseAddr("ff02::d"), 103, []byte{0x20, 0, 0, 0, 0, 1, 0, 2}))),
		pkt("ip6 ah", Eth(MacB, MacA, 0x86dd, IPv6(IP6A, IP6B, 51, []byte{17, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0}))),
		pkt("ip6 sctp", Eth(MacB, MacA, 0x86dd, IPv6(IP6A, IP6B, 132, []byte{0x9c, 0x41, 0x1f, 0x90, 0, 0, 0, 1, 0, 0, 0, 0}))),
		pkt("ip6 tcp 192.168.1.11 lookalike", Eth(MacB, MacA, 0x86dd, IPv6(netip.MustParseAddr("::c0a8:10b"), netip.MustParseAddr("fd00::c0a8:10c"), 6, TCP(IP6A, IP6B, 80, 443, 1, 1, 0x10, 1, nil, nil)))),
	)
	// VLAN tags: 802.1Q, 802.1ad + 802.1Q, the old 0x9100.
	t1, p1 := VLAN(0x8100, 10, 0x0800, IPv4(IPA, IPB, 6, TCP(IPA, IPB, 40002, 80, 1, 0, 0x02, 1000, nil, nil), IPv4Opts{ID: 20}))
	tIn, pIn := VLAN(0x8100, 20, 0x0800, IPv4(IPA, IPC, 17, UDP(IPA, IPC, 1, 9999, []byte("x")), IPv4Opts{ID: 21}))
	t2, p2 := VLAN(0x88a8, 10, tIn, pIn)
	t3, p3 := VLAN(0x9100, 4095, 0x86dd, IPv6(IP6A, IP6B, 6, tcp6))
	t4, p4 := VLAN(0x8100, 0x2000|10, 0x0806, ARP(1, MacA, IPA, make([]byte, 6), IPB))
	t5, p5 := VLAN(0x8100, 20, 0x0800, IPv4(IPA, IPB, 1, ICMP(8, 0, echo(1, 1, 8)), IPv4Opts{ID: 22}))
	vlan10 := pkt("vlan 10 tcp 80", Eth(MacB, MacA, t1, p1))
	add(vlan10,
		pkt("qinq 10/20 udp", Eth(MacB, MacA, t2, p2)),
		pkt("vlan 0x9100 4095 ip6 tcp", Eth(MacB, MacA, t3, p3)),
		pkt("vlan 10 prio arp", Eth(Bcast, MacA, t4, p4)),
		pkt("vlan 20 icmp", Eth(MacB, MacA, t5, p5)),
	)
	// 802.3 frames and other ethertypes.
	add(
		pkt("stp bpdu", Eth([]byte{0x01, 0x80, 0xc2, 0, 0, 0}, MacA, 38, append([]byte{0x42, 0x42, 0x03}, make([]byte, 35)...))),
		pkt("llc ip sap", Eth(MacB, MacA, 20, append([]byte{0x06, 0x06, 0x03}, make([]byte, 17)...))),
		pkt("lldp", Eth([]byte{0x01, 0x80, 0xc2, 0, 0, 0x0e}, MacA, 0x88cc, make([]byte, 32))),
		pkt("ethertype 100", Eth(MacB, MacA, 100, []byte{100, 100, 3, 0, 0, 0})),
		pkt("unknown ethertype", Eth(MacB, MacA, 0x1234, []byte("payload of an unknown type"))),
	)
	// Truncated captures: every filter must reject what it cannot read
	// the same way.
	syn4 := c[5]
	for _, n := range []int{0, 1, 6, 12, 13, 14, 20, 23, 24, 30, 34, 35, 36, 38, 40, 50} {
		add(cut(syn4, n))
	}
	for _, n := range []int{14, 21, 40, 54, 55, 56, 57} {
		add(cut(ip6tcp, n))
	}
	for _, n := range []int{13, 16, 17, 18, 30, 40} {
		add(cut(vlan10, n))
	}
	add(cut(arpReq, 20), cut(arpReq, 32), cut(arpReq, 41))
	return c
}

// ToSLL2 turns an Ethernet frame into what a "-i any" capture holds:
// the 20-byte LINUX_SLL2 header and the network-layer packet.
func ToSLL2(p Packet, ifindex uint32, pkttype uint8) Packet {
	if len(p.Data) < 14 {
		return Packet{Name: p.Name + "/sll2", Data: nil, Len: max(0, p.Len-14) + 20}
	}
	h := make([]byte, 20)
	copy(h[0:2], p.Data[12:14])
	be.PutUint32(h[4:], ifindex)
	be.PutUint16(h[8:], 1) // ARPHRD_ETHER
	h[10] = pkttype
	h[11] = 6
	copy(h[12:], p.Data[6:12])
	data := append(h, p.Data[14:]...)
	return Packet{Name: p.Name + "/sll2", Data: data, Len: p.Len - 14 + 20}
}

// Pcap writes packets as a pcap file of link type lt.
func Pcap(lt pcap.LinkType, pkts []Packet) []byte {
	var buf bytes.Buffer
	w, _ := pcap.NewWriter(&buf, lt, 0)
	t := time.Unix(1700000000, 0)
	for i, p := range pkts {
		w.WritePacket(t.Add(time.Duration(i)*time.Millisecond), p.Len, p.Data)
	}
	w.Flush()
	return buf.Bytes()
}
