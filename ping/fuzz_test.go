package ping

import (
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
		if !v6 && m.ChecksumOK != (Checksum(b[len(b)-m.ICMPLen:]) == 0) {
			t.Fatal("checksum verdict differs from Checksum")
		}
	})
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
