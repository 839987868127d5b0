package rtnl

// Golden vectors of traffic control: what tc (iproute2 6.1) sent for the
// commands of testdata/tc/capture.sh, and what the kernel answered its
// dumps. Every request is decoded into the typed messages of tc*.go and
// encoded again: the bytes must be tc's, on big-endian hosts too (the
// captures are converted to native order by internal/golden).

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/internal/golden"
	"nsbox/netlink"
)

func tcCaptures(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "tc", "*.txt"))
	if err != nil || len(files) < 30 {
		t.Fatalf("%d tc captures (want at least 30): %v", len(files), err)
	}
	return files
}

// typedOptions decodes TCA_OPTIONS by kind into the request type.
func typedOptions(t *testing.T, tc *TC) Options {
	t.Helper()
	if !tc.HasOptions {
		return nil
	}
	var o Options
	var err error
	switch tc.Kind {
	case "tbf":
		o, err = ParseTBF(tc.RawOptions)
	case "htb":
		o, err = ParseHTB(tc.RawOptions)
	case "netem":
		o, err = ParseNetem(tc.RawOptions)
	case "pfifo", "bfifo":
		o, err = ParseFIFO(tc.RawOptions)
	case "u32":
		o, err = ParseU32(tc.RawOptions)
	default:
		t.Fatalf("no typed options for kind %q", tc.Kind)
	}
	if err != nil {
		t.Fatalf("%s options: %v", tc.Kind, err)
	}
	return o
}

func TestTCGoldenRequests(t *testing.T) {
	n := 0
	for _, f := range tcCaptures(t) {
		name := filepath.Base(f)
		if strings.HasPrefix(name, "show-") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			msgs, err := golden.WantMessages(f)
			if err != nil {
				t.Fatal(err)
			}
			want := msgs[len(msgs)-1]
			h, err := netlink.ParseHeader(want)
			if err != nil {
				t.Fatal(err)
			}
			tc, err := ParseTC(want[netlink.HeaderLen:])
			if err != nil {
				t.Fatal(err)
			}
			if len(tc.Other) > 0 {
				t.Fatalf("attributes without a field: %v", tc.Other)
			}
			tc.Options = typedOptions(t, tc)
			flags := h.Flags &^ (unix.NLM_F_REQUEST | unix.NLM_F_ACK)
			var m netlink.Message
			switch h.Type {
			case unix.RTM_NEWQDISC:
				m, err = NewQdiscRequest(tc, flags)
			case unix.RTM_DELQDISC:
				m, err = DelQdiscRequest(tc)
			case unix.RTM_NEWTCLASS:
				m, err = NewClassRequest(tc, flags)
			case unix.RTM_DELTCLASS:
				m, err = DelClassRequest(tc)
			case unix.RTM_NEWTFILTER:
				m, err = NewFilterRequest(tc, flags)
			case unix.RTM_DELTFILTER:
				m, err = DelFilterRequest(tc)
			default:
				t.Fatalf("message type %d", h.Type)
			}
			if err != nil {
				t.Fatal(err)
			}
			m.Header.Flags |= unix.NLM_F_REQUEST | unix.NLM_F_ACK
			m.Header.Sequence, m.Header.PID = h.Sequence, h.PID
			got, err := m.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("re-encoded request differs from tc's\n got: % x\nwant: % x", got, want)
			}
		})
		n++
	}
	if n < 30 {
		t.Errorf("%d request vectors, want at least 30", n)
	}
}

