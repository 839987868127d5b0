package tccmd

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
	"nsbox/netlink"
	"nsbox/rtnl"
)

// tc monitor (tc_monitor.c): join RTNLGRP_TC and print every qdisc,
// class and filter event with the printers of "tc ... show", until
// SIGINT or SIGTERM.

// rtnlGrpTC is RTNLGRP_TC (<linux/rtnetlink.h>).
const rtnlGrpTC = 4

func (s *session) doMonitor(argv []string) error {
	for _, w := range argv {
		if matches(w, "file") {
			return usageErr("nsbox: \"tc monitor file\" is not implemented")
		}
		if matches(w, "help") {
			return usageErr("Usage: tc [-timestamp [-tshort] monitor")
		}
		return usageErr("Argument \"%s\" is unknown, try \"tc monitor help\".", w)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return s.monitor(ctx, nil)
}

// monitor prints events until ctx ends; ready, when not nil, is closed
// once the socket listens. Events come on a socket of their own; the
// session's socket answers the printers' name lookups.
func (s *session) monitor(ctx context.Context, ready chan<- struct{}) error {
	if _, err := s.dial(); err != nil {
		return err
	}
	ev, err := s.open()
	if err != nil {
		return err
	}
	_ = ev.SetReceiveBuffer(1 << 20)
	if err := ev.JoinGroup(rtnlGrpTC); err != nil {
		ev.Close()
		return errorf(1, "%v", err)
	}
	s.ifname(0) // ll_init_map
	if ready != nil {
		close(ready)
	}
	err = ev.Watch(ctx, func(msgs []netlink.Message) {
		for _, m := range msgs {
			s.event(m)
		}
		s.out.Flush()
	})
	s.out.Flush()
	if err != nil {
		return errorf(2, "%v", err)
	}
	return nil
}

// event is accept_tcmsg (its actions' events, RTM_*ACTION, are left
// out: nsbox has no "tc actions").
func (s *session) event(m netlink.Message) {
	typ := m.Header.Type
	switch typ {
	case unix.RTM_NEWQDISC, unix.RTM_DELQDISC, unix.RTM_NEWTCLASS, unix.RTM_DELTCLASS,
		unix.RTM_NEWTFILTER, unix.RTM_DELTFILTER, unix.RTM_NEWCHAIN, unix.RTM_DELCHAIN:
	case unix.NLMSG_ERROR, unix.NLMSG_NOOP, unix.NLMSG_DONE,
		unix.RTM_NEWACTION, unix.RTM_DELACTION, unix.RTM_GETACTION:
		return
	default:
		s.out.Flush()
		stderr.Write([]byte(fmt.Sprintf("Unknown message: length %08d type %08x flags %08x\n", m.Header.Length, typ, m.Header.Flags)))
		return
	}
	t, err := rtnl.ParseTC(m.Data)
	if err != nil {
		s.out.Flush()
		stderr.Write([]byte("nsbox: " + err.Error() + "\n"))
		return
	}
	switch typ {
	case unix.RTM_NEWQDISC, unix.RTM_DELQDISC:
		s.printQdisc(typ, m.Header.Flags, t, false)
	case unix.RTM_NEWTCLASS, unix.RTM_DELTCLASS:
		s.printClass(typ, t, false, false)
	default:
		s.printFilter(typ, m.Header.Flags, t, &filterShow{})
	}
}
