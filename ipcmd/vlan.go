package ipcmd

import (
	"encoding/binary"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	"nsbox/internal/jsonprint"
	fmt "nsbox/internal/printf"
	"nsbox/netlink"
	"nsbox/request"
	"nsbox/rtnl"
)

// "bridge vlan": the VLANs of bridge ports, as iproute2's bridge/vlan.c.
// Every failure exits 255 (do_vlan's commands return -1), the kernel's
// refusals included; a failed dump exits 1. This kernel has no
// CONFIG_BRIDGE_VLAN_FILTERING: it refuses add, set and the RTM_GETVLAN
// dumps (-d, global) with EOPNOTSUPP, and its ports list no VLANs.

const bridgeVlanUsageText = `Usage: bridge vlan { add | del } vid VLAN_ID dev DEV [ tunnel_info id TUNNEL_ID ]
                                                     [ pvid ] [ untagged ]
                                                     [ self ] [ master ]
       bridge vlan { set } vid VLAN_ID dev DEV [ state STP_STATE ]
                                               [ mcast_router MULTICAST_ROUTER ]
       bridge vlan { show } [ dev DEV ] [ vid VLAN_ID ]
       bridge vlan { tunnelshow } [ dev DEV ] [ vid VLAN_ID ]
       bridge vlan global { set } vid VLAN_ID dev DEV
                      [ mcast_snooping MULTICAST_SNOOPING ]
                      [ mcast_querier MULTICAST_QUERIER ]
                      [ mcast_igmp_version IGMP_VERSION ]
                      [ mcast_mld_version MLD_VERSION ]
                      [ mcast_last_member_count LAST_MEMBER_COUNT ]
                      [ mcast_last_member_interval LAST_MEMBER_INTERVAL ]
                      [ mcast_startup_query_count STARTUP_QUERY_COUNT ]
                      [ mcast_startup_query_interval STARTUP_QUERY_INTERVAL ]
                      [ mcast_membership_interval MEMBERSHIP_INTERVAL ]
                      [ mcast_querier_interval QUERIER_INTERVAL ]
                      [ mcast_query_interval QUERY_INTERVAL ]
                      [ mcast_query_response_interval QUERY_RESPONSE_INTERVAL ]
       bridge vlan global { show } [ dev DEV ] [ vid VLAN_ID ]
`

func bridgeVlanUsage() error { return usage(bridgeVlanUsageText) }

// What a vlan listing shows: the VLANs, or their tunnel ids.
const (
	vlanShowVlan = iota
	vlanShowTunnel
)

// vlanVerbs is do_vlan()'s chain.
var vlanVerbs = []objVerb{
	{[]keyword{{"add", anyPrefix}}, func(s *session, a []string) error { return s.vlanModify(request.Add, a) }},
	{[]keyword{{"delete", anyPrefix}}, func(s *session, a []string) error { return s.vlanModify(request.Delete, a) }},
	{[]keyword{{"show", anyPrefix}, {"lst", anyPrefix}, {"list", anyPrefix}}, func(s *session, a []string) error { return s.vlanShow(a, vlanShowVlan) }},
	{[]keyword{{"tunnelshow", anyPrefix}}, func(s *session, a []string) error { return s.vlanShow(a, vlanShowTunnel) }},
	{[]keyword{{"set", anyPrefix}}, func(s *session, a []string) error { return s.vlanOptions(a, false) }},
	{[]keyword{{"global", whole}}, (*session).vlanGlobal},
	{[]keyword{{"help", anyPrefix}}, func(*session, []string) error { return bridgeVlanUsage() }},
}

// bridgeVlan is do_vlan().
func (s *session) bridgeVlan(args []string) error {
	return runVerb(s, args, vlanVerbs, func(s *session, a []string) error { return s.vlanShow(a, vlanShowVlan) }, "bridge vlan")
}

