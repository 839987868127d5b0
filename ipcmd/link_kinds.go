package ipcmd

import (
	"io"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	fmt "nsbox/internal/printf"
	"nsbox/rtnl"
)

// The grammars after "type KIND" (iproute2's link_util parse_opt, one
// file per kind in ip/iplink_*.c), each a table of the kind's options in
// iproute2's order that fills the kind's typed data in rtnl.

// linkKinds is the grammar after "type KIND": the kinds whose own
// options nsbox reads. A kind not listed takes no options.
var linkKinds = []struct {
	kind  string
	parse func(s *session, a *linkArgs, args []string) error
}{
	{"veth", parseVethOpts},
	{"vxcan", parseVethOpts},
	{"bridge", parseBridgeOpts},
	{"bridge_slave", parseBridgeSlaveOpts},
	{"macvlan", parseMacvlanOpts},
	{"macvtap", parseMacvlanOpts},
	{"vxlan", parseVxlanOpts},
	{"vlan", parseVlanOpts},
}

// kindOptions reads the words after "type KIND" into a.link.Info.
func (s *session) kindOptions(a *linkArgs) error {
	a.link.Info = rtnl.LinkInfo{Kind: a.kind}
	if len(a.kindArgs) == 0 {
		return nil
	}
	for _, k := range linkKinds {
		if k.kind == a.kind {
			return k.parse(s, a, a.kindArgs)
		}
	}
	if cli.Matches(a.kindArgs[0], "help") {
		return linkUsage()
	}
	return failf("Garbage instead of arguments \"%s ...\". Try \"ip link help\".", a.kindArgs[0])
}

// kindFail is a kind's parse_opt returning -1 after its usage text
// (explain()) and, for a word it does not know, msg first: exit 1.
func kindFail(msg, usage string) error {
	if msg != "" {
		io.WriteString(stderr, msg+"\n")
	}
	io.WriteString(stderr, usage)
	return &cli.Error{Code: cli.ExitFail}
}

// The builders of table entries: an option word and the field of the
// kind's data its value goes to. invalid is iproute2's invarg() text.

// optUint is an option of one unsigned number as wide as its field
// (get_u8, get_u16, get_u32, get_u64).
func optUint[T any, V uint8 | uint16 | uint32 | uint64](word, invalid string, field func(*T) **V) option[T] {
	return option[T]{[]keyword{abbrev(word)}, func(s *session, d *T, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		n, overflow, ok := strtoul(v, 0)
		if !ok || overflow || n > uint64(^V(0)) {
			return invArg(invalid, v)
		}
		*field(d) = new(V(n))
		return nil
	}}
}

// bridgeBuild is what "type bridge" collects: the data, and the boolean
// options that go into IFLA_BR_MULTI_BOOLOPT at the end.
type bridgeBuild struct {
	rtnl.Bridge
	bm rtnl.BridgeBoolOpt
}

const bridgeUsageKind = `Usage: ... bridge [ fdb_flush ]
		  [ forward_delay FORWARD_DELAY ]
		  [ hello_time HELLO_TIME ]
		  [ max_age MAX_AGE ]
		  [ ageing_time AGEING_TIME ]
		  [ stp_state STP_STATE ]
		  [ priority PRIORITY ]
		  [ group_fwd_mask MASK ]
		  [ group_address ADDRESS ]
		  [ no_linklocal_learn NO_LINKLOCAL_LEARN ]
		  [ vlan_filtering VLAN_FILTERING ]
		  [ vlan_protocol VLAN_PROTOCOL ]
		  [ vlan_default_pvid VLAN_DEFAULT_PVID ]
		  [ vlan_stats_enabled VLAN_STATS_ENABLED ]
		  [ vlan_stats_per_port VLAN_STATS_PER_PORT ]
		  [ mcast_snooping MULTICAST_SNOOPING ]
		  [ mcast_vlan_snooping MULTICAST_VLAN_SNOOPING ]
		  [ mcast_router MULTICAST_ROUTER ]
		  [ mcast_query_use_ifaddr MCAST_QUERY_USE_IFADDR ]
		  [ mcast_querier MULTICAST_QUERIER ]
		  [ mcast_hash_elasticity HASH_ELASTICITY ]
		  [ mcast_hash_max HASH_MAX ]
		  [ mcast_last_member_count LAST_MEMBER_COUNT ]
		  [ mcast_startup_query_count STARTUP_QUERY_COUNT ]
		  [ mcast_last_member_interval LAST_MEMBER_INTERVAL ]
		  [ mcast_membership_interval MEMBERSHIP_INTERVAL ]
		  [ mcast_querier_interval QUERIER_INTERVAL ]
		  [ mcast_query_interval QUERY_INTERVAL ]
		  [ mcast_query_response_interval QUERY_RESPONSE_INTERVAL ]
		  [ mcast_startup_query_interval STARTUP_QUERY_INTERVAL ]
		  [ mcast_stats_enabled MCAST_STATS_ENABLED ]
		  [ mcast_igmp_version IGMP_VERSION ]
		  [ mcast_mld_version MLD_VERSION ]
		  [ nf_call_iptables NF_CALL_IPTABLES ]
		  [ nf_call_ip6tables NF_CALL_IP6TABLES ]
		  [ nf_call_arptables NF_CALL_ARPTABLES ]

Where: VLAN_PROTOCOL := { 802.1Q | 802.1ad }
`

// boolOpt is a bridge option kept as a bit of IFLA_BR_MULTI_BOOLOPT
// (BR_BOOLOPT_*), compared exactly.
func boolOpt(word string, bit uint) option[bridgeBuild] {
	return option[bridgeBuild]{[]keyword{is(word)}, func(s *session, b *bridgeBuild, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		n, ok := getUint(v, 0, 0xff)
		if !ok {
			return invArg("invalid "+word, v)
		}
		b.bm.Mask |= 1 << bit
		if n != 0 {
			b.bm.Value |= 1 << bit
		} else {
			b.bm.Value &^= 1 << bit
		}
		return nil
	}}
}

