package ipcmd

import (
	"bufio"
	"context"
	"encoding/binary"
	"io"
	"net/netip"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	"nsbox/internal/escape"
	fmt "nsbox/internal/printf"
	"nsbox/netlink"
	"nsbox/nsenter"
	"nsbox/rtnl"
	"nsbox/wire"
)

// ip monitor (iproute2's ipmonitor.c): join the rtnetlink multicast
// groups and print every event with the printers of "ip link/addr/route
// show" (print_linkinfo, print_addrinfo, print_route), as ip does, and
// print_neigh, print_netconf, print_nsid for the rest.

const monitorUsage = `Usage: ip monitor [ all | OBJECTS ] [ label ] [ dev DEVICE ]
OBJECTS :=  link | address | route | neigh | netconf | rule | nsid | nexthop`

// doMonitor is "ip monitor ...": it runs until SIGINT or SIGTERM.
func doMonitor(s *session, args []string) error {
	if err := s.sync(); err != nil {
		return err
	}
	s.out.Flush()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code := monitor(ctx, s.g, args, stdout, stderr, nil)
	if code != 0 {
		return &cli.Error{Code: code}
	}
	return nil
}

type monitorOpts struct {
	file   string // "file FILE": print the messages saved in FILE
	groups []uint32
	label  bool
	dev    string
}

// monitorObjects are the objects ip monitor names, in iproute2's order of
// matching abbreviations, with the multicast groups each joins.
var monitorObjects = [...]struct {
	name   string
	groups []uint32
}{
	{"link", []uint32{unix.RTNLGRP_LINK}},
	{"address", []uint32{unix.RTNLGRP_IPV4_IFADDR, unix.RTNLGRP_IPV6_IFADDR}},
	{"route", []uint32{unix.RTNLGRP_IPV4_ROUTE, unix.RTNLGRP_IPV6_ROUTE, unix.RTNLGRP_MPLS_ROUTE}},
	{"mroute", []uint32{unix.RTNLGRP_IPV4_MROUTE, unix.RTNLGRP_IPV6_MROUTE}},
	{"prefix", []uint32{unix.RTNLGRP_IPV6_PREFIX}},
	{"neigh", []uint32{unix.RTNLGRP_NEIGH}},
	{"netconf", []uint32{unix.RTNLGRP_IPV4_NETCONF, unix.RTNLGRP_IPV6_NETCONF}},
	{"rule", []uint32{unix.RTNLGRP_IPV4_RULE, unix.RTNLGRP_IPV6_RULE}},
	{"nsid", []uint32{unix.RTNLGRP_NSID}},
	{"nexthop", []uint32{unix.RTNLGRP_NEXTHOP}},
}

func parseMonitor(args []string) (monitorOpts, error) {
	var o monitorOpts
	any := false
	for len(args) > 0 {
		a := args[0]
		matched := false
		switch {
		case cli.Matches(a, "file"):
			if len(args) < 2 {
				return monitorOpts{}, cli.Usagef("Command line is not complete. Try option \"help\"")
			}
			o.file = args[1]
			args = args[1:]
			matched = true
		case cli.Matches(a, "label"):
			o.label, matched = true, true
		case a == "all":
			o.label, matched = true, true
		case cli.Matches(a, "all-nsid"):
			return monitorOpts{}, cli.Usagef("ip monitor all-nsid is not supported")
		case cli.Matches(a, "help"):
			return monitorOpts{}, cli.Usagef("%s", monitorUsage)
		case a == "dev":
			if len(args) < 2 {
				return monitorOpts{}, cli.Usagef("Command line is not complete. Try option \"help\"")
			}
			o.dev = args[1]
			args = args[1:]
			matched = true
		}
		if !matched {
			for _, obj := range monitorObjects {
				if cli.Matches(a, obj.name) {
					o.groups = append(o.groups, obj.groups...)
					any, matched = true, true
					break
				}
			}
		}
		if !matched {
			return monitorOpts{}, cli.Usagef("Argument \"%s\" is unknown, try \"ip monitor help\".", a)
		}
		args = args[1:]
	}
	if !any {
		for _, obj := range monitorObjects {
			if obj.name != "mroute" && obj.name != "prefix" {
				o.groups = append(o.groups, obj.groups...)
			}
		}
	}
	return o, nil
}