// vlanGlobal is vlan_global(): whole words only, anything else the usage.
func (s *session) vlanGlobal(args []string) error {
	switch {
	case len(args) == 0:
		return s.vlanRTMShow(nil, true)
	case args[0] == "show", args[0] == "lst", args[0] == "list":
		return s.vlanRTMShow(args[1:], true)
	case args[0] == "set":
		return s.vlanOptions(args[1:], true)
	}
	return bridgeVlanUsage()
}

// vlanID is the "vid" word as bridge/vlan.c reads it into a short: atoi
// of the part before a '-' and, for a range, of the part after it (-1:
// no range).
func vlanID(v string) (vid, end int16, isRange bool) {
	if a, b, ok := strings.Cut(v, "-"); ok {
		return int16(atoi(a)), int16(atoi(b)), true
	}
	return int16(atoi(v)), -1, false
}

// vlanModify is vlan_modify(): "bridge vlan add|del".
func (s *session) vlanModify(op request.Op, args []string) error {
	var (
		dev      string
		vid, end int16 = -1, -1
		v        request.BridgeVlan
		isRange  bool
	)
	for len(args) > 0 {
		w := args[0]
		switch w {
		case "dev":
			d, err := nextArg(&args)
			if err != nil {
				return err
			}
			dev = d
		case "vid":
			a, err := nextArg(&args)
			if err != nil {
				return err
			}
			vid, end, isRange = vlanID(a)
		case "self":
			v.Bridge |= rtnl.BRIDGE_FLAGS_SELF
		case "master":
			v.Bridge |= rtnl.BRIDGE_FLAGS_MASTER
		case "pvid":
			v.Flags |= rtnl.BRIDGE_VLAN_INFO_PVID
		case "untagged":
			v.Flags |= rtnl.BRIDGE_VLAN_INFO_UNTAGGED
		case "tunnel_info":
			if err := vlanTunnelInfo(&args, &v); err != nil {
				return err
			}
		default:
			if cli.Matches(w, "help") {
				if _, err := nextArg(&args); err != nil {
					return err
				}
			}
		}
		args = args[1:]
	}
	if dev == "" || vid == -1 {
		return brFail("Device and VLAN ID are required arguments.")
	}
	if _, err := s.dial(); err != nil {
		return err
	}
	var err error
	if v.Link, err = s.brIndex(dev, "bridge device"); err != nil {
		return err
	}
	if vid >= 4096 {
		return brFail(fmt.Sprintf("Invalid VLAN ID \"%d\"", uint16(vid)))
	}
	if isRange {
		if end == -1 || end >= 4096 || vid >= end {
			return brFail(fmt.Sprintf("Invalid VLAN range \"%d-%d\"", uint16(vid), uint16(end)))
		}
		v.VidEnd = uint16(end)
	}
	v.Vid = uint16(vid)
	m, err := v.Message(op)
	if err != nil {
		return brFail(err.Error())
	}
	if err := s.exec(m); err != nil {
		return asExit(err, cli.ExitUsage)
	}
	return nil
}

// vlanTunnelInfo is parse_tunnel_info(): "tunnel_info id ID[-END]", ids
// below 2^24.
func vlanTunnelInfo(args *[]string, v *request.BridgeVlan) error {
	w, err := nextArg(args)
	if err != nil {
		return err
	}
	if !cli.Matches(w, "id") {
		return invArg("tunnel id expected", w)
	}
	a, err := nextArg(args)
	if err != nil {
		return err
	}
	first, rest, isRange := strings.Cut(a, "-")
	id, ok := getU32(first)
	if !ok || id >= 1<<24 {
		return invArg("invalid tun id", first)
	}
	v.Tunnel, v.TunID = true, id
	if isRange {
		idEnd, ok := getU32(rest)
		if !ok || idEnd >= 1<<24 {
			return invArg("invalid tun id", first)
		}
		v.TunIDEnd = idEnd
	}
	return nil
}