// bridgeOptions is bridge_parse_opt() (ip/iplink_bridge.c).
var bridgeOptions = []option[bridgeBuild]{
	optUint("forward_delay", "invalid forward_delay", func(b *bridgeBuild) **uint32 { return &b.ForwardDelay }),
	optUint("hello_time", "invalid hello_time", func(b *bridgeBuild) **uint32 { return &b.HelloTime }),
	optUint("max_age", "invalid max_age", func(b *bridgeBuild) **uint32 { return &b.MaxAge }),
	optUint("ageing_time", "invalid ageing_time", func(b *bridgeBuild) **uint32 { return &b.AgeingTime }),
	optUint("stp_state", "invalid stp_state", func(b *bridgeBuild) **uint32 { return &b.STPState }),
	optUint("priority", "invalid priority", func(b *bridgeBuild) **uint16 { return &b.Priority }),
	optUint("vlan_filtering", "invalid vlan_filtering", func(b *bridgeBuild) **uint8 { return &b.VlanFiltering }),
	{[]keyword{abbrev("vlan_protocol")}, func(s *session, b *bridgeBuild, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		p, ok := llProto(v)
		if !ok {
			return invArg("invalid vlan_protocol", v)
		}
		b.VlanProtocol = &p
		return nil
	}},
	optUint("group_fwd_mask", "invalid group_fwd_mask", func(b *bridgeBuild) **uint16 { return &b.GroupFwdMask }),
	{[]keyword{abbrev("group_address")}, func(s *session, b *bridgeBuild, args *[]string) (err error) {
		b.GroupAddr, err = lladdrArg(args)
		return err
	}},
	boolOpt("no_linklocal_learn", 0),
	{[]keyword{abbrev("fdb_flush")}, func(s *session, b *bridgeBuild, args *[]string) error {
		b.FDBFlush = true
		return nil
	}},
	optUint("vlan_default_pvid", "invalid vlan_default_pvid", func(b *bridgeBuild) **uint16 { return &b.VlanDefaultPVID }),
	optUint("vlan_stats_enabled", "invalid vlan_stats_enabled", func(b *bridgeBuild) **uint8 { return &b.VlanStatsEnabled }),
	optUint("vlan_stats_per_port", "invalid vlan_stats_per_port", func(b *bridgeBuild) **uint8 { return &b.VlanStatsPerPort }),
	optUint("mcast_router", "invalid mcast_router", func(b *bridgeBuild) **uint8 { return &b.McastRouter }),
	optUint("mcast_snooping", "invalid mcast_snooping", func(b *bridgeBuild) **uint8 { return &b.McastSnooping }),
	boolOpt("mcast_vlan_snooping", 1),
	optUint("mcast_query_use_ifaddr", "invalid mcast_query_use_ifaddr", func(b *bridgeBuild) **uint8 { return &b.McastQueryUseIfaddr }),
	optUint("mcast_querier", "invalid mcast_querier", func(b *bridgeBuild) **uint8 { return &b.McastQuerier }),
	optUint("mcast_hash_elasticity", "invalid mcast_hash_elasticity", func(b *bridgeBuild) **uint32 { return &b.McastHashElasticity }),
	optUint("mcast_hash_max", "invalid mcast_hash_max", func(b *bridgeBuild) **uint32 { return &b.McastHashMax }),
	optUint("mcast_last_member_count", "invalid mcast_last_member_count", func(b *bridgeBuild) **uint32 { return &b.McastLastMemberCnt }),
	optUint("mcast_startup_query_count", "invalid mcast_startup_query_count", func(b *bridgeBuild) **uint32 { return &b.McastStartupQueryCnt }),
	optUint("mcast_last_member_interval", "invalid mcast_last_member_interval", func(b *bridgeBuild) **uint64 { return &b.McastLastMemberIntvl }),
	optUint("mcast_membership_interval", "invalid mcast_membership_interval", func(b *bridgeBuild) **uint64 { return &b.McastMembershipIntvl }),
	optUint("mcast_querier_interval", "invalid mcast_querier_interval", func(b *bridgeBuild) **uint64 { return &b.McastQuerierIntvl }),
	optUint("mcast_query_interval", "invalid mcast_query_interval", func(b *bridgeBuild) **uint64 { return &b.McastQueryIntvl }),
	optUint("mcast_query_response_interval", "invalid mcast_query_response_interval", func(b *bridgeBuild) **uint64 { return &b.McastQueryRespIntvl }),
	optUint("mcast_startup_query_interval", "invalid mcast_startup_query_interval", func(b *bridgeBuild) **uint64 { return &b.McastStartupQueryIntvl }),
	optUint("mcast_stats_enabled", "invalid mcast_stats_enabled", func(b *bridgeBuild) **uint8 { return &b.McastStatsEnabled }),
	optUint("mcast_igmp_version", "invalid mcast_igmp_version", func(b *bridgeBuild) **uint8 { return &b.McastIGMPVersion }),
	optUint("mcast_mld_version", "invalid mcast_mld_version", func(b *bridgeBuild) **uint8 { return &b.McastMLDVersion }),
	optUint("nf_call_iptables", "invalid nf_call_iptables", func(b *bridgeBuild) **uint8 { return &b.NFCallIptables }),
	optUint("nf_call_ip6tables", "invalid nf_call_ip6tables", func(b *bridgeBuild) **uint8 { return &b.NFCallIp6tables }),
	optUint("nf_call_arptables", "invalid nf_call_arptables", func(b *bridgeBuild) **uint8 { return &b.NFCallArptables }),
	{[]keyword{abbrev("help")}, func(s *session, b *bridgeBuild, args *[]string) error {
		return kindFail("", bridgeUsageKind)
	}},
}

func parseBridgeOpts(s *session, a *linkArgs, args []string) error {
	b := &bridgeBuild{}
	err := parseOptions(s, b, args, bridgeOptions, func(s *session, b *bridgeBuild, args *[]string) error {
		return kindFail(fmt.Sprintf("bridge: unknown command \"%s\"?", (*args)[0]), bridgeUsageKind)
	})
	if err != nil {
		return err
	}
	if b.bm.Mask != 0 {
		b.MultiBoolOpt = &rtnl.BridgeBoolOpt{Value: b.bm.Value, Mask: b.bm.Mask}
	}
	a.link.Info.Data = &b.Bridge
	return nil
}

// llProto is ll_proto_a2n() for the protocols a VLAN may have: a name
// (802.1Q, 802.1ad, case-insensitive) or a number.
func llProto(v string) (uint16, bool) {
	switch strings.ToLower(v) {
	case "802.1q":
		return unix.ETH_P_8021Q, true
	case "802.1ad":
		return unix.ETH_P_8021AD, true
	}
	n, ok := getUint(v, 0, 0xffff)
	return uint16(n), ok
}

