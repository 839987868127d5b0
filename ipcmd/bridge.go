package ipcmd

import (
	"io"
	"strconv"
	"strings"

	"nsbox/internal/jsonprint"
	"nsbox/request"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	"nsbox/rtnl"
)

const bridgeUsageText = `Usage: bridge [ OPTIONS ] OBJECT { COMMAND | help }
       bridge [ -force ] -batch filename
where  OBJECT := { link | fdb | mdb | vlan | monitor }
       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] |
                    -o[neline] | -t[imestamp] | -n[etns] name |
                    -c[ompressvlans] -color -p[retty] -j[son] }
`

func bridgeUsage() int {
	io.WriteString(stderr, bridgeUsageText)
	return cli.ExitUsage
}

// bridgeLinkUsageText is bridge/link.c usage(), word for word.
const bridgeLinkUsageText = `Usage: bridge link set dev DEV [ cost COST ] [ priority PRIO ] [ state STATE ]
                               [ guard {on | off} ]
                               [ hairpin {on | off} ]
                               [ fastleave {on | off} ]
                               [ root_block {on | off} ]
                               [ learning {on | off} ]
                               [ learning_sync {on | off} ]
                               [ flood {on | off} ]
                               [ mcast_router MULTICAST_ROUTER ]
                               [ mcast_flood {on | off} ]
                               [ bcast_flood {on | off} ]
                               [ mcast_to_unicast {on | off} ]
                               [ neigh_suppress {on | off} ]
                               [ vlan_tunnel {on | off} ]
                               [ isolated {on | off} ]
                               [ locked {on | off} ]
                               [ hwmode {vepa | veb} ]
                               [ backup_port DEVICE ] [ nobackup_port ]
                               [ self ] [ master ]
       bridge link show [dev DEV]
`

// parseBridgeGlobal reads bridge(8)'s own options (bridge.c main()).
func parseBridgeGlobal(g cli.Global, args []string) (cli.Global, []string, error) {
	for len(args) > 0 && len(args[0]) > 1 && args[0][0] == '-' {
		opt := args[0]
		if strings.HasPrefix(opt, "--") {
			opt = opt[1:]
		}
		switch {
		case cli.Matches(opt, "-help"):
			g.Help = true
		case cli.Matches(opt, "-Version"):
			g.Version = true
		case cli.Matches(opt, "-stats"), cli.Matches(opt, "-statistics"):
			g.Stats++
		case cli.Matches(opt, "-details"):
			g.Details = true
		case cli.Matches(opt, "-oneline"):
			g.Oneline = true
		case cli.Matches(opt, "-timestamp"), cli.Matches(opt, "-tshort"):
		case cli.Matches(opt, "-family"):
			if _, err := nextArg(&args); err != nil {
				return g, nil, err
			}
		case cli.Matches(opt, "-netns"):
			v, err := nextArg(&args)
			if err != nil {
				return g, nil, err
			}
			g.Netns = v
		case colorOpt(opt, &g):
		case cli.Matches(opt, "-compressvlans"):
			g.CompressVlans = true
		case cli.Matches(opt, "-force"):
			g.Force = true
		case cli.Matches(opt, "-json"):
			g.JSON = true
		case cli.Matches(opt, "-pretty"):
			g.Pretty = true
		case cli.Matches(opt, "-batch"):
			v, err := nextArg(&args)
			if err != nil {
				return g, nil, err
			}
			g.Batch = v
		case opt == "-wire":
			g.Wire = true
		case opt == "-pcap":
			v, err := nextArg(&args)
			if err != nil {
				return g, nil, err
			}
			g.Pcap = v
		default:
			return g, nil, cli.Usagef("Option \"%s\" is unknown, try \"bridge help\".", args[0])
		}
		args = args[1:]
	}
	return g, args, nil
}

// colorOpt is bridge's matches_color(): -color[=always|auto|never] sets
// g.Color.
func colorOpt(opt string, g *cli.Global) bool {
	c, ok := cli.MatchesColor(opt)
	if ok {
		g.Color = c
	}
	return ok
}