// vlanOptions is vlan_option_set() ("bridge vlan set") and, with global,
// vlan_global_option_set(): an RTM_NEWVLAN whose attributes follow the
// command line.
func (s *session) vlanOptions(args []string, global bool) error {
	o := request.BridgeVlanOptions{Global: global}
	dev, vid := "", int16(-1)
	ne := binary.NativeEndian
	add := func(typ uint16, data []byte) { o.Attrs = append(o.Attrs, netlink.Attribute{Type: typ, Data: data}) }
	if _, err := s.dial(); err != nil {
		return err
	}
	for len(args) > 0 {
		w := args[0]
		switch {
		case w == "dev":
			d, err := nextArg(&args)
			if err != nil {
				return err
			}
			dev = d
			if o.Link = s.links.index(d); o.Link == 0 {
				return brFail("Cannot find network device \"" + d + "\"")
			}
		case w == "vid":
			a, err := nextArg(&args)
			if err != nil {
				return err
			}
			var end int16
			var isRange bool
			vid, end, isRange = vlanID(a)
			if isRange && (vid >= end || end >= 4096) {
				return brFail(fmt.Sprintf("Invalid VLAN range \"%d-%d\"", uint16(vid), uint16(end)))
			}
			if vid >= 4096 {
				return brFail(fmt.Sprintf("Invalid VLAN ID \"%d\"", uint16(vid)))
			}
			if global {
				add(rtnl.BRIDGE_VLANDB_GOPTS_ID, ne.AppendUint16(nil, uint16(vid)))
				if isRange {
					add(rtnl.BRIDGE_VLANDB_GOPTS_RANGE, ne.AppendUint16(nil, uint16(end)))
				}
			} else {
				info := rtnl.BridgeVlanInfo{Flags: rtnl.BRIDGE_VLAN_INFO_ONLY_OPTS, Vid: uint16(vid)}
				add(rtnl.BRIDGE_VLANDB_ENTRY_INFO, info.AppendBinary(nil))
				if isRange {
					add(rtnl.BRIDGE_VLANDB_ENTRY_RANGE, ne.AppendUint16(nil, uint16(end)))
				}
			}
		case !global && w == "state":
			a, err := nextArg(&args)
			if err != nil {
				return err
			}
			st, err := strconv.ParseInt(strings.TrimLeft(a, " \t\n\v\f\r"), 10, 64)
			if err != nil {
				st = -1
				for i, name := range brStates {
					if name == a {
						st = int64(i)
					}
				}
			}
			if st == -1 {
				return brFail("Error: invalid STP state")
			}
			add(rtnl.BRIDGE_VLANDB_ENTRY_STATE, []byte{uint8(st)})
		case !global && w == "mcast_router":
			a, err := nextArg(&args)
			if err != nil {
				return err
			}
			v, ok := getU8(a)
			if !ok {
				return invArg("invalid mcast_router", a)
			}
			add(rtnl.BRIDGE_VLANDB_ENTRY_MCAST_ROUTER, []byte{v})
		default:
			opt, ok := vlanGlobalOption(w)
			if global && ok {
				a, err := nextArg(&args)
				if err != nil {
					return err
				}
				v, ok := getUint(a, 0, ^uint64(0)>>(64-opt.bits))
				if !ok {
					return invArg("invalid "+w, a)
				}
				data := []byte{uint8(v)}
				switch opt.bits {
				case 32:
					data = ne.AppendUint32(nil, uint32(v))
				case 64:
					data = ne.AppendUint64(nil, v)
				}
				add(opt.typ, data)
				break
			}
			help := cli.Matches(w, "help")
			if global {
				help = w == "help"
			}
			if help {
				if _, err := nextArg(&args); err != nil {
					return err
				}
			}
		}
		args = args[1:]
	}
	if dev == "" || vid == -1 {
		return brFail("Device and VLAN ID are required arguments.")
	}
	m, err := o.Message()
	if err != nil {
		return brFail(err.Error())
	}
	if err := s.exec(m); err != nil {
		return asExit(err, cli.ExitUsage)
	}
	return nil
}

