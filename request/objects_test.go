package request

import (
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/netlink"
	"nsbox/rtnl"
)

// The defaults of neighbour, fdb and rule requests, as iproute2's
// ipneigh_modify, fdb_modify and iprule_modify fill them in.

func TestNeighDefaults(t *testing.T) {
	dst := netip.MustParseAddr("10.0.0.2")
	stale := uint16(rtnl.NUD_STALE)
	for _, c := range []struct {
		what  string
		n     Neigh
		op    Op
		typ   netlink.HeaderType
		flags netlink.HeaderFlags
		want  rtnl.Ndmsg
		ext   uint32
	}{
		{"add: permanent", Neigh{Dst: dst, Link: 3}, Add, unix.RTM_NEWNEIGH, unix.NLM_F_CREATE | unix.NLM_F_EXCL,
			rtnl.Ndmsg{Family: unix.AF_INET, Index: 3, State: rtnl.NUD_PERMANENT}, 0},
		{"change with a state", Neigh{Dst: dst, Link: 3, State: &stale, Router: true}, Change, unix.RTM_NEWNEIGH, unix.NLM_F_REPLACE,
			rtnl.Ndmsg{Family: unix.AF_INET, Index: 3, State: rtnl.NUD_STALE, Flags: rtnl.NTF_ROUTER}, 0},
		{"managed: state none", Neigh{Dst: netip.MustParseAddr("2001:db8::1"), Link: 3, Managed: true}, Replace, unix.RTM_NEWNEIGH,
			unix.NLM_F_CREATE | unix.NLM_F_REPLACE, rtnl.Ndmsg{Family: unix.AF_INET6, Index: 3, State: rtnl.NUD_NONE}, rtnl.NTF_EXT_MANAGED},
		{"delete keeps the state", Neigh{Dst: dst, Link: 3, Proxy: true}, Delete, unix.RTM_DELNEIGH, 0,
			rtnl.Ndmsg{Family: unix.AF_INET, Index: 3, State: rtnl.NUD_PERMANENT, Flags: rtnl.NTF_PROXY}, 0},
	} {
		m, err := c.n.Message(c.op)
		if err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		n, err := rtnl.ParseNeigh(m.Data)
		if err != nil || m.Header.Type != c.typ || m.Header.Flags != c.flags || n.Ndmsg != c.want || n.FlagsExt != c.ext || n.Dst != c.n.Dst {
			t.Errorf("%s: %+v %+v %v", c.what, m.Header, n, err)
		}
	}
	if _, err := (Neigh{Link: 3}).Message(Add); err != ErrNeighDst {
		t.Errorf("no address: %v", err)
	}
}

func TestFDBDefaults(t *testing.T) {
	mac := rtnl.HardwareAddr{2, 0, 0, 0, 0, 0x33}
	for _, c := range []struct {
		what  string
		f     FDB
		op    Op
		flags netlink.HeaderFlags
		state uint16
		ntf   uint8
	}{
		{"self, permanent", FDB{MAC: mac, Link: 6}, Add, unix.NLM_F_CREATE | unix.NLM_F_EXCL,
			rtnl.NUD_NOARP | rtnl.NUD_PERMANENT, rtnl.NTF_SELF},
		{"master static", FDB{MAC: mac, Link: 6, Master: true, Static: true}, Append, unix.NLM_F_CREATE | unix.NLM_F_APPEND,
			rtnl.NUD_NOARP | rtnl.NUD_REACHABLE, rtnl.NTF_MASTER},
		{"dynamic: aged", FDB{MAC: mac, Link: 6, Master: true, Dynamic: true, Sticky: true}, Replace, unix.NLM_F_CREATE | unix.NLM_F_REPLACE,
			rtnl.NUD_REACHABLE, rtnl.NTF_MASTER | rtnl.NTF_STICKY},
	} {
		m, err := c.f.Message(c.op)
		if err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		n, err := rtnl.ParseNeigh(m.Data)
		if err != nil || m.Header.Flags != c.flags || n.Family != unix.AF_BRIDGE || n.State != c.state || n.Flags != c.ntf ||
			n.LLAddr.String() != mac.String() {
			t.Errorf("%s: %+v %+v %v", c.what, m.Header, n, err)
		}
	}
	vni := uint32(5)
	if _, err := (FDB{MAC: mac, Link: 6, NHID: 3, VNI: &vni}).Message(Add); err != ErrFDBNHID {
		t.Errorf("nhid with vni: %v", err)
	}
}

