package wire

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"sync"
)

// The shapes of rtnetlink and sock_diag messages: family headers as C
// structs, attributes as spaces of types (IFLA_*, IFA_*, RTA_*, ...).

// Field constructors.
func fu(name string, size int) field { return field{name: name, size: size} }
func fpad(name string, size int) field {
	return field{name: name, size: size, pad: true}
}
func fsigned(name string) field {
	return field{name: name, size: 4, show: func(b []byte, c *ctx) string { return strconv.Itoa(int(int32(c.bo.Uint32(b)))) }}
}
func fenum(name string, size int, m map[uint64]string) field {
	return field{name: name, size: size, show: func(b []byte, c *ctx) string { return enumString(uintOf(c.bo, b), m) }}
}
func fflags(name string, size int, bits []bitName) field {
	return field{name: name, size: size, show: func(b []byte, c *ctx) string {
		v := uintOf(c.bo, b)
		if v == 0 {
			return "0"
		}
		return fmt.Sprintf("%s (%#x)", flagString(v, bits), v)
	}}
}

// ffamily is an address family field; it sets the family that later
// attributes are read in.
func ffamily(name string, size int) field {
	return field{name: name, size: size, show: func(b []byte, c *ctx) string {
		v := uintOf(c.bo, b)
		c.family = uint8(v)
		return enumString(v, afNames)
	}}
}
func fbe16(name string) field {
	return field{name: name, size: 2, show: func(b []byte, c *ctx) string {
		return fmt.Sprintf("%d (network order)", binary.BigEndian.Uint16(b))
	}}
}
func fhex(name string, size int) field {
	return field{name: name, size: size, show: func(b []byte, c *ctx) string { return fmt.Sprintf("%#x", uintOf(c.bo, b)) }}
}
func flifetime(name string) field {
	return field{name: name, size: 4, show: func(b []byte, c *ctx) string {
		v := c.bo.Uint32(b)
		if v == 0xffffffff {
			return "forever (0xffffffff)"
		}
		return fmt.Sprintf("%d s", v)
	}}
}

// fipaddr is a 16-byte address field of sock_diag, IPv4 in its first 4
// bytes when the family says so.
func fipaddr(name string) field {
	return field{name: name, size: 16, show: func(b []byte, c *ctx) string {
		if c.family == 2 {
			a, _ := netip.AddrFromSlice(b[:4])
			return a.String()
		}
		a, _ := netip.AddrFromSlice(b)
		return a.String()
	}}
}

// fcookie is a socket cookie, __u32[2], shown as one number.
func fcookie(name string) field {
	return field{name: name, size: 8, show: func(b []byte, c *ctx) string {
		lo, hi := c.bo.Uint32(b), c.bo.Uint32(b[4:])
		if lo == 0xffffffff && hi == 0xffffffff {
			return "INET_DIAG_NOCOOKIE"
		}
		return fmt.Sprintf("%#x", uint64(hi)<<32|uint64(lo))
	}}
}

// Family headers.
var (
	stIfinfomsg      *structDef
	stIfaddrmsg      *structDef
	stRtmsg          *structDef
	stNdmsg          *structDef
	stRtgenmsg       *structDef
	stNetconf        *structDef
	stFibRule        *structDef
	stTcmsg          *structDef
	stNhmsg          *structDef
	stIfStats        *structDef
	stRtnexthop      *structDef
	stInetDiagSockid []field
	stInetDiagReqV2  *structDef
	stInetDiagMsg    *structDef
	stUnixDiagReq    *structDef
	stUnixDiagMsg    *structDef
	stNetlinkDiagReq *structDef
	stNetlinkDiagMsg *structDef
	stPacketDiagReq  *structDef
	stPacketDiagMsg  *structDef
	stSockDiagReq    *structDef
	stIfaCacheinfo   *structDef
	stRtaCacheinfo   *structDef
	stNdaCacheinfo   *structDef
	stIflaCacheinfo  *structDef
	stBridgeID       *structDef
	stBridgeVlanInfo *structDef
	stBoolopt        *structDef
	stPortRange      *structDef
	stTCPInfo        *structDef
	stInetDiagMem    *structDef
	stUnixDiagVfs    *structDef
	stUnixDiagRqlen  *structDef
	stFibUIDRange    *structDef
	stFibPortRange   *structDef
	stMfcStats       *structDef
	stLinkStats      *structDef
	stLinkStats64    *structDef
	stLinkIfmap      *structDef
)

