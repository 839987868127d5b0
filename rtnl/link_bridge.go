package rtnl

import (
	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
	"nsbox/netlink"
)

// BR_STATE_* (<linux/if_bridge.h>): a bridge port's STP state.
const (
	BR_STATE_DISABLED   = 0
	BR_STATE_LISTENING  = 1
	BR_STATE_LEARNING   = 2
	BR_STATE_FORWARDING = 3
	BR_STATE_BLOCKING   = 4
)

// BridgeID is struct ifla_bridge_id: two bytes of priority, then the
// bridge's MAC address.
type BridgeID [8]byte

// BridgeBoolOpt is struct br_boolopt_multi (IFLA_BR_MULTI_BOOLOPT): the
// bridge's boolean options (BR_BOOLOPT_*) as bits, and which of them the
// request sets.
type BridgeBoolOpt struct {
	Value, Mask uint32
}

// Bridge is the data of kind "bridge" (IFLA_BR_*). Times are in
// centiseconds (clock_t, USER_HZ 100), as the kernel sends them; the
// multicast intervals too, as 64-bit values. Fields left nil are not sent
// (and were not received); the kernel reports every one it has.
type Bridge struct {
	ForwardDelay           *uint32 // IFLA_BR_FORWARD_DELAY
	HelloTime              *uint32 // IFLA_BR_HELLO_TIME
	MaxAge                 *uint32 // IFLA_BR_MAX_AGE
	AgeingTime             *uint32 // IFLA_BR_AGEING_TIME
	STPState               *uint32 // IFLA_BR_STP_STATE
	Priority               *uint16 // IFLA_BR_PRIORITY
	VlanFiltering          *uint8  // IFLA_BR_VLAN_FILTERING
	VlanProtocol           *uint16 // IFLA_BR_VLAN_PROTOCOL (ETH_P_8021Q, ...; network order on the wire)
	GroupFwdMask           *uint16 // IFLA_BR_GROUP_FWD_MASK
	GroupAddr              HardwareAddr
	FDBFlush               bool           // IFLA_BR_FDB_FLUSH, request only
	VlanDefaultPVID        *uint16        // IFLA_BR_VLAN_DEFAULT_PVID
	VlanStatsEnabled       *uint8         // IFLA_BR_VLAN_STATS_ENABLED
	VlanStatsPerPort       *uint8         // IFLA_BR_VLAN_STATS_PER_PORT
	McastRouter            *uint8         // IFLA_BR_MCAST_ROUTER
	McastSnooping          *uint8         // IFLA_BR_MCAST_SNOOPING
	McastQueryUseIfaddr    *uint8         // IFLA_BR_MCAST_QUERY_USE_IFADDR
	McastQuerier           *uint8         // IFLA_BR_MCAST_QUERIER
	McastHashElasticity    *uint32        // IFLA_BR_MCAST_HASH_ELASTICITY
	McastHashMax           *uint32        // IFLA_BR_MCAST_HASH_MAX
	McastLastMemberCnt     *uint32        // IFLA_BR_MCAST_LAST_MEMBER_CNT
	McastStartupQueryCnt   *uint32        // IFLA_BR_MCAST_STARTUP_QUERY_CNT
	McastLastMemberIntvl   *uint64        // IFLA_BR_MCAST_LAST_MEMBER_INTVL
	McastMembershipIntvl   *uint64        // IFLA_BR_MCAST_MEMBERSHIP_INTVL
	McastQuerierIntvl      *uint64        // IFLA_BR_MCAST_QUERIER_INTVL
	McastQueryIntvl        *uint64        // IFLA_BR_MCAST_QUERY_INTVL
	McastQueryRespIntvl    *uint64        // IFLA_BR_MCAST_QUERY_RESPONSE_INTVL
	McastStartupQueryIntvl *uint64        // IFLA_BR_MCAST_STARTUP_QUERY_INTVL
	McastStatsEnabled      *uint8         // IFLA_BR_MCAST_STATS_ENABLED
	McastIGMPVersion       *uint8         // IFLA_BR_MCAST_IGMP_VERSION
	McastMLDVersion        *uint8         // IFLA_BR_MCAST_MLD_VERSION
	NFCallIptables         *uint8         // IFLA_BR_NF_CALL_IPTABLES
	NFCallIp6tables        *uint8         // IFLA_BR_NF_CALL_IP6TABLES
	NFCallArptables        *uint8         // IFLA_BR_NF_CALL_ARPTABLES
	MultiBoolOpt           *BridgeBoolOpt // IFLA_BR_MULTI_BOOLOPT

	// What the kernel reports and takes no request for.
	RootID                 *BridgeID // IFLA_BR_ROOT_ID
	BridgeID               *BridgeID // IFLA_BR_BRIDGE_ID
	RootPort               *uint16   // IFLA_BR_ROOT_PORT
	RootPathCost           *uint32   // IFLA_BR_ROOT_PATH_COST
	TopologyChange         *uint8    // IFLA_BR_TOPOLOGY_CHANGE
	TopologyChangeDetected *uint8    // IFLA_BR_TOPOLOGY_CHANGE_DETECTED
	HelloTimer             *uint64   // IFLA_BR_HELLO_TIMER
	TCNTimer               *uint64   // IFLA_BR_TCN_TIMER
	TopologyChangeTimer    *uint64   // IFLA_BR_TOPOLOGY_CHANGE_TIMER
	GCTimer                *uint64   // IFLA_BR_GC_TIMER

	Other []netlink.Attribute // attributes without a field
}

