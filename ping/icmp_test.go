package ping

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

func TestChecksumVectors(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		want uint16
	}{
		// RFC 1071 section 3: the sum of these words is 0xddf2.
		{"rfc1071", []byte{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7}, ^uint16(0xddf2)},
		{"empty", nil, 0xFFFF},
		{"zeros", make([]byte, 8), 0xFFFF},
		// An odd byte is padded with a zero on the right.
		{"odd", []byte{0x01}, ^uint16(0x0100)},
		{"odd3", []byte{0x12, 0x34, 0x56}, ^uint16(0x1234 + 0x5600)},
		// Carries fold back: 0xffff + 0x0001 = 0x10000 -> 0x0001.
		{"carry", []byte{0xff, 0xff, 0x00, 0x01}, ^uint16(0x0001)},
		{"allones", []byte{0xff, 0xff, 0xff, 0xff}, 0x0000},
		// iputils' first echo request of "ping -s 0" with id 0x1234:
		// 08 00 cksum 12 34 00 01 -> sum 0x0800+0x1234+0x0001 = 0x1a35.
		{"echo", []byte{0x08, 0x00, 0x00, 0x00, 0x12, 0x34, 0x00, 0x01}, ^uint16(0x1a35)},
	} {
		if got := Checksum(tc.in); got != tc.want {
			t.Errorf("%s: Checksum = %#04x, want %#04x", tc.name, got, tc.want)
		}
	}
}

// A buffer with its checksum filled in sums to zero, at any length.
func TestChecksumSelfCheck(t *testing.T) {
	for n := 0; n < 70; n++ {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(i*7 + 3)
		}
		pkt := MarshalEchoRequest(false, 0xBEEF, uint16(n), data)
		if c := Checksum(pkt); c != 0 {
			t.Fatalf("len %d: checksum over packet = %#x, want 0", n, c)
		}
	}
}

func TestMarshalEchoRequest(t *testing.T) {
	pkt := MarshalEchoRequest(false, 0x1234, 1, nil)
	want := []byte{0x08, 0x00, 0xe5, 0xca, 0x12, 0x34, 0x00, 0x01}
	if !bytes.Equal(pkt, want) {
		t.Errorf("v4 echo = % x, want % x", pkt, want)
	}
	pkt = MarshalEchoRequest(true, 0xabcd, 0x0102, []byte{9, 8})
	want = []byte{128, 0, 0, 0, 0xab, 0xcd, 0x01, 0x02, 9, 8}
	if !bytes.Equal(pkt, want) {
		t.Errorf("v6 echo = % x, want % x (checksum left to the kernel)", pkt, want)
	}
}

// ipv4Header builds a 20-byte IPv4 header (plus options) in network order.
func ipv4Header(ttl, proto byte, src, dst [4]byte, optLen int, payloadLen int) []byte {
	h := make([]byte, 20+optLen)
	h[0] = 0x40 | byte((20+optLen)/4)
	binary.BigEndian.PutUint16(h[2:], uint16(len(h)+payloadLen))
	h[8], h[9] = ttl, proto
	copy(h[12:16], src[:])
	copy(h[16:20], dst[:])
	binary.BigEndian.PutUint16(h[10:], Checksum(h))
	return h
}

func echoReply4(id, seq uint16, data []byte) []byte {
	b := MarshalEchoRequest(false, id, seq, data)
	b[0] = icmpEchoReply
	b[2], b[3] = 0, 0
	binary.BigEndian.PutUint16(b[2:], Checksum(b))
	return b
}

