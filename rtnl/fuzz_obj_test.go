package rtnl

import (
	"encoding/binary"
	"math/bits"
	"reflect"
	"testing"

	"nsbox/netlink"

	"golang.org/x/sys/unix"
)

// Decoders of the kernel's neighbour, rule and route messages: what one
// decodes, encoded again and decoded again, is the same value (the
// encoder keeps every field the decoder fills, unknown attributes too).

// requestRoundTrip: what parse decodes from b (when it does), encoded by
// request and decoded again, is the same value.
func requestRoundTrip[T any](t *testing.T, b []byte, parse func([]byte) (T, error), request func(T, netlink.HeaderFlags) (netlink.Message, error)) {
	t.Helper()
	v, err := parse(b)
	if err != nil {
		return
	}
	m, err := request(v, 0)
	if err != nil {
		t.Fatalf("encode %+v: %v", v, err)
	}
	v2, err := parse(m.Data)
	if err != nil {
		t.Fatalf("decode of own encoding: %v\n% x", err, m.Data)
	}
	if !reflect.DeepEqual(v, v2) {
		t.Fatalf("round trip:\n%+v\n%+v", v, v2)
	}
}

func FuzzParseNeigh(f *testing.F) {
	ndm := (Ndmsg{Family: unix.AF_INET, Index: 3, State: NUD_REACHABLE}).AppendBinary(nil)
	f.Add(cat(ndm, nla(NDA_DST, []byte{10, 0, 0, 2}), nla(NDA_LLADDR, []byte{2, 0, 0, 0, 0, 2}),
		nla(NDA_CACHEINFO, make([]byte, 16)), nla(NDA_PROBES, u32(1)), nla(NDA_PROTOCOL, []byte{4})))
	br := (Ndmsg{Family: unix.AF_BRIDGE, Index: 6, State: NUD_NOARP, Flags: NTF_MASTER}).AppendBinary(nil)
	f.Add(cat(br, nla(NDA_LLADDR, []byte{2, 0, 0, 0, 0, 0x33}), nla(NDA_VLAN, u16(5)), nla(NDA_MASTER, u32(4)),
		nla(NDA_PORT, []byte{0x12, 0xb5}), nla(NDA_VNI, u32(42)), nla(NDA_LINK_NETNSID, u32(0))))
	f.Add(cat(ndm, nla(NDA_DST, []byte{10, 0, 0})))
	f.Add(ndm[:11])
	f.Fuzz(func(t *testing.T, b []byte) { requestRoundTrip(t, b, ParseNeigh, NewNeighRequest) })
}

func FuzzParseRule(f *testing.F) {
	frh := (FibRuleHdr{Family: unix.AF_INET, SrcLen: 8, Table: 100, Action: FR_ACT_TO_TBL}).AppendBinary(nil)
	f.Add(cat(frh, nla(FRA_SRC, []byte{10, 0, 0, 0}), nla(FRA_PRIORITY, u32(100)), nla(FRA_PROTOCOL, []byte{3}),
		nla(FRA_IIFNAME, []byte("v1\x00")), nla(FRA_UID_RANGE, cat(u32(1), u32(2))), nla(FRA_DPORT_RANGE, cat(u16(80), u16(90))),
		nla(FRA_TUN_ID, make([]byte, 8)), nla(FRA_FWMARK, u32(0x10)), nla(FRA_FWMASK, u32(0xff))))
	f.Add(cat(frh, nla(FRA_SPORT_RANGE, u16(5))))
	f.Add(frh[:11])
	f.Fuzz(func(t *testing.T, b []byte) { requestRoundTrip(t, b, ParseRule, NewRuleRequest) })
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
	f.Fuzz(func(t *testing.T, b []byte) { requestRoundTrip(t, b, ParseRoute, NewRouteRequest) })
}

// FuzzParseBridgeAFSpec: a bridge port's IFLA_AF_SPEC decodes to no more
// VLANs and tunnels than its bytes can hold, and what it decodes,
// encoded again, decodes to the same.
func FuzzParseBridgeAFSpec(f *testing.F) {
	vinfo := func(flags, vid uint16) []byte { return nla(IFLA_BRIDGE_VLAN_INFO, cat(u16(flags), u16(vid))) }
	tinfo := func(id uint32, vid, flags uint16) []byte {
		return nla(IFLA_BRIDGE_VLAN_TUNNEL_INFO, cat(nla(IFLA_BRIDGE_VLAN_TUNNEL_ID, u32(id)),
			nla(IFLA_BRIDGE_VLAN_TUNNEL_VID, u16(vid)), nla(IFLA_BRIDGE_VLAN_TUNNEL_FLAGS, u16(flags))))
	}
	f.Add(cat(vinfo(BRIDGE_VLAN_INFO_PVID|BRIDGE_VLAN_INFO_UNTAGGED, 1), vinfo(BRIDGE_VLAN_INFO_RANGE_BEGIN, 10), vinfo(BRIDGE_VLAN_INFO_RANGE_END, 20)))
	f.Add(cat(tinfo(1000, 1000, 0), tinfo(1010, 1010, BRIDGE_VLAN_INFO_RANGE_BEGIN), tinfo(1020, 1020, BRIDGE_VLAN_INFO_RANGE_END)))
	f.Add(cat(nla(IFLA_BRIDGE_FLAGS, u16(BRIDGE_FLAGS_SELF)), nla(IFLA_BRIDGE_VLAN_INFO, u16(1))))
	f.Add(nla(IFLA_BRIDGE_VLAN_TUNNEL_INFO, nla(IFLA_BRIDGE_VLAN_TUNNEL_ID, u32(5))))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseBridgeAFSpec(b)
		if err != nil {
			return
		}
		if len(s.Vlans)*8+len(s.Tunnels)*12 > len(b) {
			t.Fatalf("%d VLANs and %d tunnels from %d bytes", len(s.Vlans), len(s.Tunnels), len(b))
		}
		e := netlink.NewAttributeEncoder(nil)
		s.AppendAttributes(e)
		enc, err := e.Encode()
		if err != nil {
			t.Fatal(err)
		}
		s2, err := ParseBridgeAFSpec(enc)
		if err != nil || !reflect.DeepEqual(s, s2) {
			t.Fatalf("decoded %+v\nencoded and decoded again %+v, %v", s, s2, err)
		}
	})
}

