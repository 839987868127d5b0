package lab

import (
	"errors"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"nsbox/netlink"
	"nsbox/rtnl"
)

// linkEvents is a route netlink socket in one namespace that listens to
// RTNLGRP_LINK, opened before lab up touches the namespace's links: the
// kernel announces each operstate change (linkwatch) there, so lab up
// learns that a link has carrier the moment it has, without asking again
// and again. If events were lost (ENOBUFS), its links are asked about.
type linkEvents struct {
	conn *netlink.Conn
	lost bool
	oper map[int32]uint8 // ifindex -> last IFLA_OPERSTATE announced
}

func openLinkEvents() (*linkEvents, error) {
	c, err := netlink.Dial(unix.NETLINK_ROUTE)
	if err != nil {
		return nil, err
	}
	if err := c.JoinGroup(unix.RTNLGRP_LINK); err != nil {
		c.Close()
		return nil, err
	}
	// A deadline in the past: Receive takes what is queued, never waits.
	c.SetDeadline(time.Unix(1, 0))
	return &linkEvents{conn: c, oper: map[int32]uint8{}}, nil
}

func (ev *linkEvents) close() { ev.conn.Close() }

// drain reads every event queued and notes each link's operstate.
func (ev *linkEvents) drain() {
	for {
		msgs, err := ev.conn.Receive()
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded):
			return // nothing more queued
		case errors.Is(err, unix.ENOBUFS):
			ev.lost = true // the queue overflowed: some events are gone
			continue
		case err != nil:
			ev.lost = true // the events cannot be trusted: ask instead
			return
		}
		if noteLinkEvents(msgs, ev.oper) != nil {
			ev.lost = true
		}
	}
}

// noteLinkEvents notes in oper the operstate of each link that messages
// of RTNLGRP_LINK news announce (AF_UNSPEC RTM_NEWLINK; RTM_DELLINK
// forgets the link). A malformed message is an error.
func noteLinkEvents(msgs []netlink.Message, oper map[int32]uint8) error {
	for _, m := range msgs {
		switch m.Header.Type {
		case unix.RTM_NEWLINK:
			// AF_BRIDGE ones are bridge port news, of the same link.
			l, err := rtnl.ParseLink(m.Data)
			if err != nil {
				return err
			}
			if l.Family == unix.AF_UNSPEC {
				oper[l.Index] = l.OperState
			}
		case unix.RTM_DELLINK:
			h, err := rtnl.ParseIfInfomsg(m.Data)
			if err != nil {
				return err
			}
			delete(oper, h.Index)
		}
	}
	return nil
}

// listen opens the link event socket of namespace ns, from a thread that
// is in it; without one, ns's links are asked about.
func (x *exe) listen(ns string) {
	ev, err := openLinkEvents()
	if err != nil {
		return
	}
	x.mu.Lock()
	if old := x.ev[ns]; old != nil {
		old.close()
	}
	x.ev[ns] = ev
	x.mu.Unlock()
}

// waitCarrier waits until every lab link reports operstate UP: the kernel
// propagates carrier (veth peer up, bridge port forwarding) through its
// linkwatch work, usually within a millisecond, at times up to a second
// later, and a check run meanwhile would see the first packets wait. A
// link whose namespace has an event socket is settled by the events; any
// other is asked about again after a pause that starts at 100 us and
// doubles up to 20 ms. It returns the links not up at the deadline.
func (x *exe) waitCarrier(l *Lab, limit time.Duration) []string {
	ports := map[string]bool{}
	for _, e := range l.Ends() {
		if e.Master != "" {
			ports[e.NS+"\x00"+e.Master] = true
		}
	}
	var waiting []*End
	for _, br := range l.Bridges {
		if ports[br.NS+"\x00"+br.Name] { // a bridge without ports never has carrier
			waiting = append(waiting, &br.End)
		}
	}
	for _, v := range l.Veths {
		waiting = append(waiting, &v.A, &v.B)
	}
	deadline := time.Now().Add(limit)
	pause := 100 * time.Microsecond
	for {
		for _, ev := range x.ev {
			ev.drain()
		}
		left := waiting[:0]
		var fds []unix.PollFd
		for _, e := range waiting {
			ev := x.ev[e.NS]
			idx, known := x.idx[e.NS+"\x00"+e.Name]
			if ev != nil && !ev.lost && known {
				if ev.oper[idx] != ifOperUp {
					left = append(left, e)
					fds = append(fds, unix.PollFd{Fd: int32(ev.conn.Fd()), Events: unix.POLLIN})
				}
				continue
			}
			if !x.operUp(e.NS, e.Name) {
				left = append(left, e)
			}
		}
		waiting = left
		now := time.Now()
		if len(waiting) == 0 {
			break
		}
		if now.After(deadline) {
			// The last word is the kernel's own answer, not the events.
			left := waiting[:0]
			for _, e := range waiting {
				if !x.operUp(e.NS, e.Name) {
					left = append(left, e)
				}
			}
			waiting = left
			break
		}
		if len(fds) < len(waiting) { // some are asked about
			time.Sleep(pause)
			if pause < 20*time.Millisecond {
				pause *= 2
			}
			continue
		}
		// Every link left is settled by events: wait for the next one,
		// in whichever namespace it comes (poll on the event sockets;
		// drain then takes it).
		wait := deadline.Sub(now)
		if wait > 20*time.Millisecond {
			wait = 20 * time.Millisecond
		}
		ms := int(wait / time.Millisecond)
		if ms < 1 {
			ms = 1
		}
		unix.Poll(fds, ms)
	}
	names := make([]string, len(waiting))
	for i, e := range waiting {
		names[i] = e.Name
	}
	return names
}
