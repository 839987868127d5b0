package ipcmd

import (
	"golang.org/x/sys/unix"

	"nsbox/cli"
	"nsbox/request"
	"nsbox/rtnl"
)

// linkUsageText is iplink_usage() and iplink_types_usage() of a
// kernel with RTM_NEWLINK, word for word.
const linkUsageText = `Usage: ip link add [link DEV | parentdev NAME] [ name ] NAME
		    [ txqueuelen PACKETS ]
		    [ address LLADDR ]
		    [ broadcast LLADDR ]
		    [ mtu MTU ] [index IDX ]
		    [ numtxqueues QUEUE_COUNT ]
		    [ numrxqueues QUEUE_COUNT ]
		    [ netns { PID | NAME } ]
		    type TYPE [ ARGS ]

	ip link delete { DEVICE | dev DEVICE | group DEVGROUP } type TYPE [ ARGS ]

	ip link set { DEVICE | dev DEVICE | group DEVGROUP }
			[ { up | down } ]
			[ type TYPE ARGS ]
		[ arp { on | off } ]
		[ dynamic { on | off } ]
		[ multicast { on | off } ]
		[ allmulticast { on | off } ]
		[ promisc { on | off } ]
		[ trailers { on | off } ]
		[ carrier { on | off } ]
		[ txqueuelen PACKETS ]
		[ name NEWNAME ]
		[ address LLADDR ]
		[ broadcast LLADDR ]
		[ mtu MTU ]
		[ netns { PID | NAME } ]
		[ link-netns NAME | link-netnsid ID ]
		[ alias NAME ]
		[ vf NUM [ mac LLADDR ]
			 [ vlan VLANID [ qos VLAN-QOS ] [ proto VLAN-PROTO ] ]
			 [ rate TXRATE ]
			 [ max_tx_rate TXRATE ]
			 [ min_tx_rate TXRATE ]
			 [ spoofchk { on | off} ]
			 [ query_rss { on | off} ]
			 [ state { auto | enable | disable} ]
			 [ trust { on | off} ]
			 [ node_guid EUI64 ]
			 [ port_guid EUI64 ] ]
		[ { xdp | xdpgeneric | xdpdrv | xdpoffload } { off |
			  object FILE [ { section | program } NAME ] [ verbose ] |
			  pinned FILE } ]
		[ master DEVICE ][ vrf NAME ]
		[ nomaster ]
		[ addrgenmode { eui64 | none | stable_secret | random } ]
		[ protodown { on | off } ]
		[ protodown_reason PREASON { on | off } ]
		[ gso_max_size BYTES ] | [ gso_max_segs PACKETS ]
		[ gro_max_size BYTES ]

	ip link show [ DEVICE | group GROUP ] [up] [master DEV] [vrf NAME] [type TYPE]
		[nomaster]

	ip link xstats type TYPE [ ARGS ]

	ip link afstats [ dev DEVICE ]
	ip link property add dev DEVICE [ altname NAME .. ]
	ip link property del dev DEVICE [ altname NAME .. ]

	ip link help [ TYPE ]

TYPE := { amt | bareudp | bond | bond_slave | bridge | bridge_slave |
          dsa | dummy | erspan | geneve | gre | gretap | gtp | ifb |
          ip6erspan | ip6gre | ip6gretap | ip6tnl |
          ipip | ipoib | ipvlan | ipvtap |
          macsec | macvlan | macvtap |
          netdevsim | nlmon | rmnet | sit | team | team_slave |
          vcan | veth | vlan | vrf | vti | vxcan | vxlan | wwan |
          xfrm | virt_wifi }
`

func linkUsage() error { return usage(linkUsageText) }

func doLink(s *session, args []string) error {
	if len(args) == 0 {
		return s.linkShow(nil)
	}
	w := args[0]
	switch {
	case cli.Matches(w, "add"):
		return s.linkModify(request.Add, args[1:])
	case cli.Matches(w, "set"), cli.Matches(w, "change"):
		return s.linkModify(request.Change, args[1:])
	case cli.Matches(w, "replace"):
		return s.linkModify(request.Replace, args[1:])
	case cli.Matches(w, "delete"):
		return s.linkModify(request.Delete, args[1:])
	case cli.Matches(w, "show"), cli.Matches(w, "lst"), cli.Matches(w, "list"):
		return s.linkShow(args[1:])
	case cli.Matches(w, "property"):
		return s.linkProperty(args[1:])
	case cli.Matches(w, "help"):
		return s.linkHelp(args[1:])
	}
	return cli.Usagef("Command \"%s\" is unknown, try \"ip link help\".", w)
}