// vlanGlobalOptions are vlan_global_option_set()'s options: each word's
// BRIDGE_VLANDB_GOPTS_* attribute and its width (get_u8/u32/u64).
var vlanGlobalOptions = []struct {
	word string
	typ  uint16
	bits int
}{
	{"mcast_snooping", 3, 8}, {"mcast_querier", 14, 8}, {"mcast_igmp_version", 4, 8},
	{"mcast_mld_version", 5, 8}, {"mcast_last_member_count", 6, 32}, {"mcast_startup_query_count", 7, 32},
	{"mcast_last_member_interval", 8, 64}, {"mcast_membership_interval", 10, 64},
	{"mcast_querier_interval", 11, 64}, {"mcast_query_interval", 12, 64},
	{"mcast_query_response_interval", 13, 64}, {"mcast_startup_query_interval", 9, 64},
}

func vlanGlobalOption(w string) (struct {
	word string
	typ  uint16
	bits int
}, bool) {
	for _, o := range vlanGlobalOptions {
		if o.word == w {
			return o, true
		}
	}
	return vlanGlobalOptions[0], false
}

// vlanFilter is vlan.c's filter_index and filter_vlan.
type vlanFilter struct {
	index int32
	vlan  uint16
}

// check is filter_vlan_check(): -1 stop (past the VLAN asked for), 0
// skip, 1 show.
func (f *vlanFilter) check(vid, flags uint16) int {
	if f.vlan != 0 && vid > f.vlan && flags&rtnl.BRIDGE_VLAN_INFO_RANGE_END == 0 {
		return -1
	}
	if flags&rtnl.BRIDGE_VLAN_INFO_RANGE_BEGIN != 0 || vid < f.vlan {
		return 0
	}
	return 1
}

// vlanFilterArgs reads vlan_show()'s "dev DEV" and "vid VID" (other
// words are skipped).
func (s *session) vlanFilterArgs(args []string) (*vlanFilter, error) {
	f := &vlanFilter{}
	dev := ""
	for len(args) > 0 {
		switch args[0] {
		case "dev":
			v, err := nextArg(&args)
			if err != nil {
				return nil, err
			}
			if dev != "" {
				return nil, dupArg("dev", v)
			}
			dev = v
		case "vid":
			v, err := nextArg(&args)
			if err != nil {
				return nil, err
			}
			if f.vlan != 0 {
				return nil, dupArg("vid", v)
			}
			f.vlan = uint16(atoi(v))
		}
		args = args[1:]
	}
	if _, err := s.dial(); err != nil {
		return nil, err
	}
	if err := s.sync(); err != nil {
		return nil, err
	}
	var err error
	f.index, err = s.brIndex(dev, "device")
	return f, err
}

// vlanShow is vlan_show(): the VLANs (or tunnel ids) of every bridge
// port from an AF_BRIDGE link dump, their statistics with -s, the
// RTM_GETVLAN dump with -d.
func (s *session) vlanShow(args []string, subject int) error {
	f, err := s.vlanFilterArgs(args)
	if err != nil {
		return err
	}
	if s.g.Details && subject == vlanShowVlan {
		return s.vlanRTMDump(f, false)
	}
	if err := s.links.fill(); err != nil {
		return cli.KernelError(err)
	}
	p := s.printer()
	if s.g.Stats > 0 {
		return s.vlanStats(p, f)
	}
	mask := uint32(rtnl.RTEXT_FILTER_BRVLAN)
	if s.g.CompressVlans {
		mask = 1 << 2 // RTEXT_FILTER_BRVLAN_COMPRESSED
	}
	if !p.JSON() {
		h := "port              vlan-id  "
		if subject == vlanShowTunnel {
			h += "  tunnel-id"
		}
		p.Text("%s\n", h)
	}
	err = s.dumpEach(rtnl.LinkDumpRequest(unix.AF_BRIDGE, mask), func(m netlink.Message) error {
		if m.Header.Type != unix.RTM_NEWLINK {
			return nil
		}
		l, err := rtnl.ParseLink(m.Data)
		if err != nil {
			return failf("nsbox: %v", err)
		}
		if l.Family != unix.AF_BRIDGE || f.index != 0 && f.index != l.Index || l.AFSpec() == nil {
			return nil
		}
		spec, err := rtnl.ParseBridgeAFSpec(l.AFSpec())
		if err != nil {
			return failf("nsbox: %v", err)
		}
		if subject == vlanShowVlan {
			s.printVlanInfo(p, f, l.Index, spec.Vlans)
		} else {
			s.printVlanTunnels(p, f, l.Index, spec.Tunnels)
		}
		return nil
	})
	if err != nil {
		p.Flush()
		return dumpFailed(err, "Dump terminated", cli.ExitFail)
	}
	return p.Flush()
}