// initStructs fills the family headers (lazily, see schema).
func initStructs() {
	stIfinfomsg = &structDef{"ifinfomsg", []field{
		ffamily("ifi_family", 1), fpad("__ifi_pad", 1), fenum("ifi_type", 2, arphrdNames),
		fsigned("ifi_index"), fflags("ifi_flags", 4, iffNames), fflags("ifi_change", 4, iffNames),
	}}
	stIfaddrmsg = &structDef{"ifaddrmsg", []field{
		ffamily("ifa_family", 1), fu("ifa_prefixlen", 1), fflags("ifa_flags", 1, ifaFlagNames),
		fenum("ifa_scope", 1, scopeNames), fu("ifa_index", 4),
	}}
	stRtmsg = &structDef{"rtmsg", []field{
		ffamily("rtm_family", 1), fu("rtm_dst_len", 1), fu("rtm_src_len", 1), fu("rtm_tos", 1),
		fenum("rtm_table", 1, tableNames), fenum("rtm_protocol", 1, protoRtNames), fenum("rtm_scope", 1, scopeNames),
		fenum("rtm_type", 1, rtnTypeNames), fflags("rtm_flags", 4, rtmFlagNames),
	}}
	stNdmsg = &structDef{"ndmsg", []field{
		ffamily("ndm_family", 1), fpad("ndm_pad1", 1), fpad("ndm_pad2", 2), fsigned("ndm_ifindex"),
		fflags("ndm_state", 2, nudNames), fflags("ndm_flags", 1, ntfNames), fenum("ndm_type", 1, rtnTypeNames),
	}}
	stRtgenmsg = &structDef{"rtgenmsg", []field{ffamily("rtgen_family", 1), fpad("(NLMSG_ALIGN)", 3)}}
	stNetconf = &structDef{"netconfmsg", []field{ffamily("ncm_family", 1), fpad("(NLMSG_ALIGN)", 3)}}
	stFibRule = &structDef{"fib_rule_hdr", []field{
		ffamily("family", 1), fu("dst_len", 1), fu("src_len", 1), fu("tos", 1), fenum("table", 1, tableNames),
		fpad("res1", 1), fpad("res2", 1), fenum("action", 1, map[uint64]string{0: "FR_ACT_UNSPEC", 1: "FR_ACT_TO_TBL", 2: "FR_ACT_GOTO", 3: "FR_ACT_NOP", 6: "FR_ACT_BLACKHOLE", 7: "FR_ACT_UNREACHABLE", 8: "FR_ACT_PROHIBIT"}),
		fhex("flags", 4),
	}}
	stTcmsg = &structDef{"tcmsg", []field{
		ffamily("tcm_family", 1), fpad("tcm__pad1", 1), fpad("tcm__pad2", 2), fsigned("tcm_ifindex"),
		fhex("tcm_handle", 4), fhex("tcm_parent", 4), fu("tcm_info", 4),
	}}
	stNhmsg = &structDef{"nhmsg", []field{
		ffamily("nh_family", 1), fenum("nh_scope", 1, scopeNames), fenum("nh_protocol", 1, protoRtNames),
		fpad("resvd", 1), fflags("nh_flags", 4, rtmFlagNames),
	}}
	stIfStats = &structDef{"if_stats_msg", []field{
		ffamily("family", 1), fpad("pad1", 1), fpad("pad2", 2), fu("ifindex", 4), fhex("filter_mask", 4),
	}}
	stRtnexthop = &structDef{"rtnexthop", []field{
		fu("rtnh_len", 2), fflags("rtnh_flags", 1, rtmFlagNames), fu("rtnh_hops", 1), fsigned("rtnh_ifindex"),
	}}

	// sock_diag
	stInetDiagSockid = []field{
		fbe16("idiag_sport"), fbe16("idiag_dport"), fipaddr("idiag_src"), fipaddr("idiag_dst"),
		fu("idiag_if", 4), fcookie("idiag_cookie"),
	}
	stInetDiagReqV2 = &structDef{"inet_diag_req_v2", append([]field{
		ffamily("sdiag_family", 1), fenum("sdiag_protocol", 1, ipprotoNames), fflags("idiag_ext", 1, inetDiagExtBits),
		fpad("pad", 1), fflags("idiag_states", 4, tcpStateBits),
	}, stInetDiagSockid...)}
	stInetDiagMsg = &structDef{"inet_diag_msg", append(append([]field{
		ffamily("idiag_family", 1), fenum("idiag_state", 1, tcpStateNames), fu("idiag_timer", 1), fu("idiag_retrans", 1),
	}, stInetDiagSockid...),
		fu("idiag_expires", 4), fu("idiag_rqueue", 4), fu("idiag_wqueue", 4), fu("idiag_uid", 4), fu("idiag_inode", 4),
	)}
	stUnixDiagReq = &structDef{"unix_diag_req", []field{
		ffamily("sdiag_family", 1), fu("sdiag_protocol", 1), fpad("pad", 2), fflags("udiag_states", 4, tcpStateBits),
		fu("udiag_ino", 4), fflags("udiag_show", 4, udiagShowBits), fcookie("udiag_cookie"),
	}}
	stUnixDiagMsg = &structDef{"unix_diag_msg", []field{
		ffamily("udiag_family", 1), fenum("udiag_type", 1, sockTypeNames), fenum("udiag_state", 1, tcpStateNames),
		fpad("pad", 1), fu("udiag_ino", 4), fcookie("udiag_cookie"),
	}}
	stNetlinkDiagReq = &structDef{"netlink_diag_req", []field{
		ffamily("sdiag_family", 1), fenum("sdiag_protocol", 1, protoNames), fpad("pad", 2), fu("ndiag_ino", 4),
		fhex("ndiag_show", 4), fcookie("ndiag_cookie"),
	}}
	stNetlinkDiagMsg = &structDef{"netlink_diag_msg", []field{
		ffamily("ndiag_family", 1), fenum("ndiag_type", 1, sockTypeNames), fenum("ndiag_protocol", 1, protoNames),
		fu("ndiag_state", 1), fu("ndiag_portid", 4), fu("ndiag_dst_portid", 4), fu("ndiag_dst_group", 4),
		fu("ndiag_ino", 4), fcookie("ndiag_cookie"),
	}}
	stPacketDiagReq = &structDef{"packet_diag_req", []field{
		ffamily("sdiag_family", 1), fu("sdiag_protocol", 1), fpad("pad", 2), fu("pdiag_ino", 4),
		fhex("pdiag_show", 4), fcookie("pdiag_cookie"),
	}}
	stPacketDiagMsg = &structDef{"packet_diag_msg", []field{
		ffamily("pdiag_family", 1), fenum("pdiag_type", 1, sockTypeNames), fhex("pdiag_num", 2), fu("pdiag_ino", 4),
		fcookie("pdiag_cookie"),
	}}
	stSockDiagReq = &structDef{"sock_diag_req", []field{ffamily("sdiag_family", 1), fu("sdiag_protocol", 1)}}

	// attribute values
	stIfaCacheinfo = &structDef{"ifa_cacheinfo", []field{
		flifetime("ifa_prefered"), flifetime("ifa_valid"), fu("cstamp", 4), fu("tstamp", 4),
	}}
	stRtaCacheinfo = &structDef{"rta_cacheinfo", []field{
		fu("rta_clntref", 4), fu("rta_lastuse", 4), fsigned("rta_expires"), fu("rta_error", 4),
		fu("rta_used", 4), fu("rta_id", 4), fu("rta_ts", 4), fu("rta_tsage", 4),
	}}
	stNdaCacheinfo = &structDef{"nda_cacheinfo", []field{
		fu("ndm_confirmed", 4), fu("ndm_used", 4), fu("ndm_updated", 4), fu("ndm_refcnt", 4),
	}}
	stIflaCacheinfo = &structDef{"ifla_cacheinfo", []field{
		fu("max_reasm_len", 4), fu("tstamp", 4), fu("reachable_time", 4), fu("retrans_time", 4),
	}}
	stBridgeID = &structDef{"ifla_bridge_id", []field{
		{name: "prio", size: 2, show: func(b []byte, c *ctx) string { return fmt.Sprintf("%#04x", binary.BigEndian.Uint16(b)) }},
		{name: "addr", size: 6, show: func(b []byte, c *ctx) string { return macString(b) }},
	}}
	stBridgeVlanInfo = &structDef{"bridge_vlan_info", []field{
		fflags("flags", 2, []bitName{{1, "MASTER"}, {2, "PVID"}, {4, "UNTAGGED"}, {8, "RANGE_BEGIN"}, {16, "RANGE_END"}, {32, "BRENTRY"}, {64, "ONLINK"}}),
		fu("vid", 2),
	}}
	stBoolopt = &structDef{"br_boolopt_multi", []field{fhex("optval", 4), fhex("optmask", 4)}}
	stPortRange = &structDef{"ifla_vxlan_port_range", []field{fbe16("low"), fbe16("high")}}
	stTCPInfo = tcpInfo()
	stInetDiagMem = &structDef{"inet_diag_meminfo", []field{fu("idiag_rmem", 4), fu("idiag_wmem", 4), fu("idiag_fmem", 4), fu("idiag_tmem", 4)}}
	stUnixDiagVfs = &structDef{"unix_diag_vfs", []field{fu("udiag_vfs_ino", 4), fu("udiag_vfs_dev", 4)}}
	stUnixDiagRqlen = &structDef{"unix_diag_rqlen", []field{fu("udiag_rqueue", 4), fu("udiag_wqueue", 4)}}
	stFibUIDRange = &structDef{"fib_rule_uid_range", []field{fu("start", 4), fu("end", 4)}}
	stFibPortRange = &structDef{"fib_rule_port_range", []field{fu("start", 2), fu("end", 2)}}
	stMfcStats = &structDef{"rta_mfc_stats", []field{fu("mfcs_packets", 8), fu("mfcs_bytes", 8), fu("mfcs_wrong_if", 8)}}
	stLinkStats = statsStruct("rtnl_link_stats", 4)
	stLinkStats64 = statsStruct("rtnl_link_stats64", 8)
	stLinkIfmap = &structDef{"rtnl_link_ifmap", []field{
		fhex("mem_start", 8), fhex("mem_end", 8), fhex("base_addr", 8), fu("irq", 2), fu("dma", 1), fu("port", 1),
		fpad("(padding to 8)", 4),
	}}
}

