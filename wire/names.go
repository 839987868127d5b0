package wire

import (
	"fmt"
	"golang.org/x/sys/unix"
	"sort"
	"strings"
)

// Names of the numbers that travel in netlink messages, as the kernel's
// headers spell them (<linux/rtnetlink.h>, <linux/if.h>, ...).

// bitName is one bit (or a multi-bit value) of a flags word.
type bitName struct {
	v    uint64
	name string
}

// flagString spells v as NAME|NAME|0x..., bits from low to high; the
// bits no name covers are shown in hex at the end. 0 is "0".
func flagString(v uint64, names []bitName) string {
	if v == 0 {
		return "0"
	}
	var parts []string
	rest := v
	for _, n := range names {
		if n.v != 0 && rest&n.v == n.v {
			parts = append(parts, n.name)
			rest &^= n.v
		}
	}
	if rest != 0 {
		parts = append(parts, fmt.Sprintf("%#x", rest))
	}
	return strings.Join(parts, "|")
}

// enumString is "NAME (v)" or just "v" when v has no name.
func enumString(v uint64, names map[uint64]string) string {
	if n, ok := names[v]; ok {
		return fmt.Sprintf("%s (%d)", n, v)
	}
	return fmt.Sprintf("%d", v)
}

// Netlink protocols (<linux/netlink.h>).
const (
	protoRoute    = 0 // NETLINK_ROUTE
	protoSockDiag = 4 // NETLINK_SOCK_DIAG
)

var protoNames = map[uint64]string{
	0: "NETLINK_ROUTE", 4: "NETLINK_SOCK_DIAG", 9: "NETLINK_AUDIT", 10: "NETLINK_FIB_LOOKUP",
	12: "NETLINK_NETFILTER", 15: "NETLINK_KOBJECT_UEVENT", 16: "NETLINK_GENERIC",
}

// ProtocolByName maps the names decode -proto takes to protocol numbers.
var ProtocolByName = map[string]int{
	"route": protoRoute, "rtnetlink": protoRoute, "sock_diag": protoSockDiag, "inet_diag": protoSockDiag, "diag": protoSockDiag,
}

// Message types common to every protocol, then rtnetlink's.
var ctrlTypes = map[uint64]string{1: "NLMSG_NOOP", 2: "NLMSG_ERROR", 3: "NLMSG_DONE", 4: "NLMSG_OVERRUN"}

var rtmTypes = map[uint64]string{
	16: "RTM_NEWLINK", 17: "RTM_DELLINK", 18: "RTM_GETLINK", 19: "RTM_SETLINK",
	20: "RTM_NEWADDR", 21: "RTM_DELADDR", 22: "RTM_GETADDR",
	24: "RTM_NEWROUTE", 25: "RTM_DELROUTE", 26: "RTM_GETROUTE",
	28: "RTM_NEWNEIGH", 29: "RTM_DELNEIGH", 30: "RTM_GETNEIGH",
	32: "RTM_NEWRULE", 33: "RTM_DELRULE", 34: "RTM_GETRULE",
	36: "RTM_NEWQDISC", 37: "RTM_DELQDISC", 38: "RTM_GETQDISC",
	40: "RTM_NEWTCLASS", 41: "RTM_DELTCLASS", 42: "RTM_GETTCLASS",
	44: "RTM_NEWTFILTER", 45: "RTM_DELTFILTER", 46: "RTM_GETTFILTER",
	48: "RTM_NEWACTION", 49: "RTM_DELACTION", 50: "RTM_GETACTION",
	52: "RTM_NEWPREFIX", 58: "RTM_GETMULTICAST", 62: "RTM_GETANYCAST",
	64: "RTM_NEWNEIGHTBL", 66: "RTM_GETNEIGHTBL", 67: "RTM_SETNEIGHTBL",
	68: "RTM_NEWNDUSEROPT", 72: "RTM_NEWADDRLABEL", 73: "RTM_DELADDRLABEL", 74: "RTM_GETADDRLABEL",
	78: "RTM_GETDCB", 79: "RTM_SETDCB",
	80: "RTM_NEWNETCONF", 81: "RTM_DELNETCONF", 82: "RTM_GETNETCONF",
	84: "RTM_NEWMDB", 85: "RTM_DELMDB", 86: "RTM_GETMDB",
	88: "RTM_NEWNSID", 89: "RTM_DELNSID", 90: "RTM_GETNSID",
	92: "RTM_NEWSTATS", 94: "RTM_GETSTATS", 95: "RTM_SETSTATS",
	96:  "RTM_NEWCACHEREPORT",
	100: "RTM_NEWCHAIN", 101: "RTM_DELCHAIN", 102: "RTM_GETCHAIN",
	104: "RTM_NEWNEXTHOP", 105: "RTM_DELNEXTHOP", 106: "RTM_GETNEXTHOP",
	108: "RTM_NEWLINKPROP", 109: "RTM_DELLINKPROP", 110: "RTM_GETLINKPROP",
	112: "RTM_NEWVLAN", 113: "RTM_DELVLAN", 114: "RTM_GETVLAN",
	116: "RTM_NEWNEXTHOPBUCKET", 117: "RTM_DELNEXTHOPBUCKET", 118: "RTM_GETNEXTHOPBUCKET",
	120: "RTM_NEWTUNNEL", 121: "RTM_DELTUNNEL", 122: "RTM_GETTUNNEL",
}