// openVlanPort is open_vlan_port(): the port's name, padded to IFNAMSIZ,
// and the JSON array of its VLANs ("vlans") or tunnels ("tunnels").
func (s *session) openVlanPort(p *printer, index int32, array string) {
	p.OpenObject("")
	name := s.links.name(index)
	if p.JSON() {
		p.JSONString("ifname", name)
	} else {
		p.Text("%s", p.Paint(jsonprint.ColorIfname, fmt.Sprintf("%-16s  ", name)))
	}
	p.OpenArray(array, "")
}

func closeVlanPort(p *printer) {
	p.CloseArray("")
	p.CloseObject()
}

// vlanPortLines is a port's lines of VLANs or tunnels: the first opens
// the port (open_vlan_port), the others are indented under its name.
type vlanPortLines struct {
	s      *session
	p      *printer
	index  int32
	array  string
	opened bool
}

// line starts the next line.
func (l *vlanPortLines) line() {
	if !l.opened {
		l.s.openVlanPort(l.p, l.index, l.array)
		l.opened = true
	} else {
		l.p.Text("%-16s  ", "")
	}
}

// close is close_vlan_port(), when a line opened the port.
func (l *vlanPortLines) close() {
	if l.opened {
		closeVlanPort(l.p)
	}
}

// vlanRange is print_range(): "vlan" (or "tunid"), and "-END" with key
// NAMEEnd when the range has one; the width of the text.
func vlanRange(p *printer, name string, start, id uint32) int {
	p.Uint(name, "%d", uint64(start))
	w := len(itoa(int(start)))
	if start != id {
		p.Uint(name+"End", "-%d", uint64(id))
		w += 1 + len(itoa(int(id)))
	}
	return w
}

// printVlanFlags is print_vlan_flags().
func printVlanFlags(p *printer, flags uint16) {
	if flags == 0 {
		return
	}
	p.OpenArray("flags", "")
	if flags&rtnl.BRIDGE_VLAN_INFO_PVID != 0 {
		p.String("", " %s", "PVID")
	}
	if flags&rtnl.BRIDGE_VLAN_INFO_UNTAGGED != 0 {
		p.String("", " %s", "Egress Untagged")
	}
	p.CloseArray("")
}

// printVlanInfo is print_vlan_info(): a port's VLANs, ranges joined.
func (s *session) printVlanInfo(p *printer, f *vlanFilter, index int32, vlans []rtnl.BridgeVlanInfo) {
	var start uint16
	port := vlanPortLines{s: s, p: p, index: index, array: "vlans"}
	for _, v := range vlans {
		if v.Flags&rtnl.BRIDGE_VLAN_INFO_RANGE_END == 0 {
			start = v.Vid
		}
		c := f.check(v.Vid, v.Flags)
		if c == -1 {
			break
		}
		if c == 0 {
			continue
		}
		port.line()
		p.OpenObject("")
		vlanRange(p, "vlan", uint32(start), uint32(v.Vid))
		printVlanFlags(p, v.Flags)
		p.CloseObject()
		p.Text("\n")
	}
	port.close()
}

