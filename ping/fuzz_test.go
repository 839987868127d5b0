package ping

import (
	"encoding/binary"
	"testing"
)

// FuzzParseReply feeds the reply decoders what a socket could hand them:
// IPv4 with or without the IP header (raw or ping socket), or ICMPv6.
// Seeds: testdata/fuzz/FuzzParseReply.
func FuzzParseReply(f *testing.F) {
	f.Add(echoReply4(1, 1, payload(56, 1, 2)), false, false)
	f.Add(MarshalEchoRequest(true, 1, 1, payload(16, 1, 2)), true, false)
	f.Fuzz(func(t *testing.T, b []byte, v6, ipHeader bool) {
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