// monitor runs until ctx ends or the socket fails. ready, when not nil,
// is closed once the groups are joined. -wire dumps go to stderr.
func monitor(ctx context.Context, g cli.Global, args []string, stdout, stderr io.Writer, ready chan<- struct{}) int {
	o, err := parseMonitor(args)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return cli.ExitUsage
	}
	if o.file != "" {
		return monitorFile(g, o, stdout, stderr)
	}
	// ip monitor prints as iproute2's filter.oneline (addresses lead with
	// their link) with newlines; of -d, -s, -j, -br, -f it takes -d
	// (print_linkinfo's details).
	var e *eventPrinter
	setup := func(s *session, q *rtnl.Conn) (func(netlink.Message), error) {
		s.g = cli.Global{Oneline: true, Details: g.Details}
		e = &eventPrinter{s: s, p: newPrinter(s.out, false, false, false), label: o.label}
		if o.dev != "" {
			l, err := q.LinkByName(o.dev)
			if err != nil {
				return nil, fmt.Errorf("Cannot find device \"%s\"", o.dev)
			}
			e.dev = l.Index
		}
		return e.event, nil
	}
	return listen(ctx, g, o.groups, stdout, stderr, ready, setup)
}

// listen is the loop of ip monitor and bridge monitor: a socket in the
// namespace joined to groups, a second one for the name lookups the
// printers make, and each event handed to the handler setup returns,
// until ctx ends or the socket fails. ready, when not nil, is closed
// once the groups are joined. -wire dumps go to stderr.
func listen(ctx context.Context, g cli.Global, groups []uint32, stdout, stderr io.Writer, ready chan<- struct{},
	setup func(s *session, q *rtnl.Conn) (func(netlink.Message), error)) int {
	// ev receives the events, q answers the name lookups the printers make
	var ev, q *rtnl.Conn
	var err error
	open := func() error {
		var err error
		if ev, err = rtnl.Dial(); err != nil {
			return err
		}
		if q, err = rtnl.Dial(); err != nil {
			ev.Close()
			return err
		}
		return nil
	}
	if g.Netns != "" {
		err = nsenter.Do(g.Netns, open)
	} else {
		err = open()
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer q.Close()
	// one tap for both sockets: one -wire stream, one pcap file
	tap, err := wire.NewTap(unix.NETLINK_ROUTE, g, stderr)
	if err != nil {
		ev.Close()
		fmt.Fprintln(stderr, err)
		return 1
	}
	if tap != nil {
		see := func(dir netlink.Direction, b []byte) { tap.See(dir == netlink.Sent, b) }
		ev.Tap, q.Tap = see, see
		defer tap.Close()
	}
	_ = ev.SetReceiveBuffer(1 << 20)
	for _, grp := range groups {
		if err := ev.JoinGroup(grp); err != nil {
			ev.Close()
			fmt.Fprintln(stderr, err)
			return 1
		}
	}
	s := &session{g: g, out: bufio.NewWriter(stdout), conn: q, links: newLinkCache(q), monitor: true}
	// iproute2's ll_init_map: learn every link's name first
	_ = s.links.fill()
	handle, err := setup(s, q)
	if err != nil {
		ev.Close()
		fmt.Fprintln(stderr, err)
		return 1
	}
	if ready != nil {
		close(ready)
	}

	err = ev.Watch(ctx, func(msgs []netlink.Message) {
		for _, m := range msgs {
			handle(m)
		}
		s.out.Flush()
	})
	s.out.Flush()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if tap != nil {
		if err := tap.Close(); err != nil {
			fmt.Fprintf(stderr, "pcap: %v\n", err)
			return 1
		}
	}
	return 0
}

// monitorFile is "ip monitor file FILE": the rtnetlink messages saved in
// FILE (struct nlmsghdr and payload, one after another, as "ip route
// save" writes them and rtnl_from_file() reads them), each printed as an
// event, whatever the objects named; -d prints details, as it does for
// ip. No socket is opened.
func monitorFile(g cli.Global, o monitorOpts, stdout, stderr io.Writer) int {
	f, err := os.Open(o.file)
	if err != nil {
		fmt.Fprintf(stderr, "Cannot fopen: %s\n", nsenter.Strerror(err))
		return cli.ExitUsage
	}
	defer f.Close()
	s := &session{g: cli.Global{Oneline: true, Details: g.Details}, out: bufio.NewWriter(stdout), links: newLinkCache(nil), monitor: true}
	e := &eventPrinter{s: s, p: newPrinter(s.out, false, false, false), label: o.label}
	err = routeMessages(f, 0, func(m netlink.Message) error {
		e.event(m)
		return nil
	})
	s.out.Flush()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1 // do_ipmonitor's -1, which ip's main turns into 1
	}
	return 0
}