// Kind is "bridge".
func (*Bridge) Kind() string { return "bridge" }

// fields is the table of IFLA_BR_* in the order of iproute2's
// bridge_parse_opt (which sends them in the order of the command line;
// this is the order of its options), then the read-only ones.
func (b *Bridge) fields() []attrField {
	return []attrField{
		{unix.IFLA_BR_FORWARD_DELAY, &b.ForwardDelay},
		{unix.IFLA_BR_HELLO_TIME, &b.HelloTime},
		{unix.IFLA_BR_MAX_AGE, &b.MaxAge},
		{unix.IFLA_BR_AGEING_TIME, &b.AgeingTime},
		{unix.IFLA_BR_STP_STATE, &b.STPState},
		{unix.IFLA_BR_PRIORITY, &b.Priority},
		{unix.IFLA_BR_VLAN_FILTERING, &b.VlanFiltering},
		{unix.IFLA_BR_VLAN_PROTOCOL, be16{&b.VlanProtocol}},
		{unix.IFLA_BR_GROUP_FWD_MASK, &b.GroupFwdMask},
		{unix.IFLA_BR_GROUP_ADDR, &b.GroupAddr},
		{unix.IFLA_BR_FDB_FLUSH, &b.FDBFlush},
		{unix.IFLA_BR_VLAN_DEFAULT_PVID, &b.VlanDefaultPVID},
		{unix.IFLA_BR_VLAN_STATS_ENABLED, &b.VlanStatsEnabled},
		{unix.IFLA_BR_VLAN_STATS_PER_PORT, &b.VlanStatsPerPort},
		{unix.IFLA_BR_MCAST_ROUTER, &b.McastRouter},
		{unix.IFLA_BR_MCAST_SNOOPING, &b.McastSnooping},
		{unix.IFLA_BR_MCAST_QUERY_USE_IFADDR, &b.McastQueryUseIfaddr},
		{unix.IFLA_BR_MCAST_QUERIER, &b.McastQuerier},
		{unix.IFLA_BR_MCAST_HASH_ELASTICITY, &b.McastHashElasticity},
		{unix.IFLA_BR_MCAST_HASH_MAX, &b.McastHashMax},
		{unix.IFLA_BR_MCAST_LAST_MEMBER_CNT, &b.McastLastMemberCnt},
		{unix.IFLA_BR_MCAST_STARTUP_QUERY_CNT, &b.McastStartupQueryCnt},
		{unix.IFLA_BR_MCAST_LAST_MEMBER_INTVL, &b.McastLastMemberIntvl},
		{unix.IFLA_BR_MCAST_MEMBERSHIP_INTVL, &b.McastMembershipIntvl},
		{unix.IFLA_BR_MCAST_QUERIER_INTVL, &b.McastQuerierIntvl},
		{unix.IFLA_BR_MCAST_QUERY_INTVL, &b.McastQueryIntvl},
		{unix.IFLA_BR_MCAST_QUERY_RESPONSE_INTVL, &b.McastQueryRespIntvl},
		{unix.IFLA_BR_MCAST_STARTUP_QUERY_INTVL, &b.McastStartupQueryIntvl},
		{unix.IFLA_BR_MCAST_STATS_ENABLED, &b.McastStatsEnabled},
		{unix.IFLA_BR_MCAST_IGMP_VERSION, &b.McastIGMPVersion},
		{unix.IFLA_BR_MCAST_MLD_VERSION, &b.McastMLDVersion},
		{unix.IFLA_BR_NF_CALL_IPTABLES, &b.NFCallIptables},
		{unix.IFLA_BR_NF_CALL_IP6TABLES, &b.NFCallIp6tables},
		{unix.IFLA_BR_NF_CALL_ARPTABLES, &b.NFCallArptables},
		{unix.IFLA_BR_MULTI_BOOLOPT, &b.MultiBoolOpt},
		{unix.IFLA_BR_ROOT_ID, &b.RootID},
		{unix.IFLA_BR_BRIDGE_ID, &b.BridgeID},
		{unix.IFLA_BR_ROOT_PORT, &b.RootPort},
		{unix.IFLA_BR_ROOT_PATH_COST, &b.RootPathCost},
		{unix.IFLA_BR_TOPOLOGY_CHANGE, &b.TopologyChange},
		{unix.IFLA_BR_TOPOLOGY_CHANGE_DETECTED, &b.TopologyChangeDetected},
		{unix.IFLA_BR_HELLO_TIMER, &b.HelloTimer},
		{unix.IFLA_BR_TCN_TIMER, &b.TCNTimer},
		{unix.IFLA_BR_TOPOLOGY_CHANGE_TIMER, &b.TopologyChangeTimer},
		{unix.IFLA_BR_GC_TIMER, &b.GCTimer},
	}
}