// TestTCGoldenDumpRequests checks the dump requests of tc's show
// commands.
func TestTCGoldenDumpRequests(t *testing.T) {
	links := func(f string) map[string]int32 {
		h, err := golden.Headers(f)
		if err != nil {
			t.Fatal(err)
		}
		return golden.Links(h)
	}
	cases := []struct {
		file, typ string
		build     func(v0 int32) netlink.Message
	}{
		{"show-qdisc-reply.txt", "RTM_GETQDISC", func(v0 int32) netlink.Message { return QdiscDumpRequest(v0, false) }},
		{"show-class-reply.txt", "RTM_GETTCLASS", func(v0 int32) netlink.Message { return ClassDumpRequest(v0, 0) }},
		{"show-filter-reply.txt", "RTM_GETTFILTER", func(v0 int32) netlink.Message {
			return FilterDumpRequest(Tcmsg{Ifindex: v0, Parent: MakeHandle(0xffff, 0)}, nil, false)
		}},
	}
	for _, c := range cases {
		f := filepath.Join("testdata", "tc", c.file)
		msgs, err := golden.Messages(f, c.typ)
		if err != nil {
			t.Fatal(err)
		}
		want := msgs[0]
		h, _ := netlink.ParseHeader(want)
		m := c.build(links(f)["v0"])
		m.Header.Flags |= unix.NLM_F_REQUEST | unix.NLM_F_DUMP
		m.Header.Sequence = h.Sequence
		got, _ := m.MarshalBinary()
		if !bytes.Equal(got, want) {
			t.Errorf("%s: dump request differs from tc's\n got: % x\nwant: % x", c.file, got, want)
		}
	}
}

// TestTCGoldenReplies decodes what the kernel answered tc's dumps.
func TestTCGoldenReplies(t *testing.T) {
	one := func(file string) []*TC {
		msgs, err := golden.WantMessages(filepath.Join("testdata", "tc", file))
		if err != nil {
			t.Fatal(err)
		}
		var out []*TC
		for _, b := range msgs {
			tc, err := ParseTC(b[netlink.HeaderLen:])
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			out = append(out, tc)
		}
		return out
	}
	var q *TC
	for _, c := range one("show-qdisc-reply.txt") { // every link's: tc asks without strict checking
		if c.Kind == "tbf" {
			q = c
		}
	}
	if q == nil || q.Parent != TC_H_ROOT || q.Stats == nil || !q.Stats.HasBasic || !q.Stats.HasQueue {
		t.Fatalf("tbf qdisc: %+v", q)
	}
	tbf, err := ParseTBF(q.RawOptions)
	if err != nil {
		t.Fatal(err)
	}
	// rate 10mbit burst 32kb latency 50ms
	if tbf.Rate64 != 1250000 || tbf.Parms.Rate.Rate != 1250000 || tbf.Parms.Limit != 1250000*50/1000+32*1024 {
		t.Errorf("tbf: rate %d/%d limit %d", tbf.Rate64, tbf.Parms.Rate.Rate, tbf.Parms.Limit)
	}
	classes := one("show-class-reply.txt")
	if len(classes) != 2 {
		t.Fatalf("%d classes, want 2", len(classes))
	}
	levels := map[Handle]uint32{}
	for _, c := range classes {
		h, err := ParseHTB(c.RawOptions)
		if err != nil || h.Parms == nil {
			t.Fatalf("class %v: %v %+v", c.Handle, err, h)
		}
		levels[c.Handle] = h.Parms.Level
		if c.Handle == MakeHandle(1, 10) && (h.Rate64 != 2500000 || c.Parent != MakeHandle(1, 1)) {
			t.Errorf("class 1:10: rate %d parent %v", h.Rate64, c.Parent)
		}
		if _, err := ParseHTBXStats(c.XStats); err != nil {
			t.Errorf("class %v xstats: %v", c.Handle, err)
		}
	}
	if levels[MakeHandle(1, 1)] == 0 || levels[MakeHandle(1, 10)] != 0 {
		t.Errorf("htb levels: %v", levels)
	}
	var found bool
	for _, f := range one("show-filter-reply.txt") {
		if !f.HasOptions || f.Kind != "u32" {
			continue
		}
		u, err := ParseU32(f.RawOptions)
		if err != nil {
			t.Fatal(err)
		}
		if u.Sel == nil || len(u.Actions) == 0 {
			continue
		}
		found = true
		k := u.Sel.Keys[0]
		if k.Off != 16 || k.Mask != 0xff000000 || k.Val != 0x0a000000 {
			t.Errorf("u32 key %+v, want 10.0.0.0/8 at 16", k)
		}
		a := u.Actions[0]
		if a.Kind != "mirred" || a.Mirred == nil || a.Mirred.Eaction != TCA_EGRESS_REDIR || a.Mirred.Action != TC_ACT_STOLEN || a.Order != 1 {
			t.Errorf("action %+v mirred %+v", a, a.Mirred)
		}
		if a.Stats == nil || !a.Stats.HasBasic {
			t.Errorf("action statistics missing: %+v", a.Stats)
		}
	}
	if !found {
		t.Error("no u32 node with a selector and an action in the filter dump")
	}
}

