package request

import (
	"bytes"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/rtnl"
)

// The defaults a route request gets, as iproute2's iproute_modify fills
// them in.
func TestRouteDefaults(t *testing.T) {
	gw := netip.MustParseAddr("192.168.1.1")
	local := uint8(unix.RTN_LOCAL)
	blackhole := uint8(unix.RTN_BLACKHOLE)
	static := uint8(unix.RTPROT_STATIC)
	big := uint32(300)
	zero := uint32(0)
	main := rtnl.RtMsg{Family: unix.AF_INET, Table: unix.RT_TABLE_MAIN, Protocol: unix.RTPROT_BOOT, Type: unix.RTN_UNICAST}
	for _, c := range []struct {
		what string
		r    Route
		op   Op
		want rtnl.Route
	}{
		{"default via", Route{Gateway: gw}, Add, rtnl.Route{RtMsg: main, Gateway: gw}},
		{"prefix dev: scope link", Route{Dst: netip.MustParsePrefix("10.8.0.0/16"), Dev: 3}, Add, rtnl.Route{
			RtMsg: rtnl.RtMsg{Family: unix.AF_INET, DstLen: 16, Table: unix.RT_TABLE_MAIN, Protocol: unix.RTPROT_BOOT,
				Scope: unix.RT_SCOPE_LINK, Type: unix.RTN_UNICAST},
			Dst: netip.MustParseAddr("10.8.0.0"), OIF: 3}},
		{"local: table local, scope host", Route{Dst: netip.MustParsePrefix("10.4.0.1/32"), Type: &local, Dev: 2}, Add, rtnl.Route{
			RtMsg: rtnl.RtMsg{Family: unix.AF_INET, DstLen: 32, Table: unix.RT_TABLE_LOCAL, Protocol: unix.RTPROT_BOOT,
				Scope: unix.RT_SCOPE_HOST, Type: unix.RTN_LOCAL},
			Dst: netip.MustParseAddr("10.4.0.1"), OIF: 2}},
		{"blackhole: scope global; metric 0 sent", Route{Dst: netip.MustParsePrefix("10.6.0.0/16"), Type: &blackhole, Metric: &zero}, Add, rtnl.Route{
			RtMsg: rtnl.RtMsg{Family: unix.AF_INET, DstLen: 16, Table: unix.RT_TABLE_MAIN, Protocol: unix.RTPROT_BOOT,
				Scope: unix.RT_SCOPE_UNIVERSE, Type: unix.RTN_BLACKHOLE},
			Dst: netip.MustParseAddr("10.6.0.0"), HasPriority: true}},
		{"table 300 in RTA_TABLE", Route{Dst: netip.MustParsePrefix("10.7.0.0/16"), Dev: 4, Table: &big, Protocol: &static}, Replace, rtnl.Route{
			RtMsg: rtnl.RtMsg{Family: unix.AF_INET, DstLen: 16, Table: unix.RT_TABLE_UNSPEC, Protocol: unix.RTPROT_STATIC,
				Scope: unix.RT_SCOPE_LINK, Type: unix.RTN_UNICAST},
			Dst: netip.MustParseAddr("10.7.0.0"), OIF: 4, TableID: 300}},
		{"delete: no protocol, type or scope", Route{Dst: netip.MustParsePrefix("10.2.0.0/16"), Gateway: gw}, Delete, rtnl.Route{
			RtMsg: rtnl.RtMsg{Family: unix.AF_INET, DstLen: 16, Table: unix.RT_TABLE_MAIN, Scope: unix.RT_SCOPE_NOWHERE},
			Dst:   netip.MustParseAddr("10.2.0.0"), Gateway: gw}},
		{"IPv6 from the destination", Route{Dst: netip.MustParsePrefix("2001:db8:9::/48"), Dev: 4}, Add, rtnl.Route{
			RtMsg: rtnl.RtMsg{Family: unix.AF_INET6, DstLen: 48, Table: unix.RT_TABLE_MAIN, Protocol: unix.RTPROT_BOOT,
				Scope: unix.RT_SCOPE_LINK, Type: unix.RTN_UNICAST},
			Dst: netip.MustParseAddr("2001:db8:9::"), OIF: 4}},
	} {
		m, err := c.r.Message(c.op)
		if err != nil {
			t.Errorf("%s: %v", c.what, err)
			continue
		}
		want, _ := rtnl.NewRouteRequest(&c.want, c.op.flags())
		if c.op == Delete {
			want, _ = rtnl.DelRouteRequest(&c.want)
		}
		if m.Header != want.Header || !bytes.Equal(m.Data, want.Data) {
			t.Errorf("%s:\n got %+v % x\nwant %+v % x", c.what, m.Header, m.Data, want.Header, want.Data)
		}
	}
	if _, err := (Route{Dst: netip.MustParsePrefix("10.0.0.0/8"), Gateway: netip.MustParseAddr("2001:db8::1")}).Message(Add); err == nil {
		t.Error("two families: no error")
	}
}