const bridgeSlaveUsage = `Usage: ... bridge_slave [ fdb_flush ]
			[ state STATE ]
			[ priority PRIO ]
			[ cost COST ]
			[ guard {on | off} ]
			[ hairpin {on | off} ]
			[ fastleave {on | off} ]
			[ root_block {on | off} ]
			[ learning {on | off} ]
			[ flood {on | off} ]
			[ proxy_arp {on | off} ]
			[ proxy_arp_wifi {on | off} ]
			[ mcast_router MULTICAST_ROUTER ]
			[ mcast_fast_leave {on | off} ]
			[ mcast_flood {on | off} ]
			[ bcast_flood {on | off} ]
			[ mcast_to_unicast {on | off} ]
			[ group_fwd_mask MASK ]
			[ neigh_suppress {on | off} ]
			[ vlan_tunnel {on | off} ]
			[ isolated {on | off} ]
			[ locked {on | off} ]
			[ backup_port DEVICE ] [ nobackup_port ]
`

// portFlag is a bridge port option read as "on" or "off"
// (bridge_slave_parse_on_off: a bad value exits 1).
func portFlag(word string, field func(*rtnl.BridgePort) **bool) option[rtnl.BridgePort] {
	return option[rtnl.BridgePort]{[]keyword{abbrev(word)}, func(s *session, p *rtnl.BridgePort, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		on, err := parseOnOff(word, v)
		if err != nil {
			err.(*cli.Error).Code = cli.ExitFail
			err.(*cli.Error).Fatal = true
			return err
		}
		*field(p) = &on
		return nil
	}}
}

// bridgeSlaveOptions is bridge_slave_parse_opt()
// (ip/iplink_bridge_slave.c).
var bridgeSlaveOptions = []option[rtnl.BridgePort]{
	{[]keyword{abbrev("fdb_flush")}, func(s *session, p *rtnl.BridgePort, args *[]string) error {
		p.Flush = true
		return nil
	}},
	optUint("state", "state is invalid", func(p *rtnl.BridgePort) **uint8 { return &p.State }),
	optUint("priority", "priority is invalid", func(p *rtnl.BridgePort) **uint16 { return &p.Priority }),
	optUint("cost", "cost is invalid", func(p *rtnl.BridgePort) **uint32 { return &p.Cost }),
	portFlag("hairpin", func(p *rtnl.BridgePort) **bool { return &p.Hairpin }),
	portFlag("guard", func(p *rtnl.BridgePort) **bool { return &p.Guard }),
	portFlag("root_block", func(p *rtnl.BridgePort) **bool { return &p.Protect }),
	portFlag("fastleave", func(p *rtnl.BridgePort) **bool { return &p.FastLeave }),
	portFlag("learning", func(p *rtnl.BridgePort) **bool { return &p.Learning }),
	portFlag("flood", func(p *rtnl.BridgePort) **bool { return &p.Flood }),
	portFlag("mcast_flood", func(p *rtnl.BridgePort) **bool { return &p.McastFlood }),
	portFlag("bcast_flood", func(p *rtnl.BridgePort) **bool { return &p.BcastFlood }),
	portFlag("mcast_to_unicast", func(p *rtnl.BridgePort) **bool { return &p.McastToUcast }),
	portFlag("proxy_arp", func(p *rtnl.BridgePort) **bool { return &p.ProxyARP }),
	portFlag("proxy_arp_wifi", func(p *rtnl.BridgePort) **bool { return &p.ProxyARPWiFi }),
	optUint("mcast_router", "invalid mcast_router", func(p *rtnl.BridgePort) **uint8 { return &p.McastRouter }),
	portFlag("mcast_fast_leave", func(p *rtnl.BridgePort) **bool { return &p.FastLeave }),
	portFlag("neigh_suppress", func(p *rtnl.BridgePort) **bool { return &p.NeighSuppress }),
	optUint("group_fwd_mask", "invalid group_fwd_mask", func(p *rtnl.BridgePort) **uint16 { return &p.GroupFwdMask }),
	portFlag("vlan_tunnel", func(p *rtnl.BridgePort) **bool { return &p.VlanTunnel }),
	portFlag("isolated", func(p *rtnl.BridgePort) **bool { return &p.Isolated }),
	portFlag("locked", func(p *rtnl.BridgePort) **bool { return &p.Locked }),
	{[]keyword{abbrev("backup_port")}, func(s *session, p *rtnl.BridgePort, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		idx := s.index(v)
		if idx == 0 {
			return invArgNL("Device does not exist", v)
		}
		p.BackupPort = new(uint32(idx))
		return nil
	}},
	{[]keyword{abbrev("nobackup_port")}, func(s *session, p *rtnl.BridgePort, args *[]string) error {
		p.BackupPort = new(uint32(0))
		return nil
	}},
	{[]keyword{abbrev("help")}, func(s *session, p *rtnl.BridgePort, args *[]string) error {
		return kindFail("", bridgeSlaveUsage)
	}},
}

func parseBridgeSlaveOpts(s *session, a *linkArgs, args []string) error {
	p := &rtnl.BridgePort{}
	err := parseOptions(s, p, args, bridgeSlaveOptions, func(s *session, p *rtnl.BridgePort, args *[]string) error {
		return kindFail(fmt.Sprintf("bridge_slave: unknown option \"%s\"?", (*args)[0]), bridgeSlaveUsage)
	})
	if err != nil {
		return err
	}
	// IFLA_INFO_KIND "bridge_slave" with IFLA_INFO_SLAVE_DATA, as
	// iplink_modify sends a kind ending in "_slave"
	a.link.Info.SlaveData = p
	return nil
}

func macvlanUsage(kind string) string {
	return "Usage: ... " + kind + ` mode MODE [flag MODE_FLAG] MODE_OPTS [bcqueuelen BC_QUEUE_LEN]

MODE: private | vepa | bridge | passthru | source
MODE_FLAG: null | nopromisc | nodst
MODE_OPTS: for mode "source":
	macaddr { { add | del } <macaddr> | set [ <macaddr> [ <macaddr>  ... ] ] | flush }
BC_QUEUE_LEN: Length of the rx queue for broadcast/multicast: [0-4294967295]
`
}