// printVlanTunnels is print_vlan_tunnel_info().
func (s *session) printVlanTunnels(p *printer, f *vlanFilter, index int32, tunnels []rtnl.BridgeVlanTunnel) {
	var vidStart uint16
	var idStart uint32
	port := vlanPortLines{s: s, p: p, index: index, array: "tunnels"}
	for _, t := range tunnels {
		if t.Flags&rtnl.BRIDGE_VLAN_INFO_RANGE_END == 0 {
			vidStart, idStart = t.Vid, t.ID
		}
		c := f.check(t.Vid, t.Flags)
		if c == -1 {
			break
		}
		if c == 0 {
			continue
		}
		port.line()
		p.OpenObject("")
		w := vlanRange(p, "vlan", uint32(vidStart), uint32(t.Vid))
		if w <= 9 {
			p.Text("%-*s  ", 9-w, "")
		} else {
			fmt.Fprintf(stderr, "BUG: vlan range too wide, %d\n", w)
		}
		vlanRange(p, "tunid", idStart, t.ID)
		p.CloseObject()
		p.Text("\n")
	}
	port.close()
}

// vlanStats is vlan_show() with -s: the VLAN statistics of two
// RTM_GETSTATS dumps, the bridges' (IFLA_STATS_LINK_XSTATS) and the
// ports' (_SLAVE).
func (s *session) vlanStats(p *printer, f *vlanFilter) error {
	if !p.JSON() {
		p.Text("%-16s  vlan-id\n", "port")
	}
	for _, attr := range []uint32{rtnl.IFLA_STATS_LINK_XSTATS, rtnl.IFLA_STATS_LINK_XSTATS_SLAVE} {
		err := s.dumpEach(request.StatsDump(unix.AF_UNSPEC, 1<<(attr-1)), func(m netlink.Message) error {
			if m.Header.Type != unix.RTM_NEWSTATS {
				return nil
			}
			index, stats, first, err := rtnl.ParseBridgeVlanStats(m.Data)
			if err != nil {
				return failf("nsbox: %v", err)
			}
			if f.index != 0 && f.index != index {
				return nil
			}
			s.printVlanStats(p, f, index, stats[:first])
			s.printVlanStats(p, f, index, stats[first:])
			return nil
		})
		if err != nil {
			p.Flush()
			return dumpFailed(err, "Dump terminated", cli.ExitFail)
		}
	}
	return p.Flush()
}

// printVlanStats is print_vlan_stats_attr().
func (s *session) printVlanStats(p *printer, f *vlanFilter, index int32, stats []rtnl.BridgeVlanXstats) {
	port := vlanPortLines{s: s, p: p, index: index, array: "vlans"}
	for _, v := range stats {
		if f.vlan != 0 && f.vlan != v.Vid {
			continue
		}
		if v.Flags&rtnl.BRIDGE_VLAN_INFO_MASTER != 0 && v.Flags&rtnl.BRIDGE_VLAN_INFO_BRENTRY == 0 {
			continue
		}
		port.line()
		p.OpenObject("")
		p.Uint("vid", "%d", uint64(v.Vid))
		printVlanFlags(p, v.Flags)
		p.Text("\n")
		printVlanCounters(p, v)
		p.CloseObject()
	}
	port.close()
}

// printVlanCounters is __print_one_vlan_stats().
func printVlanCounters(p *printer, v rtnl.BridgeVlanXstats) {
	p.Text("%-16s    ", "")
	p.Uint("rx_bytes", "RX: %d bytes", v.RxBytes)
	p.Uint("rx_packets", " %d packets\n", v.RxPackets)
	p.Text("%-16s    ", "")
	p.Uint("tx_bytes", "TX: %d bytes", v.TxBytes)
	p.Uint("tx_packets", " %d packets\n", v.TxPackets)
}

// vlanRTMShow is vlan_global_show() (global) : the RTM_GETVLAN dump.
func (s *session) vlanRTMShow(args []string, global bool) error {
	f, err := s.vlanFilterArgs(args)
	if err != nil {
		return err
	}
	return s.vlanRTMDump(f, global)
}