var sockDiagTypes = map[uint64]string{18: "TCPDIAG_GETSOCK", 19: "DCCPDIAG_GETSOCK", 20: "SOCK_DIAG_BY_FAMILY", 21: "SOCK_DESTROY"}

// TypeName is the kernel's name of message type t of netlink protocol
// proto ("RTM_NEWRULE"), "" when it has none.
func TypeName(proto int, t uint16) string {
	n, _ := typeName(proto, t)
	return n
}

// typeName names a message type for protocol proto.
func typeName(proto int, t uint16) (string, bool) {
	if n, ok := ctrlTypes[uint64(t)]; ok {
		return n, true
	}
	var m map[uint64]string
	switch proto {
	case protoRoute:
		m = rtmTypes
	case protoSockDiag:
		m = sockDiagTypes
	}
	n, ok := m[uint64(t)]
	return n, ok
}

// The nlmsg_flags bits: the low byte means the same everywhere, the
// second byte depends on the kind of message.
var (
	flagsCommon = []bitName{{0x01, "REQUEST"}, {0x02, "MULTI"}, {0x04, "ACK"}, {0x08, "ECHO"}, {0x10, "DUMP_INTR"}, {0x20, "DUMP_FILTERED"}}
	flagsGet    = []bitName{{0x300, "DUMP"}, {0x100, "ROOT"}, {0x200, "MATCH"}, {0x400, "ATOMIC"}}
	flagsNew    = []bitName{{0x100, "REPLACE"}, {0x200, "EXCL"}, {0x400, "CREATE"}, {0x800, "APPEND"}}
	flagsDel    = []bitName{{0x100, "NONREC"}, {0x200, "BULK"}}
	flagsAck    = []bitName{{0x100, "CAPPED"}, {0x200, "ACK_TLVS"}}
)

// flagsFor returns the names of nlmsg_flags for a message type.
func flagsFor(proto int, t uint16) []bitName {
	var second []bitName
	switch {
	case t == 2 || t == 3: // NLMSG_ERROR, NLMSG_DONE
		second = flagsAck
	case proto == protoSockDiag && (t == 18 || t == 19 || t == 20):
		second = flagsGet
	case proto == protoSockDiag && t == 21:
		second = flagsDel
	case proto == protoRoute && rtmTypes[uint64(t)] != "":
		switch (t - 16) % 4 {
		case 0:
			second = flagsNew
		case 1:
			second = flagsDel
		case 2:
			second = flagsGet
		}
	}
	return append(append([]bitName(nil), flagsCommon...), second...)
}

