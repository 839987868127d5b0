package request

import (
	"golang.org/x/sys/unix"

	"nsbox/netlink"
	"nsbox/rtnl"
)

// The keys of a link's IPv4 settings over rtnetlink, one per
// net.ipv4.conf.DEV.* sysctl (include/uapi/linux/ip.h):
//
//	enum {
//		IPV4_DEVCONF_FORWARDING=1,
//		...
//		IPV4_DEVCONF_ARP_NOTIFY,	/* 22 */
//		...
//	};
const IPV4_DEVCONF_ARP_NOTIFY = 22

// IPv4Conf builds the RTM_SETLINK that sets one of link index's IPv4
// settings, net.ipv4.conf.DEV.KEY, through rtnetlink instead of
// /proc/sys (iproute2 has no command for it):
//
//	IFLA_AF_SPEC { AF_INET { IFLA_INET_CONF { key: u32 value } } }
//
// The kernel takes it in inet_set_link_af (net/ipv4/devinet.c) and marks
// the setting as set, as a write to the sysctl does. Why not the sysctl:
// a name under /proc/sys/net is looked up in a hash chain that holds that
// name for every network namespace on the host, so each lookup costs more
// with every namespace (a CNI plugin on a node with hundreds of pods);
// the request costs the same with one or a thousand.
func IPv4Conf(index int32, key uint16, value uint32) (netlink.Message, error) {
	h := rtnl.IfInfomsg{Index: index}
	e := netlink.NewAttributeEncoder(h.AppendBinary(nil))
	spec := e.Nest(unix.IFLA_AF_SPEC)
	inet := e.Nest(unix.AF_INET)
	conf := e.Nest(unix.IFLA_INET_CONF)
	e.Uint32(key, value)
	e.End(conf)
	e.End(inet)
	e.End(spec)
	b, err := e.Encode()
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_SETLINK}, Data: b}, err
}