// eventPrinter is ipmonitor.c's accept_msg: one event, its [OBJECT]
// prefix with "label", the dev filter.
type eventPrinter struct {
	s     *session
	p     *printer
	label bool
	dev   int32 // dev NAME filter: only events of this ifindex
}

// prefix prints the [OBJECT] of "label".
func (e *eventPrinter) prefix(s string) {
	if e.label {
		e.p.Text("[%s]", s)
	}
}

// deleted is the "Deleted " the printers put before a removed object.
func (e *eventPrinter) deleted(yes bool) {
	if yes {
		e.p.Text("Deleted ")
	}
}

// event prints one message as ip monitor does.
func (e *eventPrinter) event(m netlink.Message) {
	s, p := e.s, e.p
	// namespaces come and go while the monitor runs: look names up anew
	s.nsids = nil
	t := uint16(m.Header.Type)
	switch t {
	case unix.RTM_NEWLINK, unix.RTM_DELLINK:
		l, err := rtnl.ParseLink(m.Data)
		if err != nil {
			return
		}
		if t == unix.RTM_DELLINK {
			// ip monitor forgets the name only after printing
			defer s.links.forgetIndex(l.Index)
		} else if l.Name != "" {
			s.links.put(l)
		}
		if e.dev != 0 && l.Index != e.dev {
			return
		}
		e.prefix("LINK")
		e.deleted(t == unix.RTM_DELLINK)
		s.printLink(p, l, false)
		p.Text("\n")
	case unix.RTM_NEWADDR, unix.RTM_DELADDR:
		a, err := rtnl.ParseAddr(m.Data)
		if err != nil || (e.dev != 0 && int32(a.Index) != e.dev) {
			return
		}
		e.prefix("ADDR")
		e.deleted(t == unix.RTM_DELADDR)
		s.printAddr(p, a, s.links.name(int32(a.Index)))
	case unix.RTM_NEWROUTE, unix.RTM_DELROUTE:
		r, err := rtnl.ParseRoute(m.Data)
		if err != nil || (e.dev != 0 && int32(r.OIF) != e.dev) {
			return
		}
		e.prefix("ROUTE")
		e.deleted(t == unix.RTM_DELROUTE)
		// every table; dev is printed even with the dev filter
		s.printRoute(p, r, &routeFilter{proto: -1, scope: -1, typ: -1})
	case unix.RTM_NEWNEIGH, unix.RTM_DELNEIGH, unix.RTM_GETNEIGH:
		if e.dev != 0 && len(m.Data) >= 8 && int32(binary.NativeEndian.Uint32(m.Data[4:])) != e.dev {
			return
		}
		e.prefix("NEIGH")
		s.printNeigh(p, t, m.Data)
	case unix.RTM_NEWNETCONF, unix.RTM_DELNETCONF:
		e.prefix("NETCONF")
		e.deleted(t == unix.RTM_DELNETCONF)
		s.printNetconf(p, m.Data)
	case unix.RTM_NEWNSID, unix.RTM_DELNSID:
		e.prefix("NSID")
		e.deleted(t == unix.RTM_DELNSID)
		s.printNSID(p, m.Data)
	case unix.NLMSG_DONE, unix.NLMSG_ERROR, unix.NLMSG_NOOP:
	default:
		switch {
		case t >= 32 && t <= 35:
			e.prefix("RULE")
		case t >= 104 && t <= 106:
			e.prefix("NEXTHOP")
		case t == 52:
			e.prefix("PREFIX")
		}
		tn := wire.TypeName(unix.NETLINK_ROUTE, t)
		if tn == "" {
			tn = "unknown"
		}
		p.Text("Unknown message: type=0x%08x(%d) flags=0x%08x(%d) len=0x%08x(%d) (%s)\n",
			t, t, uint16(m.Header.Flags), uint16(m.Header.Flags), m.Header.Length, m.Header.Length, tn)
	}
}

var nudNames = []struct {
	v    uint16
	name string
}{{0x01, "INCOMPLETE"}, {0x02, "REACHABLE"}, {0x04, "STALE"}, {0x08, "DELAY"}, {0x10, "PROBE"},
	{0x20, "FAILED"}, {0x40, "NOARP"}, {0x80, "PERMANENT"}}