// bridge runs one bridge command line.
func (s *session) bridge(args []string) error {
	if s.g.Version {
		io.WriteString(stdout, "bridge utility, nsbox (iproute2-6.1.0 compatible)\n")
		return nil
	}
	w := args[0]
	switch {
	case cli.Matches(w, "link"):
		return s.bridgeLink(args[1:])
	case cli.Matches(w, "help"):
		bridgeUsage()
		return &cli.Error{Code: cli.ExitUsage, Fatal: true}
	case cli.Matches(w, "fdb"):
		return s.bridgeFdb(args[1:])
	case cli.Matches(w, "vlan"):
		return s.bridgeVlan(args[1:])
	case cli.Matches(w, "mdb"), cli.Matches(w, "vni"):
		return cli.Usagef("nsbox: \"bridge %s\" is not implemented", w)
	case cli.Matches(w, "monitor"):
		return s.bridgeMonitor(args[1:])
	}
	return cli.Usagef("Object \"%s\" is unknown, try \"bridge help\".", w)
}

func (s *session) bridgeLink(args []string) error {
	if len(args) > 0 {
		w := args[0]
		switch {
		case cli.Matches(w, "set"), cli.Matches(w, "change"):
			return s.bridgeLinkSet(args[1:])
		case cli.Matches(w, "show"), cli.Matches(w, "lst"), cli.Matches(w, "list"):
			args = args[1:]
		case cli.Matches(w, "help"):
			io.WriteString(stderr, bridgeLinkUsageText)
			return &cli.Error{Code: cli.ExitUsage, Fatal: true}
		case cli.Matches(w, "set"), cli.Matches(w, "change"):
			return s.bridgeLinkSet(args[1:])
		default:
			return cli.Usagef("Command \"%s\" is unknown, try \"bridge link help\".", w)
		}
	}
	var dev string
	for len(args) > 0 {
		if args[0] == "dev" {
			if len(args) < 2 {
				return incomplete()
			}
			dev = args[1]
			args = args[1:]
		}
		args = args[1:]
	}
	if _, err := s.dial(); err != nil {
		return err
	}
	if err := s.sync(); err != nil {
		return err
	}
	var index int32
	if dev != "" {
		index = s.links.index(dev)
		if index == 0 {
			return cli.Usagef("Cannot find device \"%s\"", dev)
		}
	}
	if err := s.links.fill(); err != nil {
		return cli.KernelError(err)
	}
	all, err := s.dumpAllLinks(unix.AF_BRIDGE)
	if err != nil {
		return err
	}
	var ports []*rtnl.Link
	for _, l := range all {
		if index == 0 || l.Index == index {
			ports = append(ports, l)
		}
	}
	p := s.printer()
	for _, l := range ports {
		s.printBridgePort(p, l)
	}
	return p.Flush()
}

// printBridgePort is bridge/link.c print_linkinfo().
func (s *session) printBridgePort(p *printer, l *rtnl.Link) {
	p.OpenObject("")
	s.printBridgePortBody(p, l)
}

// printBridgePortBody is print_linkinfo() after its JSON object is open
// (bridge monitor puts "Deleted " first).
func (s *session) printBridgePortBody(p *printer, l *rtnl.Link) {
	p.Int("ifindex", "%d: ", int64(l.Index))
	name := l.Name
	mdown := false
	if l.Link != 0 {
		pname := "if" + itoa(int(l.Link))
		if peer := s.links.lookup(l.Link); peer != nil {
			pname = peer.name
			if !l.Seen.Has(unix.IFLA_LINK_NETNSID) {
				mdown = peer.flags&unix.IFF_UP == 0
			}
		}
		if p.JSON() {
			p.JSONString("link", pname)
		} else {
			name += "@" + pname
		}
	}
	p.ColorString(jsonprint.ColorIfname, "ifname", "%s: ", name)
	printLinkFlags(p, l.Flags, mdown)
	if l.MTU != 0 {
		p.Uint("mtu", "mtu %d ", uint64(l.MTU))
	}
	if l.Seen.Has(unix.IFLA_MASTER) {
		p.String("master", "master %s ", s.links.name(l.Master))
	}
	if len(l.ProtInfo) > 0 {
		bp, err := rtnl.ParseBridgePort(l.ProtInfo)
		if err == nil {
			state := uint8(rtnl.BR_STATE_DISABLED)
			if bp.State != nil {
				state = *bp.State
			}
			printPortState(p, state)
			if bp.Priority != nil {
				p.Uint("priority", "priority %d ", uint64(*bp.Priority))
			}
			if bp.Cost != nil {
				p.Uint("cost", "cost %d ", uint64(*bp.Cost))
			}
			if s.g.Details {
				s.printBridgePortDetails(p, l.ProtInfo)
			}
		}
	}
	p.Text("\n")
	p.CloseObject()
}