var afNames = map[uint64]string{
	0: "AF_UNSPEC", 1: "AF_UNIX", 2: "AF_INET", 4: "AF_IPX", 5: "AF_APPLETALK", 7: "AF_BRIDGE", 10: "AF_INET6",
	16: "AF_NETLINK", 17: "AF_PACKET", 28: "AF_MPLS", 29: "AF_CAN", 40: "AF_VSOCK", 44: "AF_XDP",
	129: "RTNL_FAMILY_IPMR", 131: "RTNL_FAMILY_IP6MR",
}

var arphrdNames = map[uint64]string{
	1: "ARPHRD_ETHER", 2: "ARPHRD_EETHER", 6: "ARPHRD_IEEE802", 24: "ARPHRD_IEEE1394",
	32: "ARPHRD_INFINIBAND", 256: "ARPHRD_SLIP", 512: "ARPHRD_PPP", 768: "ARPHRD_TUNNEL", 769: "ARPHRD_TUNNEL6",
	772: "ARPHRD_LOOPBACK", 776: "ARPHRD_SIT", 778: "ARPHRD_IPGRE", 801: "ARPHRD_IEEE80211",
	803: "ARPHRD_IEEE80211_RADIOTAP", 823: "ARPHRD_IP6GRE", 824: "ARPHRD_NETLINK", 825: "ARPHRD_6LOWPAN",
	65534: "ARPHRD_NONE", 65535: "ARPHRD_VOID",
}

var iffNames = []bitName{
	{0x1, "UP"}, {0x2, "BROADCAST"}, {0x4, "DEBUG"}, {0x8, "LOOPBACK"}, {0x10, "POINTOPOINT"},
	{0x20, "NOTRAILERS"}, {0x40, "RUNNING"}, {0x80, "NOARP"}, {0x100, "PROMISC"}, {0x200, "ALLMULTI"},
	{0x400, "MASTER"}, {0x800, "SLAVE"}, {0x1000, "MULTICAST"}, {0x2000, "PORTSEL"}, {0x4000, "AUTOMEDIA"},
	{0x8000, "DYNAMIC"}, {0x10000, "LOWER_UP"}, {0x20000, "DORMANT"}, {0x40000, "ECHO"},
}

var ifaFlagNames = []bitName{
	{0x01, "SECONDARY"}, {0x02, "NODAD"}, {0x04, "OPTIMISTIC"}, {0x08, "DADFAILED"}, {0x10, "HOMEADDRESS"},
	{0x20, "DEPRECATED"}, {0x40, "TENTATIVE"}, {0x80, "PERMANENT"}, {0x100, "MANAGETEMPADDR"},
	{0x200, "NOPREFIXROUTE"}, {0x400, "MCAUTOJOIN"}, {0x800, "STABLE_PRIVACY"},
}

var scopeNames = map[uint64]string{0: "RT_SCOPE_UNIVERSE", 200: "RT_SCOPE_SITE", 253: "RT_SCOPE_LINK", 254: "RT_SCOPE_HOST", 255: "RT_SCOPE_NOWHERE"}

var tableNames = map[uint64]string{0: "RT_TABLE_UNSPEC", 252: "RT_TABLE_COMPAT", 253: "RT_TABLE_DEFAULT", 254: "RT_TABLE_MAIN", 255: "RT_TABLE_LOCAL"}

var protoRtNames = map[uint64]string{
	0: "RTPROT_UNSPEC", 1: "RTPROT_REDIRECT", 2: "RTPROT_KERNEL", 3: "RTPROT_BOOT", 4: "RTPROT_STATIC",
	8: "RTPROT_GATED", 9: "RTPROT_RA", 10: "RTPROT_MRT", 11: "RTPROT_ZEBRA", 12: "RTPROT_BIRD",
	13: "RTPROT_DNROUTED", 14: "RTPROT_XORP", 15: "RTPROT_NTK", 16: "RTPROT_DHCP", 17: "RTPROT_MROUTED",
	18: "RTPROT_KEEPALIVED", 42: "RTPROT_BABEL", 99: "RTPROT_OPENR", 186: "RTPROT_BGP", 187: "RTPROT_ISIS",
	188: "RTPROT_OSPF", 189: "RTPROT_RIP", 192: "RTPROT_EIGRP",
}