// printNeigh is print_neigh (text only): b is an ndmsg and its
// attributes; RTM_GETNEIGH is an unresolved address ("miss").
func (s *session) printNeigh(p *printer, t uint16, b []byte) {
	if len(b) < 12 {
		return
	}
	ifindex := int32(binary.NativeEndian.Uint32(b[4:]))
	state := binary.NativeEndian.Uint16(b[8:])
	flags := b[10]
	switch t {
	case unix.RTM_DELNEIGH:
		p.Text("Deleted ")
	case unix.RTM_GETNEIGH:
		p.Text("miss ")
	}
	var dst netip.Addr
	var lladdr []byte
	proto := -1
	d := netlink.NewAttributeDecoder(b[12:])
	for d.Next() {
		switch d.Type() {
		case unix.NDA_DST:
			if a, ok := netip.AddrFromSlice(d.Bytes()); ok {
				dst = a
			}
		case unix.NDA_LLADDR:
			lladdr = d.Bytes()
		case 12: // NDA_PROTOCOL
			if d.Len() == 1 {
				proto = int(d.Bytes()[0])
			}
		}
	}
	if dst.IsValid() {
		p.Text("%s ", dst)
	}
	if ifindex != 0 {
		p.Text("dev %s ", escape.String(s.links.name(ifindex)))
	}
	if lladdr != nil {
		var typ uint16 // ll_index_to_type
		if l := s.links.lookup(ifindex); l != nil {
			typ = l.typ
		}
		p.Text("lladdr %s ", llAddr(lladdr, typ))
	}
	for _, f := range []struct {
		v    uint8
		name string
	}{{unix.NTF_ROUTER, "router"}, {unix.NTF_PROXY, "proxy"}, {0x10, "extern_learn"}, {0x20, "offload"}} {
		if flags&f.v != 0 {
			p.Text("%s ", f.name)
		}
	}
	if proto >= 0 {
		p.Text("proto %s ", protoNames.n2a(uint32(proto)))
	}
	if state == 0 {
		p.Text("NONE ")
	}
	for _, n := range nudNames {
		if state&n.v != 0 {
			p.Text("%s ", n.name)
		}
	}
	p.Text("\n")
}

// printNetconf is print_netconf (text only): b is a netconfmsg and its
// NETCONFA_* attributes.
// netconfOnOff names the NETCONFA_* attributes printed as on/off.
var netconfOnOff = [...]string{
	2: "forwarding",                  // NETCONFA_FORWARDING
	4: "mc_forwarding",               // NETCONFA_MC_FORWARDING
	5: "proxy_neigh",                 // NETCONFA_PROXY_NEIGH
	6: "ignore_routes_with_linkdown", // NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN
	7: "input",                       // NETCONFA_INPUT
}

func (s *session) printNetconf(p *printer, b []byte) {
	if len(b) < 4 {
		return
	}
	switch b[0] {
	case unix.AF_INET, unix.AF_INET6, unix.AF_MPLS:
		p.Text("%s ", familyName(b[0]))
	default:
		p.Text("family %d ", b[0])
	}
	onOff := func(v int32) string {
		if v != 0 {
			return "on"
		}
		return "off"
	}
	d := netlink.NewAttributeDecoder(b[4:])
	for d.Next() {
		if d.Len() != 4 {
			continue
		}
		v := d.Int32()
		switch d.Type() {
		case 1: // NETCONFA_IFINDEX
			switch v {
			case -1:
				p.Text("all ")
			case -2:
				p.Text("default ")
			default:
				p.Text("%s ", escape.String(s.links.name(v)))
			}
		case 2, 4, 5, 6, 7:
			p.Text("%s %s ", netconfOnOff[d.Type()], onOff(v))
		case 3: // NETCONFA_RP_FILTER
			switch v {
			case 0:
				p.Text("rp_filter off ")
			case 1:
				p.Text("rp_filter strict ")
			case 2:
				p.Text("rp_filter loose ")
			default:
				p.Text("rp_filter unknown mode ")
			}
		}
	}
	p.Text("\n")
}

// printNSID is print_nsid (text only).
func (s *session) printNSID(p *printer, b []byte) {
	n, err := rtnl.ParseNSID(b)
	if err != nil {
		return
	}
	if n.ID < 0 {
		p.Text("nsid unassigned ")
	} else {
		p.Text("nsid %d ", n.ID)
	}
	if n.Current >= 0 {
		p.Text("current-nsid %d ", n.Current)
	}
	if name := s.nsidName(n.ID); name != "" {
		p.Text("(iproute2 netns name: %s)", escape.String(name))
	}
	p.Text("\n")
}