var macvlanModes = []struct {
	name string
	mode uint32
}{
	{"private", rtnl.MACVLAN_MODE_PRIVATE}, {"vepa", rtnl.MACVLAN_MODE_VEPA},
	{"bridge", rtnl.MACVLAN_MODE_BRIDGE}, {"passthru", rtnl.MACVLAN_MODE_PASSTHRU},
	{"source", rtnl.MACVLAN_MODE_SOURCE},
}

// macvlanBuild is what "type macvlan" collects before mode and flags
// are checked.
type macvlanBuild struct {
	kind     string
	m        *rtnl.Macvlan
	mode     uint32
	flags    uint16
	hasFlags bool
}

// macvlanOptions is macvlan_parse_opt() (ip/iplink_macvlan.c); the
// "macaddr" lists of mode source are not read.
var macvlanOptions = []option[macvlanBuild]{
	{[]keyword{abbrev("mode")}, func(s *session, b *macvlanBuild, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		for _, m := range macvlanModes {
			if v == m.name {
				b.mode = m.mode
				return nil
			}
		}
		return failf("Error: argument of \"mode\" must be \"private\", \"vepa\", \"bridge\", \"passthru\" or \"source\", not \"%s\"", v)
	}},
	{[]keyword{abbrev("flag")}, func(s *session, b *macvlanBuild, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		switch v {
		case "nopromisc":
			b.flags |= rtnl.MACVLAN_FLAG_NOPROMISC
		case "nodst":
			b.flags |= rtnl.MACVLAN_FLAG_NODST
		case "null":
		default:
			return failf("Error: argument of \"flag\" must be \"nopromisc\", \"nodst\" or \"null\", not \"%s\"", v)
		}
		b.hasFlags = true
		return nil
	}},
	{[]keyword{abbrev("nopromisc")}, func(s *session, b *macvlanBuild, args *[]string) error {
		b.flags |= rtnl.MACVLAN_FLAG_NOPROMISC
		b.hasFlags = true
		return nil
	}},
	{[]keyword{abbrev("nodst")}, func(s *session, b *macvlanBuild, args *[]string) error {
		b.flags |= rtnl.MACVLAN_FLAG_NODST
		b.hasFlags = true
		return nil
	}},
	{[]keyword{abbrev("bcqueuelen")}, func(s *session, b *macvlanBuild, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		n, ok := getUint(v, 0, 0xffffffff)
		if !ok {
			return failf("Error: argument of \"bcqueuelen\" must be a positive integer [0-4294967295], not \"%s\"", v)
		}
		b.m.BcQueueLen = new(uint32(n))
		return nil
	}},
	{[]keyword{abbrev("help")}, func(s *session, b *macvlanBuild, args *[]string) error {
		return kindFail("", macvlanUsage(b.kind))
	}},
}

func parseMacvlanOpts(s *session, a *linkArgs, args []string) error {
	b := &macvlanBuild{kind: a.kind, m: &rtnl.Macvlan{}}
	if a.kind == "macvtap" {
		b.m = rtnl.NewMacvtap()
	}
	err := parseOptions(s, b, args, macvlanOptions, func(s *session, b *macvlanBuild, args *[]string) error {
		return kindFail(fmt.Sprintf("%s: unknown option \"%s\"?", b.kind, (*args)[0]), macvlanUsage(b.kind))
	})
	if err != nil {
		return err
	}
	if b.mode != 0 {
		b.m.Mode = new(b.mode)
	}
	if b.hasFlags {
		if b.flags&rtnl.MACVLAN_FLAG_NOPROMISC != 0 && b.mode != rtnl.MACVLAN_MODE_PASSTHRU {
			return kindFail(b.kind+": nopromisc flag only valid in passthru mode", macvlanUsage(b.kind))
		}
		b.m.Flags = new(b.flags)
	}
	a.link.Info.Data = b.m
	return nil
}

const vxlanUsage = `Usage: ... vxlan id VNI
		[ { group | remote } IP_ADDRESS ]
		[ local ADDR ]
		[ ttl TTL ]
		[ tos TOS ]
		[ df DF ]
		[ flowlabel LABEL ]
		[ dev PHYS_DEV ]
		[ dstport PORT ]
		[ srcport MIN MAX ]
		[ [no]learning ]
		[ [no]proxy ]
		[ [no]rsc ]
		[ [no]l2miss ]
		[ [no]l3miss ]
		[ ageing SECONDS ]
		[ maxaddress NUMBER ]
		[ [no]udpcsum ]
		[ [no]udp6zerocsumtx ]
		[ [no]udp6zerocsumrx ]
		[ [no]remcsumtx ] [ [no]remcsumrx ]
		[ [no]external ] [ gbp ] [ gpe ]
		[ [no]vnifilter ]

Where:	VNI	:= 0-16777215
	ADDR	:= { IP_ADDRESS | any }
	TOS	:= { NUMBER | inherit }
	TTL	:= { 1..255 | auto | inherit }
	DF	:= { unset | set | inherit }
	LABEL := 0-1048575
`

// vxlanBuild is what vxlan_parse_opt() collects: the data, which
// attributes the command line named (each at most once: check_duparg),
// and what it decides at the end (id, addresses, learning, dstport).
type vxlanBuild struct {
	v             rtnl.Vxlan
	seen          map[uint16]bool
	vni           uint32
	saddr, daddr  netip.Addr
	learning      bool
	metadata      bool
	vnifilter     bool
	dstport       uint16
	setOp, family bool
}

func (b *vxlanBuild) once(typ uint16, key, arg string) error {
	if b.seen[typ] {
		return dupArg2(key, arg)
	}
	b.seen[typ] = true
	return nil
}

// vxlanAddr is get_addr(): an IPv4 or IPv6 address of the family the
// other address has, "any" for none.
func vxlanAddr(v string, other netip.Addr) (netip.Addr, error) {
	if v == "any" {
		return netip.Addr{}, nil
	}
	a, err := netip.ParseAddr(v)
	if err != nil || a.Zone() != "" || other.IsValid() && a.Is4() != other.Is4() {
		fam := "any valid"
		if other.IsValid() {
			fam = "inet"
			if !other.Is4() {
				fam = "inet6"
			}
		}
		return a, exitf("Error: %s address is expected rather than \"%s\".", fam, v)
	}
	return a, nil
}