var rtnTypeNames = map[uint64]string{
	0: "RTN_UNSPEC", 1: "RTN_UNICAST", 2: "RTN_LOCAL", 3: "RTN_BROADCAST", 4: "RTN_ANYCAST", 5: "RTN_MULTICAST",
	6: "RTN_BLACKHOLE", 7: "RTN_UNREACHABLE", 8: "RTN_PROHIBIT", 9: "RTN_THROW", 10: "RTN_NAT", 11: "RTN_XRESOLVE",
}

var rtmFlagNames = []bitName{
	{0x1, "RTNH_F_DEAD"}, {0x2, "RTNH_F_PERVASIVE"}, {0x4, "RTNH_F_ONLINK"}, {0x8, "RTNH_F_OFFLOAD"},
	{0x10, "RTNH_F_LINKDOWN"}, {0x20, "RTNH_F_UNRESOLVED"}, {0x40, "RTNH_F_TRAP"},
	{0x100, "RTM_F_NOTIFY"}, {0x200, "RTM_F_CLONED"}, {0x400, "RTM_F_EQUALIZE"}, {0x800, "RTM_F_PREFIX"},
	{0x1000, "RTM_F_LOOKUP_TABLE"}, {0x2000, "RTM_F_FIB_MATCH"}, {0x4000, "RTM_F_OFFLOAD"},
	{0x8000, "RTM_F_TRAP"}, {0x20000000, "RTM_F_OFFLOAD_FAILED"},
}

var nudNames = []bitName{
	{0x01, "NUD_INCOMPLETE"}, {0x02, "NUD_REACHABLE"}, {0x04, "NUD_STALE"}, {0x08, "NUD_DELAY"},
	{0x10, "NUD_PROBE"}, {0x20, "NUD_FAILED"}, {0x40, "NUD_NOARP"}, {0x80, "NUD_PERMANENT"},
}

var ntfNames = []bitName{
	{0x01, "NTF_USE"}, {0x02, "NTF_SELF"}, {0x04, "NTF_MASTER"}, {0x08, "NTF_PROXY"},
	{0x10, "NTF_EXT_LEARNED"}, {0x20, "NTF_OFFLOADED"}, {0x40, "NTF_STICKY"}, {0x80, "NTF_ROUTER"},
}

var operStateNames = map[uint64]string{
	0: "IF_OPER_UNKNOWN", 1: "IF_OPER_NOTPRESENT", 2: "IF_OPER_DOWN", 3: "IF_OPER_LOWERLAYERDOWN",
	4: "IF_OPER_TESTING", 5: "IF_OPER_DORMANT", 6: "IF_OPER_UP",
}

var linkModeNames = map[uint64]string{0: "IF_LINK_MODE_DEFAULT", 1: "IF_LINK_MODE_DORMANT", 2: "IF_LINK_MODE_TESTING"}

var brStateNames = map[uint64]string{0: "BR_STATE_DISABLED", 1: "BR_STATE_LISTENING", 2: "BR_STATE_LEARNING", 3: "BR_STATE_FORWARDING", 4: "BR_STATE_BLOCKING"}

var linkEventNames = map[uint64]string{
	0: "IFLA_EVENT_NONE", 1: "IFLA_EVENT_REBOOT", 2: "IFLA_EVENT_FEATURES", 3: "IFLA_EVENT_BONDING_FAILOVER",
	4: "IFLA_EVENT_NOTIFY_PEERS", 5: "IFLA_EVENT_IGMP_RESEND", 6: "IFLA_EVENT_BONDING_OPTIONS",
}