// TestNewTBFGolden computes tbf's options from rates and sizes, as tc
// does, and compares them with tc's bytes.
func TestNewTBFGolden(t *testing.T) {
	clock, err := ParsePsched("000003e8 00000040 000f4240 3b9aca00")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		file string
		p    TBFParams
	}{
		{"qdisc-tbf.txt", TBFParams{Rate: 1250000, Burst: 32 * 1024, Latency: 50000, RateCellLog: -1, PeakCellLog: -1}},
		{"qdisc-tbf-peakrate.txt", TBFParams{Rate: 2500000, PeakRate: 3750000, Burst: 32 * 1024, MTU: 1600, Latency: 10000, RateCellLog: -1, PeakCellLog: -1}},
		{"qdisc-tbf-rate64.txt", TBFParams{Rate: 1000000000, Burst: 1 << 20, Latency: 5000, RateCellLog: -1, PeakCellLog: -1}},
		{"qdisc-tbf-atm.txt", TBFParams{Rate: 125000, Burst: 10 * 1024, Latency: 70000, Linklayer: TC_LINKLAYER_ATM, RateCellLog: -1, PeakCellLog: -1}},
	} {
		msgs, err := golden.WantMessages(filepath.Join("testdata", "tc", c.file))
		if err != nil {
			t.Fatal(err)
		}
		want, _ := ParseTC(msgs[0][netlink.HeaderLen:])
		e := netlink.NewAttributeEncoder(nil)
		clock.NewTBF(c.p).appendOptions(e)
		got, _ := e.Encode()
		wantOpt := netlink.NewAttributeEncoder(nil)
		wantOpt.Bytes(unix.TCA_OPTIONS, want.RawOptions)
		w, _ := wantOpt.Encode()
		if !bytes.Equal(got, w) {
			t.Errorf("%s: NewTBF differs from tc's options\n got: % x\nwant: % x", c.file, got, w)
		}
	}
}

func TestHandleString(t *testing.T) {
	for h, want := range map[Handle]string{
		TC_H_ROOT: "root", 0: "none", MakeHandle(1, 0): "1:", MakeHandle(0, 0x10): ":10",
		MakeHandle(0xffff, 0xfff2): "ffff:fff2", MakeHandle(0x8001, 1): "8001:1",
	} {
		if got := h.String(); got != want {
			t.Errorf("%#x: %q, want %q", uint32(h), got, want)
		}
	}
}

func TestParsePsched(t *testing.T) {
	c, err := ParsePsched("000003e8 00000040 000f4240 3b9aca00\n")
	if err != nil {
		t.Fatal(err)
	}
	// 1000 ns per us / 64 ns per tick: 15.625 ticks a microsecond; the
	// clock's resolution 1e9 is get_hz()'s answer
	if c.TickInUsec != 15.625 || c.ClockFactor != 1 || c.HZ != 1000000000 {
		t.Errorf("clock %+v", c)
	}
	if got := c.Time2Tick(10000); got != 156250 {
		t.Errorf("10ms = %d ticks, want 156250", got)
	}
	if c.Time2Big(274877906) || !c.Time2Big(274877907) {
		t.Error("Time2Big: 2^32 ticks are 274877906.9 us")
	}
	if _, err := ParsePsched("zz"); err == nil {
		t.Error("bad psched text accepted")
	}
	if c, _ := ParsePsched("1 0 0 0"); c != DefaultClock {
		t.Errorf("zero divisor: %+v", c)
	}
}