// vxlanBool is a [no]WORD option: a u8 attribute set to on.
func vxlanBool(word string, typ uint16, on bool, field func(*rtnl.Vxlan) **bool) option[vxlanBuild] {
	return option[vxlanBuild]{[]keyword{abbrev(word)}, func(s *session, b *vxlanBuild, args *[]string) error {
		if err := b.once(typ, (*args)[0], (*args)[0]); err != nil {
			return err
		}
		*field(&b.v) = &on
		return nil
	}}
}

// vxlanOptions is vxlan_parse_opt() (ip/iplink_vxlan.c), in its order
// (which decides abbreviations: "l" is local, "no" nolearning).
var vxlanOptions = []option[vxlanBuild]{
	{[]keyword{abbrev("id"), abbrev("vni")}, func(s *session, b *vxlanBuild, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		if err := b.once(unix.IFLA_VXLAN_ID, "id", v); err != nil {
			return err
		}
		n, ok := getUint(v, 0, 0xffffffff)
		if !ok || n >= 1<<24 {
			return invArg("invalid id", v)
		}
		b.vni = uint32(n)
		return nil
	}},
	{[]keyword{abbrev("group")}, func(s *session, b *vxlanBuild, args *[]string) error {
		if b.daddr.IsValid() && !b.daddr.IsMulticast() {
			return failf("vxlan: both group and remote cannot be specified")
		}
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		if err := b.once(unix.IFLA_VXLAN_GROUP, "group", v); err != nil {
			return err
		}
		if b.daddr, err = vxlanAddr(v, b.saddr); err != nil {
			return err
		}
		if !b.daddr.IsMulticast() {
			return invArg("invalid group address", v)
		}
		return nil
	}},
	{[]keyword{abbrev("remote")}, func(s *session, b *vxlanBuild, args *[]string) error {
		if b.daddr.IsMulticast() {
			return failf("vxlan: both group and remote cannot be specified")
		}
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		if err := b.once(unix.IFLA_VXLAN_GROUP, "remote", v); err != nil {
			return err
		}
		if b.daddr, err = vxlanAddr(v, b.saddr); err != nil {
			return err
		}
		if !b.daddr.IsValid() || b.daddr.IsMulticast() {
			return invArg("invalid remote address", v)
		}
		return nil
	}},
	{[]keyword{abbrev("local")}, func(s *session, b *vxlanBuild, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		if err := b.once(unix.IFLA_VXLAN_LOCAL, "local", v); err != nil {
			return err
		}
		if b.saddr, err = vxlanAddr(v, b.daddr); err != nil {
			return err
		}
		if !b.saddr.IsValid() || b.saddr.IsMulticast() {
			return invArg("invalid local address", v)
		}
		return nil
	}},
	{[]keyword{abbrev("dev")}, func(s *session, b *vxlanBuild, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		if err := b.once(unix.IFLA_VXLAN_LINK, "dev", v); err != nil {
			return err
		}
		idx := s.index(v)
		if idx == 0 {
			return cli.Usagef("Cannot find device \"%s\"", v) // exit(nodev()): exit(-1)
		}
		b.v.Link = new(uint32(idx))
		return nil
	}},
	{[]keyword{abbrev("ttl"), abbrev("hoplimit")}, func(s *session, b *vxlanBuild, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		if err := b.once(unix.IFLA_VXLAN_TTL, "ttl", v); err != nil {
			return err
		}
		switch v {
		case "inherit":
			b.v.TTLInherit = true
		case "auto":
			b.v.TTL = new(uint8(0))
		default:
			n, ok := getUint(v, 0, 0xffffffff)
			if !ok {
				return invArg("invalid TTL", v)
			}
			if n > 255 {
				return invArg("TTL must be <= 255", v)
			}
			b.v.TTL = new(uint8(n))
		}
		return nil
	}},
	{[]keyword{abbrev("tos"), abbrev("dsfield")}, func(s *session, b *vxlanBuild, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		if err := b.once(unix.IFLA_VXLAN_TOS, "tos", v); err != nil {
			return err
		}
		tos := uint8(1)
		if v != "inherit" {
			n, ok := dsfieldA2n(v)
			if !ok {
				return invArg("bad TOS value", v)
			}
			tos = n
		}
		b.v.TOS = &tos
		return nil
	}},
	{[]keyword{abbrev("df")}, func(s *session, b *vxlanBuild, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		if err := b.once(unix.IFLA_VXLAN_DF, "df", v); err != nil {
			return err
		}
		for i, n := range []string{"unset", "set", "inherit"} {
			if v == n {
				b.v.DF = new(uint8(i))
				return nil
			}
		}
		return invArg("DF must be 'unset', 'set' or 'inherit'", v)
	}},
	{[]keyword{abbrev("label"), abbrev("flowlabel")}, func(s *session, b *vxlanBuild, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		if err := b.once(unix.IFLA_VXLAN_LABEL, "flowlabel", v); err != nil {
			return err
		}
		n, ok := getUint(v, 0, 0xffffffff)
		if !ok || n&^0xfffff != 0 {
			return invArg("invalid flowlabel", v)
		}
		b.v.Label = new(uint32(n))
		return nil
	}},
	{[]keyword{abbrev("ageing")}, func(s *session, b *vxlanBuild, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		if err := b.once(unix.IFLA_VXLAN_AGEING, "ageing", v); err != nil {
			return err
		}
		n, ok := uint64(0), v == "none"
		if !ok {
			if n, ok = getUint(v, 0, 0xffffffff); !ok {
				return invArg("ageing timer", v)
			}
		}
		b.v.Ageing = new(uint32(n))
		return nil
	}},
	{[]keyword{abbrev("maxaddress")}, func(s *session, b *vxlanBuild, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		if err := b.once(unix.IFLA_VXLAN_LIMIT, "maxaddress", v); err != nil {
			return err
		}
		n, ok := uint64(0), v == "unlimited"
		if !ok {
			if n, ok = getUint(v, 0, 0xffffffff); !ok {
				return invArg("max addresses", v)
			}
		}
		b.v.Limit = new(uint32(n))
		return nil
	}},
	{[]keyword{abbrev("port"), abbrev("srcport")}, func(s *session, b *vxlanBuild, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		if err := b.once(unix.IFLA_VXLAN_PORT_RANGE, "srcport", v); err != nil {
			return err
		}
		lo, ok := getUint(v, 0, 0xffff)
		if !ok {
			return invArg("min port", v)
		}
		if v, err = nextArg(args); err != nil {
			return err
		}
		hi, ok := getUint(v, 0, 0xffff)
		if !ok {
			return invArg("max port", v)
		}
		if lo != 0 || hi != 0 {
			b.v.PortRange = &rtnl.VxlanPortRange{Low: uint16(lo), High: uint16(hi)}
		}
		return nil
	}},
	{[]keyword{abbrev("dstport")}, func(s *session, b *vxlanBuild, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		if err := b.once(unix.IFLA_VXLAN_PORT, "dstport", v); err != nil {
			return err
		}
		n, ok := getUint(v, 0, 0xffff)
		if !ok {
			return invArg("dst port", v)
		}
		b.dstport = uint16(n)
		return nil
	}},
	{[]keyword{abbrev("nolearning")}, func(s *session, b *vxlanBuild, args *[]string) error {
		b.learning = false
		return b.once(unix.IFLA_VXLAN_LEARNING, (*args)[0], (*args)[0])
	}},
	{[]keyword{abbrev("learning")}, func(s *session, b *vxlanBuild, args *[]string) error {
		b.learning = true
		return b.once(unix.IFLA_VXLAN_LEARNING, (*args)[0], (*args)[0])
	}},
	vxlanBool("noproxy", unix.IFLA_VXLAN_PROXY, false, func(v *rtnl.Vxlan) **bool { return &v.Proxy }),
	vxlanBool("proxy", unix.IFLA_VXLAN_PROXY, true, func(v *rtnl.Vxlan) **bool { return &v.Proxy }),
	vxlanBool("norsc", unix.IFLA_VXLAN_RSC, false, func(v *rtnl.Vxlan) **bool { return &v.RSC }),
	vxlanBool("rsc", unix.IFLA_VXLAN_RSC, true, func(v *rtnl.Vxlan) **bool { return &v.RSC }),
	vxlanBool("nol2miss", unix.IFLA_VXLAN_L2MISS, false, func(v *rtnl.Vxlan) **bool { return &v.L2Miss }),
	vxlanBool("l2miss", unix.IFLA_VXLAN_L2MISS, true, func(v *rtnl.Vxlan) **bool { return &v.L2Miss }),
	vxlanBool("nol3miss", unix.IFLA_VXLAN_L3MISS, false, func(v *rtnl.Vxlan) **bool { return &v.L3Miss }),
	vxlanBool("l3miss", unix.IFLA_VXLAN_L3MISS, true, func(v *rtnl.Vxlan) **bool { return &v.L3Miss }),
	vxlanBool("udpcsum", unix.IFLA_VXLAN_UDP_CSUM, true, func(v *rtnl.Vxlan) **bool { return &v.UDPCsum }),
	vxlanBool("noudpcsum", unix.IFLA_VXLAN_UDP_CSUM, false, func(v *rtnl.Vxlan) **bool { return &v.UDPCsum }),
	vxlanBool("udp6zerocsumtx", unix.IFLA_VXLAN_UDP_ZERO_CSUM6_TX, true, func(v *rtnl.Vxlan) **bool { return &v.UDPZeroCsum6Tx }),
	vxlanBool("noudp6zerocsumtx", unix.IFLA_VXLAN_UDP_ZERO_CSUM6_TX, false, func(v *rtnl.Vxlan) **bool { return &v.UDPZeroCsum6Tx }),
	vxlanBool("udp6zerocsumrx", unix.IFLA_VXLAN_UDP_ZERO_CSUM6_RX, true, func(v *rtnl.Vxlan) **bool { return &v.UDPZeroCsum6Rx }),
	vxlanBool("noudp6zerocsumrx", unix.IFLA_VXLAN_UDP_ZERO_CSUM6_RX, false, func(v *rtnl.Vxlan) **bool { return &v.UDPZeroCsum6Rx }),
	vxlanBool("remcsumtx", unix.IFLA_VXLAN_REMCSUM_TX, true, func(v *rtnl.Vxlan) **bool { return &v.RemCsumTx }),
	vxlanBool("noremcsumtx", unix.IFLA_VXLAN_REMCSUM_TX, false, func(v *rtnl.Vxlan) **bool { return &v.RemCsumTx }),
	vxlanBool("remcsumrx", unix.IFLA_VXLAN_REMCSUM_RX, true, func(v *rtnl.Vxlan) **bool { return &v.RemCsumRx }),
	vxlanBool("noremcsumrx", unix.IFLA_VXLAN_REMCSUM_RX, false, func(v *rtnl.Vxlan) **bool { return &v.RemCsumRx }),
	{[]keyword{abbrev("external")}, func(s *session, b *vxlanBuild, args *[]string) error {
		if err := b.once(unix.IFLA_VXLAN_COLLECT_METADATA, (*args)[0], (*args)[0]); err != nil {
			return err
		}
		b.metadata, b.learning = true, false
		b.v.CollectMetadata = new(true)
		return nil
	}},
	{[]keyword{abbrev("noexternal")}, func(s *session, b *vxlanBuild, args *[]string) error {
		if err := b.once(unix.IFLA_VXLAN_COLLECT_METADATA, (*args)[0], (*args)[0]); err != nil {
			return err
		}
		b.metadata = false
		b.v.CollectMetadata = new(false)
		return nil
	}},
	{[]keyword{abbrev("gbp")}, func(s *session, b *vxlanBuild, args *[]string) error {
		b.v.GBP = true
		return b.once(unix.IFLA_VXLAN_GBP, (*args)[0], (*args)[0])
	}},
	{[]keyword{abbrev("gpe")}, func(s *session, b *vxlanBuild, args *[]string) error {
		b.v.GPE = true
		return b.once(unix.IFLA_VXLAN_GPE, (*args)[0], (*args)[0])
	}},
	{[]keyword{is("vnifilter")}, func(s *session, b *vxlanBuild, args *[]string) error {
		b.vnifilter = true
		b.v.VNIFilter = new(true)
		return b.once(unix.IFLA_VXLAN_VNIFILTER, (*args)[0], (*args)[0])
	}},
	{[]keyword{is("novnifilter")}, func(s *session, b *vxlanBuild, args *[]string) error {
		b.v.VNIFilter = new(false)
		return b.once(unix.IFLA_VXLAN_VNIFILTER, (*args)[0], (*args)[0])
	}},
	{[]keyword{abbrev("help")}, func(s *session, b *vxlanBuild, args *[]string) error {
		return kindFail("", vxlanUsage)
	}},
}