// linkProperty is iplink_prop(): "ip link property add|del dev DEV
// altname NAME...", an RTM_NEWLINKPROP or RTM_DELLINKPROP.
func (s *session) linkProperty(args []string) error {
	if len(args) == 0 {
		return linkUsage()
	}
	p := request.LinkProperty{Family: uint8(s.g.Family)}
	switch w := args[0]; {
	case cli.Matches(w, "add"):
	case cli.Matches(w, "del"):
		p.Delete = true
	case cli.Matches(w, "help"):
		return linkUsage()
	default:
		return cli.Usagef("Operator required")
	}
	dev := ""
	for args = args[1:]; len(args) > 0; args = args[1:] {
		w := args[0]
		switch {
		case cli.Matches(w, "altname"):
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			if !checkAltIfname(v) {
				return invArg("not a valid altname", v)
			}
			p.AltNames = append(p.AltNames, v)
		case cli.Matches(w, "help"):
			return linkUsage()
		default:
			var err error
			if w, err = keyOptional(&args, is("dev")); err != nil {
				return err
			}
			if dev != "" {
				return dupArg2("dev", w)
			}
			if !checkAltIfname(w) {
				return invArg("\"dev\" not a valid ifname", w)
			}
			dev = w
		}
	}
	if dev == "" {
		return cli.Usagef("Not enough of information: \"dev\" argument is required.")
	}
	if _, err := s.dial(); err != nil {
		return err
	}
	if p.Link = s.links.index(dev); p.Link == 0 {
		return nodev(dev)
	}
	if err := s.exec(p.Message()); err != nil {
		return asExit(err, cli.ExitKernel)
	}
	return nil
}

// linkModify is iplink_modify(): link add, set, replace and delete.
func (s *session) linkModify(op request.Op, args []string) error {
	if _, err := s.dial(); err != nil {
		return err
	}
	create := op == request.Add || op == request.Replace
	a, err := s.parseLink(args, create)
	s.keep(a.files)
	if err != nil {
		return err
	}
	l := &a.link
	if a.index != 0 && !create && !a.moveNetns {
		return cli.Usagef("index can be used only when creating devices or when moving device to another netns.")
	}
	if a.group && a.dev == "" {
		// "ip link set group G ..." and "ip link del group G": the
		// kernel acts on every link of the group (ifindex 0, no name)
		if a.kind != "" && len(a.kindArgs) > 0 {
			return cli.Usagef("Garbage instead of arguments \"%s ...\". Try \"ip link help\".", a.kindArgs[0])
		}
		if create {
			return cli.Usagef("group cannot be used when creating devices.")
		}
		l.Info = rtnl.LinkInfo{}
		m, err := request.Link(l, op)
		if err != nil {
			return failf("nsbox: %v", err)
		}
		s.links.forgetAll()
		return s.exec(m)
	}
	if !create {
		if a.dev == "" {
			return cli.Usagef("Not enough information: \"dev\" argument is required.")
		}
		l.Link = 0 // "link DEV" counts only when creating
		idx, byName := s.devIndex(a.dev)
		if idx == 0 && !byName {
			return nodev(a.dev)
		}
		l.Index = idx
		if a.index != 0 {
			l.Other = append(l.Other, u32Attr(unix.IFLA_NEW_IFINDEX, uint32(a.index)))
		}
		if err := s.checkAddrLen(idx, l); err != nil {
			return err
		}
	} else if a.linkDev != "" {
		if l.Link = s.index(a.linkDev); l.Link == 0 {
			return nodev(a.linkDev)
		}
	}
	if a.kind != "" {
		if err := s.kindOptions(a); err != nil {
			return err
		}
	} else if create {
		return failf("Not enough information: \"type\" argument is required")
	}
	if !create {
		if l.Index == 0 {
			// RTM_NEWLINK/RTM_DELLINK with ifindex 0 find the link by
			// IFLA_IFNAME: no lookup needed (pipelined batch).
			l.Name = a.dev
			s.curByName = a.dev
			if a.name != "" && a.name != a.dev {
				return s.renameByName(a)
			}
		} else if a.name != "" && a.name != a.dev {
			l.Name = a.name
		}
	} else {
		l.Index = a.index
		l.Name = a.name
		if l.Name == "" {
			l.Name = a.dev
		}
	}
	m, err := request.Link(l, op)
	if err != nil {
		return failf("nsbox: %v", err)
	}
	// the cache must not keep what this request changes
	if !create {
		if op == request.Delete || a.moveNetns || (a.name != "" && a.name != a.dev) {
			s.links.forget(a.dev)
		} else if l.Change != 0 {
			if c, ok := s.links.byName[a.dev]; ok {
				if e := s.links.byIndex[c]; e != nil {
					e.flags = e.flags&^l.Change | l.Flags&l.Change
				}
			}
		}
	}
	return s.exec(m)
}