func TestRuleDefaults(t *testing.T) {
	src := netip.MustParsePrefix("10.0.0.0/8")
	big, five := uint32(1000), uint32(5)
	blackhole := uint8(unix.RTN_BLACKHOLE)
	for _, c := range []struct {
		what string
		r    Rule
		op   Op
		want rtnl.FibRuleHdr
		id   uint32
	}{
		{"add: table main", Rule{Src: src}, Add, rtnl.FibRuleHdr{Family: unix.AF_INET, SrcLen: 8, Table: unix.RT_TABLE_MAIN, Action: rtnl.FR_ACT_TO_TBL}, 0},
		{"table 1000 in FRA_TABLE", Rule{Src: src, Table: &big}, Add, rtnl.FibRuleHdr{Family: unix.AF_INET, SrcLen: 8, Action: rtnl.FR_ACT_TO_TBL}, 1000},
		{"a type: no table", Rule{Not: true, Action: &blackhole}, Add, rtnl.FibRuleHdr{Family: unix.AF_INET, Action: unix.RTN_BLACKHOLE, Flags: rtnl.FIB_RULE_INVERT}, 0},
		{"goto", Rule{Goto: &five}, Add, rtnl.FibRuleHdr{Family: unix.AF_INET, Action: rtnl.FR_ACT_GOTO}, 0},
		{"delete: nothing assumed", Rule{Family: unix.AF_INET6, TOS: 0x10}, Delete, rtnl.FibRuleHdr{Family: unix.AF_INET6, TOS: 0x10}, 0},
	} {
		m, err := c.r.Message(c.op)
		if err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		r, err := rtnl.ParseRule(m.Data)
		if err != nil || r.FibRuleHdr != c.want || r.TableID != c.id {
			t.Errorf("%s: %+v %v", c.what, r, err)
		}
	}
	if _, err := (Rule{L3MDev: true, Table: &five}).Message(Add); err != ErrRuleL3MDevTable {
		t.Errorf("l3mdev with a table: %v", err)
	}
}

func TestDeletion(t *testing.T) {
	for _, c := range []struct{ from, to netlink.HeaderType }{
		{unix.RTM_NEWROUTE, unix.RTM_DELROUTE}, {unix.RTM_NEWADDR, unix.RTM_DELADDR},
		{unix.RTM_NEWNEIGH, unix.RTM_DELNEIGH}, {unix.RTM_NEWRULE, unix.RTM_DELRULE},
	} {
		data := []byte{1, 2, 3, 4}
		d, err := Deletion(netlink.Message{Header: netlink.Header{Type: c.from, Flags: unix.NLM_F_MULTI, Sequence: 9}, Data: data})
		if err != nil || d.Header.Type != c.to || d.Header.Flags != 0 || d.Header.Sequence != 0 || string(d.Data) != string(data) {
			t.Errorf("%d: %+v %v", c.from, d, err)
		}
		data[0] = 9
		if d.Data[0] != 1 {
			t.Errorf("%d: the deletion shares the dump's buffer", c.from)
		}
	}
	if _, err := Deletion(netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWLINK}}); err == nil {
		t.Error("a link: no error")
	}
}

func TestAddrLifetimes(t *testing.T) {
	local := netip.MustParsePrefix("10.0.1.1/24")
	ten, twenty, zero := uint32(10), uint32(20), uint32(0)
	if _, err := (Addr{Local: local, Link: 3, ValidLft: &ten, PreferredLft: &twenty}).Message(Add); err != ErrPreferredLater {
		t.Errorf("preferred > valid: %v", err)
	}
	if _, err := (Addr{Local: local, Link: 3, ValidLft: &zero}).Message(Add); err != ErrValidLftZero {
		t.Errorf("valid 0: %v", err)
	}
	m, err := (Addr{Local: local, Link: 3, PreferredLft: &ten, Metric: &twenty}).Message(Add)
	if err != nil {
		t.Fatal(err)
	}
	a, err := rtnl.ParseAddr(m.Data)
	if err != nil || a.CacheInfo == nil || a.CacheInfo.Valid != 0xffffffff || a.CacheInfo.Preferred != 10 ||
		a.RtPriority == nil || *a.RtPriority != 20 {
		t.Errorf("%+v %v", a, err)
	}
}
