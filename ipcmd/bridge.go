package ipcmd

import (
	"io"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	"nsbox/rtnl"
)

const bridgeUsageText = `Usage: bridge [ OPTIONS ] OBJECT { COMMAND | help }
       bridge [ -force ] -batch filename
where  OBJECT := { link }
       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] |
                    -o[neline] | -t[imestamp] | -n[etns] name |
                    -c[ompressvlans] -color -p[retty] -j[son] }
`

func bridgeUsage() int {
	io.WriteString(stderr, bridgeUsageText)
	return cli.ExitUsage
}

const bridgeLinkUsageText = `Usage: bridge link show [dev DEV]
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
		case cli.Matches(opt, "-compressvlans"):
		case strings.HasPrefix(opt, "-color"), strings.HasPrefix(opt, "-colour"):
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
	case cli.Matches(w, "fdb"), cli.Matches(w, "mdb"), cli.Matches(w, "vlan"),
		cli.Matches(w, "monitor"), cli.Matches(w, "vni"):
		return cli.Usagef("nsbox: \"bridge %s\" is not implemented", w)
	}
	return cli.Usagef("Object \"%s\" is unknown, try \"bridge help\".", w)
}

func (s *session) bridgeLink(args []string) error {
	if len(args) > 0 {
		w := args[0]
		switch {
		case cli.Matches(w, "show"), cli.Matches(w, "lst"), cli.Matches(w, "list"):
			args = args[1:]
		case cli.Matches(w, "help"):
			io.WriteString(stderr, bridgeLinkUsageText)
			return &cli.Error{Code: cli.ExitUsage, Fatal: true}
		case cli.Matches(w, "set"), cli.Matches(w, "change"):
			return cli.Usagef("nsbox: \"bridge link set\" is not implemented")
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
		return kernelError(err)
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
	return p.flush()
}

// printBridgePort is bridge/link.c print_linkinfo().
func (s *session) printBridgePort(p *printer, l *rtnl.Link) {
	p.openObject("")
	p.int("ifindex", "%d: ", int64(l.Index))
	name := l.Name
	mdown := false
	if l.Link != 0 {
		pname := "if" + itoa(int(l.Link))
		if peer, ok := s.links.byIndex[l.Link]; ok {
			pname = peer.name
			if !l.Seen.Has(unix.IFLA_LINK_NETNSID) {
				mdown = peer.flags&unix.IFF_UP == 0
			}
		}
		if p.json {
			p.jstr("link", pname)
		} else {
			name += "@" + pname
		}
	}
	p.str("ifname", "%s: ", name)
	printLinkFlags(p, l.Flags, mdown)
	if l.MTU != 0 {
		p.uint("mtu", "mtu %d ", uint64(l.MTU))
	}
	if l.Seen.Has(unix.IFLA_MASTER) {
		p.str("master", "master %s ", s.links.name(l.Master))
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
				p.uint("priority", "priority %d ", uint64(*bp.Priority))
			}
			if bp.Cost != nil {
				p.uint("cost", "cost %d ", uint64(*bp.Cost))
			}
			if s.g.Details {
				s.printBridgePortDetails(p, l.ProtInfo)
			}
		}
	}
	p.text("\n")
	p.closeObject()
}

func printPortState(p *printer, st uint8) {
	if int(st) < len(brStates) {
		p.str("state", "state %s ", brStates[st])
	} else {
		p.uint("state", "state (%d) ", uint64(st))
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
	p.nl()
	p.text("    ")
	printAttrs(p, b, bridgePortDetails[:])
}

func itoa(i int) string { return strconv.Itoa(i) }