// Every tc decode error says "rtnl:" and what it was decoding (the
// ifindex, the kind, the action), and still unwraps to the attribute
// decoder's error.
func TestTCDecodeErrorContext(t *testing.T) {
	tcm := Tcmsg{Ifindex: 3, Parent: TC_H_ROOT}.AppendBinary(nil)
	cut := nla(unix.TCA_KIND, []byte("tbf\x00"))[:6] // nla_len 8, 2 bytes left
	for _, c := range []struct {
		name   string
		decode func() error
		want   string
		attr   bool // wraps netlink.ErrAttrLength
	}{
		{"short tcmsg", func() error { _, err := ParseTC(tcm[:19]); return err }, "rtnl: 19 bytes, need 20 for struct tcmsg", false},
		{"tc attribute", func() error { _, err := ParseTC(cat(tcm, cut)); return err }, "rtnl: tc ifindex 3: netlink: at offset 0: nla_len 8 is outside 4..6", true},
		{"stats", func() error {
			_, err := ParseTC(cat(tcm, nla(unix.TCA_STATS2, nla(TCA_STATS_PKT64, u32(1)))))
			return err
		}, "rtnl: tc ifindex 3: in TCA_STATS2: netlink: attribute type 8: 4 bytes, want 8", true},
		{"tbf", func() error { _, err := ParseTBF(nla(TCA_TBF_BURST, u16(1))); return err }, "rtnl: tbf options: netlink: attribute type 6: 2 bytes, want 4", true},
		{"tbf parms", func() error { _, err := ParseTBF(nla(TCA_TBF_PARMS, make([]byte, 35))); return err }, "rtnl: 35 bytes, need 36 for struct tc_tbf_qopt", false},
		{"htb", func() error { _, err := ParseHTB(cut); return err }, "rtnl: htb options: netlink: at offset 0", true},
		{"netem", func() error { _, err := ParseNetem(cat(make([]byte, 24), cut)); return err }, "rtnl: netem options: netlink: at offset 0", true},
		{"u32", func() error { _, err := ParseU32(nla(TCA_U32_FLAGS, u16(1))); return err }, "rtnl: u32 options: netlink: attribute type 11: 2 bytes, want 4", true},
		{"action", func() error {
			_, err := ParseActions(nla(1, cat(nla(TCA_ACT_KIND, []byte("mirred\x00")), nla(TCA_ACT_INDEX, u16(1)))))
			return err
		}, `rtnl: action "mirred": netlink: attribute type 3: 2 bytes, want 4`, true},
		{"action stats", func() error {
			_, err := ParseActions(nla(1, cat(nla(TCA_ACT_KIND, []byte("gact\x00")), nla(TCA_ACT_STATS, nla(TCA_STATS_PKT64, u16(1))))))
			return err
		}, `rtnl: action "gact": in TCA_ACT_STATS: netlink: attribute type 8: 2 bytes, want 8`, true},
		{"stats2", func() error { _, _, err := ParseStats2(nla(TCA_STATS_PKT64, u16(1))); return err }, "rtnl: TCA_STATS2: netlink: attribute type 8", true},
	} {
		err := c.decode()
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: %v\nwant %s...", c.name, err, c.want)
			continue
		}
		if errors.Is(err, netlink.ErrAttrLength) != c.attr {
			t.Errorf("%s: errors.Is(ErrAttrLength) is %v", c.name, !c.attr)
		}
	}
}
