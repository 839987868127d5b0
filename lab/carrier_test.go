package lab

import (
	"encoding/binary"
	"maps"
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

// noteDatagram is what drain does with a datagram: its messages parsed
// (by the netlink connection), then noted.
func noteDatagram(b []byte, oper map[int32]uint8) error {
	msgs, err := netlink.ParseMessages(b)
	if err != nil {
		return err
	}
	return noteLinkEvents(msgs, oper)
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

// FuzzLinkEvents: the event decoder against a model. The input is read
// twice: as a datagram, which must not make the decoder panic; and as a
// list of events, 4 bytes each (new or deleted, AF_UNSPEC or AF_BRIDGE,
// the link, its operstate, and up to 3 IFLA_MTU attributes around
// IFLA_OPERSTATE), sent as the kernel would in one datagram. The
// operstates noted must be the model's: the last AF_UNSPEC news of each
// link, links deleted forgotten, bridge port news and links noted
// earlier left alone. Every prefix of the datagram that ends between
// messages gives the model of those messages; every other is an error.
func FuzzLinkEvents(f *testing.F) {
	f.Add(linkNews(unix.RTM_NEWLINK, unix.AF_UNSPEC, 3, ifOperUp))
	f.Add(append(linkNews(unix.RTM_NEWLINK, unix.AF_BRIDGE, 3, ifOperUp), linkNews(unix.RTM_DELLINK, unix.AF_UNSPEC, 3, 0)...))
	f.Add([]byte{0, 1, ifOperUp, 0, 0, 1, 2, 0x13, 2, 1, 0, 0, 1, 1, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		noteDatagram(data, map[int32]uint8{})

		if len(data) > 64 {
			data = data[:64]
		}
		initial := map[int32]uint8{100: 7} // a link noted before
		want := maps.Clone(initial)
		var dg []byte
		var ends []int                 // where each message ends
		var prefixes []map[int32]uint8 // the model after each message
		for i := 0; i+4 <= len(data); i += 4 {
			typ, family := uint16(unix.RTM_NEWLINK), uint8(unix.AF_UNSPEC)
			if data[i]&1 != 0 {
				typ = unix.RTM_DELLINK
			}
			if data[i]&2 != 0 {
				family = unix.AF_BRIDGE
			}
			index, oper := int32(data[i+1]%8), data[i+2]
			dg = append(dg, linkNewsMTU(typ, family, index, oper, int(data[i+3]%4), data[i+3]&4 != 0)...)
			switch {
			case typ == unix.RTM_DELLINK:
				delete(want, index)
			case family == unix.AF_UNSPEC:
				want[index] = oper
			}
			ends = append(ends, len(dg))
			prefixes = append(prefixes, maps.Clone(want))
		}
		got := maps.Clone(initial)
		if err := noteDatagram(dg, got); err != nil || !maps.Equal(got, want) {
			t.Fatalf("% x: %v, %v; want %v", dg, got, err, want)
		}
		for cut, m := 1, 0; cut < len(dg); cut++ {
			got := maps.Clone(initial)
			err := noteDatagram(dg[:cut], got)
			if cut == ends[m] {
				if err != nil || !maps.Equal(got, prefixes[m]) {
					t.Fatalf("first %d bytes (%d messages) of % x: %v, %v; want %v", cut, m+1, dg, got, err, prefixes[m])
				}
				m++
			} else if err == nil {
				t.Fatalf("first %d bytes of % x, a message cut short: no error", cut, dg)
			}
		}
	})
}

// linkNewsMTU is linkNews with mtus IFLA_MTU attributes besides
// IFLA_OPERSTATE: before it, or after it when after is set.
func linkNewsMTU(typ uint16, family uint8, index int32, oper uint8, mtus int, after bool) []byte {
	ne := binary.NativeEndian
	b := linkNews(typ, family, index, oper)
	var attrs []byte
	for i := 0; i < mtus; i++ {
		attrs = ne.AppendUint16(attrs, 8)
		attrs = ne.AppendUint16(attrs, unix.IFLA_MTU)
		attrs = ne.AppendUint32(attrs, 1500)
	}
	const head = 16 + 16 // nlmsghdr, ifinfomsg
	if after || typ != unix.RTM_NEWLINK {
		b = append(b, attrs...)
	} else {
		b = append(append(append([]byte{}, b[:head]...), attrs...), b[head:]...)
	}
	ne.PutUint32(b, uint32(len(b)))
	return b
}