func TestParseIPv4EchoReply(t *testing.T) {
	data := payload(56, 1700000000, 123456)
	icmp := echoReply4(0x4242, 7, data)
	for _, opt := range []int{0, 4, 40} {
		raw := append(ipv4Header(63, 1, [4]byte{192, 0, 2, 11}, [4]byte{192, 0, 2, 10}, opt, len(icmp)), icmp...)
		m, err := ParseIPv4(raw, true)
		if err != nil {
			t.Fatalf("options %d: %v", opt, err)
		}
		if m.Kind != KindEchoReply || m.ID != 0x4242 || m.Seq != 7 || m.TTL != 63 ||
			!m.ChecksumOK || m.ICMPLen != 64 || !bytes.Equal(m.Data, data) {
			t.Errorf("options %d: got %+v", opt, m)
		}
		if us, ok := timestamp(m.Data); !ok || us != 1700000000*1000000+123456 {
			t.Errorf("timestamp = %d, %v", us, ok)
		}
	}
	// A ping socket hands over the ICMP part only; TTL comes by cmsg.
	m, err := ParseIPv4(icmp, false)
	if err != nil || m.Kind != KindEchoReply || m.TTL != -1 || m.Seq != 7 {
		t.Errorf("dgram: %+v, %v", m, err)
	}
	// One flipped bit: still a reply, but a corrupted one.
	bad := bytes.Clone(icmp)
	bad[20] ^= 0x01
	if m, _ := ParseIPv4(bad, false); m.Kind != KindEchoReply || m.ChecksumOK {
		t.Errorf("corrupted reply: %+v", m)
	}
}

