package ipcmd

import (
	"encoding/binary"
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/internal/jsonprint"
	fmt "nsbox/internal/printf"
	"nsbox/netlink"
)

// attrValues maps each attribute of b to its value.
func attrValues(b []byte) map[uint16][]byte {
	v := map[uint16][]byte{}
	d := netlink.NewAttributeDecoder(b)
	for d.Next() {
		v[d.Type()] = d.Bytes()
	}
	return v
}

func uintOf(x []byte) (uint64, bool) {
	switch len(x) {
	case 1:
		return uint64(x[0]), true
	case 2:
		return uint64(binary.NativeEndian.Uint16(x)), true
	case 4:
		return uint64(binary.NativeEndian.Uint32(x)), true
	case 8:
		return binary.NativeEndian.Uint64(x), true
	}
	return 0, false
}

func bridgeID(x []byte) string {
	return fmt.Sprintf("%02x%02x.%x:%x:%x:%x:%x:%x", x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7])
}

func printTimer(p *printer, key string, x []byte) {
	v, ok := uintOf(x)
	if !ok {
		return
	}
	sec := float64(v) / 100
	if p.JSON() {
		p.JSONRaw(key, fmt.Sprintf("%.2f", sec))
	} else {
		p.Text("%s %7.2f ", key, sec)
	}
}

// How printAttrs prints one attribute of a bridge's or bridge port's
// IFLA_INFO_DATA / IFLA_INFO_SLAVE_DATA.
const (
	attrNum       = iota // "text %d", an unsigned integer of 1, 2, 4 or 8 bytes
	attrOnOff            // "text on" / "text off", JSON a bool
	attrHex              // "text %#x" as Go prints it (0x0 for zero)
	attrCHex             // "text %#x" as C prints it ("0" for zero)
	attrFwdMask          // IFLA_BRPORT_GROUP_FWD_MASK: attrCHex, then "group_fwd_mask_str 0x%x"
	attrBridgeID         // struct ifla_bridge_id: "%02x%02x.%x:%x:%x:%x:%x:%x"
	attrTimer            // centiseconds as "text %7.2f" seconds
	attrVlanProto        // IFLA_BR_VLAN_PROTOCOL: 802.1Q, 802.1ad or %#x (network order)
	attrLLAddr           // a 6-byte link-layer address
	attrBoolOpt          // IFLA_BR_MULTI_BOOLOPT: struct br_boolopt_multi
	attrPortState        // IFLA_BRPORT_STATE: BR_STATE_* name
	attrFlag8            // "text on" / "text off" from the first byte, JSON a bool
	attrU8               // "text %d" of a u8
)

// attrField is one attribute printed by printAttrs: its type, how to
// print it, its JSON key and its text label ("" when the same as key;
// a JSON key "" prints in text only).
type attrField struct {
	typ  uint16
	kind uint8
	key  string
	text string
}

