package request

import (
	"bytes"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/netlink"
	"nsbox/rtnl"
)

// "brd +" and "brd -" as iproute2 6.1 computes them; "ip addr add
// 10.1.2.3/31 brd +" sets no broadcast (a privileged test in package lab
// compares lab up with ip itself).
func TestBroadcastOf(t *testing.T) {
	for _, c := range []struct {
		prefix string
		set    bool
		want   string // "" for none
	}{
		{"192.168.1.10/24", true, "192.168.1.255"},
		{"192.168.1.10/24", false, "192.168.1.0"},
		{"10.1.2.3/8", true, "10.255.255.255"},
		{"10.1.2.3/30", true, "10.1.2.3"},
		{"10.1.2.1/30", false, "10.1.2.0"},
		{"10.1.2.3/31", true, ""},
		{"10.1.2.3/32", true, ""},
		{"0.0.0.0/0", true, "255.255.255.255"},
		{"2001:db8::1/64", true, ""},
	} {
		b, ok := broadcastOf(netip.MustParsePrefix(c.prefix), c.set)
		got := ""
		if ok {
			got = b.String()
		}
		if got != c.want {
			t.Errorf("brd %v for %s: %q, want %q", c.set, c.prefix, got, c.want)
		}
	}
}

// The defaults an address request gets, field by field.
func TestAddrDefaults(t *testing.T) {
	p := netip.MustParsePrefix
	host := uint8(unix.RT_SCOPE_HOST)
	for _, c := range []struct {
		what string
		a    Addr
		op   Op
		want rtnl.Addr
	}{
		{"brd + /24", Addr{Link: 4, Local: p("192.168.1.10/24"), Brd: BrdSet}, Add, rtnl.Addr{
			IfAddrmsg: rtnl.IfAddrmsg{Family: unix.AF_INET, PrefixLen: 24, Index: 4},
			Local:     p("192.168.1.10/24").Addr(), Address: p("192.168.1.10/24").Addr(),
			Broadcast: netip.MustParseAddr("192.168.1.255")}},
		{"brd + /31: none", Addr{Link: 4, Local: p("10.0.0.1/31"), Brd: BrdSet}, Add, rtnl.Addr{
			IfAddrmsg: rtnl.IfAddrmsg{Family: unix.AF_INET, PrefixLen: 31, Index: 4},
			Local:     p("10.0.0.1/31").Addr(), Address: p("10.0.0.1/31").Addr()}},
		{"loopback: scope host", Addr{Link: 1, Local: p("127.0.0.5/8")}, Replace, rtnl.Addr{
			IfAddrmsg: rtnl.IfAddrmsg{Family: unix.AF_INET, PrefixLen: 8, Index: 1, Scope: unix.RT_SCOPE_HOST},
			Local:     p("127.0.0.5/8").Addr(), Address: p("127.0.0.5/8").Addr()}},
		{"peer: its length", Addr{Link: 2, Local: p("10.0.5.1/32"), Peer: p("10.0.5.2/30"), Brd: BrdSet}, Add, rtnl.Addr{
			IfAddrmsg: rtnl.IfAddrmsg{Family: unix.AF_INET, PrefixLen: 30, Index: 2},
			Local:     p("10.0.5.1/32").Addr(), Address: p("10.0.5.2/30").Addr(),
			Broadcast: netip.MustParseAddr("10.0.5.3")}},
		{"scope given", Addr{Link: 2, Local: p("127.0.0.5/8"), Scope: &host}, Add, rtnl.Addr{
			IfAddrmsg: rtnl.IfAddrmsg{Family: unix.AF_INET, PrefixLen: 8, Index: 2, Scope: host},
			Local:     p("127.0.0.5/8").Addr(), Address: p("127.0.0.5/8").Addr()}},
		{"delete: no default scope", Addr{Link: 2, Local: p("127.0.0.5/8")}, Delete, rtnl.Addr{
			IfAddrmsg: rtnl.IfAddrmsg{Family: unix.AF_INET, PrefixLen: 8, Index: 2},
			Local:     p("127.0.0.5/8").Addr(), Address: p("127.0.0.5/8").Addr()}},
		{"wildcard delete", Addr{Link: 2, Local: p("10.0.0.1/32"), AnyLength: true}, Delete, rtnl.Addr{
			IfAddrmsg: rtnl.IfAddrmsg{Family: unix.AF_INET, PrefixLen: 32, Index: 2},
			Local:     p("10.0.0.1/32").Addr()}},
		{"IPv6, flags in IFA_FLAGS", Addr{Link: 3, Local: p("2001:db8::1/64"), Flags: unix.IFA_F_NODAD | unix.IFA_F_NOPREFIXROUTE}, Add, rtnl.Addr{
			IfAddrmsg: rtnl.IfAddrmsg{Family: unix.AF_INET6, PrefixLen: 64, Index: 3},
			Local:     p("2001:db8::1/64").Addr(), Address: p("2001:db8::1/64").Addr(),
			ExtFlags: unix.IFA_F_NODAD | unix.IFA_F_NOPREFIXROUTE}},
	} {
		m, err := c.a.Message(c.op)
		if err != nil {
			t.Errorf("%s: %v", c.what, err)
			continue
		}
		want, _ := rtnl.NewAddrRequest(&c.want, c.op.flags())
		if c.op == Delete {
			want, _ = rtnl.DelAddrRequest(&c.want)
		}
		if m.Header != want.Header || !bytes.Equal(m.Data, want.Data) {
			t.Errorf("%s:\n got %+v % x\nwant %+v % x", c.what, m.Header, m.Data, want.Header, want.Data)
		}
	}
	if _, err := (Addr{Local: p("2001:db8::1/64"), Brd: BrdSet}).Message(Add); err != ErrBroadcastFamily {
		t.Errorf("brd + on IPv6: %v", err)
	}
	if err := (Addr{Local: p("2001:db8::1/64"), Brd: BrdSet}).Check(Delete); err != nil {
		t.Errorf("brd + on a delete is not looked at: %v", err)
	}
	if _, err := (Addr{Local: p("10.0.0.1/24"), Peer: p("2001:db8::2/64")}).Message(Add); err == nil {
		t.Error("two families: no error")
	}
}

func TestOpFlags(t *testing.T) {
	for _, c := range []struct {
		op        Op
		flags     netlink.HeaderFlags
		linkFlags netlink.HeaderFlags
		name      string
	}{
		{Add, unix.NLM_F_CREATE | unix.NLM_F_EXCL, unix.NLM_F_CREATE | unix.NLM_F_EXCL, "add"},
		{Replace, unix.NLM_F_CREATE | unix.NLM_F_REPLACE, unix.NLM_F_CREATE, "replace"},
		{Change, unix.NLM_F_REPLACE, 0, "change"},
		{Prepend, unix.NLM_F_CREATE, 0, "prepend"},
		{Append, unix.NLM_F_CREATE | unix.NLM_F_APPEND, 0, "append"},
		{Test, unix.NLM_F_EXCL, 0, "test"},
		{Delete, 0, 0, "delete"},
	} {
		if c.op.flags() != c.flags || c.op.linkFlags() != c.linkFlags || c.op.String() != c.name {
			t.Errorf("%v: flags %v link %v", c.op, c.op.flags(), c.op.linkFlags())
		}
	}
}
