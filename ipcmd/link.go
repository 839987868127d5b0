package ipcmd

import (
	"nsbox/cli"
	"nsbox/request"
	"nsbox/rtnl"
)

const linkUsageText = `Usage: ip link add [link DEV] [ name ] NAME
		    [ txqueuelen PACKETS ]
		    [ address LLADDR ]
		    [ broadcast LLADDR ]
		    [ mtu MTU ]
		    [ netns { PID | NAME } ]
		    type TYPE [ ARGS ]

	ip link delete { DEVICE | dev DEVICE } [ type TYPE ]

	ip link set { DEVICE | dev DEVICE }
			[ { up | down } ]
		[ arp { on | off } ]
		[ multicast { on | off } ]
		[ allmulticast { on | off } ]
		[ promisc { on | off } ]
		[ txqueuelen PACKETS ]
		[ name NEWNAME ]
		[ address LLADDR ]
		[ broadcast LLADDR ]
		[ mtu MTU ]
		[ netns { PID | NAME } ]
		[ alias NAME ]
		[ master DEVICE ]
		[ nomaster ]

	ip link show [ DEVICE ] [up] [master DEV] [type TYPE] [nomaster]

	ip link help

TYPE := { bridge | dummy | ifb | veth | vxlan | ... (any kind the kernel has) }
	veth: ip link add NAME type veth [ peer [ name ] PEER [ netns { PID | NAME } ] ... ]
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
	case cli.Matches(w, "help"):
		return linkUsage()
	}
	return cli.Usagef("Command \"%s\" is unknown, try \"ip link help\".", w)
}

// linkModify is iplink_modify(): link add, set, replace and delete.
func (s *session) linkModify(op request.Op, args []string) error {
	if _, err := s.dial(); err != nil {
		return err
	}
	a, err := s.parseLink(args)
	s.keep(a.files)
	if err != nil {
		return err
	}
	l := &a.link
	create := op == request.Add || op == request.Replace
	if a.kind != "" {
		if err := s.kindOptions(a); err != nil {
			return err
		}
	} else if create {
		return failf("Not enough information: \"type\" argument is required")
	}
	if !create {
		if a.dev == "" {
			return cli.Usagef("Not enough information: \"dev\" argument is required.")
		}
		idx, byName := s.devIndex(a.dev)
		if idx == 0 && !byName {
			return nodev(a.dev)
		}
		l.Index = idx
		if err := s.checkAddrLen(idx, l); err != nil {
			return err
		}
		if byName {
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