// bridgeOpts is bridge_print_opt()'s order of IFLA_BR_* attributes.
var bridgeOpts = [...]attrField{
	{unix.IFLA_BR_FORWARD_DELAY, attrNum, "forward_delay", ""},
	{unix.IFLA_BR_HELLO_TIME, attrNum, "hello_time", ""},
	{unix.IFLA_BR_MAX_AGE, attrNum, "max_age", ""},
	{unix.IFLA_BR_AGEING_TIME, attrNum, "ageing_time", ""},
	{unix.IFLA_BR_STP_STATE, attrNum, "stp_state", ""},
	{unix.IFLA_BR_PRIORITY, attrNum, "priority", ""},
	{unix.IFLA_BR_VLAN_FILTERING, attrNum, "vlan_filtering", ""},
	{unix.IFLA_BR_VLAN_PROTOCOL, attrVlanProto, "vlan_protocol", ""},
	{unix.IFLA_BR_BRIDGE_ID, attrBridgeID, "bridge_id", ""},
	{unix.IFLA_BR_ROOT_ID, attrBridgeID, "root_id", "designated_root"},
	{unix.IFLA_BR_ROOT_PORT, attrNum, "root_port", ""},
	{unix.IFLA_BR_ROOT_PATH_COST, attrNum, "root_path_cost", ""},
	{unix.IFLA_BR_TOPOLOGY_CHANGE, attrNum, "topology_change", ""},
	{unix.IFLA_BR_TOPOLOGY_CHANGE_DETECTED, attrNum, "topology_change_detected", ""},
	{unix.IFLA_BR_HELLO_TIMER, attrTimer, "hello_timer", ""},
	{unix.IFLA_BR_TCN_TIMER, attrTimer, "tcn_timer", ""},
	{unix.IFLA_BR_TOPOLOGY_CHANGE_TIMER, attrTimer, "topology_change_timer", ""},
	{unix.IFLA_BR_GC_TIMER, attrTimer, "gc_timer", ""},
	{unix.IFLA_BR_VLAN_DEFAULT_PVID, attrNum, "vlan_default_pvid", ""},
	{unix.IFLA_BR_VLAN_STATS_ENABLED, attrNum, "vlan_stats_enabled", ""},
	{unix.IFLA_BR_VLAN_STATS_PER_PORT, attrNum, "vlan_stats_per_port", ""},
	{unix.IFLA_BR_GROUP_FWD_MASK, attrCHex, "group_fwd_mask", ""},
	{unix.IFLA_BR_GROUP_ADDR, attrLLAddr, "group_addr", "group_address"},
	{unix.IFLA_BR_MCAST_SNOOPING, attrNum, "mcast_snooping", ""},
	{unix.IFLA_BR_MULTI_BOOLOPT, attrBoolOpt, "", ""},
	{unix.IFLA_BR_MCAST_ROUTER, attrNum, "mcast_router", ""},
	{unix.IFLA_BR_MCAST_QUERY_USE_IFADDR, attrNum, "mcast_query_use_ifaddr", ""},
	{unix.IFLA_BR_MCAST_QUERIER, attrNum, "mcast_querier", ""},
	{unix.IFLA_BR_MCAST_HASH_ELASTICITY, attrNum, "mcast_hash_elasticity", ""},
	{unix.IFLA_BR_MCAST_HASH_MAX, attrNum, "mcast_hash_max", ""},
	{unix.IFLA_BR_MCAST_LAST_MEMBER_CNT, attrNum, "mcast_last_member_cnt", "mcast_last_member_count"},
	{unix.IFLA_BR_MCAST_STARTUP_QUERY_CNT, attrNum, "mcast_startup_query_cnt", "mcast_startup_query_count"},
	{unix.IFLA_BR_MCAST_LAST_MEMBER_INTVL, attrNum, "mcast_last_member_intvl", "mcast_last_member_interval"},
	{unix.IFLA_BR_MCAST_MEMBERSHIP_INTVL, attrNum, "mcast_membership_intvl", "mcast_membership_interval"},
	{unix.IFLA_BR_MCAST_QUERIER_INTVL, attrNum, "mcast_querier_intvl", "mcast_querier_interval"},
	{unix.IFLA_BR_MCAST_QUERY_INTVL, attrNum, "mcast_query_intvl", "mcast_query_interval"},
	{unix.IFLA_BR_MCAST_QUERY_RESPONSE_INTVL, attrNum, "mcast_query_response_intvl", "mcast_query_response_interval"},
	{unix.IFLA_BR_MCAST_STARTUP_QUERY_INTVL, attrNum, "mcast_startup_query_intvl", "mcast_startup_query_interval"},
	{unix.IFLA_BR_MCAST_STATS_ENABLED, attrNum, "mcast_stats_enabled", ""},
	{unix.IFLA_BR_MCAST_IGMP_VERSION, attrNum, "mcast_igmp_version", ""},
	{unix.IFLA_BR_MCAST_MLD_VERSION, attrNum, "mcast_mld_version", ""},
	{unix.IFLA_BR_NF_CALL_IPTABLES, attrNum, "nf_call_iptables", ""},
	{unix.IFLA_BR_NF_CALL_IP6TABLES, attrNum, "nf_call_ip6tables", ""},
	{unix.IFLA_BR_NF_CALL_ARPTABLES, attrNum, "nf_call_arptables", ""},
}

