package rtnl

import (
	"reflect"
	"testing"

	"golang.org/x/sys/unix"
)

// Decoders of the kernel's neighbour, rule and route messages: what one
// decodes, encoded again and decoded again, is the same value (the
// encoder keeps every field the decoder fills, unknown attributes too).

func FuzzParseNeigh(f *testing.F) {
	ndm := (Ndmsg{Family: unix.AF_INET, Index: 3, State: NUD_REACHABLE}).AppendBinary(nil)
	f.Add(cat(ndm, nla(NDA_DST, []byte{10, 0, 0, 2}), nla(NDA_LLADDR, []byte{2, 0, 0, 0, 0, 2}),
		nla(NDA_CACHEINFO, make([]byte, 16)), nla(NDA_PROBES, u32(1)), nla(NDA_PROTOCOL, []byte{4})))
	br := (Ndmsg{Family: unix.AF_BRIDGE, Index: 6, State: NUD_NOARP, Flags: NTF_MASTER}).AppendBinary(nil)
	f.Add(cat(br, nla(NDA_LLADDR, []byte{2, 0, 0, 0, 0, 0x33}), nla(NDA_VLAN, u16(5)), nla(NDA_MASTER, u32(4)),
		nla(NDA_PORT, []byte{0x12, 0xb5}), nla(NDA_VNI, u32(42)), nla(NDA_LINK_NETNSID, u32(0))))
	f.Add(cat(ndm, nla(NDA_DST, []byte{10, 0, 0})))
	f.Add(ndm[:11])
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := ParseNeigh(b)
		if err != nil {
			return
		}
		m, err := NewNeighRequest(n, 0)
		if err != nil {
			t.Fatalf("encode %+v: %v", n, err)
		}
		n2, err := ParseNeigh(m.Data)
		if err != nil {
			t.Fatalf("decode of own encoding: %v\n% x", err, m.Data)
		}
		if !reflect.DeepEqual(n, n2) {
			t.Fatalf("round trip:\n%+v\n%+v", n, n2)
		}
	})
}

func FuzzParseRule(f *testing.F) {
	frh := (FibRuleHdr{Family: unix.AF_INET, SrcLen: 8, Table: 100, Action: FR_ACT_TO_TBL}).AppendBinary(nil)
	f.Add(cat(frh, nla(FRA_SRC, []byte{10, 0, 0, 0}), nla(FRA_PRIORITY, u32(100)), nla(FRA_PROTOCOL, []byte{3}),
		nla(FRA_IIFNAME, []byte("v1\x00")), nla(FRA_UID_RANGE, cat(u32(1), u32(2))), nla(FRA_DPORT_RANGE, cat(u16(80), u16(90))),
		nla(FRA_TUN_ID, make([]byte, 8)), nla(FRA_FWMARK, u32(0x10)), nla(FRA_FWMASK, u32(0xff))))
	f.Add(cat(frh, nla(FRA_SPORT_RANGE, u16(5))))
	f.Add(frh[:11])
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseRule(b)
		if err != nil {
			return
		}
		m, err := NewRuleRequest(r, 0)
		if err != nil {
			t.Fatalf("encode %+v: %v", r, err)
		}
		r2, err := ParseRule(m.Data)
		if err != nil {
			t.Fatalf("decode of own encoding: %v\n% x", err, m.Data)
		}
		if !reflect.DeepEqual(r, r2) {
			t.Fatalf("round trip:\n%+v\n%+v", r, r2)
		}
	})
}

func FuzzRouteMessageRoundTrip(f *testing.F) {
	rtm := []byte{unix.AF_INET, 16, 0, 0, unix.RT_TABLE_MAIN, unix.RTPROT_BOOT, unix.RT_SCOPE_UNIVERSE, unix.RTN_UNICAST, 0, 0, 0, 0}
	nh := func(hops byte, idx uint32, attrs []byte) []byte {
		return cat(u16(uint16(8+len(attrs))), []byte{0, hops}, u32(idx), attrs)
	}
	f.Add(cat(rtm, nla(unix.RTA_DST, []byte{10, 4, 0, 0}),
		nla(unix.RTA_MULTIPATH, cat(nh(1, 3, nla(unix.RTA_GATEWAY, []byte{10, 0, 0, 2})), nh(0, 3, nla(unix.RTA_GATEWAY, []byte{10, 0, 0, 3}))))))
	f.Add(cat(rtm, nla(unix.RTA_DST, []byte{10, 2, 0, 0}), nla(unix.RTA_METRICS, cat(nla(RTAX_MTU, u32(1400)), nla(RTAX_CC_ALGO, []byte("reno")), nla(RTAX_LOCK, u32(4))))))
	f.Add(cat(rtm, nla(RTA_VIA, cat(u16(unix.AF_INET6), make([]byte, 16))), nla(unix.RTA_OIF, u32(3)), nla(unix.RTA_MARK, u32(7))))
	f.Add(cat(rtm, nla(unix.RTA_MULTIPATH, []byte{20, 0, 0, 0, 1, 0, 0, 0})))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseRoute(b)
		if err != nil {
			return
		}
		m, err := NewRouteRequest(r, 0)
		if err != nil {
			t.Fatalf("encode %+v: %v", r, err)
		}
		r2, err := ParseRoute(m.Data)
		if err != nil {
			t.Fatalf("decode of own encoding: %v\n% x", err, m.Data)
		}
		if !reflect.DeepEqual(r, r2) {
			t.Fatalf("round trip:\n%+v\n%+v", r, r2)
		}
	})
}
