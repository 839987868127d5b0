package ping

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"
)

// FuzzParseReply feeds the reply decoders what a socket could hand them:
// IPv4 with or without the IP header (raw or ping socket), or ICMPv6.
// Seeds: testdata/fuzz/FuzzParseReply.
func FuzzParseReply(f *testing.F) {
	f.Add(echoReply4(1, 1, payload(56, 1, 2)), false, false)
	f.Add(MarshalEchoRequest(true, 1, 1, payload(16, 1, 2)), true, false)
	f.Fuzz(func(t *testing.T, b []byte, v6, ipHeader bool) {
		echoRoundTrip(t, b, v6, ipHeader)
		var m Message
		var err error
		if v6 {
			m, err = ParseIPv6(b)
		} else {
			m, err = ParseIPv4(b, ipHeader)
		}
		if err != nil {
			return
		}
		if m.ICMPLen < icmpHeaderLen || m.ICMPLen > len(b) {
			t.Fatalf("ICMPLen %d of %d bytes", m.ICMPLen, len(b))
		}
		switch m.Kind {
		case KindEchoReply:
			if len(m.Data) != m.ICMPLen-icmpHeaderLen {
				t.Fatalf("data %d bytes, ICMP %d", len(m.Data), m.ICMPLen)
			}
			if v6 && m.Type != icmp6EchoReply || !v6 && m.Type != icmpEchoReply {
				t.Fatalf("echo reply of type %d", m.Type)
			}
		case KindError, KindNotice:
			if !m.QuotedDst.IsValid() || m.QuotedDst.Is4() == v6 {
				t.Fatalf("quoted destination %v", m.QuotedDst)
			}
		}
		if !v6 && ipHeader && (m.TTL < 0 || m.TTL > 255) {
			t.Fatalf("TTL %d", m.TTL)
		}
		if !v6 {
			checkVerdict(t, b, ipHeader, m)
		}
	})
}

// checkVerdict: the IPv4 checksum verdict covers every byte of the ICMP
// message. The Internet checksum detects any one flipped bit, so with
// the checksum field made right the message is ChecksumOK, and with one
// bit of its last byte flipped (a payload or quoted byte: the same kind
// of message) it is not, whenever it still parses.
func checkVerdict(t *testing.T, b []byte, ipHeader bool, m Message) {
	t.Helper()
	icmp := len(b) - m.ICMPLen
	good := append([]byte(nil), b...)
	good[icmp+2], good[icmp+3] = 0, 0
	binary.BigEndian.PutUint16(good[icmp+2:], Checksum(good[icmp:]))
	if g, err := ParseIPv4(good, ipHeader); err == nil && !g.ChecksumOK {
		t.Fatalf("% x: checksum field made right, verdict bad", good)
	}
	bad := append([]byte(nil), good...)
	bad[len(bad)-1] ^= 1
	if g, err := ParseIPv4(bad, ipHeader); err == nil && g.ChecksumOK {
		t.Fatalf("% x: last bit flipped, verdict good", bad)
	}
}

// FuzzParseErrQueue feeds control-message bytes to the decoders of
// IP_RECVERR/IPV6_RECVERR records and of the receive cmsgs (TTL, hop
// limit, timestamp). Seeds: testdata/fuzz/FuzzParseErrQueue.
func FuzzParseErrQueue(f *testing.F) {
	f.Add(extErr(113, eeOriginICMP, 3, 1, 0, sockaddrIn([4]byte{192, 0, 2, 10})), false)
	f.Fuzz(func(t *testing.T, b []byte, v6 bool) {
		zone := func(id uint32) string {
			if id == 1 {
				return "lo"
			}
			return ""
		}
		errQueueRoundTrip(t, b, v6, zone)
		if e, err := ParseExtendedErr(b, zone); err == nil {
			if e.Offender.IsValid() && !e.Offender.Is4() && !e.Offender.Is6() {
				t.Fatalf("offender %v", e.Offender)
			}
		}
		if e, ok := parseErrQueue(b, v6, zone); ok && e.Offender.IsValid() && e.Offender.Zone() != "" && !e.Offender.Is6() {
			t.Fatalf("zone on %v", e.Offender)
		}
		info := parseRxCmsgs(b)
		if !info.haveStamp && info.stampNS != 0 {
			t.Fatal("timestamp without cmsg")
		}
	})
}

