package ipcmd

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	"nsbox/netlink"
	"nsbox/rtnl"
)

// "bridge monitor" (bridge/monitor.c): the events of bridge ports, fdb
// entries and VLANs, printed as "bridge link", "bridge fdb" and "bridge
// vlan -d" print them, until SIGINT or SIGTERM; "file FILE" prints the
// messages saved in FILE instead. MDB and VNI events (bridge mdb and
// bridge vni are not implemented) print nothing.

const bridgeMonitorUsage = "Usage: bridge monitor [file | link | fdb | mdb | vlan | vni | all]"

// bridgeMonitorOpts is what do_monitor() reads from its words.
type bridgeMonitorOpts struct {
	file   string
	groups []uint32
	banner bool // "all": each event starts with [LINK], [NEIGH], [VLAN]...
}

// parseBridgeMonitor is do_monitor()'s loop: with no object word (or
// "all") every group but RTNLGRP_TC of the first 32 (its ~RTMGRP_TC), and
// "all" adds the VLAN and VNI groups.
func parseBridgeMonitor(args []string) (bridgeMonitorOpts, error) {
	var o bridgeMonitorOpts
	all, link, neigh, mdb, vlan, vni := true, false, false, false, false, false
	for ; len(args) > 0; args = args[1:] {
		w := args[0]
		switch {
		case cli.Matches(w, "file"):
			v, err := nextArg(&args)
			if err != nil {
				return o, err
			}
			o.file = v
		case cli.Matches(w, "link"):
			link, all = true, false
		case cli.Matches(w, "fdb"):
			neigh, all = true, false
		case cli.Matches(w, "mdb"):
			mdb, all = true, false
		case cli.Matches(w, "vlan"):
			vlan, all = true, false
		case w == "vni":
			vni, all = true, false
		case w == "all":
			all, vlan, vni, o.banner = true, true, true, true
		case cli.Matches(w, "help"):
			return o, cli.Usagef("%s", bridgeMonitorUsage)
		default:
			return o, cli.Usagef("Argument \"%s\" is unknown, try \"bridge monitor help\".", w)
		}
	}
	if all {
		for g := uint32(1); g <= 32; g++ {
			if g != unix.RTNLGRP_TC {
				o.groups = append(o.groups, g)
			}
		}
	}
	for _, x := range []struct {
		on    bool
		group uint32
	}{{link, unix.RTNLGRP_LINK}, {neigh, unix.RTNLGRP_NEIGH}, {mdb, unix.RTNLGRP_MDB},
		{vlan, unix.RTNLGRP_BRVLAN}, {vni, unix.RTNLGRP_TUNNEL}} {
		if x.on && !(all && x.group <= 32) {
			o.groups = append(o.groups, x.group)
		}
	}
	return o, nil
}

// bridgeMonitor is do_monitor().
func (s *session) bridgeMonitor(args []string) error {
	o, err := parseBridgeMonitor(args)
	if err != nil {
		return err
	}
	g := s.g
	if o.file != "" {
		f, err := os.Open(o.file)
		if err != nil {
			return cli.Usagef("Cannot fopen: %s", errnoText(err))
		}
		defer f.Close()
		s.monitor, s.bannerOn = true, o.banner
		handle := s.bridgeEvent()
		err = routeMessages(f, 0, func(m netlink.Message) error {
			handle(m)
			return nil
		})
		if err != nil {
			s.out.Flush()
			return asExit(err, cli.ExitUsage)
		}
		return nil
	}
	if err := s.sync(); err != nil {
		return err
	}
	s.out.Flush()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code := listen(ctx, g, o.groups, stdout, stderr, nil, func(ls *session, q *rtnl.Conn) (func(netlink.Message), error) {
		ls.bannerOn = o.banner
		return ls.bridgeEvent(), nil
	})
	if code != 0 {
		return &cli.Error{Code: code}
	}
	return nil
}

// banner is print_headers(): the [OBJECT] of "bridge monitor all".
func (s *session) banner(p *printer, label string) {
	if s.bannerOn {
		p.Text("%s", label)
	}
}

// bridgeEvent is monitor.c's accept_msg: each event printed by the
// printer of its object.
func (s *session) bridgeEvent() func(netlink.Message) {
	p := s.printer()
	return func(m netlink.Message) {
		defer p.Flush()
		switch m.Header.Type {
		case unix.RTM_NEWLINK, unix.RTM_DELLINK:
			l, err := rtnl.ParseLink(m.Data)
			if err != nil || l.Family != unix.AF_BRIDGE && l.Family != unix.AF_UNSPEC {
				return
			}
			// bridge's accept_msg leaves ll_map's cache as ll_init_map
			// filled it (a port's M-DOWN is its peer's state then)
			s.banner(p, "[LINK]")
			p.OpenObject("")
			if m.Header.Type == unix.RTM_DELLINK {
				p.JSONBool("deleted", true)
				p.Text("Deleted ")
			}
			s.printBridgePortBody(p, l)
		case unix.RTM_NEWNEIGH, unix.RTM_DELNEIGH:
			n, err := rtnl.ParseNeigh(m.Data)
			f := &fdbFilter{}
			if err != nil || !f.match(n) {
				return
			}
			s.banner(p, "[NEIGH]")
			s.printFDB(p, uint16(m.Header.Type), n, f)
		case unix.RTM_NEWVLAN, unix.RTM_DELVLAN:
			cur := int32(-1)
			s.printVlanRTM(p, &vlanFilter{}, m, false, &cur)
			if cur != -1 {
				closeVlanPort(p)
			}
		}
	}
}