func parseVxlanOpts(s *session, a *linkArgs, args []string) error {
	b := &vxlanBuild{seen: map[uint16]bool{}, learning: true, setOp: !a.create}
	err := parseOptions(s, b, args, vxlanOptions, func(s *session, b *vxlanBuild, args *[]string) error {
		return kindFail(fmt.Sprintf("vxlan: unknown command \"%s\"?", (*args)[0]), vxlanUsage)
	})
	if err != nil {
		return err
	}
	v := &b.v
	switch {
	case !b.metadata && b.vnifilter:
		return failf("vxlan: vnifilter is valid only when 'external' is set")
	case b.metadata && b.seen[unix.IFLA_VXLAN_ID]:
		return failf("vxlan: both 'external' and vni cannot be specified")
	case !b.metadata && !b.vnifilter && !b.seen[unix.IFLA_VXLAN_ID] && !b.setOp:
		return failf("vxlan: missing virtual network identifier")
	case b.daddr.IsMulticast() && !b.seen[unix.IFLA_VXLAN_LINK]:
		return failf("vxlan: 'group' requires 'dev' to be specified")
	}
	if !b.seen[unix.IFLA_VXLAN_PORT] && b.seen[unix.IFLA_VXLAN_GPE] {
		b.dstport = 4790
	} else if !b.seen[unix.IFLA_VXLAN_PORT] && !b.setOp {
		io.WriteString(stderr, "vxlan: destination port not specified\n"+
			"Will use Linux kernel default (non-standard value)\n"+
			"Use 'dstport 4789' to get the IANA assigned value\n"+
			"Use 'dstport 0' to get default and quiet this message\n")
	}
	if b.seen[unix.IFLA_VXLAN_ID] {
		v.ID = new(b.vni)
	}
	if b.saddr.IsValid() {
		if b.saddr.Is4() {
			v.Local = b.saddr
		} else {
			v.Local6 = b.saddr
		}
	}
	switch {
	case b.daddr.IsValid() && b.daddr.Is4():
		v.Group = b.daddr
	case b.daddr.IsValid():
		v.Group6 = b.daddr
	case !b.saddr.IsValid() && s.g.Family == unix.AF_INET:
		v.Group = netip.IPv4Unspecified()
	case !b.saddr.IsValid() && s.g.Family == unix.AF_INET6:
		v.Group6 = netip.IPv6Unspecified()
	}
	if !b.setOp || b.seen[unix.IFLA_VXLAN_LEARNING] {
		v.Learning = new(b.learning)
	}
	if b.dstport != 0 {
		v.Port = new(b.dstport)
	}
	a.link.Info.Data = v
	return nil
}

