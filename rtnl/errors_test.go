package rtnl

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/netlink"
)

// Every decode error says "rtnl:" and what it was decoding (the ifindex,
// the table), and still unwraps to the attribute decoder's error.
func TestDecodeErrorContext(t *testing.T) {
	ifi := IfInfomsg{Index: 7}.AppendBinary(nil)
	ifa := IfAddrmsg{Family: unix.AF_INET, PrefixLen: 24, Index: 4}.AppendBinary(nil)
	rtm := RtMsg{Family: unix.AF_INET, Table: unix.RT_TABLE_MAIN}.AppendBinary(nil)
	cut := nla(unix.IFLA_MTU, u32(1500))[:6] // nla_len 8, 2 bytes left
	for _, c := range []struct {
		name   string
		decode func() error
		want   string
		attr   bool // wraps netlink.ErrAttrLength
	}{
		{"short ifinfomsg", func() error { _, err := ParseLink(ifi[:3]); return err }, "rtnl: 3 bytes, need 16 for struct ifinfomsg", false},
		{"link attribute", func() error { _, err := ParseLink(cat(ifi, cut)); return err }, "rtnl: ifindex 7: netlink: at offset 0: nla_len 8 is outside 4..6", true},
		{"link MTU length", func() error { _, err := ParseLink(cat(ifi, nla(unix.IFLA_MTU, u16(1)))); return err }, "rtnl: ifindex 7: netlink: attribute type 4: 2 bytes, want 4", true},
		{"link info", func() error {
			_, err := ParseLink(cat(ifi, nla(unix.IFLA_LINKINFO, cat(nla(unix.IFLA_INFO_KIND, []byte("veth")), []byte{9, 0}))))
			return err
		}, "rtnl: ifindex 7: in IFLA_LINKINFO: netlink: at offset 8: 2 bytes left, need 4", true},
		{"link stats64", func() error { _, err := ParseLink(cat(ifi, nla(unix.IFLA_STATS64, make([]byte, 79)))); return err }, "rtnl: ifindex 7: IFLA_STATS64 of 79 bytes, need 80 for struct rtnl_link_stats64", false},
		{"address", func() error { _, err := ParseAddr(cat(ifa, nla(unix.IFA_LOCAL, []byte{10, 0, 0}))); return err }, "rtnl: address on ifindex 4: netlink: attribute type 2: 3 bytes is not an IPv4 or IPv6 address", true},
		{"route", func() error { _, err := ParseRoute(cat(rtm, nla(unix.RTA_OIF, u16(2)))); return err }, "rtnl: route in table 254: netlink: attribute type 4: 2 bytes, want 4", true},
		{"nsid", func() error { _, err := ParseNSID(cat(rtgenmsg, nla(unix.NETNSA_NSID, u16(5)))); return err }, "rtnl: nsid: netlink: attribute type 1: 2 bytes, want 4", true},
		{"bridge port", func() error { _, err := ParseBridgePort(nla(unix.IFLA_BRPORT_COST, u16(2))); return err }, "rtnl: bridge port: netlink: attribute type 3: 2 bytes, want 4", true},
	} {
		err := c.decode()
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: %v\nwant %s...", c.name, err, c.want)
			continue
		}
		if errors.Is(err, netlink.ErrAttrLength) != c.attr {
			t.Errorf("%s: errors.Is(ErrAttrLength) is %v", c.name, !c.attr)
		}
	}
}
