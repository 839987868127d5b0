package tccmd

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

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
// with iproute2's line (rtnl_dump_filter_l's) and exit 1, whichever
// object is dumped, and prints nothing it read. An interrupted dump that
// reaches report by another way reads the same (cli.KernelError).
func TestDumpAlwaysInterrupted(t *testing.T) {
	saved := stderr
	defer func() { stderr = saved }()
	for _, obj := range []string{"qdisc", "class", "filter"} {
		dumps := 0
		c, err := nltest.Dial(unix.NETLINK_ROUTE, func(req []netlink.Message) []netlink.Message {
			dumps++
			m, _ := rtnl.NewClassRequest(&rtnl.TC{Tcmsg: rtnl.Tcmsg{Ifindex: 1, Handle: 0x10001, Parent: rtnl.TC_H_ROOT}, Kind: "htb"}, 0)
			m.Header.Type = req[0].Header.Type - 2 // RTM_GETx is RTM_NEWx + 2
			m.Header.Flags |= unix.NLM_F_DUMP_INTR
			return nltest.Dump(req[0], m)
		})
		if err != nil {
			t.Fatal(err)
		}
		s := newSession(options{})
		var out, errs bytes.Buffer
		stderr = &errs
		s.out = bufio.NewWriter(&out)
		s.p.SetOutput(s.out)
		s.conn = &rtnl.Conn{Conn: c}
		s.names = map[int32]string{1: "lo"}
		s.lookup = func(string) int32 { return 1 }
		code := s.report(s.do([]string{obj, "show", "dev", "lo"}))
		c.Close()
		if code != 1 || errs.String() != "Dump was interrupted and may be inconsistent.\n" || out.Len() != 0 || dumps != netlink.DumpAttempts {
			t.Errorf("tc %s show: %d dumps, exit %d, stdout %q, stderr %q", obj, dumps, code, out.String(), errs.String())
		}
	}
	var errs bytes.Buffer
	stderr = &errs
	err := fmt.Errorf("dump links: %w", netlink.ErrDumpInterrupted)
	if code := newSession(options{}).report(err); code != 1 || errs.String() != "Dump was interrupted and may be inconsistent.\n" {
		t.Errorf("report(%v): exit %d, stderr %q", err, code, errs.String())
	}
}