func printPortState(p *printer, st uint8) {
	if int(st) < len(brStates) {
		p.String("state", "state %s ", brStates[st])
	} else {
		p.Uint("state", "state (%d) ", uint64(st))
	}
}

// bridgePortDetails is the -d part of print_protinfo(): flags read from
// their first byte, IFLA_BRPORT_MULTICAST_ROUTER a u8.
var bridgePortDetails = [...]attrField{
	{unix.IFLA_BRPORT_MODE, attrFlag8, "hairpin", ""},
	{unix.IFLA_BRPORT_GUARD, attrFlag8, "guard", ""},
	{unix.IFLA_BRPORT_PROTECT, attrFlag8, "root_block", ""},
	{unix.IFLA_BRPORT_FAST_LEAVE, attrFlag8, "fastleave", ""},
	{unix.IFLA_BRPORT_LEARNING, attrFlag8, "learning", ""},
	{unix.IFLA_BRPORT_UNICAST_FLOOD, attrFlag8, "flood", ""},
	{unix.IFLA_BRPORT_MCAST_FLOOD, attrFlag8, "mcast_flood", ""},
	{unix.IFLA_BRPORT_BCAST_FLOOD, attrFlag8, "bcast_flood", ""},
	{unix.IFLA_BRPORT_MULTICAST_ROUTER, attrU8, "mcast_router", ""},
	{unix.IFLA_BRPORT_MCAST_TO_UCAST, attrFlag8, "mcast_to_unicast", ""},
	{unix.IFLA_BRPORT_NEIGH_SUPPRESS, attrFlag8, "neigh_suppress", ""},
	{unix.IFLA_BRPORT_VLAN_TUNNEL, attrFlag8, "vlan_tunnel", ""},
	{unix.IFLA_BRPORT_ISOLATED, attrFlag8, "isolated", ""},
	{unix.IFLA_BRPORT_LOCKED, attrFlag8, "locked", ""},
}

// printBridgePortDetails is the -d part of print_protinfo().
func (s *session) printBridgePortDetails(p *printer, b []byte) {
	p.NL()
	p.Text("    ")
	printAttrs(p, b, bridgePortDetails[:])
}

func itoa(i int) string { return strconv.Itoa(i) }

// portSetArgs is what brlink_modify() collects.
type portSetArgs struct {
	dev   string
	port  rtnl.BridgePort
	flags uint16 // IFLA_BRIDGE_FLAGS: BRIDGE_FLAGS_SELF, _MASTER
	mode  int    // IFLA_BRIDGE_MODE, -1 for none
}

// portOnOff is a port flag of "bridge link set": parse_on_off, whose
// error ends the command with -EINVAL (exit 234, bridge's do_cmd
// returning it as it is).
func portOnOff(word string, field func(*rtnl.BridgePort) **bool) option[portSetArgs] {
	return option[portSetArgs]{[]keyword{is(word)}, func(s *session, a *portSetArgs, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		on, err := parseOnOff(word, v)
		if err != nil {
			err.(*cli.Error).Code = 256 - int(unix.EINVAL)
			return err
		}
		*field(&a.port) = &on
		return nil
	}}
}

