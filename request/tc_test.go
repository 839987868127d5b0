package request

import (
	"bytes"
	"encoding/binary"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/internal/golden"
	"nsbox/netlink"
	"nsbox/rtnl"
)

var ne = binary.NativeEndian

// capture is the last tc message of a capture in rtnl/testdata/tc, in
// native byte order, as tc 6.1 sent it.
func capture(t *testing.T, file string) (want []byte, links map[string]int32) {
	t.Helper()
	path := filepath.Join("..", "rtnl", "testdata", "tc", file)
	msgs, err := golden.WantMessages(path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := golden.Headers(path)
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte(nil), msgs[len(msgs)-1]...), golden.Links(h)
}

// sameAsTC compares a request with tc's bytes, taking tc's sequence
// number and the NLM_F_REQUEST|NLM_F_ACK the connection adds.
func sameAsTC(t *testing.T, what string, m netlink.Message, err error, want []byte) {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	m.Header.Flags |= unix.NLM_F_REQUEST | unix.NLM_F_ACK
	m.Header.Sequence = ne.Uint32(want[8:])
	got, _ := m.MarshalBinary()
	if !bytes.Equal(got, want) {
		t.Errorf("%s:\n got: % x\nwant: % x", what, got, want)
	}
}

// TestTCOps: each operation's message type and flags are tc's. The
// message is tc's own, decoded and sent back through Qdisc, Class or
// Filter with the operation of the command that made it.
func TestTCOps(t *testing.T) {
	for _, c := range []struct {
		file string
		op   Op
		of   func(*rtnl.TC, Op) (netlink.Message, error)
	}{
		{"qdisc-tbf.txt", Add, Qdisc},
		{"qdisc-tbf-change.txt", Change, Qdisc},
		{"qdisc-tbf-rate64.txt", Replace, Qdisc},
		{"qdisc-del-root.txt", Delete, Qdisc},
		{"qdisc-del-ingress.txt", Delete, Qdisc},
		{"class-htb.txt", Add, Class},
		{"class-htb-change.txt", Change, Class},
		{"class-htb-rate64.txt", Replace, Class},
		{"class-del.txt", Delete, Class},
		{"filter-u32-mirred.txt", Add, Filter},
		{"filter-u32-replace.txt", Replace, Filter},
		{"filter-del.txt", Delete, Filter},
	} {
		want, _ := capture(t, c.file)
		tc, err := rtnl.ParseTC(want[16:])
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		if tc.HasOptions {
			tc.Other = append(tc.Other, netlink.Attribute{Type: unix.TCA_OPTIONS, Data: tc.RawOptions})
		}
		m, err := c.of(tc, c.op)
		sameAsTC(t, c.file, m, err, want)
	}
	// "tc qdisc link": NLM_F_REPLACE alone; a class or filter has none
	q := &rtnl.TC{Kind: "pfifo"}
	if m, err := Qdisc(q, Graft); err != nil || m.Header.Flags != unix.NLM_F_REPLACE {
		t.Errorf("qdisc link: %#x %v", m.Header.Flags, err)
	}
	for _, op := range []Op{Graft, Prepend, Append, Test} {
		if _, err := Class(q, op); err == nil {
			t.Errorf("class %s: no error", op)
		}
		if _, err := Filter(q, op); err == nil {
			t.Errorf("filter %s: no error", op)
		}
	}
}

// TestShaping: the qdiscs a Shaping asks for are the bytes tc 6.1 sends
// for the same tc command (with Shaping's handle; tc's command gave
// none), and a rate with netem stacks the netem under the tbf.
func TestShaping(t *testing.T) {
	clock, _ := rtnl.ParsePsched("000003e8 00000040 000f4240 3b9aca00")
	for _, c := range []struct {
		file   string
		s      Shaping
		handle rtnl.Handle
	}{
		// tc qdisc add dev v0 root tbf rate 10mbit burst 32kb latency 50ms
		{"qdisc-tbf.txt", Shaping{Rate: 1250000, Burst: 32 * 1024}, TBFHandle},
		// tc qdisc add dev v0 root netem delay 10ms
		{"qdisc-netem-delay.txt", Shaping{Delay: 10000}, NetemHandle},
		// tc qdisc add dev v0 root netem loss 1%
		{"qdisc-netem-loss.txt", Shaping{Loss: 0.01}, NetemHandle},
	} {
		want, links := capture(t, c.file)
		ne.PutUint32(want[16+8:], uint32(c.handle)) // tcm_handle
		ms, err := c.s.Messages(clock, links["v0"])
		if err != nil || len(ms) != 1 {
			t.Fatalf("%s: %d messages, %v", c.file, len(ms), err)
		}
		sameAsTC(t, c.file, ms[0], nil, want)
	}
	s := Shaping{Rate: 1250000, Delay: 1000}
	qs := s.Qdiscs(clock, 3)
	if len(qs) != 2 || qs[0].Kind != "tbf" || qs[1].Kind != "netem" || qs[0].Parent != rtnl.TC_H_ROOT ||
		qs[1].Parent != rtnl.MakeHandle(1, 1) || qs[1].Handle != NetemHandle {
		t.Errorf("tbf + netem: %+v %+v", qs[0], qs[1])
	}
	if (&Shaping{}).Shaped() || len((&Shaping{}).Qdiscs(clock, 3)) != 0 {
		t.Error("the zero Shaping shapes")
	}
	// the default bucket: 10 ms at the rate, 64 KiB at least
	for rate, want := range map[uint64]uint32{1250000: MinBurst, 125000000: 1250000} {
		if got := (&Shaping{Rate: rate}).Bucket(); got != want {
			t.Errorf("bucket of %d B/s: %d, want %d", rate, got, want)
		}
	}
	// the probe: netem at lo's root, added
	m, err := NetemProbe()
	tc, _ := rtnl.ParseTC(m.Data)
	if err != nil || tc.Kind != "netem" || tc.Ifindex != 1 || tc.Parent != rtnl.TC_H_ROOT ||
		m.Header.Flags != unix.NLM_F_CREATE|unix.NLM_F_EXCL {
		t.Errorf("probe: %+v %#x %v", tc, m.Header.Flags, err)
	}
}