// vlanRTMDump sends rtnl_brvlandump_req() and prints the VLANs of each
// RTM_NEWVLAN: their ids, ranges, flags, STP state and mcast_router (the
// other per-VLAN and the global options are not decoded yet;
// ipcmd/README.md). This kernel refuses the dump.
func (s *session) vlanRTMDump(f *vlanFilter, global bool) error {
	if err := s.links.fill(); err != nil {
		return cli.KernelError(err)
	}
	p := s.printer()
	flags := uint32(0)
	if global {
		flags = rtnl.BRIDGE_VLANDB_DUMPF_GLOBAL
	} else if s.g.Stats > 0 {
		flags = rtnl.BRIDGE_VLANDB_DUMPF_STATS
	}
	if !p.JSON() {
		p.Text("%-16s  %-9s\n", "port", "vlan-id")
	}
	cur := int32(-1)
	err := s.dumpEach(request.BridgeVlanDump(flags), func(m netlink.Message) error {
		return s.printVlanRTM(p, f, m, global, &cur)
	})
	if cur != -1 {
		closeVlanPort(p)
	}
	if err != nil {
		p.Flush()
		return dumpFailed(err, "Dump terminated", cli.ExitFail)
	}
	return p.Flush()
}

// printVlanRTM is print_vlan_rtm() for one RTM_NEWVLAN or RTM_DELVLAN:
// cur is the port whose JSON object is open (-1 none); a monitor passes
// a fresh one for every event.
func (s *session) printVlanRTM(p *printer, f *vlanFilter, m netlink.Message, global bool, cur *int32) error {
	if m.Header.Type != unix.RTM_NEWVLAN && m.Header.Type != unix.RTM_DELVLAN || len(m.Data) < 8 || m.Data[0] != unix.AF_BRIDGE {
		return nil
	}
	index := int32(binary.NativeEndian.Uint32(m.Data[4:]))
	if f.index != 0 && f.index != index {
		return nil
	}
	if s.monitor {
		s.banner(p, "[VLAN]")
	}
	if m.Header.Type == unix.RTM_DELVLAN {
		p.JSONBool("deleted", true)
		p.Text("Deleted ")
	}
	if *cur != -1 && *cur != index {
		closeVlanPort(p)
		*cur = -1
	}
	d := netlink.NewAttributeDecoder(m.Data[8:])
	for d.Next() {
		if d.Type() != rtnl.BRIDGE_VLANDB_ENTRY || global {
			continue
		}
		var info rtnl.BridgeVlanInfo
		var end, state uint16
		var router []byte
		e := netlink.NewAttributeDecoder(d.Bytes())
		for e.Next() {
			switch b := e.Bytes(); e.Type() {
			case rtnl.BRIDGE_VLANDB_ENTRY_INFO:
				if len(b) >= 4 {
					info = rtnl.BridgeVlanInfo{Flags: binary.NativeEndian.Uint16(b), Vid: binary.NativeEndian.Uint16(b[2:])}
					if end == 0 {
						end = info.Vid
					}
				}
			case rtnl.BRIDGE_VLANDB_ENTRY_RANGE:
				end = e.Uint16()
			case rtnl.BRIDGE_VLANDB_ENTRY_STATE:
				state = uint16(e.Uint8())
			case rtnl.BRIDGE_VLANDB_ENTRY_MCAST_ROUTER:
				router = b
			}
		}
		if f.vlan != 0 && (f.vlan < info.Vid || f.vlan > end) {
			continue
		}
		if *cur != index {
			s.openVlanPort(p, index, "vlans")
			*cur = index
		} else {
			p.Text("%-16s  ", "")
		}
		p.OpenObject("")
		vlanRange(p, "vlan", uint32(info.Vid), uint32(end))
		printVlanFlags(p, info.Flags)
		p.Text("\n%-16s    ", "")
		printPortState(p, uint8(state))
		if len(router) > 0 {
			p.Uint("mcast_router", "mcast_router %d ", uint64(router[0]))
		}
		p.Text("\n")
		p.CloseObject()
	}
	return d.Err()
}