// AppendAttributes encodes the fields that are set, then Other.
func (b *Bridge) AppendAttributes(e *netlink.AttributeEncoder) {
	appendFields(e, b.fields(), b.Other)
}

// DecodeAttributes decodes IFLA_BR_*.
func (b *Bridge) DecodeAttributes(data []byte) error {
	return decodeFields(data, b.fields(), &b.Other)
}

// BridgePort is a bridge port's data (IFLA_BRPORT_*): IFLA_INFO_SLAVE_DATA
// of slave kind "bridge" (iproute2's "type bridge_slave"), and
// IFLA_PROTINFO of the AF_BRIDGE messages "bridge link" reads.
type BridgePort struct {
	Flush         bool    // IFLA_BRPORT_FLUSH, request only
	State         *uint8  // IFLA_BRPORT_STATE: BR_STATE_*
	Priority      *uint16 // IFLA_BRPORT_PRIORITY
	Cost          *uint32 // IFLA_BRPORT_COST
	Hairpin       *bool   // IFLA_BRPORT_MODE
	Guard         *bool   // IFLA_BRPORT_GUARD
	Protect       *bool   // IFLA_BRPORT_PROTECT: iproute2's root_block
	FastLeave     *bool   // IFLA_BRPORT_FAST_LEAVE
	Learning      *bool   // IFLA_BRPORT_LEARNING
	LearningSync  *bool   // IFLA_BRPORT_LEARNING_SYNC
	Flood         *bool   // IFLA_BRPORT_UNICAST_FLOOD
	McastFlood    *bool   // IFLA_BRPORT_MCAST_FLOOD
	BcastFlood    *bool   // IFLA_BRPORT_BCAST_FLOOD
	McastToUcast  *bool   // IFLA_BRPORT_MCAST_TO_UCAST
	ProxyARP      *bool   // IFLA_BRPORT_PROXYARP
	ProxyARPWiFi  *bool   // IFLA_BRPORT_PROXYARP_WIFI
	McastRouter   *uint8  // IFLA_BRPORT_MULTICAST_ROUTER
	NeighSuppress *bool   // IFLA_BRPORT_NEIGH_SUPPRESS
	GroupFwdMask  *uint16 // IFLA_BRPORT_GROUP_FWD_MASK
	VlanTunnel    *bool   // IFLA_BRPORT_VLAN_TUNNEL
	Isolated      *bool   // IFLA_BRPORT_ISOLATED
	Locked        *bool   // IFLA_BRPORT_LOCKED
	BackupPort    *uint32 // IFLA_BRPORT_BACKUP_PORT: an ifindex, 0 for none

	// What the kernel reports and takes no request for.
	RootID            *BridgeID // IFLA_BRPORT_ROOT_ID
	BridgeID          *BridgeID // IFLA_BRPORT_BRIDGE_ID
	DesignatedPort    *uint16   // IFLA_BRPORT_DESIGNATED_PORT
	DesignatedCost    *uint16   // IFLA_BRPORT_DESIGNATED_COST
	ID                *uint16   // IFLA_BRPORT_ID
	No                *uint16   // IFLA_BRPORT_NO
	TopologyChangeAck *uint8    // IFLA_BRPORT_TOPOLOGY_CHANGE_ACK
	ConfigPending     *uint8    // IFLA_BRPORT_CONFIG_PENDING
	MessageAgeTimer   *uint64   // IFLA_BRPORT_MESSAGE_AGE_TIMER
	ForwardDelayTimer *uint64   // IFLA_BRPORT_FORWARD_DELAY_TIMER
	HoldTimer         *uint64   // IFLA_BRPORT_HOLD_TIMER

	Other []netlink.Attribute // attributes without a field
}