// echoRoundTrip: an echo reply made of the input (identifier and
// sequence from its first bytes, the rest its data; IPv4 with an IP
// header of TTL b[4] when asked) reads back as it was made.
func echoRoundTrip(t *testing.T, b []byte, v6, ipHeader bool) {
	t.Helper()
	if len(b) < 5 {
		return
	}
	id, seq, ttl, data := binary.BigEndian.Uint16(b), binary.BigEndian.Uint16(b[2:]), b[4], b[5:]
	var m Message
	var err error
	if v6 {
		pkt := MarshalEchoRequest(true, id, seq, data)
		pkt[0] = icmp6EchoReply
		m, err = ParseIPv6(pkt)
	} else {
		pkt := echoReply4(id, seq, data)
		if ipHeader {
			pkt = append(ipv4Header(ttl, 1, [4]byte{127, 0, 0, 1}, [4]byte{127, 0, 0, 2}, int(ttl%3)*4, len(pkt)), pkt...)
		}
		m, err = ParseIPv4(pkt, ipHeader)
	}
	wantTTL := -1
	if !v6 && ipHeader {
		wantTTL = int(ttl)
	}
	if err != nil || m.Kind != KindEchoReply || m.ID != id || m.Seq != seq || !bytes.Equal(m.Data, data) ||
		!m.ChecksumOK || m.TTL != wantTTL {
		t.Fatalf("echo reply id %d seq %d ttl %d data % x (v6 %v, IP header %v) read as %+v, %v", id, seq, ttl, data, v6, ipHeader, m, err)
	}
}

// errQueueRoundTrip: a sock_extended_err and the offender's sockaddr made
// of the input, in an IP_RECVERR (IPV6_RECVERR) control message after a
// TTL (hop limit) one, read back as they were made.
func errQueueRoundTrip(t *testing.T, b []byte, v6 bool, zone func(uint32) string) {
	t.Helper()
	var in [48]byte
	copy(in[:], b)
	ne := binary.NativeEndian
	want := ExtendedErr{Errno: ne.Uint32(in[0:]), Origin: in[4], Type: in[5], Code: in[6],
		Info: ne.Uint32(in[8:]), Data: ne.Uint32(in[12:])}
	ee := make([]byte, 16)
	ne.PutUint32(ee[0:], want.Errno)
	ee[4], ee[5], ee[6] = want.Origin, want.Type, want.Code
	ne.PutUint32(ee[8:], want.Info)
	ne.PutUint32(ee[12:], want.Data)
	level, typ, ttlType := int32(unix.IPPROTO_IP), int32(unix.IP_RECVERR), int32(unix.IP_TTL)
	if v6 {
		a := netip.AddrFrom16([16]byte(in[16:32]))
		scope := ne.Uint32(in[32:]) % 4
		ee = append(ee, sockaddrIn6(a, scope)...)
		want.Offender = a
		if scope != 0 {
			want.Offender = a.WithZone(zoneName(scope, zone))
		}
		level, typ, ttlType = unix.IPPROTO_IPV6, unix.IPV6_RECVERR, unix.IPV6_HOPLIMIT
	} else {
		ee = append(ee, sockaddrIn([4]byte(in[16:20]))...)
		want.Offender = netip.AddrFrom4([4]byte(in[16:20]))
	}
	oob := append(cmsg(level, ttlType, nativeInt(int32(in[36]))), cmsg(level, typ, ee)...)
	if got, ok := parseErrQueue(oob, v6, zone); !ok || got != want {
		t.Fatalf("% x: %+v %v, want %+v", oob, got, ok, want)
	}
	if info := parseRxCmsgs(oob); info.ttl != int(in[36]) || info.haveStamp {
		t.Fatalf("% x: TTL %d, timestamp %v; want TTL %d", oob, info.ttl, info.haveStamp, in[36])
	}
}