// dsfieldA2n is rtnl_dsfield_a2n(): a number (hex without 0x too) of
// /etc/iproute2/rt_dsfield names.
func dsfieldA2n(v string) (uint8, bool) {
	n, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimPrefix(v, "0x"), "0X"), 16, 8)
	return uint8(n), err == nil
}

const vlanUsage = `Usage: ... vlan id VLANID
		[ protocol VLANPROTO ]
		[ reorder_hdr { on | off } ]
		[ gvrp { on | off } ]
		[ mvrp { on | off } ]
		[ loose_binding { on | off } ]
		[ bridge_binding { on | off } ]
		[ ingress-qos-map QOS-MAP ]
		[ egress-qos-map QOS-MAP ]

VLANID := 0-4095
VLANPROTO: [ 802.1Q | 802.1ad ]
QOS-MAP := [ QOS-MAP ] QOS-MAPPING
QOS-MAPPING := FROM:TO
`

// vlanFlag is a vlan flag read as exactly "on" or "off" (on_off(): exit 1).
func vlanFlag(word string, flag uint32) option[rtnl.Vlan] {
	return option[rtnl.Vlan]{[]keyword{abbrev(word)}, func(s *session, v *rtnl.Vlan, args *[]string) error {
		w, err := nextArg(args)
		if err != nil {
			return err
		}
		if v.Flags == nil {
			v.Flags = &rtnl.VlanFlags{}
		}
		v.Flags.Mask |= flag
		switch w {
		case "on":
			v.Flags.Flags |= flag
		case "off":
			v.Flags.Flags &^= flag
		default:
			return failf("Error: argument of \"%s\" must be \"on\" or \"off\", not \"%s\"", word, w)
		}
		return nil
	}}
}

// vlanOptions is vlan_parse_opt() (ip/iplink_vlan.c) without the QoS
// maps.
var vlanOptions = []option[rtnl.Vlan]{
	{[]keyword{abbrev("protocol")}, func(s *session, v *rtnl.Vlan, args *[]string) error {
		w, err := nextArg(args)
		if err != nil {
			return err
		}
		p, ok := llProto(w)
		if !ok {
			return invArg("protocol is invalid", w)
		}
		v.Protocol = &p
		return nil
	}},
	optUint("id", "id is invalid", func(v *rtnl.Vlan) **uint16 { return &v.ID }),
	vlanFlag("reorder_hdr", rtnl.VLAN_FLAG_REORDER_HDR),
	vlanFlag("gvrp", rtnl.VLAN_FLAG_GVRP),
	vlanFlag("mvrp", rtnl.VLAN_FLAG_MVRP),
	vlanFlag("loose_binding", rtnl.VLAN_FLAG_LOOSE_BINDING),
	vlanFlag("bridge_binding", rtnl.VLAN_FLAG_BRIDGE_BINDING),
	{[]keyword{abbrev("help")}, func(s *session, v *rtnl.Vlan, args *[]string) error {
		return kindFail("", vlanUsage)
	}},
}

func parseVlanOpts(s *session, a *linkArgs, args []string) error {
	v := &rtnl.Vlan{}
	err := parseOptions(s, v, args, vlanOptions, func(s *session, v *rtnl.Vlan, args *[]string) error {
		return kindFail(fmt.Sprintf("vlan: unknown command \"%s\"?", (*args)[0]), vlanUsage)
	})
	if err != nil {
		return err
	}
	a.link.Info.Data = v
	return nil
}

// kindPrinters are the -details printers of IFLA_INFO_DATA by kind
// (link_util print_opt).
var kindPrinters = map[string]func(s *session, p *printer, b []byte){
	"bridge":  func(s *session, p *printer, b []byte) { printBridgeOpts(p, b) },
	"vxlan":   (*session).printVxlan,
	"macvlan": printMacvlan,
	"macvtap": printMacvlan,
}