func macString(b []byte) string {
	s := ""
	for i, c := range b {
		if i > 0 {
			s += ":"
		}
		s += fmt.Sprintf("%02x", c)
	}
	return s
}

// statsStruct is struct rtnl_link_stats (32-bit counters) or
// rtnl_link_stats64.
func statsStruct(name string, w int) *structDef {
	names := []string{"rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "rx_errors", "tx_errors",
		"rx_dropped", "tx_dropped", "multicast", "collisions", "rx_length_errors", "rx_over_errors",
		"rx_crc_errors", "rx_frame_errors", "rx_fifo_errors", "rx_missed_errors", "tx_aborted_errors",
		"tx_carrier_errors", "tx_fifo_errors", "tx_heartbeat_errors", "tx_window_errors",
		"rx_compressed", "tx_compressed", "rx_nohandler"}
	if w == 8 {
		names = append(names, "rx_otherhost_dropped")
	}
	s := &structDef{name: name}
	for _, n := range names {
		s.fields = append(s.fields, fu(n, w))
	}
	return s
}

// family is a message's family header and the attributes after it.
type family struct {
	hdr   *structDef
	attrs *space
}

// familyFor picks the family header of a message of type c.msgType.
func familyFor(c *ctx, payload []byte) *family {
	t := c.msgType
	switch c.proto {
	case protoRoute:
		switch {
		case t >= 16 && t <= 19, t >= 108 && t <= 110: // LINK, LINKPROP
			return &family{stIfinfomsg, spaceIFLA}
		case t >= 20 && t <= 23, t == 58, t == 62: // ADDR, MULTICAST, ANYCAST
			return &family{stIfaddrmsg, spaceIFA}
		case t >= 24 && t <= 27:
			return &family{stRtmsg, spaceRTA}
		case t >= 28 && t <= 31:
			return &family{stNdmsg, spaceNDA}
		case t >= 32 && t <= 35:
			return &family{stFibRule, spaceFRA}
		case t >= 36 && t <= 47, t >= 100 && t <= 102: // QDISC, TCLASS, TFILTER, CHAIN
			return &family{stTcmsg, spaceTCA}
		case t >= 80 && t <= 82:
			return &family{stNetconf, spaceNETCONFA}
		case t >= 88 && t <= 90:
			return &family{stRtgenmsg, spaceNETNSA}
		case t >= 92 && t <= 95:
			return &family{stIfStats, nil}
		case t >= 104 && t <= 106:
			return &family{stNhmsg, spaceNHA}
		}
	case protoSockDiag:
		if t != 20 && t != 21 {
			return nil
		}
		if len(payload) < 1 {
			return &family{stSockDiagReq, nil}
		}
		switch payload[0] {
		case 2, 10: // AF_INET, AF_INET6
			if c.request {
				return &family{stInetDiagReqV2, spaceInetDiagReq}
			}
			return &family{stInetDiagMsg, spaceInetDiag}
		case 1:
			if c.request {
				return &family{stUnixDiagReq, nil}
			}
			return &family{stUnixDiagMsg, spaceUnixDiag}
		case 16:
			if c.request {
				return &family{stNetlinkDiagReq, nil}
			}
			return &family{stNetlinkDiagMsg, spaceNetlinkDiag}
		case 17:
			if c.request {
				return &family{stPacketDiagReq, nil}
			}
			return &family{stPacketDiagMsg, nil}
		}
		return &family{stSockDiagReq, nil}
	}
	return nil
}

// Attribute spaces, filled in init (they refer to each other).
var (
	spaceIFLA, spaceLinkInfo, spaceVeth, spaceBridge, spaceBrport, spaceVxlan, spaceVlan *space
	spaceAFSpec, spaceBridgeAFSpec, spaceInet, spaceInet6, spaceXDP, spacePropList       *space
	spaceIFA, spaceRTA, spaceRTAX, spaceNDA, spaceFRA, spaceTCA, spaceNETCONFA           *space
	spaceNETNSA, spaceNHA, spaceExtack, spacePolicy                                      *space
	spaceInetDiag, spaceInetDiagReq, spaceUnixDiag, spaceNetlinkDiag                     *space
)

func leaf(name string, k valueKind) spec { return spec{name: name, kind: k} }
func enumS(name string, k valueKind, m map[uint64]string) spec {
	return spec{name: name, kind: k, enum: m}
}
func flagsS(name string, k valueKind, b []bitName) spec {
	return spec{name: name, kind: k, flags: b}
}
func structS(name string, st *structDef) spec { return spec{name: name, kind: vStruct, st: st} }
func nestS(name string, sp **space) spec {
	return spec{name: name, kind: vNested, nest: func(*ctx) *space { return *sp }}
}
func withNote(s spec, note string) spec { s.note = note; return s }

// list builds a space whose types are 0, 1, 2, ... in the order given
// (nil entries are gaps), starting at first.
func list(name string, first uint16, specs ...spec) *space {
	sp := &space{name: name, specs: map[uint16]spec{}}
	for i, s := range specs {
		if s.name != "" {
			sp.specs[first+uint16(i)] = s
		}
	}
	return sp
}

var skip = spec{}

// schemaOnce builds the headers and attribute spaces on first use, not at
// program start: most runs of nsbox never print a netlink dump.
var schemaOnce sync.Once

func schema() { schemaOnce.Do(func() { initStructs(); initSpaces() }) }

