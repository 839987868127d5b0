package rtnl

import (
	"encoding/binary"
	"maps"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"nsbox/internal/sandbox"
	"nsbox/netlink"
)

// linkNews is one RTM_NEWLINK/RTM_DELLINK message as the kernel sends it
// to RTNLGRP_LINK, in this machine's byte order: nlmsghdr, ifinfomsg and,
// for a new link, IFLA_OPERSTATE.
func linkNews(typ uint16, family uint8, index int32, oper OperState) []byte {
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
		b = append(b, byte(oper), 0, 0, 0)
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

// noteDatagram is what Drain does with a datagram: its messages parsed
// (by the netlink connection), then noted.
func noteDatagram(b []byte, oper map[int32]OperState) error {
	msgs, err := netlink.ParseMessages(b)
	if err != nil {
		return err
	}
	return noteLinkNews(msgs, oper)
}

func TestNoteLinkEvents(t *testing.T) {
	oper := map[int32]OperState{}
	// Two messages in one datagram: the later one wins.
	dg := append(linkNews(unix.RTM_NEWLINK, unix.AF_UNSPEC, 7, 2), linkNews(unix.RTM_NEWLINK, unix.AF_UNSPEC, 7, IF_OPER_UP)...)
	if err := noteLinkNews(news(t, dg), oper); err != nil {
		t.Fatal(err)
	}
	if oper[7] != IF_OPER_UP {
		t.Errorf("link 7: operstate %d, want %d", oper[7], IF_OPER_UP)
	}
	// Bridge port news (AF_BRIDGE) do not count.
	noteLinkNews(news(t, linkNews(unix.RTM_NEWLINK, unix.AF_BRIDGE, 8, IF_OPER_UP)), oper)
	if _, ok := oper[8]; ok {
		t.Error("AF_BRIDGE news taken as link news")
	}
	noteLinkNews(news(t, linkNews(unix.RTM_NEWLINK, unix.AF_UNSPEC, 8, 2)), oper)
	if oper[8] != 2 {
		t.Errorf("link 8: operstate %d, want 2 (down)", oper[8])
	}
	// A port leaving its bridge (AF_BRIDGE RTM_DELLINK) is still there.
	if err := noteLinkNews(news(t, linkNews(unix.RTM_DELLINK, unix.AF_BRIDGE, 8, 0)), oper); err != nil {
		t.Fatal(err)
	}
	if oper[8] != 2 {
		t.Errorf("link 8 forgotten on AF_BRIDGE RTM_DELLINK (a port leaving its bridge)")
	}
	// A deleted link is forgotten.
	if err := noteLinkNews(news(t, linkNews(unix.RTM_DELLINK, unix.AF_UNSPEC, 7, 0)), oper); err != nil {
		t.Fatal(err)
	}
	if _, ok := oper[7]; ok {
		t.Error("deleted link 7 still noted")
	}
	// An attribute cut short: an error, so the caller stops trusting
	// the events.
	cut := linkNews(unix.RTM_NEWLINK, unix.AF_UNSPEC, 9, IF_OPER_UP)
	cut = cut[:len(cut)-4] // IFLA_OPERSTATE says 5 bytes, 4 are left
	binary.NativeEndian.PutUint32(cut, uint32(len(cut)))
	if err := noteLinkNews(news(t, cut), map[int32]OperState{}); err == nil {
		t.Error("message with a truncated attribute accepted")
	}
}

// FuzzLinkEvents: the event decoder against a model. The input is read
// twice: as a datagram, which must not make the decoder panic; and as a
// list of events, 4 bytes each (new or deleted, AF_UNSPEC or AF_BRIDGE,
// the link, its operstate, and up to 3 IFLA_MTU attributes around
// IFLA_OPERSTATE), sent as the kernel would in one datagram. The
// operstates noted must be the model's: the last AF_UNSPEC news of each
// link, links deleted (AF_UNSPEC) forgotten, bridge port news (AF_BRIDGE,
// a port leaving its bridge included) and links noted earlier left alone. Every prefix of the datagram that ends between
// messages gives the model of those messages; every other is an error.
func FuzzLinkEvents(f *testing.F) {
	f.Add(linkNews(unix.RTM_NEWLINK, unix.AF_UNSPEC, 3, IF_OPER_UP))
	f.Add(append(linkNews(unix.RTM_NEWLINK, unix.AF_BRIDGE, 3, IF_OPER_UP), linkNews(unix.RTM_DELLINK, unix.AF_UNSPEC, 3, 0)...))
	f.Add([]byte{0, 1, byte(IF_OPER_UP), 0, 0, 1, 2, 0x13, 2, 1, 0, 0, 1, 1, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		noteDatagram(data, map[int32]OperState{})

		if len(data) > 64 {
			data = data[:64]
		}
		initial := map[int32]OperState{100: 7} // a link noted before
		want := maps.Clone(initial)
		var dg []byte
		var ends []int                     // where each message ends
		var prefixes []map[int32]OperState // the model after each message
		for i := 0; i+4 <= len(data); i += 4 {
			typ, family := uint16(unix.RTM_NEWLINK), uint8(unix.AF_UNSPEC)
			if data[i]&1 != 0 {
				typ = unix.RTM_DELLINK
			}
			if data[i]&2 != 0 {
				family = unix.AF_BRIDGE
			}
			index, oper := int32(data[i+1]%8), OperState(data[i+2])
			dg = append(dg, linkNewsMTU(typ, family, index, oper, int(data[i+3]%4), data[i+3]&4 != 0)...)
			switch {
			case family != unix.AF_UNSPEC: // bridge port news
			case typ == unix.RTM_DELLINK:
				delete(want, index)
			default:
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
func linkNewsMTU(typ uint16, family uint8, index int32, oper OperState, mtus int, after bool) []byte {
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

// fakeLinkEvents is a LinkEvents whose kernel is the test: what it writes
// to the returned descriptor arrives as one datagram of news.
func fakeLinkEvents(t *testing.T) (*LinkEvents, int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	c, err := netlink.NewConn(fds[0], unix.NETLINK_ROUTE)
	if err != nil {
		t.Fatal(err)
	}
	ev := newLinkEvents(c)
	// The listener first: a socket whose peer is gone reads as empty
	// datagrams, which no kernel sends.
	t.Cleanup(func() { ev.Close(); unix.Close(fds[1]) })
	return ev, fds[1]
}

func TestLinkEventsWait(t *testing.T) {
	ev, kernel := fakeLinkEvents(t)

	// Nothing queued: Wait returns at the time given, not before.
	until := time.Now().Add(30 * time.Millisecond)
	if err := ev.Wait(until); err != nil {
		t.Fatal(err)
	}
	if now := time.Now(); now.Before(until) {
		t.Errorf("Wait returned %v before the time given", until.Sub(now))
	}
	if ev.Lost() || ev.OperState(7) != IF_OPER_UNKNOWN {
		t.Errorf("no news: lost %v, link 7 %v", ev.Lost(), ev.OperState(7))
	}

	// News wakes the wait (long before the time given) and is noted.
	go func() {
		time.Sleep(10 * time.Millisecond)
		unix.Write(kernel, append(linkNews(unix.RTM_NEWLINK, unix.AF_UNSPEC, 7, IF_OPER_DOWN), linkNews(unix.RTM_NEWLINK, unix.AF_UNSPEC, 8, IF_OPER_UP)...))
		unix.Write(kernel, linkNews(unix.RTM_NEWLINK, unix.AF_UNSPEC, 7, IF_OPER_UP))
	}()
	until = time.Now().Add(time.Minute)
	for ev.OperState(7) != IF_OPER_UP {
		if err := ev.Wait(until); err != nil {
			t.Fatal(err)
		}
		if !time.Now().Before(until) {
			t.Fatal("news did not wake the wait")
		}
	}
	if ev.OperState(8) != IF_OPER_UP || ev.Lost() {
		t.Errorf("link 8 %v, lost %v; want UP, nothing lost", ev.OperState(8), ev.Lost())
	}

	// Undecodable news: lost, and read past.
	cut := linkNews(unix.RTM_NEWLINK, unix.AF_UNSPEC, 9, IF_OPER_UP)
	cut = cut[:len(cut)-4]
	binary.NativeEndian.PutUint32(cut, uint32(len(cut)))
	unix.Write(kernel, cut)
	unix.Write(kernel, linkNews(unix.RTM_DELLINK, unix.AF_UNSPEC, 8, 0))
	if err := ev.Drain(); err != nil {
		t.Fatal(err)
	}
	if !ev.Lost() || ev.OperState(8) != IF_OPER_UNKNOWN {
		t.Errorf("after a malformed message and link 8 deleted: lost %v, link 8 %v", ev.Lost(), ev.OperState(8))
	}
}

// News in any of the namespaces wakes WaitLinkEvents; it reads nothing.
func TestWaitLinkEventsMany(t *testing.T) {
	a, _ := fakeLinkEvents(t)
	b, kernelB := fakeLinkEvents(t)
	go func() {
		time.Sleep(10 * time.Millisecond)
		unix.Write(kernelB, linkNews(unix.RTM_NEWLINK, unix.AF_UNSPEC, 3, IF_OPER_UP))
	}()
	until := time.Now().Add(time.Minute)
	WaitLinkEvents(until, a, b)
	if !time.Now().Before(until) {
		t.Fatal("news on the second socket did not wake the wait")
	}
	if b.OperState(3) != IF_OPER_UNKNOWN {
		t.Error("WaitLinkEvents read the news")
	}
	if err := b.Drain(); err != nil || b.OperState(3) != IF_OPER_UP {
		t.Errorf("Drain: %v, link 3 %v; want UP", err, b.OperState(3))
	}
}

func TestOperStateNames(t *testing.T) {
	for _, c := range []struct {
		s            OperState
		iproute, cni string
	}{
		{IF_OPER_UNKNOWN, "UNKNOWN", "unknown"},
		{IF_OPER_NOTPRESENT, "NOTPRESENT", "not-present"},
		{IF_OPER_DOWN, "DOWN", "down"},
		{IF_OPER_LOWERLAYERDOWN, "LOWERLAYERDOWN", "lower-layer-down"},
		{IF_OPER_TESTING, "TESTING", "testing"},
		{IF_OPER_DORMANT, "DORMANT", "dormant"},
		{IF_OPER_UP, "UP", "up"},
		{7, "7", "unknown"},
		{255, "255", "unknown"},
	} {
		if got := c.s.String(); got != c.iproute {
			t.Errorf("OperState(%d).String() = %q, want %q", uint8(c.s), got, c.iproute)
		}
		if got := c.s.Words(); got != c.cni {
			t.Errorf("OperState(%d).Words() = %q, want %q", uint8(c.s), got, c.cni)
		}
	}
}

// Against the kernel: a veth pair's operstate comes as news; news lost
// when the queue overflows (ENOBUFS) is reported as lost, and the socket
// hears news again after it.
func TestKernelLinkEvents(t *testing.T) {
	sandbox.Require(t, "ip")
	ev, err := ListenLinks()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ev.Close() })
	c := dialT(t)
	if err := addVeth(t, c, "lev0", "lev0p"); err != nil {
		t.Fatal(err)
	}
	idx, err := c.IfIndex("lev0")
	if err != nil {
		t.Fatal(err)
	}
	set := func(l *Link) {
		t.Helper()
		m, err := NewLinkRequest(l, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Execute(m); err != nil {
			t.Fatal(err)
		}
	}
	up := func(name string, on bool) {
		l := &Link{Name: name}
		l.Change = unix.IFF_UP
		if on {
			l.Flags = unix.IFF_UP
		}
		set(l)
	}
	// Never wait forever: news that does not come fails after 10 s.
	waitFor := func(want OperState) {
		t.Helper()
		until := time.Now().Add(10 * time.Second)
		for ev.OperState(idx) != want {
			if err := ev.Wait(until); err != nil {
				t.Fatal(err)
			}
			if !time.Now().Before(until) {
				t.Fatalf("lev0: operstate %v, want %v", ev.OperState(idx), want)
			}
		}
	}
	up("lev0", true)
	up("lev0p", true)
	waitFor(IF_OPER_UP)
	if ev.Lost() {
		t.Fatal("news lost with nothing to overflow the queue")
	}

	// The smallest receive queue the kernel allows, and more news
	// than it holds: the overflow is reported, once read, as lost.
	if err := ev.conn.SetReceiveBuffer(1); err != nil {
		t.Fatal(err)
	}
	for mtu := uint32(1280); mtu < 1300; mtu++ {
		set(&Link{IfInfomsg: IfInfomsg{Index: idx}, MTU: mtu})
	}
	if err := ev.Drain(); err != nil {
		t.Fatal(err)
	}
	if !ev.Lost() {
		t.Fatal("20 news on a full queue: none reported lost")
	}
	up("lev0", false)
	waitFor(IF_OPER_DOWN)
}
