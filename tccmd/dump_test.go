package tccmd

import (
	"bufio"
	"bytes"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	"nsbox/netlink"
	"nsbox/netlink/nltest"
	"nsbox/rtnl"
)

// An interrupted dump (NLM_F_DUMP_INTR) starts over, and nothing the
// interrupted attempt printed is left in the output: a fake kernel
// (nltest) answers the first qdisc dump with a qdisc, then one flagged
// NLM_F_DUMP_INTR, and the second with two others.
func TestDumpInterruptedStartsOver(t *testing.T) {
	qdisc := func(handle uint16, limit uint32) netlink.Message {
		tc := &rtnl.TC{Tcmsg: rtnl.Tcmsg{Ifindex: 1, Handle: rtnl.MakeHandle(handle, 0), Parent: rtnl.TC_H_ROOT},
			Kind: "pfifo", Options: &rtnl.FIFO{Limit: limit}}
		m, err := rtnl.NewQdiscRequest(tc, 0)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	for _, j := range []bool{false, true} {
		dumps := 0
		c, err := nltest.Dial(unix.NETLINK_ROUTE, func(req []netlink.Message) []netlink.Message {
			if req[0].Header.Type != unix.RTM_GETQDISC {
				return []netlink.Message{nltest.Ack(req[0], unix.EOPNOTSUPP, "")}
			}
			dumps++
			if dumps == 1 {
				stale := qdisc(0x77, 7)
				intr := qdisc(0x78, 8)
				intr.Header.Flags |= unix.NLM_F_DUMP_INTR
				return nltest.Dump(req[0], stale, intr)
			}
			return nltest.Dump(req[0], qdisc(1, 10), qdisc(2, 20))
		})
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		s := newSession(options{json: j})
		s.out = bufio.NewWriter(&out)
		s.p.SetOutput(s.out)
		s.conn = &rtnl.Conn{Conn: c}
		s.names = map[int32]string{1: "lo"}
		s.lookup = func(string) int32 { return 0 }
		if err := s.do([]string{"qdisc", "show"}); err != nil {
			t.Fatal(err)
		}
		s.out.Flush()
		c.Close()
		got := out.String()
		want := "qdisc pfifo 1: dev lo root refcnt 0 limit 10p\nqdisc pfifo 2: dev lo root refcnt 0 limit 20p\n"
		if j {
			want = `[{"kind":"pfifo","handle":"1:","dev":"lo","root":true,"refcnt":0,"options":{"limit":10}},` +
				`{"kind":"pfifo","handle":"2:","dev":"lo","root":true,"refcnt":0,"options":{"limit":20}}]` + "\n"
		}
		if dumps != 2 || got != want || strings.Contains(got, "77:") {
			t.Errorf("-j %v: %d dumps, printed:\n%s\nwant:\n%s", j, dumps, got, want)
		}
	}
}

// A dump interrupted every time fails after netlink.DumpAttempts tries
// with iproute2's line and exit 1.
func TestDumpAlwaysInterrupted(t *testing.T) {
	dumps := 0
	c, err := nltest.Dial(unix.NETLINK_ROUTE, func(req []netlink.Message) []netlink.Message {
		dumps++
		m, _ := rtnl.NewClassRequest(&rtnl.TC{Tcmsg: rtnl.Tcmsg{Ifindex: 1, Handle: 0x10001, Parent: rtnl.TC_H_ROOT}, Kind: "htb"}, 0)
		m.Header.Flags |= unix.NLM_F_DUMP_INTR
		return nltest.Dump(req[0], m)
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s := newSession(options{})
	var out bytes.Buffer
	s.out = bufio.NewWriter(&out)
	s.p.SetOutput(s.out)
	s.conn = &rtnl.Conn{Conn: c}
	s.names = map[int32]string{1: "lo"}
	s.lookup = func(string) int32 { return 1 }
	err = s.do([]string{"class", "show", "dev", "lo"})
	te, ok := err.(*cli.Error)
	if !ok || te.Code != 1 || te.Msg != "Dump was interrupted and may be inconsistent." || dumps != netlink.DumpAttempts {
		t.Errorf("%d dumps: %#v", dumps, err)
	}
}