func initSpaces() {
	spaceIFLA = list("IFLA_*", 1,
		leaf("IFLA_ADDRESS", vMAC), leaf("IFLA_BROADCAST", vMAC), leaf("IFLA_IFNAME", vString),
		leaf("IFLA_MTU", vU32), leaf("IFLA_LINK", vS32), leaf("IFLA_QDISC", vString),
		structS("IFLA_STATS", stLinkStats), leaf("IFLA_COST", vBinary), leaf("IFLA_PRIORITY", vBinary),
		leaf("IFLA_MASTER", vU32), leaf("IFLA_WIRELESS", vBinary),
		spec{name: "IFLA_PROTINFO", kind: vNested, nest: func(c *ctx) *space {
			switch c.family {
			case 7:
				return spaceBrport
			case 10:
				return spaceInet6
			}
			return nil
		}},
		leaf("IFLA_TXQLEN", vU32), structS("IFLA_MAP", stLinkIfmap), leaf("IFLA_WEIGHT", vU32),
		enumS("IFLA_OPERSTATE", vU8, operStateNames), enumS("IFLA_LINKMODE", vU8, linkModeNames),
		spec{name: "IFLA_LINKINFO", kind: vLinkInfo}, leaf("IFLA_NET_NS_PID", vU32), leaf("IFLA_IFALIAS", vString),
		leaf("IFLA_NUM_VF", vU32), leaf("IFLA_VFINFO_LIST", vNested), structS("IFLA_STATS64", stLinkStats64),
		leaf("IFLA_VF_PORTS", vNested), leaf("IFLA_PORT_SELF", vNested),
		spec{name: "IFLA_AF_SPEC", kind: vNested, nest: func(c *ctx) *space {
			if c.family == 7 {
				return spaceBridgeAFSpec
			}
			return spaceAFSpec
		}},
		leaf("IFLA_GROUP", vU32), leaf("IFLA_NET_NS_FD", vS32), flagsS("IFLA_EXT_MASK", vU32, rtextBits),
		leaf("IFLA_PROMISCUITY", vU32), leaf("IFLA_NUM_TX_QUEUES", vU32), leaf("IFLA_NUM_RX_QUEUES", vU32),
		leaf("IFLA_CARRIER", vU8), leaf("IFLA_PHYS_PORT_ID", vBinary), leaf("IFLA_CARRIER_CHANGES", vU32),
		leaf("IFLA_PHYS_SWITCH_ID", vBinary), leaf("IFLA_LINK_NETNSID", vS32), leaf("IFLA_PHYS_PORT_NAME", vString),
		leaf("IFLA_PROTO_DOWN", vU8), leaf("IFLA_GSO_MAX_SEGS", vU32), leaf("IFLA_GSO_MAX_SIZE", vU32),
		leaf("IFLA_PAD", vBinary), nestS("IFLA_XDP", &spaceXDP), enumS("IFLA_EVENT", vU32, linkEventNames),
		leaf("IFLA_NEW_NETNSID", vS32), leaf("IFLA_TARGET_NETNSID", vS32), leaf("IFLA_CARRIER_UP_COUNT", vU32),
		leaf("IFLA_CARRIER_DOWN_COUNT", vU32), leaf("IFLA_NEW_IFINDEX", vS32), leaf("IFLA_MIN_MTU", vU32),
		leaf("IFLA_MAX_MTU", vU32), nestS("IFLA_PROP_LIST", &spacePropList), leaf("IFLA_ALT_IFNAME", vString),
		leaf("IFLA_PERM_ADDRESS", vMAC), leaf("IFLA_PROTO_DOWN_REASON", vNested), leaf("IFLA_PARENT_DEV_NAME", vString),
		leaf("IFLA_PARENT_DEV_BUS_NAME", vString), leaf("IFLA_GRO_MAX_SIZE", vU32), leaf("IFLA_TSO_MAX_SIZE", vU32),
		leaf("IFLA_TSO_MAX_SEGS", vU32), leaf("IFLA_ALLMULTI", vU32), leaf("IFLA_DEVLINK_PORT", vNested),
		leaf("IFLA_GSO_IPV4_MAX_SIZE", vU32), leaf("IFLA_GRO_IPV4_MAX_SIZE", vU32), leaf("IFLA_DPLL_PIN", vNested),
		leaf("IFLA_MAX_PACING_OFFLOAD_HORIZON", vU32), leaf("IFLA_NETNS_IMMUTABLE", vU8),
		leaf("IFLA_HEADROOM", vU16), leaf("IFLA_TAILROOM", vU16),
	)
	spacePropList = list("IFLA_*", 53, leaf("IFLA_ALT_IFNAME", vString))
	spaceLinkInfo = list("IFLA_INFO_*", 1,
		leaf("IFLA_INFO_KIND", vString),
		spec{name: "IFLA_INFO_DATA", kind: vNested, nest: func(c *ctx) *space { return kindSpaces[c.kind] }},
		leaf("IFLA_INFO_XSTATS", vBinary), leaf("IFLA_INFO_SLAVE_KIND", vString),
		spec{name: "IFLA_INFO_SLAVE_DATA", kind: vNested, nest: func(c *ctx) *space { return slaveSpaces[c.slaveKind] }},
	)
	spaceVeth = list("VETH_INFO_*", 1,
		spec{name: "VETH_INFO_PEER", kind: vStructAttrs, st: stIfinfomsg, nest: func(*ctx) *space { return spaceIFLA }})
	u8, u16, u32, u64 := vU8, vU16, vU32, vU64
	spaceBridge = list("IFLA_BR_*", 1,
		withNote(leaf("IFLA_BR_FORWARD_DELAY", u32), " (1/100 s)"), withNote(leaf("IFLA_BR_HELLO_TIME", u32), " (1/100 s)"),
		withNote(leaf("IFLA_BR_MAX_AGE", u32), " (1/100 s)"), withNote(leaf("IFLA_BR_AGEING_TIME", u32), " (1/100 s)"),
		leaf("IFLA_BR_STP_STATE", u32), leaf("IFLA_BR_PRIORITY", u16), leaf("IFLA_BR_VLAN_FILTERING", u8),
		enumS("IFLA_BR_VLAN_PROTOCOL", vBE16, map[uint64]string{0x8100: "ETH_P_8021Q", 0x88a8: "ETH_P_8021AD"}),
		leaf("IFLA_BR_GROUP_FWD_MASK", u16), structS("IFLA_BR_ROOT_ID", stBridgeID), structS("IFLA_BR_BRIDGE_ID", stBridgeID),
		leaf("IFLA_BR_ROOT_PORT", u16), leaf("IFLA_BR_ROOT_PATH_COST", u32), leaf("IFLA_BR_TOPOLOGY_CHANGE", u8),
		leaf("IFLA_BR_TOPOLOGY_CHANGE_DETECTED", u8), leaf("IFLA_BR_HELLO_TIMER", u64), leaf("IFLA_BR_TCN_TIMER", u64),
		leaf("IFLA_BR_TOPOLOGY_CHANGE_TIMER", u64), leaf("IFLA_BR_GC_TIMER", u64), leaf("IFLA_BR_GROUP_ADDR", vMAC),
		leaf("IFLA_BR_FDB_FLUSH", vFlag), leaf("IFLA_BR_MCAST_ROUTER", u8), leaf("IFLA_BR_MCAST_SNOOPING", u8),
		leaf("IFLA_BR_MCAST_QUERY_USE_IFADDR", u8), leaf("IFLA_BR_MCAST_QUERIER", u8),
		leaf("IFLA_BR_MCAST_HASH_ELASTICITY", u32), leaf("IFLA_BR_MCAST_HASH_MAX", u32),
		leaf("IFLA_BR_MCAST_LAST_MEMBER_CNT", u32), leaf("IFLA_BR_MCAST_STARTUP_QUERY_CNT", u32),
		leaf("IFLA_BR_MCAST_LAST_MEMBER_INTVL", u64), leaf("IFLA_BR_MCAST_MEMBERSHIP_INTVL", u64),
		leaf("IFLA_BR_MCAST_QUERIER_INTVL", u64), leaf("IFLA_BR_MCAST_QUERY_INTVL", u64),
		leaf("IFLA_BR_MCAST_QUERY_RESPONSE_INTVL", u64), leaf("IFLA_BR_MCAST_STARTUP_QUERY_INTVL", u64),
		leaf("IFLA_BR_NF_CALL_IPTABLES", u8), leaf("IFLA_BR_NF_CALL_IP6TABLES", u8), leaf("IFLA_BR_NF_CALL_ARPTABLES", u8),
		leaf("IFLA_BR_VLAN_DEFAULT_PVID", u16), leaf("IFLA_BR_PAD", vBinary), leaf("IFLA_BR_VLAN_STATS_ENABLED", u8),
		leaf("IFLA_BR_MCAST_STATS_ENABLED", u8), leaf("IFLA_BR_MCAST_IGMP_VERSION", u8), leaf("IFLA_BR_MCAST_MLD_VERSION", u8),
		leaf("IFLA_BR_VLAN_STATS_PER_PORT", u8), structS("IFLA_BR_MULTI_BOOLOPT", stBoolopt),
		leaf("IFLA_BR_MCAST_QUERIER_STATE", vNested), leaf("IFLA_BR_FDB_N_LEARNED", u32), leaf("IFLA_BR_FDB_MAX_LEARNED", u32),
	)
	spaceBrport = list("IFLA_BRPORT_*", 1,
		enumS("IFLA_BRPORT_STATE", u8, brStateNames), leaf("IFLA_BRPORT_PRIORITY", u16), leaf("IFLA_BRPORT_COST", u32),
		leaf("IFLA_BRPORT_MODE", u8), leaf("IFLA_BRPORT_GUARD", u8), leaf("IFLA_BRPORT_PROTECT", u8),
		leaf("IFLA_BRPORT_FAST_LEAVE", u8), leaf("IFLA_BRPORT_LEARNING", u8), leaf("IFLA_BRPORT_UNICAST_FLOOD", u8),
		leaf("IFLA_BRPORT_PROXYARP", u8), leaf("IFLA_BRPORT_LEARNING_SYNC", u8), leaf("IFLA_BRPORT_PROXYARP_WIFI", u8),
		structS("IFLA_BRPORT_ROOT_ID", stBridgeID), structS("IFLA_BRPORT_BRIDGE_ID", stBridgeID),
		leaf("IFLA_BRPORT_DESIGNATED_PORT", u16), leaf("IFLA_BRPORT_DESIGNATED_COST", u16), leaf("IFLA_BRPORT_ID", u16),
		leaf("IFLA_BRPORT_NO", u16), leaf("IFLA_BRPORT_TOPOLOGY_CHANGE_ACK", u8), leaf("IFLA_BRPORT_CONFIG_PENDING", u8),
		leaf("IFLA_BRPORT_MESSAGE_AGE_TIMER", u64), leaf("IFLA_BRPORT_FORWARD_DELAY_TIMER", u64),
		leaf("IFLA_BRPORT_HOLD_TIMER", u64), leaf("IFLA_BRPORT_FLUSH", vFlag), leaf("IFLA_BRPORT_MULTICAST_ROUTER", u8),
		leaf("IFLA_BRPORT_PAD", vBinary), leaf("IFLA_BRPORT_MCAST_FLOOD", u8), leaf("IFLA_BRPORT_MCAST_TO_UCAST", u8),
		leaf("IFLA_BRPORT_VLAN_TUNNEL", u8), leaf("IFLA_BRPORT_BCAST_FLOOD", u8), leaf("IFLA_BRPORT_GROUP_FWD_MASK", u16),
		leaf("IFLA_BRPORT_NEIGH_SUPPRESS", u8), leaf("IFLA_BRPORT_ISOLATED", u8), leaf("IFLA_BRPORT_BACKUP_PORT", u32),
		leaf("IFLA_BRPORT_MRP_RING_OPEN", u8), leaf("IFLA_BRPORT_MRP_IN_OPEN", u8),
		leaf("IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT", u32), leaf("IFLA_BRPORT_MCAST_EHT_HOSTS_CNT", u32),
		leaf("IFLA_BRPORT_LOCKED", u8), leaf("IFLA_BRPORT_MAB", u8), leaf("IFLA_BRPORT_MCAST_N_GROUPS", u32),
		leaf("IFLA_BRPORT_MCAST_MAX_GROUPS", u32), leaf("IFLA_BRPORT_NEIGH_VLAN_SUPPRESS", u8),
		leaf("IFLA_BRPORT_BACKUP_NHID", u32),
	)
	spaceVxlan = list("IFLA_VXLAN_*", 1,
		leaf("IFLA_VXLAN_ID", u32), leaf("IFLA_VXLAN_GROUP", vAddr), leaf("IFLA_VXLAN_LINK", u32),
		leaf("IFLA_VXLAN_LOCAL", vAddr), leaf("IFLA_VXLAN_TTL", u8), leaf("IFLA_VXLAN_TOS", u8),
		leaf("IFLA_VXLAN_LEARNING", u8), leaf("IFLA_VXLAN_AGEING", u32), leaf("IFLA_VXLAN_LIMIT", u32),
		structS("IFLA_VXLAN_PORT_RANGE", stPortRange), leaf("IFLA_VXLAN_PROXY", u8), leaf("IFLA_VXLAN_RSC", u8),
		leaf("IFLA_VXLAN_L2MISS", u8), leaf("IFLA_VXLAN_L3MISS", u8), leaf("IFLA_VXLAN_PORT", vBE16),
		leaf("IFLA_VXLAN_GROUP6", vAddr), leaf("IFLA_VXLAN_LOCAL6", vAddr), leaf("IFLA_VXLAN_UDP_CSUM", u8),
		leaf("IFLA_VXLAN_UDP_ZERO_CSUM6_TX", u8), leaf("IFLA_VXLAN_UDP_ZERO_CSUM6_RX", u8),
		leaf("IFLA_VXLAN_REMCSUM_TX", u8), leaf("IFLA_VXLAN_REMCSUM_RX", u8), leaf("IFLA_VXLAN_GBP", vFlag),
		leaf("IFLA_VXLAN_REMCSUM_NOPARTIAL", vFlag), leaf("IFLA_VXLAN_COLLECT_METADATA", u8),
		leaf("IFLA_VXLAN_LABEL", vBE32), leaf("IFLA_VXLAN_GPE", vFlag), leaf("IFLA_VXLAN_TTL_INHERIT", u8),
		leaf("IFLA_VXLAN_DF", u8), leaf("IFLA_VXLAN_VNIFILTER", u8), leaf("IFLA_VXLAN_LOCALBYPASS", u8),
	)
	spaceVlan = list("IFLA_VLAN_*", 1,
		leaf("IFLA_VLAN_ID", u16), leaf("IFLA_VLAN_FLAGS", vBinary), leaf("IFLA_VLAN_EGRESS_QOS", vNested),
		leaf("IFLA_VLAN_INGRESS_QOS", vNested),
		enumS("IFLA_VLAN_PROTOCOL", vBE16, map[uint64]string{0x8100: "ETH_P_8021Q", 0x88a8: "ETH_P_8021AD"}))
	spaceInet = list("IFLA_INET_*", 1, leaf("IFLA_INET_CONF", vU32Array))
	spaceInet6 = list("IFLA_INET6_*", 1,
		flagsS("IFLA_INET6_FLAGS", u32, []bitName{{0x10, "IF_RS_SENT"}, {0x20, "IF_RA_RCVD"}, {0x40, "IF_RA_MANAGED"}, {0x80, "IF_RA_OTHERCONF"}, {0x80000000, "IF_READY"}}),
		leaf("IFLA_INET6_CONF", vS32Array), leaf("IFLA_INET6_STATS", vU64Array), leaf("IFLA_INET6_MCAST", vBinary),
		structS("IFLA_INET6_CACHEINFO", stIflaCacheinfo), leaf("IFLA_INET6_ICMP6STATS", vU64Array),
		leaf("IFLA_INET6_TOKEN", vAddr), enumS("IFLA_INET6_ADDR_GEN_MODE", u8, addrGenModeNames), leaf("IFLA_INET6_RA_MTU", u32))
	spaceAFSpec = &space{name: "AF_* (IFLA_AF_SPEC)", specs: map[uint16]spec{
		2:  nestS("AF_INET", &spaceInet),
		10: nestS("AF_INET6", &spaceInet6),
		7:  leaf("AF_BRIDGE", vNested),
		28: leaf("AF_MPLS", vNested),
	}}
	spaceBridgeAFSpec = list("IFLA_BRIDGE_*", 0,
		flagsS("IFLA_BRIDGE_FLAGS", u16, []bitName{{1, "BRIDGE_FLAGS_MASTER"}, {2, "BRIDGE_FLAGS_SELF"}}),
		enumS("IFLA_BRIDGE_MODE", u16, map[uint64]string{0: "BRIDGE_MODE_VEB", 1: "BRIDGE_MODE_VEPA"}),
		structS("IFLA_BRIDGE_VLAN_INFO", stBridgeVlanInfo), leaf("IFLA_BRIDGE_VLAN_TUNNEL_INFO", vNested),
		leaf("IFLA_BRIDGE_MRP", vNested), leaf("IFLA_BRIDGE_CFM", vNested), leaf("IFLA_BRIDGE_MST", vNested))
	spaceXDP = list("IFLA_XDP_*", 1,
		leaf("IFLA_XDP_FD", vS32), enumS("IFLA_XDP_ATTACHED", u8, map[uint64]string{0: "XDP_ATTACHED_NONE", 1: "XDP_ATTACHED_DRV", 2: "XDP_ATTACHED_SKB", 3: "XDP_ATTACHED_HW", 4: "XDP_ATTACHED_MULTI"}),
		leaf("IFLA_XDP_FLAGS", u32), leaf("IFLA_XDP_PROG_ID", u32), leaf("IFLA_XDP_DRV_PROG_ID", u32),
		leaf("IFLA_XDP_SKB_PROG_ID", u32), leaf("IFLA_XDP_HW_PROG_ID", u32), leaf("IFLA_XDP_EXPECTED_FD", vS32))

	spaceIFA = list("IFA_*", 1,
		leaf("IFA_ADDRESS", vAddr), leaf("IFA_LOCAL", vAddr), leaf("IFA_LABEL", vString), leaf("IFA_BROADCAST", vAddr),
		leaf("IFA_ANYCAST", vAddr), structS("IFA_CACHEINFO", stIfaCacheinfo), leaf("IFA_MULTICAST", vAddr),
		flagsS("IFA_FLAGS", u32, ifaFlagNames), leaf("IFA_RT_PRIORITY", u32), leaf("IFA_TARGET_NETNSID", vS32),
		enumS("IFA_PROTO", u8, map[uint64]string{0: "IFAPROT_UNSPEC", 1: "IFAPROT_KERNEL_LO", 2: "IFAPROT_KERNEL_RA", 3: "IFAPROT_KERNEL_LL"}))
	spaceRTA = list("RTA_*", 1,
		leaf("RTA_DST", vAddr), leaf("RTA_SRC", vAddr), leaf("RTA_IIF", u32), leaf("RTA_OIF", u32),
		leaf("RTA_GATEWAY", vAddr), leaf("RTA_PRIORITY", u32), leaf("RTA_PREFSRC", vAddr), nestS("RTA_METRICS", &spaceRTAX),
		spec{name: "RTA_MULTIPATH", kind: vMultipath}, leaf("RTA_PROTOINFO", vBinary), leaf("RTA_FLOW", u32),
		structS("RTA_CACHEINFO", stRtaCacheinfo), leaf("RTA_SESSION", vBinary), leaf("RTA_MP_ALGO", vBinary),
		enumS("RTA_TABLE", u32, tableNames), leaf("RTA_MARK", u32), structS("RTA_MFC_STATS", stMfcStats),
		leaf("RTA_VIA", vBinary), leaf("RTA_NEWDST", vBinary),
		enumS("RTA_PREF", u8, map[uint64]string{0: "ICMPV6_ROUTER_PREF_MEDIUM", 1: "ICMPV6_ROUTER_PREF_HIGH", 3: "ICMPV6_ROUTER_PREF_LOW"}),
		enumS("RTA_ENCAP_TYPE", u16, map[uint64]string{0: "LWTUNNEL_ENCAP_NONE", 1: "LWTUNNEL_ENCAP_MPLS", 2: "LWTUNNEL_ENCAP_IP", 3: "LWTUNNEL_ENCAP_ILA", 4: "LWTUNNEL_ENCAP_IP6", 5: "LWTUNNEL_ENCAP_SEG6", 6: "LWTUNNEL_ENCAP_BPF", 7: "LWTUNNEL_ENCAP_SEG6_LOCAL", 8: "LWTUNNEL_ENCAP_RPL", 9: "LWTUNNEL_ENCAP_IOAM6", 10: "LWTUNNEL_ENCAP_XFRM"}),
		leaf("RTA_ENCAP", vNested), withNote(leaf("RTA_EXPIRES", u32), " (1/100 s)"), leaf("RTA_PAD", vBinary),
		leaf("RTA_UID", u32), leaf("RTA_TTL_PROPAGATE", u8), enumS("RTA_IP_PROTO", u8, ipprotoNames),
		leaf("RTA_SPORT", vBE16), leaf("RTA_DPORT", vBE16), leaf("RTA_NH_ID", u32), leaf("RTA_FLOWLABEL", vBE32))
	spaceRTAX = list("RTAX_*", 1,
		leaf("RTAX_LOCK", u32), leaf("RTAX_MTU", u32), leaf("RTAX_WINDOW", u32), leaf("RTAX_RTT", u32),
		leaf("RTAX_RTTVAR", u32), leaf("RTAX_SSTHRESH", u32), leaf("RTAX_CWND", u32), leaf("RTAX_ADVMSS", u32),
		leaf("RTAX_REORDERING", u32), leaf("RTAX_HOPLIMIT", u32), leaf("RTAX_INITCWND", u32), leaf("RTAX_FEATURES", u32),
		leaf("RTAX_RTO_MIN", u32), leaf("RTAX_INITRWND", u32), leaf("RTAX_QUICKACK", u32), leaf("RTAX_CC_ALGO", vString),
		leaf("RTAX_FASTOPEN_NO_COOKIE", u32))
	spaceNDA = list("NDA_*", 1,
		leaf("NDA_DST", vAddr), leaf("NDA_LLADDR", vMAC), structS("NDA_CACHEINFO", stNdaCacheinfo), leaf("NDA_PROBES", u32),
		leaf("NDA_VLAN", u16), leaf("NDA_PORT", vBE16), leaf("NDA_VNI", u32), leaf("NDA_IFINDEX", u32),
		leaf("NDA_MASTER", u32), leaf("NDA_LINK_NETNSID", vS32), leaf("NDA_SRC_VNI", u32), enumS("NDA_PROTOCOL", u8, protoRtNames),
		leaf("NDA_NH_ID", u32), leaf("NDA_FDB_EXT_ATTRS", vNested), leaf("NDA_FLAGS_EXT", u32),
		flagsS("NDA_NDM_STATE_MASK", u16, nudNames), flagsS("NDA_NDM_FLAGS_MASK", u8, ntfNames))
	spaceFRA = list("FRA_*", 1,
		leaf("FRA_DST", vAddr), leaf("FRA_SRC", vAddr), leaf("FRA_IIFNAME", vString), leaf("FRA_GOTO", u32), skip,
		leaf("FRA_PRIORITY", u32), skip, skip, skip, leaf("FRA_FWMARK", u32), leaf("FRA_FLOW", u32),
		leaf("FRA_TUN_ID", vBinary), leaf("FRA_SUPPRESS_IFGROUP", u32), leaf("FRA_SUPPRESS_PREFIXLEN", u32),
		enumS("FRA_TABLE", u32, tableNames), leaf("FRA_FWMASK", u32), leaf("FRA_OIFNAME", vString), leaf("FRA_PAD", vBinary),
		leaf("FRA_L3MDEV", u8), structS("FRA_UID_RANGE", stFibUIDRange), enumS("FRA_PROTOCOL", u8, protoRtNames),
		enumS("FRA_IP_PROTO", u8, ipprotoNames), structS("FRA_SPORT_RANGE", stFibPortRange), structS("FRA_DPORT_RANGE", stFibPortRange))
	spaceTCA = list("TCA_*", 1,
		leaf("TCA_KIND", vString), leaf("TCA_OPTIONS", vBinary), leaf("TCA_STATS", vBinary), leaf("TCA_XSTATS", vBinary),
		leaf("TCA_RATE", vBinary), leaf("TCA_FCNT", vBinary), leaf("TCA_STATS2", vNested), leaf("TCA_STAB", vNested),
		leaf("TCA_PAD", vBinary), leaf("TCA_DUMP_INVISIBLE", vFlag), leaf("TCA_CHAIN", u32), leaf("TCA_HW_OFFLOAD", u8),
		leaf("TCA_INGRESS_BLOCK", u32), leaf("TCA_EGRESS_BLOCK", u32), leaf("TCA_DUMP_FLAGS", vBinary), leaf("TCA_EXT_WARN_MSG", vString))
	ifindexNames := map[uint64]string{0xffffffff: "NETCONFA_IFINDEX_ALL", 0xfffffffe: "NETCONFA_IFINDEX_DEFAULT"}
	spaceNETCONFA = list("NETCONFA_*", 1,
		enumS("NETCONFA_IFINDEX", vS32, ifindexNames), leaf("NETCONFA_FORWARDING", vS32), leaf("NETCONFA_RP_FILTER", vS32),
		leaf("NETCONFA_MC_FORWARDING", vS32), leaf("NETCONFA_PROXY_NEIGH", vS32),
		leaf("NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN", vS32), leaf("NETCONFA_INPUT", vS32), leaf("NETCONFA_BC_FORWARDING", vS32))
	spaceNETNSA = list("NETNSA_*", 1,
		leaf("NETNSA_NSID", vS32), leaf("NETNSA_PID", u32), leaf("NETNSA_FD", u32), leaf("NETNSA_TARGET_NSID", vS32),
		leaf("NETNSA_CURRENT_NSID", vS32))
	spaceNHA = list("NHA_*", 1,
		leaf("NHA_ID", u32), leaf("NHA_GROUP", vBinary), leaf("NHA_GROUP_TYPE", u16), leaf("NHA_BLACKHOLE", vFlag),
		leaf("NHA_OIF", u32), leaf("NHA_GATEWAY", vAddr), leaf("NHA_ENCAP_TYPE", u16), leaf("NHA_ENCAP", vNested),
		leaf("NHA_GROUPS", vFlag), leaf("NHA_MASTER", u32), leaf("NHA_FDB", vFlag))
	spaceExtack = list("NLMSGERR_ATTR_*", 1,
		leaf("NLMSGERR_ATTR_MSG", vString),
		withNote(leaf("NLMSGERR_ATTR_OFFS", u32), " (byte offset in the request that the error points at)"),
		leaf("NLMSGERR_ATTR_COOKIE", vBinary), nestS("NLMSGERR_ATTR_POLICY", &spacePolicy),
		withNote(leaf("NLMSGERR_ATTR_MISS_TYPE", u32), " (attribute type that is missing)"),
		withNote(leaf("NLMSGERR_ATTR_MISS_NEST", u32), " (offset of the nest it is missing from)"))
	spacePolicy = list("NL_POLICY_TYPE_ATTR_*", 1,
		enumS("NL_POLICY_TYPE_ATTR_TYPE", u32, map[uint64]string{1: "NL_ATTR_TYPE_FLAG", 2: "NL_ATTR_TYPE_U8", 3: "NL_ATTR_TYPE_U16", 4: "NL_ATTR_TYPE_U32", 5: "NL_ATTR_TYPE_U64", 6: "NL_ATTR_TYPE_S8", 7: "NL_ATTR_TYPE_S16", 8: "NL_ATTR_TYPE_S32", 9: "NL_ATTR_TYPE_S64", 10: "NL_ATTR_TYPE_BINARY", 11: "NL_ATTR_TYPE_STRING", 12: "NL_ATTR_TYPE_NUL_STRING", 13: "NL_ATTR_TYPE_NESTED", 14: "NL_ATTR_TYPE_NESTED_ARRAY", 15: "NL_ATTR_TYPE_BITFIELD32", 16: "NL_ATTR_TYPE_SINT", 17: "NL_ATTR_TYPE_UINT"}),
		leaf("NL_POLICY_TYPE_ATTR_MIN_VALUE_S", vS64), leaf("NL_POLICY_TYPE_ATTR_MAX_VALUE_S", vS64),
		leaf("NL_POLICY_TYPE_ATTR_MIN_VALUE_U", u64), leaf("NL_POLICY_TYPE_ATTR_MAX_VALUE_U", u64),
		leaf("NL_POLICY_TYPE_ATTR_MIN_LENGTH", u32), leaf("NL_POLICY_TYPE_ATTR_MAX_LENGTH", u32),
		leaf("NL_POLICY_TYPE_ATTR_POLICY_IDX", u32), leaf("NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE", u32),
		leaf("NL_POLICY_TYPE_ATTR_BITFIELD32_MASK", u32), leaf("NL_POLICY_TYPE_ATTR_PAD", vBinary), leaf("NL_POLICY_TYPE_ATTR_MASK", u64))

	spaceInetDiag = list("INET_DIAG_*", 1,
		structS("INET_DIAG_MEMINFO", stInetDiagMem), structS("INET_DIAG_INFO", stTCPInfo), leaf("INET_DIAG_VEGASINFO", vBinary),
		leaf("INET_DIAG_CONG", vString), leaf("INET_DIAG_TOS", u8), leaf("INET_DIAG_TCLASS", u8),
		leaf("INET_DIAG_SKMEMINFO", vU32Array), leaf("INET_DIAG_SHUTDOWN", u8), leaf("INET_DIAG_DCTCPINFO", vBinary),
		enumS("INET_DIAG_PROTOCOL", u8, ipprotoNames), leaf("INET_DIAG_SKV6ONLY", u8), leaf("INET_DIAG_LOCALS", vBinary),
		leaf("INET_DIAG_PEERS", vBinary), leaf("INET_DIAG_PAD", vBinary), leaf("INET_DIAG_MARK", u32),
		leaf("INET_DIAG_BBRINFO", vBinary), leaf("INET_DIAG_CLASS_ID", u32), leaf("INET_DIAG_MD5SIG", vBinary),
		leaf("INET_DIAG_ULP_INFO", vNested), leaf("INET_DIAG_SK_BPF_STORAGES", vNested), leaf("INET_DIAG_CGROUP_ID", u64),
		leaf("INET_DIAG_SOCKOPT", vBinary))
	spaceInetDiagReq = list("INET_DIAG_REQ_*", 1,
		leaf("INET_DIAG_REQ_BYTECODE", vBinary), leaf("INET_DIAG_REQ_SK_BPF_STORAGES", vNested),
		enumS("INET_DIAG_REQ_PROTOCOL", u32, ipprotoNames))
	spaceUnixDiag = list("UNIX_DIAG_*", 0,
		leaf("UNIX_DIAG_NAME", vSunPath), structS("UNIX_DIAG_VFS", stUnixDiagVfs), leaf("UNIX_DIAG_PEER", u32),
		leaf("UNIX_DIAG_ICONS", vU32Array), structS("UNIX_DIAG_RQLEN", stUnixDiagRqlen), leaf("UNIX_DIAG_MEMINFO", vU32Array),
		leaf("UNIX_DIAG_SHUTDOWN", u8), leaf("UNIX_DIAG_UID", u32))
	spaceNetlinkDiag = list("NETLINK_DIAG_*", 0,
		leaf("NETLINK_DIAG_MEMINFO", vU32Array), leaf("NETLINK_DIAG_GROUPS", vBinary), leaf("NETLINK_DIAG_RX_RING", vBinary),
		leaf("NETLINK_DIAG_TX_RING", vBinary), flagsS("NETLINK_DIAG_FLAGS", u32, []bitName{{1, "CB_RUNNING"}, {2, "PKTINFO"}, {4, "BROADCAST_ERROR"}, {8, "NO_ENOBUFS"}, {16, "LISTEN_ALL_NSID"}, {32, "CAP_ACK"}}))

	kindSpaces = map[string]*space{"veth": spaceVeth, "bridge": spaceBridge, "vxlan": spaceVxlan, "vlan": spaceVlan}
	slaveSpaces = map[string]*space{"bridge": spaceBrport}
}