// bridgeLinkOptions is brlink_modify()'s grammar (bridge/link.c).
var bridgeLinkOptions = []option[portSetArgs]{
	{[]keyword{is("dev")}, func(s *session, a *portSetArgs, args *[]string) (err error) {
		a.dev, err = nextArg(args)
		return err
	}},
	portOnOff("guard", func(p *rtnl.BridgePort) **bool { return &p.Guard }),
	portOnOff("hairpin", func(p *rtnl.BridgePort) **bool { return &p.Hairpin }),
	portOnOff("fastleave", func(p *rtnl.BridgePort) **bool { return &p.FastLeave }),
	portOnOff("root_block", func(p *rtnl.BridgePort) **bool { return &p.Protect }),
	portOnOff("learning", func(p *rtnl.BridgePort) **bool { return &p.Learning }),
	portOnOff("learning_sync", func(p *rtnl.BridgePort) **bool { return &p.LearningSync }),
	portOnOff("flood", func(p *rtnl.BridgePort) **bool { return &p.Flood }),
	{[]keyword{is("mcast_router")}, func(s *session, a *portSetArgs, args *[]string) error {
		v, err := nextArg(args)
		a.port.McastRouter = new(uint8(atoi(v)))
		return err
	}},
	portOnOff("mcast_flood", func(p *rtnl.BridgePort) **bool { return &p.McastFlood }),
	portOnOff("bcast_flood", func(p *rtnl.BridgePort) **bool { return &p.BcastFlood }),
	portOnOff("mcast_to_unicast", func(p *rtnl.BridgePort) **bool { return &p.McastToUcast }),
	{[]keyword{is("cost")}, func(s *session, a *portSetArgs, args *[]string) error {
		v, err := nextArg(args)
		if c := uint32(atoi(v)); c > 0 && int32(c) > 0 {
			a.port.Cost = &c
		}
		return err
	}},
	{[]keyword{is("priority")}, func(s *session, a *portSetArgs, args *[]string) error {
		v, err := nextArg(args)
		if p := int16(atoi(v)); p >= 0 {
			a.port.Priority = new(uint16(p))
		}
		return err
	}},
	{[]keyword{is("state")}, func(s *session, a *portSetArgs, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		st := -1
		if n, err := strconv.Atoi(v); err == nil {
			st = int(int8(n))
		} else {
			for i, name := range brStates {
				if cli.EqualFold(v, name) {
					st = i
				}
			}
			if st < 0 {
				return cli.Usagef("Error: invalid STP port state")
			}
		}
		if st >= 0 {
			a.port.State = new(uint8(st))
		}
		return nil
	}},
	{[]keyword{is("hwmode")}, func(s *session, a *portSetArgs, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		a.flags = 2 // BRIDGE_FLAGS_SELF
		switch v {
		case "vepa":
			a.mode = 1
		case "veb":
			a.mode = 0
		default:
			return cli.Usagef("Mode argument must be \"vepa\" or \"veb\".")
		}
		return nil
	}},
	{[]keyword{is("self")}, func(s *session, a *portSetArgs, args *[]string) error {
		a.flags |= 2 // BRIDGE_FLAGS_SELF
		return nil
	}},
	{[]keyword{is("master")}, func(s *session, a *portSetArgs, args *[]string) error {
		a.flags |= 1 // BRIDGE_FLAGS_MASTER
		return nil
	}},
	portOnOff("neigh_suppress", func(p *rtnl.BridgePort) **bool { return &p.NeighSuppress }),
	portOnOff("vlan_tunnel", func(p *rtnl.BridgePort) **bool { return &p.VlanTunnel }),
	portOnOff("isolated", func(p *rtnl.BridgePort) **bool { return &p.Isolated }),
	portOnOff("locked", func(p *rtnl.BridgePort) **bool { return &p.Locked }),
	{[]keyword{is("backup_port")}, func(s *session, a *portSetArgs, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		idx := s.index(v)
		if idx == 0 {
			return cli.Usagef("Error: device %s does not exist", v)
		}
		a.port.BackupPort = new(uint32(idx))
		return nil
	}},
	{[]keyword{is("nobackup_port")}, func(s *session, a *portSetArgs, args *[]string) error {
		a.port.BackupPort = new(uint32(0))
		return nil
	}},
}

// bridgeLinkSet is brlink_modify(): "bridge link set dev DEV ...", an
// RTM_SETLINK of family AF_BRIDGE with the port's IFLA_PROTINFO.
func (s *session) bridgeLinkSet(args []string) error {
	if _, err := s.dial(); err != nil {
		return err
	}
	a := &portSetArgs{mode: -1}
	err := parseOptions(s, a, args, bridgeLinkOptions, func(s *session, a *portSetArgs, args *[]string) error {
		io.WriteString(stderr, bridgeLinkUsageText)
		return &cli.Error{Code: cli.ExitUsage, Fatal: true}
	})
	if err != nil {
		return err
	}
	if a.dev == "" {
		return cli.Usagef("Device is a required argument.")
	}
	idx := s.index(a.dev)
	if idx == 0 {
		return cli.Usagef("Cannot find bridge device \"%s\"", a.dev)
	}
	m, err := request.BridgePort(idx, &a.port, a.flags, a.mode)
	if err != nil {
		return failf("nsbox: %v", err)
	}
	if _, err := s.conn.Execute(m); err != nil {
		if ce := cli.KernelError(err); ce != nil {
			ce.Code = cli.ExitUsage // rtnl_talk failed: return -1
			return ce
		}
	}
	return nil
}