// bridgeSlaveOpts is bridge_slave_print_opt()'s order of IFLA_BRPORT_*
// attributes.
var bridgeSlaveOpts = [...]attrField{
	{unix.IFLA_BRPORT_STATE, attrPortState, "state", ""},
	{unix.IFLA_BRPORT_PRIORITY, attrNum, "priority", ""},
	{unix.IFLA_BRPORT_COST, attrNum, "cost", ""},
	{unix.IFLA_BRPORT_MODE, attrOnOff, "hairpin", ""},
	{unix.IFLA_BRPORT_GUARD, attrOnOff, "guard", ""},
	{unix.IFLA_BRPORT_PROTECT, attrOnOff, "root_block", ""},
	{unix.IFLA_BRPORT_FAST_LEAVE, attrOnOff, "fastleave", ""},
	{unix.IFLA_BRPORT_LEARNING, attrOnOff, "learning", ""},
	{unix.IFLA_BRPORT_UNICAST_FLOOD, attrOnOff, "flood", ""},
	{unix.IFLA_BRPORT_ID, attrHex, "id", "port_id"},
	{unix.IFLA_BRPORT_NO, attrHex, "no", "port_no"},
	{unix.IFLA_BRPORT_DESIGNATED_PORT, attrNum, "designated_port", ""},
	{unix.IFLA_BRPORT_DESIGNATED_COST, attrNum, "designated_cost", ""},
	{unix.IFLA_BRPORT_BRIDGE_ID, attrBridgeID, "bridge_id", "designated_bridge"},
	{unix.IFLA_BRPORT_ROOT_ID, attrBridgeID, "root_id", "designated_root"},
	{unix.IFLA_BRPORT_HOLD_TIMER, attrTimer, "hold_timer", ""},
	{unix.IFLA_BRPORT_MESSAGE_AGE_TIMER, attrTimer, "message_age_timer", ""},
	{unix.IFLA_BRPORT_FORWARD_DELAY_TIMER, attrTimer, "forward_delay_timer", ""},
	{unix.IFLA_BRPORT_TOPOLOGY_CHANGE_ACK, attrNum, "topology_change_ack", ""},
	{unix.IFLA_BRPORT_CONFIG_PENDING, attrNum, "config_pending", ""},
	{unix.IFLA_BRPORT_PROXYARP, attrOnOff, "proxy_arp", ""},
	{unix.IFLA_BRPORT_PROXYARP_WIFI, attrOnOff, "proxy_arp_wifi", ""},
	{unix.IFLA_BRPORT_MULTICAST_ROUTER, attrNum, "multicast_router", "mcast_router"},
	{unix.IFLA_BRPORT_FAST_LEAVE, attrOnOff, "", "mcast_fast_leave"},
	{unix.IFLA_BRPORT_MCAST_FLOOD, attrOnOff, "mcast_flood", ""},
	{unix.IFLA_BRPORT_BCAST_FLOOD, attrOnOff, "bcast_flood", ""},
	{unix.IFLA_BRPORT_MCAST_TO_UCAST, attrOnOff, "mcast_to_unicast", ""},
	{unix.IFLA_BRPORT_NEIGH_SUPPRESS, attrOnOff, "neigh_suppress", ""},
	{unix.IFLA_BRPORT_GROUP_FWD_MASK, attrFwdMask, "group_fwd_mask", ""},
	{unix.IFLA_BRPORT_VLAN_TUNNEL, attrOnOff, "vlan_tunnel", ""},
	{unix.IFLA_BRPORT_ISOLATED, attrOnOff, "isolated", ""},
	{unix.IFLA_BRPORT_LOCKED, attrOnOff, "locked", ""},
}