// Kind is "bridge", the slave kind of a bridge's port.
func (*BridgePort) Kind() string { return "bridge" }

// fields is the table of IFLA_BRPORT_* in the order of iproute2's
// bridge_slave_parse_opt, then the read-only ones.
func (p *BridgePort) fields() []attrField {
	return []attrField{
		{unix.IFLA_BRPORT_FLUSH, &p.Flush},
		{unix.IFLA_BRPORT_STATE, &p.State},
		{unix.IFLA_BRPORT_PRIORITY, &p.Priority},
		{unix.IFLA_BRPORT_COST, &p.Cost},
		{unix.IFLA_BRPORT_MODE, &p.Hairpin},
		{unix.IFLA_BRPORT_GUARD, &p.Guard},
		{unix.IFLA_BRPORT_PROTECT, &p.Protect},
		{unix.IFLA_BRPORT_FAST_LEAVE, &p.FastLeave},
		{unix.IFLA_BRPORT_LEARNING, &p.Learning},
		{unix.IFLA_BRPORT_LEARNING_SYNC, &p.LearningSync},
		{unix.IFLA_BRPORT_UNICAST_FLOOD, &p.Flood},
		{unix.IFLA_BRPORT_MCAST_FLOOD, &p.McastFlood},
		{unix.IFLA_BRPORT_BCAST_FLOOD, &p.BcastFlood},
		{unix.IFLA_BRPORT_MCAST_TO_UCAST, &p.McastToUcast},
		{unix.IFLA_BRPORT_PROXYARP, &p.ProxyARP},
		{unix.IFLA_BRPORT_PROXYARP_WIFI, &p.ProxyARPWiFi},
		{unix.IFLA_BRPORT_MULTICAST_ROUTER, &p.McastRouter},
		{unix.IFLA_BRPORT_NEIGH_SUPPRESS, &p.NeighSuppress},
		{unix.IFLA_BRPORT_GROUP_FWD_MASK, &p.GroupFwdMask},
		{unix.IFLA_BRPORT_VLAN_TUNNEL, &p.VlanTunnel},
		{unix.IFLA_BRPORT_ISOLATED, &p.Isolated},
		{unix.IFLA_BRPORT_LOCKED, &p.Locked},
		{unix.IFLA_BRPORT_BACKUP_PORT, &p.BackupPort},
		{unix.IFLA_BRPORT_ROOT_ID, &p.RootID},
		{unix.IFLA_BRPORT_BRIDGE_ID, &p.BridgeID},
		{unix.IFLA_BRPORT_DESIGNATED_PORT, &p.DesignatedPort},
		{unix.IFLA_BRPORT_DESIGNATED_COST, &p.DesignatedCost},
		{unix.IFLA_BRPORT_ID, &p.ID},
		{unix.IFLA_BRPORT_NO, &p.No},
		{unix.IFLA_BRPORT_TOPOLOGY_CHANGE_ACK, &p.TopologyChangeAck},
		{unix.IFLA_BRPORT_CONFIG_PENDING, &p.ConfigPending},
		{unix.IFLA_BRPORT_MESSAGE_AGE_TIMER, &p.MessageAgeTimer},
		{unix.IFLA_BRPORT_FORWARD_DELAY_TIMER, &p.ForwardDelayTimer},
		{unix.IFLA_BRPORT_HOLD_TIMER, &p.HoldTimer},
	}
}

// AppendAttributes encodes the fields that are set, then Other.
func (p *BridgePort) AppendAttributes(e *netlink.AttributeEncoder) {
	appendFields(e, p.fields(), p.Other)
}

// DecodeAttributes decodes IFLA_BRPORT_*.
func (p *BridgePort) DecodeAttributes(b []byte) error {
	return decodeFields(b, p.fields(), &p.Other)
}

// ParseBridgePort decodes IFLA_PROTINFO of an AF_BRIDGE RTM_NEWLINK (or
// IFLA_INFO_SLAVE_DATA of a bridge port).
func ParseBridgePort(b []byte) (*BridgePort, error) {
	p := &BridgePort{}
	if err := p.DecodeAttributes(b); err != nil {
		return p, fmt.Errorf("rtnl: bridge port: %w", err)
	}
	return p, nil
}
