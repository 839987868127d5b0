package rtnl

import (
	"errors"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"nsbox/netlink"
)

// LinkEvents is a route netlink socket that listens to RTNLGRP_LINK,
// where the kernel announces every change of a link (RTM_NEWLINK,
// RTM_DELLINK), its operational state included: linkwatch announces
// each operstate change there, so a listener learns that a link has
// carrier the moment it has, without asking again and again. It notes
// the operstate each news announces; when news was lost (the queue
// overflowed: ENOBUFS) or could not be read, Lost says so, and the
// kernel must be asked instead. Like every socket, it belongs to the
// namespace of the thread that opened it.
type LinkEvents struct {
	conn *netlink.Conn
	lost bool
	oper map[int32]OperState // ifindex -> last IFLA_OPERSTATE announced
}

// ListenLinks opens a LinkEvents socket in the calling thread's network
// namespace. News is queued from then on: open it before the links it
// is to hear of change.
func ListenLinks() (*LinkEvents, error) {
	c, err := netlink.Dial(unix.NETLINK_ROUTE)
	if err != nil {
		return nil, err
	}
	if err := c.JoinGroup(unix.RTNLGRP_LINK); err != nil {
		c.Close()
		return nil, err
	}
	return newLinkEvents(c), nil
}

// newLinkEvents listens on c, a socket that joined RTNLGRP_LINK (in
// tests, one whose other end plays the kernel).
func newLinkEvents(c *netlink.Conn) *LinkEvents {
	// A deadline in the past: Receive takes what is queued, never waits.
	c.SetDeadline(time.Unix(1, 0))
	return &LinkEvents{conn: c, oper: map[int32]OperState{}}
}

// Close closes the socket.
func (ev *LinkEvents) Close() error { return ev.conn.Close() }

// Lost reports whether news was lost since the socket was opened: the
// queue overflowed (ENOBUFS), a message could not be decoded, or the
// socket failed. What OperState says may then be stale.
func (ev *LinkEvents) Lost() bool { return ev.lost }

// OperState is the operstate that the latest news read (Drain) of link
// index announced; IF_OPER_UNKNOWN when none was read since the socket
// was opened, or the link was deleted since.
func (ev *LinkEvents) OperState(index int32) OperState { return ev.oper[index] }

// Drain reads every news queued, without waiting, and notes each link's
// operstate. Lost news (ENOBUFS) and undecodable news make Lost true and
// are read past; any other failure stops the reading and is returned
// (Lost is true then too): the socket is of no more use.
func (ev *LinkEvents) Drain() error {
	for {
		msgs, err := ev.conn.Receive()
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded):
			return nil // nothing more queued
		case errors.Is(err, unix.ENOBUFS):
			ev.lost = true // the queue overflowed: some news is gone
			continue
		case err != nil:
			ev.lost = true // the news cannot be trusted: ask instead
			return err
		}
		if noteLinkNews(msgs, ev.oper) != nil {
			ev.lost = true
		}
	}
}

// Wait waits until news is queued or lost, or until the time given, and
// then reads what is queued (Drain).
func (ev *LinkEvents) Wait(until time.Time) error {
	WaitLinkEvents(until, ev)
	return ev.Drain()
}

// WaitLinkEvents waits until news is queued or lost on any of evs
// (sockets in several namespaces, say), or until the time given. It
// reads nothing: Drain does.
func WaitLinkEvents(until time.Time, evs ...*LinkEvents) {
	fds := make([]unix.PollFd, len(evs))
	for i, ev := range evs {
		// A socket whose queue overflowed is readable (POLLERR), and
		// Drain then hears ENOBUFS.
		fds[i] = unix.PollFd{Fd: int32(ev.conn.Fd()), Events: unix.POLLIN}
	}
	for {
		left := time.Until(until)
		if left <= 0 {
			return
		}
		// poll(2) counts whole milliseconds: round up, so as not to
		// wake before the time given.
		n, err := unix.Poll(fds, int((left+time.Millisecond-1)/time.Millisecond))
		if err != unix.EINTR && (err != nil || n > 0) {
			return // news, or poll failed: Drain tells
		}
	}
}

// noteLinkNews notes in oper the operstate of each link that messages of
// RTNLGRP_LINK news announce (AF_UNSPEC RTM_NEWLINK; an AF_UNSPEC
// RTM_DELLINK forgets the link, an AF_BRIDGE one only says that a port
// left its bridge). A malformed message is an error.
func noteLinkNews(msgs []netlink.Message, oper map[int32]OperState) error {
	for _, m := range msgs {
		switch m.Header.Type {
		case unix.RTM_NEWLINK:
			// AF_BRIDGE ones are bridge port news, of the same link.
			l, err := ParseLink(m.Data)
			if err != nil {
				return err
			}
			if l.Family == unix.AF_UNSPEC {
				oper[l.Index] = l.OperState
			}
		case unix.RTM_DELLINK:
			h, err := ParseIfInfomsg(m.Data)
			if err != nil {
				return err
			}
			if h.Family == unix.AF_UNSPEC {
				delete(oper, h.Index)
			}
		}
	}
	return nil
}