func TestParseIPv4Bad(t *testing.T) {
	icmp := echoReply4(1, 1, nil)
	hdr := ipv4Header(64, 1, [4]byte{1, 2, 3, 4}, [4]byte{5, 6, 7, 8}, 0, len(icmp))
	short := append(bytes.Clone(hdr), icmp[:4]...)
	ihl4 := append(bytes.Clone(hdr), icmp...)
	ihl4[0] = 0x44
	v6 := append(bytes.Clone(hdr), icmp...)
	v6[0] = 0x65
	bigIHL := append(bytes.Clone(hdr), icmp...)
	bigIHL[0] = 0x4F // 60-byte header, longer than the packet
	for name, b := range map[string][]byte{
		"empty": nil, "header only": hdr, "short icmp": short,
		"ihl<5": ihl4, "version 6": v6, "ihl past end": bigIHL,
	} {
		if _, err := ParseIPv4(b, true); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := ParseIPv4(icmp[:7], false); err == nil {
		t.Error("7-byte ICMP: no error")
	}
}

func TestParseIPv4Errors(t *testing.T) {
	us, target := [4]byte{192, 0, 2, 10}, [4]byte{192, 0, 2, 98}
	req := MarshalEchoRequest(false, 0x5151, 3, payload(56, 0, 0))
	quoted := append(ipv4Header(64, 1, us, target, 0, len(req)), req[:8]...)
	mk := func(typ, code byte, rest uint32, q []byte) []byte {
		b := make([]byte, 8, 8+len(q))
		b[0], b[1] = typ, code
		binary.BigEndian.PutUint32(b[4:], rest)
		b = append(b, q...)
		binary.BigEndian.PutUint16(b[2:], Checksum(b))
		return append(ipv4Header(64, 1, us, us, 0, len(b)), b...)
	}
	m, err := ParseIPv4(mk(icmpDestUnreach, 1, 0, quoted), true)
	if err != nil || m.Kind != KindError || m.ID != 0x5151 || m.Seq != 3 ||
		m.QuotedDst != netip.AddrFrom4(target) || m.Code != 1 {
		t.Errorf("host unreachable: %+v, %v", m, err)
	}
	m, _ = ParseIPv4(mk(icmpTimeExceeded, 0, 0, quoted), true)
	if m.Kind != KindError || m.Type != icmpTimeExceeded {
		t.Errorf("time exceeded: %+v", m)
	}
	m, _ = ParseIPv4(mk(icmpRedirect, 1, 0xC0000201, quoted), true)
	if m.Kind != KindNotice || m.Info != 0xC0000201 {
		t.Errorf("redirect: %+v", m)
	}
	// An error about a UDP datagram is none of ping's business.
	udp := bytes.Clone(quoted)
	udp[9] = 17
	if m, err := ParseIPv4(mk(icmpDestUnreach, 3, 0, udp), true); err == nil && m.Kind != KindOther {
		t.Errorf("udp error: %+v", m)
	}
	// ... nor one about an echo reply.
	rep := bytes.Clone(quoted)
	rep[20] = icmpEchoReply
	if m, _ := ParseIPv4(mk(icmpDestUnreach, 1, 0, rep), true); m.Kind != KindOther {
		t.Errorf("error about a reply: %+v", m)
	}
	// Quoted header cut short.
	if _, err := ParseIPv4(mk(icmpDestUnreach, 1, 0, quoted[:24]), true); err == nil {
		t.Error("short quote: no error")
	}
	// Our own echo request looped back on a raw socket: other.
	if m, _ := ParseIPv4(req, false); m.Kind != KindOther {
		t.Errorf("echo request: %+v", m)
	}
}

func ipv6Header(next byte, src, dst netip.Addr, payloadLen int) []byte {
	h := make([]byte, 40)
	h[0] = 0x60
	binary.BigEndian.PutUint16(h[4:], uint16(payloadLen))
	h[6], h[7] = next, 64
	s, d := src.As16(), dst.As16()
	copy(h[8:24], s[:])
	copy(h[24:40], d[:])
	return h
}

func TestParseIPv6(t *testing.T) {
	data := payload(56, 5, 6)
	rep := MarshalEchoRequest(true, 0x0102, 0xFFFF, data)
	rep[0] = icmp6EchoReply
	m, err := ParseIPv6(rep)
	if err != nil || m.Kind != KindEchoReply || m.ID != 0x0102 || m.Seq != 0xFFFF ||
		m.ICMPLen != 64 || !bytes.Equal(m.Data, data) || m.TTL != -1 {
		t.Errorf("echo reply: %+v, %v", m, err)
	}

	src, dst := netip.MustParseAddr("2001:db8::10"), netip.MustParseAddr("2001:db8::98")
	req := MarshalEchoRequest(true, 0x0a0b, 9, data)
	unreach := append([]byte{icmp6DestUnreach, 3, 0, 0, 0, 0, 0, 0}, ipv6Header(58, src, dst, len(req))...)
	unreach = append(unreach, req...)
	m, err = ParseIPv6(unreach)
	if err != nil || m.Kind != KindError || m.Seq != 9 || m.ID != 0x0a0b || m.QuotedDst != dst {
		t.Errorf("unreachable: %+v, %v", m, err)
	}
	// The same through a fragment header.
	frag := append([]byte{icmp6PacketTooBig, 0, 0, 0, 0, 0, 0x05, 0xdc}, ipv6Header(44, src, dst, 8+len(req))...)
	frag = append(frag, 58, 0, 0, 1, 0, 0, 0, 42)
	frag = append(frag, req...)
	m, err = ParseIPv6(frag)
	if err != nil || m.Kind != KindError || m.Seq != 9 || m.Info != 1500 {
		t.Errorf("too big, fragment: %+v, %v", m, err)
	}
	// Errors about other protocols, and junk.
	udp := bytes.Clone(unreach)
	udp[8+6] = 17
	if m, _ := ParseIPv6(udp); m.Kind != KindOther {
		t.Errorf("udp: %+v", m)
	}
	for name, b := range map[string][]byte{
		"empty": nil, "7 bytes": rep[:7], "short quote": unreach[:8+40+4],
		"not v6": append(append([]byte{1, 0, 0, 0, 0, 0, 0, 0}, 0x45), make([]byte, 47)...),
	} {
		if _, err := ParseIPv6(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// extErr lays out sock_extended_err + sockaddr in the kernel's native
// order, the way the kernel writes them into the cmsg.
func extErr(errno uint32, origin, typ, code uint8, info uint32, sa []byte) []byte {
	ne := binary.NativeEndian
	b := make([]byte, 16)
	ne.PutUint32(b[0:], errno)
	b[4], b[5], b[6] = origin, typ, code
	ne.PutUint32(b[8:], info)
	return append(b, sa...)
}

func sockaddrIn(a [4]byte) []byte {
	b := make([]byte, 16)
	binary.NativeEndian.PutUint16(b, afInet)
	copy(b[4:], a[:])
	return b
}

func sockaddrIn6(a netip.Addr, scope uint32) []byte {
	b := make([]byte, 28)
	binary.NativeEndian.PutUint16(b, afInet6)
	x := a.As16()
	copy(b[8:], x[:])
	binary.NativeEndian.PutUint32(b[24:], scope)
	return b
}

func TestParseExtendedErr(t *testing.T) {
	e, err := ParseExtendedErr(extErr(113, eeOriginICMP, 3, 1, 0, sockaddrIn([4]byte{192, 0, 2, 10})), nil)
	if err != nil || e.Errno != 113 || e.Origin != eeOriginICMP || e.Type != 3 || e.Code != 1 ||
		e.Offender != netip.MustParseAddr("192.0.2.10") {
		t.Errorf("v4: %+v, %v", e, err)
	}
	ll := netip.MustParseAddr("fe80::1")
	zone := func(id uint32) string {
		if id == 7 {
			return "br1"
		}
		return ""
	}
	e, _ = ParseExtendedErr(extErr(113, eeOriginICMP6, 1, 3, 0, sockaddrIn6(ll, 7)), zone)
	if e.Offender.String() != "fe80::1%br1" {
		t.Errorf("v6 with zone: %v", e.Offender)
	}
	e, _ = ParseExtendedErr(extErr(113, eeOriginICMP6, 1, 3, 0, sockaddrIn6(ll, 9)), zone)
	if e.Offender.String() != "fe80::1%9" {
		t.Errorf("v6 unknown zone: %v", e.Offender)
	}
	e, _ = ParseExtendedErr(extErr(90, eeOriginLocal, 0, 0, 1500, make([]byte, 16)), nil)
	if e.Origin != eeOriginLocal || e.Info != 1500 || e.Offender.IsValid() {
		t.Errorf("local: %+v", e)
	}
	if _, err := ParseExtendedErr(make([]byte, 15), nil); err == nil {
		t.Error("15 bytes: no error")
	}
	// A sockaddr cut short yields no offender rather than junk.
	e, err = ParseExtendedErr(extErr(113, eeOriginICMP6, 1, 3, 0, sockaddrIn6(ll, 0)[:20]), nil)
	if err != nil || e.Offender.IsValid() {
		t.Errorf("short sockaddr_in6: %+v %v", e, err)
	}
}

// cmsg builds one control message the way the kernel lays it out.
func cmsg(level, typ int32, data []byte) []byte {
	b := make([]byte, unix.CmsgSpace(len(data)))
	h := (*unix.Cmsghdr)(unsafe.Pointer(&b[0]))
	h.Level, h.Type = level, typ
	h.SetLen(unix.CmsgLen(len(data)))
	copy(b[unix.CmsgLen(0):], data)
	return b
}

func nativeInt(v int32) []byte {
	b := make([]byte, 4)
	binary.NativeEndian.PutUint32(b, uint32(v))
	return b
}

func timespecBytes(sec, nsec int64) []byte {
	if unsafe.Sizeof(uintptr(0)) == 8 {
		b := make([]byte, 16)
		binary.NativeEndian.PutUint64(b, uint64(sec))
		binary.NativeEndian.PutUint64(b[8:], uint64(nsec))
		return b
	}
	b := make([]byte, 8)
	binary.NativeEndian.PutUint32(b, uint32(sec))
	binary.NativeEndian.PutUint32(b[4:], uint32(nsec))
	return b
}

func TestParseRxCmsgs(t *testing.T) {
	oob := append(cmsg(unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, timespecBytes(1700000000, 987654321)),
		cmsg(unix.IPPROTO_IP, unix.IP_TTL, nativeInt(61))...)
	info := parseRxCmsgs(oob)
	if !info.haveStamp || info.stampNS != 1700000000*1e9+987654321 || info.ttl != 61 {
		t.Errorf("v4: %+v", info)
	}
	info = parseRxCmsgs(cmsg(unix.IPPROTO_IPV6, unix.IPV6_HOPLIMIT, nativeInt(255)))
	if info.haveStamp || info.ttl != 255 {
		t.Errorf("v6: %+v", info)
	}
	if info := parseRxCmsgs(nil); info.ttl != -1 || info.haveStamp {
		t.Errorf("none: %+v", info)
	}
	// Truncated control data is ignored, not trusted.
	if info := parseRxCmsgs(oob[:5]); info.ttl != -1 || info.haveStamp {
		t.Errorf("truncated: %+v", info)
	}
}

func TestParseErrQueueCmsg(t *testing.T) {
	ee := extErr(113, eeOriginICMP, 3, 1, 0, sockaddrIn([4]byte{192, 0, 2, 10}))
	e, ok := parseErrQueue(cmsg(unix.IPPROTO_IP, unix.IP_RECVERR, ee), false, nil)
	if !ok || e.Type != 3 || e.Offender.String() != "192.0.2.10" {
		t.Errorf("v4: %+v %v", e, ok)
	}
	// The IPv4 record is not taken for an IPv6 socket's.
	if _, ok := parseErrQueue(cmsg(unix.IPPROTO_IP, unix.IP_RECVERR, ee), true, nil); ok {
		t.Error("v4 cmsg accepted on a v6 socket")
	}
	ee6 := extErr(113, eeOriginICMP6, 1, 3, 0, sockaddrIn6(netip.MustParseAddr("2001:db8::10"), 0))
	e, ok = parseErrQueue(cmsg(unix.IPPROTO_IPV6, unix.IPV6_RECVERR, ee6), true, nil)
	if !ok || e.Code != 3 || e.Offender.String() != "2001:db8::10" {
		t.Errorf("v6: %+v %v", e, ok)
	}
}

func TestPayload(t *testing.T) {
	p := payload(56, 1, 2)
	for i := timestampLen; i < len(p); i++ {
		if p[i] != byte(i) {
			t.Fatalf("byte %d = %d", i, p[i])
		}
	}
	if us, ok := timestamp(p); !ok || us != 1000002 {
		t.Errorf("timestamp = %d %v", us, ok)
	}
	small := payload(8, 1, 2)
	if !bytes.Equal(small, []byte{0, 1, 2, 3, 4, 5, 6, 7}) {
		t.Errorf("8-byte payload = % x (no room for a timestamp)", small)
	}
	if _, ok := timestamp(small); ok {
		t.Error("timestamp in 8 bytes")
	}
}

func TestICMPText(t *testing.T) {
	for _, tc := range []struct {
		v6        bool
		typ, code uint8
		info      uint32
		want      string
	}{
		{false, 3, 0, 0, "Destination Net Unreachable"},
		{false, 3, 1, 0, "Destination Host Unreachable"},
		{false, 3, 3, 0, "Destination Port Unreachable"},
		{false, 3, 4, 1400, "Frag needed and DF set (mtu = 1400)"},
		{false, 3, 13, 0, "Packet filtered"},
		{false, 3, 99, 0, "Dest Unreachable, Bad Code: 99"},
		{false, 11, 0, 0, "Time to live exceeded"},
		{false, 11, 1, 0, "Frag reassembly time exceeded"},
		{false, 12, 0, 20, "Parameter problem: pointer = 20"},
		{false, 5, 1, 0xC0000201, "Redirect Host(New nexthop: 192.0.2.1)"},
		{false, 4, 0, 0, "Source Quench"},
		{false, 42, 0, 0, "Bad ICMP type: 42"},
		{true, 1, 0, 0, "Destination unreachable: No route"},
		{true, 1, 3, 0, "Destination unreachable: Address unreachable"},
		{true, 1, 4, 0, "Destination unreachable: Port unreachable"},
		{true, 2, 0, 1280, "Packet too big: mtu=1280"},
		{true, 3, 0, 0, "Time exceeded: Hop limit"},
		{true, 4, 1, 40, "Parameter problem: Unknown header at 40"},
		{true, 200, 0, 0, "unknown icmp type: 200"},
	} {
		var got string
		if tc.v6 {
			got = icmp6Text(tc.typ, tc.code, tc.info)
		} else {
			got = icmpText(tc.typ, tc.code, tc.info)
		}
		if got != tc.want {
			t.Errorf("v6=%v %d/%d: %q, want %q", tc.v6, tc.typ, tc.code, got, tc.want)
		}
	}
	e := Error{Local: true, Errno: unix.EMSGSIZE, Info: 1500}
	if got := e.Text(); got != "local error: message too long, mtu=1500" {
		t.Errorf("local EMSGSIZE: %q", got)
	}
	e = Error{Local: true, Errno: unix.ENETUNREACH}
	if got := e.Text(); got != "local error: Network is unreachable" {
		t.Errorf("local: %q", got)
	}
}