// FuzzParseBridgeVlanStats: an RTM_NEWSTATS body yields no more VLAN
// statistics than its bytes hold (36 each), split where the bridge's
// end and the ports' begin; and one made of the input reads back as made
// (vlanStatsMade).
func FuzzParseBridgeVlanStats(f *testing.F) {
	vst := func(vid, flags uint16) []byte {
		return nla(BRIDGE_XSTATS_VLAN, cat(u64(1), u64(2), u64(3), u64(4), u16(vid), u16(flags), u32(0)))
	}
	hdr := cat([]byte{0, 0, 0, 0}, u32(4), u32(6))
	f.Add(cat(hdr, nla(IFLA_STATS_LINK_XSTATS, nla(LINK_XSTATS_TYPE_BRIDGE, cat(vst(1, BRIDGE_VLAN_INFO_MASTER|BRIDGE_VLAN_INFO_BRENTRY), vst(5, 0))))))
	f.Add(cat(hdr, nla(IFLA_STATS_LINK_XSTATS_SLAVE, nla(LINK_XSTATS_TYPE_BRIDGE, vst(7, BRIDGE_VLAN_INFO_PVID)))))
	f.Add(hdr[:10])
	f.Fuzz(func(t *testing.T, b []byte) {
		vlanStatsMade(t, b)
		_, st, first, err := ParseBridgeVlanStats(b)
		if err != nil {
			return
		}
		if len(st)*36 > len(b) || first < 0 || first > len(st) {
			t.Fatalf("%d statistics (%d first) from %d bytes", len(st), first, len(b))
		}
	})
}

// vlanStatsMade: an RTM_NEWSTATS body as the kernel writes it
// (struct if_stats_msg; IFLA_STATS_LINK_XSTATS, then
// IFLA_STATS_LINK_XSTATS_SLAVE, each holding LINK_XSTATS_TYPE_BRIDGE and
// in it a BRIDGE_XSTATS_VLAN per VLAN among other BRIDGE_XSTATS_*), with
// one struct bridge_vlan_xstats per 12 bytes of the input and the first
// byte choosing how many are the bridge's, decodes to what was made.
func vlanStatsMade(t *testing.T, in []byte) {
	t.Helper()
	var made []BridgeVlanXstats
	for c := in; len(c) >= 12; c = c[12:] {
		x := binary.LittleEndian.Uint64(c[4:])
		made = append(made, BridgeVlanXstats{RxBytes: x, RxPackets: bits.RotateLeft64(x, 16), TxBytes: bits.RotateLeft64(x, 32),
			TxPackets: bits.RotateLeft64(x, 48), Vid: binary.LittleEndian.Uint16(c), Flags: binary.LittleEndian.Uint16(c[2:])})
	}
	nBridge := 0
	if len(in) > 0 {
		nBridge = int(in[0]) % (len(made) + 1)
	}
	const bridgeXstatsMcast = 2 // BRIDGE_XSTATS_MCAST: not a VLAN's
	xstats := func(typ uint16, st []BridgeVlanXstats) []byte {
		inner := nla(bridgeXstatsMcast, make([]byte, 40))
		for _, s := range st {
			inner = cat(inner, nla(BRIDGE_XSTATS_VLAN, cat(u64(s.RxBytes), u64(s.RxPackets), u64(s.TxBytes), u64(s.TxPackets),
				u16(s.Vid), u16(s.Flags), u32(0))))
		}
		return nla(typ, nla(LINK_XSTATS_TYPE_BRIDGE, inner))
	}
	index := int32(len(in))
	b := cat([]byte{unix.AF_BRIDGE, 0, 0, 0}, u32(uint32(index)), u32(1<<(IFLA_STATS_LINK_XSTATS-1)|1<<(IFLA_STATS_LINK_XSTATS_SLAVE-1)),
		xstats(IFLA_STATS_LINK_XSTATS, made[:nBridge]), xstats(IFLA_STATS_LINK_XSTATS_SLAVE, made[nBridge:]))
	gotIndex, got, first, err := ParseBridgeVlanStats(b)
	if err != nil || gotIndex != index || first != nBridge || len(got) != len(made) || len(made) > 0 && !reflect.DeepEqual(got, made) {
		t.Fatalf("made ifindex %d, %d bridge VLANs of %d: %+v\nread %d, %d of %d: %+v, %v", index, nBridge, len(made), made, gotIndex, first, len(got), got, err)
	}
}