// printMacvlan is macvlan_print_opt().
func printMacvlan(s *session, p *printer, b []byte) {
	m := &rtnl.Macvlan{}
	if m.DecodeAttributes(b) != nil || m.Mode == nil {
		return
	}
	mode := "unknown"
	for _, x := range macvlanModes {
		if x.mode == *m.Mode {
			mode = x.name
		}
	}
	p.String("mode", "mode %s ", mode)
	var flags uint16
	if m.Flags != nil {
		flags = *m.Flags
	}
	if flags&rtnl.MACVLAN_FLAG_NOPROMISC != 0 {
		p.Bool("nopromisc", "nopromisc ", true)
	}
	if flags&rtnl.MACVLAN_FLAG_NODST != 0 {
		p.Bool("nodst", "nodst ", true)
	}
	if m.BcQueueLen != nil {
		p.Uint("bcqueuelen", "bcqueuelen %d ", uint64(*m.BcQueueLen))
	}
	if m.BcQueueLenUsed != nil {
		p.Uint("usedbcqueuelen", "usedbcqueuelen %d ", uint64(*m.BcQueueLenUsed))
	}
	if *m.Mode != rtnl.MACVLAN_MODE_SOURCE || m.MacaddrCount == nil {
		return
	}
	p.Int("macaddr_count", "remotes (%d) ", int64(*m.MacaddrCount))
}

// printVxlan is vxlan_print_opt().
func (s *session) printVxlan(p *printer, b []byte) {
	v := &rtnl.Vxlan{}
	if v.DecodeAttributes(b) != nil {
		return
	}
	on := func(x *bool) bool { return x != nil && *x }
	if on(v.CollectMetadata) {
		p.Bool("external", "external ", true)
	}
	if on(v.VNIFilter) {
		p.Bool("vnifilter", "vnifilter", true)
	}
	if v.ID != nil {
		p.Uint("id", "id %d ", uint64(*v.ID))
	}
	switch {
	case v.Group.IsValid():
		if !v.Group.IsUnspecified() {
			if v.Group.IsMulticast() {
				p.String("group", "group %s ", v.Group.String())
			} else {
				p.String("remote", "remote %s ", v.Group.String())
			}
		}
	case v.Group6.IsValid():
		if !v.Group6.IsUnspecified() {
			if v.Group6.IsMulticast() {
				p.String("group6", "group %s ", v.Group6.String())
			} else {
				p.String("remote6", "remote %s ", v.Group6.String())
			}
		}
	}
	switch {
	case v.Local.IsValid():
		if !v.Local.IsUnspecified() {
			p.String("local", "local %s ", v.Local.String())
		}
	case v.Local6.IsValid():
		if !v.Local6.IsUnspecified() {
			p.String("local6", "local %s ", v.Local6.String())
		}
	}
	if v.Link != nil && *v.Link != 0 {
		p.String("link", "dev %s ", s.links.name(int32(*v.Link)))
	}
	if r := v.PortRange; r != nil {
		if p.JSON() {
			p.OpenObject("port_range")
			p.Uint("low", "", uint64(r.Low))
			p.Uint("high", "", uint64(r.High))
			p.CloseObject()
		} else {
			p.Text("srcport %d %d ", r.Low, r.High)
		}
	}
	if v.Port != nil {
		p.Uint("port", "dstport %d ", uint64(*v.Port))
	}
	if v.Learning != nil {
		p.JSONBool("learning", *v.Learning)
		if !*v.Learning && !p.JSON() {
			p.Text("nolearning ")
		}
	}
	for _, f := range []struct {
		v    *bool
		key  string
		text string
	}{{v.Proxy, "proxy", "proxy "}, {v.RSC, "rsc", "rsc "}, {v.L2Miss, "l2miss", "l2miss "}, {v.L3Miss, "l3miss", "l3miss "}} {
		if on(f.v) {
			p.Bool(f.key, f.text, true)
		}
	}
	if v.TOS != nil && *v.TOS != 0 {
		if p.JSON() || *v.TOS != 1 {
			p.String("tos", "tos %s ", fmt.Sprintf("%#x", *v.TOS))
		} else {
			p.Text("tos inherit ")
		}
	}
	if v.TTLInherit {
		if !p.JSON() {
			p.Text("ttl inherit ")
		}
	} else if v.TTL != nil {
		if p.JSON() || *v.TTL != 0 {
			p.Uint("ttl", "ttl %d ", uint64(*v.TTL))
		} else {
			p.Text("ttl auto ")
		}
	}
	if v.DF != nil {
		switch *v.DF {
		case 0:
			p.JSONString("df", "unset")
		case 1:
			p.String("df", "df %s ", "set")
		case 2:
			p.String("df", "df %s ", "inherit")
		}
	}
	if v.Label != nil && *v.Label != 0 {
		p.String("label", "flowlabel %s ", fmt.Sprintf("%#x", *v.Label))
	}
	if v.Ageing != nil {
		if *v.Ageing == 0 {
			p.Uint("ageing", "ageing none ", 0)
		} else {
			p.Uint("ageing", "ageing %d ", uint64(*v.Ageing))
		}
	}
	if v.Limit != nil && *v.Limit != 0 {
		p.Uint("limit", "maxaddr %d ", uint64(*v.Limit))
	}
	for _, f := range []struct {
		v    *bool
		key  string
		text string
	}{{v.UDPCsum, "udp_csum", "udpcsum "}, {v.UDPZeroCsum6Tx, "udp_zero_csum6_tx", "udp6zerocsumtx "},
		{v.UDPZeroCsum6Rx, "udp_zero_csum6_rx", "udp6zerocsumrx "}} {
		if f.v == nil {
			continue
		}
		if p.JSON() {
			p.JSONBool(f.key, *f.v)
		} else if *f.v {
			p.Text("%s", f.text)
		} else {
			p.Text("no%s", f.text)
		}
	}
	if on(v.RemCsumTx) {
		p.Bool("remcsum_tx", "remcsumtx ", true)
	}
	if on(v.RemCsumRx) {
		p.Bool("remcsum_rx", "remcsumrx ", true)
	}
	if v.GBP {
		p.Bool("gbp", "gbp ", true)
	}
	if v.GPE {
		p.Bool("gpe", "gpe ", true)
	}
}
