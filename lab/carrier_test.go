package lab

import (
	"encoding/binary"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/netlink"
)

// linkNews is one RTM_NEWLINK/RTM_DELLINK message as the kernel sends it
// to RTNLGRP_LINK, in this machine's byte order: nlmsghdr, ifinfomsg and,
// for a new link, IFLA_OPERSTATE.
func linkNews(typ uint16, family uint8, index int32, oper uint8) []byte {
	ne := binary.NativeEndian
	var b []byte
	b = ne.AppendUint32(b, 0) // length, below
	b = ne.AppendUint16(b, typ)
	b = ne.AppendUint16(b, 0)
	b = ne.AppendUint32(b, 0) // seq
	b = ne.AppendUint32(b, 0) // pid: the kernel
	b = append(b, family, 0)
	b = ne.AppendUint16(b, unix.ARPHRD_ETHER)
	b = ne.AppendUint32(b, uint32(index))
	b = ne.AppendUint32(b, unix.IFF_UP)
	b = ne.AppendUint32(b, 0)
	if typ == unix.RTM_NEWLINK {
		b = ne.AppendUint16(b, 5)
		b = ne.AppendUint16(b, unix.IFLA_OPERSTATE)
		b = append(b, oper, 0, 0, 0)
	}
	ne.PutUint32(b, uint32(len(b)))
	return b
}

// news splits a datagram into its messages.
func news(t *testing.T, dg []byte) []netlink.Message {
	t.Helper()
	msgs, err := netlink.ParseMessages(dg)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

func TestNoteLinkEvents(t *testing.T) {
	oper := map[int32]uint8{}
	// Two messages in one datagram: the later one wins.
	dg := append(linkNews(unix.RTM_NEWLINK, unix.AF_UNSPEC, 7, 2), linkNews(unix.RTM_NEWLINK, unix.AF_UNSPEC, 7, ifOperUp)...)
	if err := noteLinkEvents(news(t, dg), oper); err != nil {
		t.Fatal(err)
	}
	if oper[7] != ifOperUp {
		t.Errorf("link 7: operstate %d, want %d", oper[7], ifOperUp)
	}
	// Bridge port news (AF_BRIDGE) do not count.
	noteLinkEvents(news(t, linkNews(unix.RTM_NEWLINK, unix.AF_BRIDGE, 8, ifOperUp)), oper)
	if _, ok := oper[8]; ok {
		t.Error("AF_BRIDGE news taken as link news")
	}
	noteLinkEvents(news(t, linkNews(unix.RTM_NEWLINK, unix.AF_UNSPEC, 8, 2)), oper)
	if oper[8] != 2 {
		t.Errorf("link 8: operstate %d, want 2 (down)", oper[8])
	}
	// A deleted link is forgotten.
	if err := noteLinkEvents(news(t, linkNews(unix.RTM_DELLINK, unix.AF_UNSPEC, 7, 0)), oper); err != nil {
		t.Fatal(err)
	}
	if _, ok := oper[7]; ok {
		t.Error("deleted link 7 still noted")
	}
	// An attribute cut short: an error, so the caller stops trusting
	// the events.
	cut := linkNews(unix.RTM_NEWLINK, unix.AF_UNSPEC, 9, ifOperUp)
	cut = cut[:len(cut)-4] // IFLA_OPERSTATE says 5 bytes, 4 are left
	binary.NativeEndian.PutUint32(cut, uint32(len(cut)))
	if err := noteLinkEvents(news(t, cut), map[int32]uint8{}); err == nil {
		t.Error("message with a truncated attribute accepted")
	}
}

// FuzzLinkEvents: the event decoder never panics on any datagram.
func FuzzLinkEvents(f *testing.F) {
	f.Add(linkNews(unix.RTM_NEWLINK, unix.AF_UNSPEC, 3, ifOperUp))
	f.Add(append(linkNews(unix.RTM_NEWLINK, unix.AF_BRIDGE, 3, ifOperUp), linkNews(unix.RTM_DELLINK, unix.AF_UNSPEC, 3, 0)...))
	f.Fuzz(func(t *testing.T, data []byte) {
		msgs, err := netlink.ParseMessages(data)
		if err != nil {
			return
		}
		oper := map[int32]uint8{}
		noteLinkEvents(msgs, oper)
	})
}
