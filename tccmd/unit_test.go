package tccmd

import (
	"bufio"
	"bytes"
	"encoding/json"

	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/internal/golden"
	"nsbox/netlink"
	"nsbox/rtnl"
)

// TestTCUnits: tc's readers of handles, on values whose tc answer is
// known (tc 6.1, by hand). Rates, sizes and times: package cli.
func TestTCUnits(t *testing.T) {
	for s, want := range map[string]rtnl.Handle{"1:": 0x10000, "1:10": 0x10010, ":5": 5, "root": rtnl.TC_H_ROOT,
		"none": 0, "ffff:fff1": 0xfffffff1, "10": 0x10} {
		if got, ok := getClassID(s); !ok || got != want {
			t.Errorf("classid %q: %#x %v, want %#x", s, uint32(got), ok, uint32(want))
		}
	}
	for _, s := range []string{"1:2:3", "10000:", "x", "1:10000"} {
		if _, ok := getClassID(s); ok {
			t.Errorf("classid %q taken", s)
		}
	}
	for s, want := range map[string]uint32{"800::5": 0x80000005, "1:": 0x100000, "2:3:4": 0x203004, "0x10": 0x10} {
		if got, ok := getU32Handle(s); !ok || got != want {
			t.Errorf("u32 handle %q: %#x %v, want %#x", s, got, ok, want)
		}
	}
	if got := u32HandleString(0x80000800, false); got != "800::800" {
		t.Errorf("u32 handle: %q", got)
	}
}

// FuzzPrint prints arbitrary qdisc, class and filter messages as tc
// show and tc monitor would. Property: the -j output is valid JSON, and
// nothing panics.
func FuzzPrint(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "rtnl", "testdata", "tc", "*.txt"))
	for _, file := range files {
		if msgs, err := golden.WantMessages(file); err == nil {
			for _, m := range msgs {
				h, _ := netlink.ParseHeader(m)
				f.Add(uint16(h.Type), uint16(h.Flags), m[netlink.HeaderLen:])
			}
		}
	}
	f.Fuzz(func(t *testing.T, typ, flags uint16, b []byte) {
		tc, err := rtnl.ParseTC(b)
		if err != nil {
			return
		}
		for _, j := range []bool{false, true} {
			var out bytes.Buffer
			s := newSession(options{json: j, stats: true, details: true, raw: true, pretty: j})
			s.out = bufio.NewWriter(&out)
			s.p.SetOutput(s.out)
			s.names = map[int32]string{} // no lookups: "if%d"
			s.lookup = func(string) int32 { return 0 }
			s.clock = &rtnl.DefaultClock
			saved := stderr
			stderr = &bytes.Buffer{}
			s.p.StartJSON(j)
			switch typ % 3 {
			case 0:
				s.printQdisc(unix.RTM_NEWQDISC, netlink.HeaderFlags(flags), tc, false)
			case 1:
				s.printFilter(unix.RTM_NEWTFILTER, netlink.HeaderFlags(flags), tc, &filterShow{})
			default:
				s.printFilter(unix.RTM_DELCHAIN, netlink.HeaderFlags(flags), tc, &filterShow{})
			}
			s.p.EndJSON()
			s.out.Flush()
			stderr = saved
			if j && !json.Valid(out.Bytes()) {
				t.Fatalf("not JSON:\n%s", out.String())
			}
		}
	})
}