// printBridgeOpts is bridge_print_opt(): a bridge's IFLA_INFO_DATA.
func printBridgeOpts(p *printer, b []byte) { printAttrs(p, b, bridgeOpts[:]) }

// printBridgeSlave is bridge_slave_print_opt(): a bridge port's options
// (IFLA_INFO_SLAVE_DATA, IFLA_BRPORT_*).
func printBridgeSlave(p *printer, b []byte) { printAttrs(p, b, bridgeSlaveOpts[:]) }

// printAttrs prints the attributes of b that fields name, in the
// fields' order; an attribute missing or of an unexpected size prints
// nothing.
func printAttrs(p *printer, b []byte, fields []attrField) {
	v := attrValues(b)
	for _, f := range fields {
		x, ok := v[f.typ]
		if !ok {
			continue
		}
		text := f.text
		if text == "" {
			text = f.key
		}
		n, isUint := uintOf(x)
		s := "" // the value, for the kinds printed as "text %s"
		switch f.kind {
		case attrNum:
			if isUint {
				p.Uint(f.key, text+" %d ", n)
			}
		case attrOnOff:
			if isUint {
				printOnOff(p, f.key, text, n != 0)
			}
		case attrHex:
			if isUint {
				s = fmt.Sprintf("%#x", n)
			}
		case attrCHex, attrFwdMask:
			if isUint {
				s = jsonprint.CHex(n)
			}
		case attrBridgeID:
			if len(x) == 8 {
				s = bridgeID(x)
			}
		case attrTimer:
			printTimer(p, f.key, x)
		case attrVlanProto:
			if len(x) == 2 {
				switch proto := binary.BigEndian.Uint16(x); proto {
				case 0x8100:
					s = "802.1Q"
				case 0x88a8:
					s = "802.1ad"
				default:
					s = fmt.Sprintf("%#x", proto)
				}
			}
		case attrLLAddr:
			if len(x) == 6 {
				s = lladdr(x)
			}
		case attrBoolOpt:
			if len(x) == 8 {
				val, mask := binary.NativeEndian.Uint32(x), binary.NativeEndian.Uint32(x[4:])
				for i, name := range [...]string{"no_linklocal_learn", "mcast_vlan_snooping"} {
					if mask&(1<<i) != 0 {
						p.Uint(name, name+" %d ", uint64(val>>i&1))
					}
				}
			}
		case attrPortState:
			if isUint {
				printPortState(p, uint8(n))
			}
		case attrFlag8:
			if len(x) >= 1 {
				printOnOff(p, f.key, text, x[0] != 0)
			}
		case attrU8:
			if len(x) == 1 {
				p.Uint(f.key, text+" %d ", uint64(x[0]))
			}
		}
		if s != "" {
			p.String(f.key, text+" %s ", s)
			if f.kind == attrFwdMask {
				p.String("group_fwd_mask_str", "group_fwd_mask_str %s ", fwdMaskString(uint16(n)))
			}
		}
	}
}

// printOnOff prints a bridge port flag: "TEXT on " or "TEXT off ", in
// JSON a bool under key (none when key is "").
func printOnOff(p *printer, key, text string, on bool) {
	switch {
	case p.JSON():
		if key != "" {
			p.JSONBool(key, on)
		}
	case on:
		p.Text("%s on ", text)
	default:
		p.Text("%s off ", text)
	}
}

// fwdMaskString is _bitmask2str() with fwd_mask_tbl: the bits of a
// port's group_fwd_mask, by name where they have one (01:80:c2:00:00:0X,
// X the bit), "0x0" for none.
func fwdMaskString(mask uint16) string {
	names := [16]string{0: "stp", 2: "lacp", 14: "lldp"}
	var out []string
	for i := 0; mask != 0; i, mask = i+1, mask>>1 {
		if mask&1 == 0 {
			continue
		}
		if names[i] != "" {
			out = append(out, names[i])
		} else {
			out = append(out, fmt.Sprintf("0x%x", 1<<i))
		}
	}
	if len(out) == 0 {
		return "0x0"
	}
	return strings.Join(out, ",")
}