var addrGenModeNames = map[uint64]string{0: "IN6_ADDR_GEN_MODE_EUI64", 1: "IN6_ADDR_GEN_MODE_NONE", 2: "IN6_ADDR_GEN_MODE_STABLE_PRIVACY", 3: "IN6_ADDR_GEN_MODE_RANDOM"}

var ipprotoNames = map[uint64]string{
	0: "IPPROTO_IP", 1: "IPPROTO_ICMP", 6: "IPPROTO_TCP", 17: "IPPROTO_UDP", 33: "IPPROTO_DCCP",
	41: "IPPROTO_IPV6", 58: "IPPROTO_ICMPV6", 132: "IPPROTO_SCTP", 136: "IPPROTO_UDPLITE", 255: "IPPROTO_RAW",
}

// TCP states (<net/tcp_states.h>); sock_diag's state masks are 1<<state.
var tcpStateNames = map[uint64]string{
	1: "TCP_ESTABLISHED", 2: "TCP_SYN_SENT", 3: "TCP_SYN_RECV", 4: "TCP_FIN_WAIT1", 5: "TCP_FIN_WAIT2",
	6: "TCP_TIME_WAIT", 7: "TCP_CLOSE", 8: "TCP_CLOSE_WAIT", 9: "TCP_LAST_ACK", 10: "TCP_LISTEN",
	11: "TCP_CLOSING", 12: "TCP_NEW_SYN_RECV",
}

var tcpStateBits = func() []bitName {
	var b []bitName
	keys := make([]uint64, 0, len(tcpStateNames))
	for k := range tcpStateNames {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	for _, k := range keys {
		b = append(b, bitName{1 << k, strings.TrimPrefix(tcpStateNames[k], "TCP_")})
	}
	return b
}()

var inetDiagExtBits = []bitName{
	{1 << 0, "MEMINFO"}, {1 << 1, "INFO"}, {1 << 2, "VEGASINFO"}, {1 << 3, "CONG"},
	{1 << 4, "TOS"}, {1 << 5, "TCLASS"}, {1 << 6, "SKMEMINFO"}, {1 << 7, "SHUTDOWN"},
}

var udiagShowBits = []bitName{
	{0x1, "UDIAG_SHOW_NAME"}, {0x2, "UDIAG_SHOW_VFS"}, {0x4, "UDIAG_SHOW_PEER"}, {0x8, "UDIAG_SHOW_ICONS"},
	{0x10, "UDIAG_SHOW_RQLEN"}, {0x20, "UDIAG_SHOW_MEMINFO"}, {0x40, "UDIAG_SHOW_UID"},
}

// sockTypeNames uses the host's numbers: mips swaps SOCK_STREAM and
// SOCK_DGRAM.
var sockTypeNames = map[uint64]string{
	unix.SOCK_STREAM: "SOCK_STREAM", unix.SOCK_DGRAM: "SOCK_DGRAM", unix.SOCK_RAW: "SOCK_RAW", unix.SOCK_RDM: "SOCK_RDM",
	unix.SOCK_SEQPACKET: "SOCK_SEQPACKET", unix.SOCK_DCCP: "SOCK_DCCP", unix.SOCK_PACKET: "SOCK_PACKET",
}

var rtextBits = []bitName{
	{1 << 0, "RTEXT_FILTER_VF"}, {1 << 1, "RTEXT_FILTER_BRVLAN"}, {1 << 2, "RTEXT_FILTER_BRVLAN_COMPRESSED"},
	{1 << 3, "RTEXT_FILTER_SKIP_STATS"}, {1 << 4, "RTEXT_FILTER_MRP"}, {1 << 5, "RTEXT_FILTER_CFM_CONFIG"},
	{1 << 6, "RTEXT_FILTER_CFM_STATUS"}, {1 << 7, "RTEXT_FILTER_MST"},
}
