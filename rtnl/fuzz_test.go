package rtnl

import (
	"testing"

	"nsbox/netlink"

	"golang.org/x/sys/unix"
)

func FuzzParseLink(f *testing.F) {
	ifi := (IfInfomsg{Index: 3, Flags: unix.IFF_UP}).AppendBinary(nil)
	f.Add(cat(ifi, nla(unix.IFLA_IFNAME, []byte("veth1\x00")), nla(unix.IFLA_LINKINFO, cat(nla(unix.IFLA_INFO_KIND, []byte("veth")), nla(unix.IFLA_INFO_DATA, nil)))))
	f.Add(cat(ifi, nla(unix.IFLA_STATS64, make([]byte, 79))))
	f.Add(cat(ifi, nla(unix.IFLA_MASTER, []byte{1})))
	f.Add(ifi[:15])
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := ParseLink(b)
		if (l == nil) == (err == nil) {
			t.Fatalf("ParseLink: %v and %v", l, err)
		}
		if l != nil && l.ProtInfo != nil {
			ParseBridgePort(l.ProtInfo)
		}
	})
}

func FuzzParseBridgePort(f *testing.F) {
	f.Add(cat(nla(unix.IFLA_BRPORT_STATE, []byte{3}), nla(unix.IFLA_BRPORT_PRIORITY, u16(32)), nla(unix.IFLA_BRPORT_COST, u32(2)), nla(unix.IFLA_BRPORT_LEARNING, []byte{1})))
	f.Add(nla(unix.IFLA_BRPORT_COST, u16(2)))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParseBridgePort(b)
		if p == nil {
			t.Fatal("nil BridgePort")
		}
		if err == nil {
			if _, perr := netlink.ParseAttributes(b); perr != nil {
				t.Fatalf("ParseBridgePort accepted what ParseAttributes refuses: %v", perr)
			}
		}
	})
}

func FuzzParseAddr(f *testing.F) {
	ifa := []byte{unix.AF_INET, 24, 0, 0, 0, 0, 0, 0}
	f.Add(cat(ifa, nla(unix.IFA_LOCAL, []byte{192, 168, 1, 10}), nla(unix.IFA_ADDRESS, []byte{192, 168, 1, 10}), nla(unix.IFA_LABEL, []byte("br1\x00"))))
	f.Add(cat(ifa, nla(unix.IFA_LOCAL, []byte{192, 168, 1})))
	f.Add(ifa[:7])
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ParseAddr(b)
		if a == nil && err == nil {
			t.Fatal("ParseAddr: no address and no error")
		}
		if a != nil {
			a.Prefix()
			a.AllFlags()
		}
	})
}

func FuzzParseRoute(f *testing.F) {
	rtm := []byte{unix.AF_INET, 16, 0, 0, unix.RT_TABLE_MAIN, unix.RTPROT_BOOT, unix.RT_SCOPE_UNIVERSE, unix.RTN_UNICAST, 0, 0, 0, 0}
	f.Add(cat(rtm, nla(unix.RTA_DST, []byte{10, 9, 0, 0}), nla(unix.RTA_GATEWAY, []byte{192, 168, 1, 1}), nla(unix.RTA_OIF, u32(2)), nla(unix.RTA_TABLE, u32(254))))
	f.Add(cat(rtm, nla(unix.RTA_DST, []byte{10, 9, 0})))
	f.Add(rtm[:11])
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseRoute(b)
		if r == nil && err == nil {
			t.Fatal("ParseRoute: no route and no error")
		}
		if r != nil {
			r.Prefix()
			r.TableNumber()
		}
	})
}

func FuzzParseNSID(f *testing.F) {
	f.Add(cat(rtgenmsg, nla(NETNSA_NSID, u32(5))))
	f.Add(cat(rtgenmsg, nla(NETNSA_NSID, u32(5)), nla(NETNSA_CURRENT_NSID, u32(0xffffffff))))
	f.Add(cat(rtgenmsg, nla(NETNSA_NSID, u16(5))))
	f.Add([]byte{0})
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := ParseNSID(b)
		if err != nil && (n.ID != NETNSA_NSID_NOT_ASSIGNED && len(b) < 4) {
			t.Fatalf("short input gave id %d", n.ID)
		}
	})
}