// The IFLA_INFO_DATA of each kind, and IFLA_INFO_SLAVE_DATA of each
// slave kind.
var kindSpaces, slaveSpaces map[string]*space

// tcpInfo is struct tcp_info (<linux/tcp.h>) as of Linux 6.7; newer
// kernels send more, shown raw after it.
func tcpInfo() *structDef {
	s := &structDef{name: "tcp_info", fields: []field{
		fenum("tcpi_state", 1, tcpStateNames), fu("tcpi_ca_state", 1), fu("tcpi_retransmits", 1),
		fu("tcpi_probes", 1), fu("tcpi_backoff", 1), fhex("tcpi_options", 1),
		{name: "tcpi_wscale", size: 1, show: func(b []byte, _ *ctx) string {
			return fmt.Sprintf("snd %d rcv %d (4 bits each)", b[0]&0xf, b[0]>>4)
		}},
		fhex("tcpi_flags", 1),
	}}
	for _, n := range []string{"rto", "ato", "snd_mss", "rcv_mss", "unacked", "sacked", "lost", "retrans",
		"fackets", "last_data_sent", "last_ack_sent", "last_data_recv", "last_ack_recv", "pmtu",
		"rcv_ssthresh", "rtt", "rttvar", "snd_ssthresh", "snd_cwnd", "advmss", "reordering", "rcv_rtt",
		"rcv_space", "total_retrans"} {
		s.fields = append(s.fields, fu("tcpi_"+n, 4))
	}
	for _, f := range []struct {
		n string
		w int
	}{{"pacing_rate", 8}, {"max_pacing_rate", 8}, {"bytes_acked", 8}, {"bytes_received", 8},
		{"segs_out", 4}, {"segs_in", 4}, {"notsent_bytes", 4}, {"min_rtt", 4}, {"data_segs_in", 4},
		{"data_segs_out", 4}, {"delivery_rate", 8}, {"busy_time", 8}, {"rwnd_limited", 8},
		{"sndbuf_limited", 8}, {"delivered", 4}, {"delivered_ce", 4}, {"bytes_sent", 8},
		{"bytes_retrans", 8}, {"dsack_dups", 4}, {"reord_seen", 4}, {"rcv_ooopack", 4}, {"snd_wnd", 4},
		{"rcv_wnd", 4}, {"rehash", 4}, {"total_rto", 2}, {"total_rto_recoveries", 2}, {"total_rto_time", 4}} {
		s.fields = append(s.fields, fu("tcpi_"+f.n, f.w))
	}
	return s
}