// checkAddrLen is iproute2's check of a new link-layer address against
// the device's address length.
func (s *session) checkAddrLen(idx int32, l *rtnl.Link) error {
	if idx == 0 || (len(l.Address) == 0 && len(l.Broadcast) == 0) {
		return nil
	}
	cur, err := s.conn.LinkByIndex(idx)
	if err != nil || len(cur.Address) == 0 {
		return nil
	}
	for _, a := range []rtnl.HardwareAddr{l.Address, l.Broadcast} {
		if len(a) != 0 && len(a) != len(cur.Address) {
			return failf("Invalid address length %d - must be %d bytes", len(a), len(cur.Address))
		}
	}
	return nil
}

// devIndex resolves the device a set/delete acts on. In a batch a name
// not in the cache is sent by name (ifindex 0, IFLA_IFNAME), which the
// kernel resolves itself: no lookup, and no flush of a pipeline. (A
// single command looks the name up first, as iproute2 does, so that its
// request is byte for byte iproute2's.)
func (s *session) devIndex(dev string) (int32, bool) {
	if i, ok := s.links.byName[dev]; ok {
		return i, false
	}
	if s.batch && checkIfname(dev) {
		return 0, true
	}
	return s.index(dev), false
}

// index is ll_name_to_index for a request: from the cache, else, after
// sending whatever is queued (it may create the link), from the kernel.
func (s *session) index(name string) int32 {
	if i, ok := s.links.byName[name]; ok {
		return i
	}
	if s.pipe != nil && len(s.pipe.reqs) > 0 {
		s.pipe.flush()
	}
	return s.links.index(name)
}

// renameByName is "link set OLD name NEW" when OLD's index is unknown in
// a pipeline: the index is needed (IFLA_IFNAME carries the new name).
func (s *session) renameByName(a *linkArgs) error {
	idx := s.index(a.dev)
	if idx == 0 {
		return nodev(a.dev)
	}
	a.link.Index = idx
	a.link.Name = a.name
	s.links.forget(a.dev)
	m, err := request.Link(&a.link, request.Change)
	if err != nil {
		return failf("nsbox: %v", err)
	}
	return s.exec(m)
}

// kindUsages are the texts "ip link help TYPE" prints (link_util
// print_help), on stdout.
var kindUsages = map[string]string{
	"bridge":       bridgeUsageKind,
	"bridge_slave": bridgeSlaveUsage,
	"vxlan":        vxlanUsage,
	"vlan":         vlanUsage,
	"veth":         vethUsage,
	"vxcan":        vethUsage,
	"macvlan":      macvlanUsage("macvlan"),
	"macvtap":      macvlanUsage("macvtap"),
}

// linkHelp is do_help(): "ip link help" is the usage (exit 255), "ip
// link help TYPE" the kind's own, on stdout (exit 0).
func (s *session) linkHelp(args []string) error {
	if len(args) == 0 {
		return linkUsage()
	}
	if u, ok := kindUsages[args[0]]; ok {
		s.out.WriteString(u)
		return nil
	}
	return linkUsage()
}
