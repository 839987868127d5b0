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

// TestUnits: tc's readers and printers of rates, sizes, times and
// handles, on values whose tc answer is known (tc 6.1, by hand).
func TestUnits(t *testing.T) {
	for s, want := range map[string]uint64{"10mbit": 1250000, "1gbit": 125000000, "100kbit": 12500, "8bit": 1,
		"1Kibit": 128, "2MBps": 2000000, "1.5mbit": 187500, "10": 1, "1e3kbit": 125000, "10MBIT": 1250000} {
		if got, ok := getRate64(s); !ok || got != want {
			t.Errorf("rate %q: %d %v, want %d", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "mbit", "10m", "10mbps ", "ten"} {
		if _, ok := getRate64(s); ok {
			t.Errorf("rate %q taken", s)
		}
	}
	for s, want := range map[string]uint32{"32kb": 32768, "1k": 1024, "1mb": 1 << 20, "1600": 1600, "1600b": 1600,
		"1mbit": 131072, "8kbit": 1024, "1.5k": 1536} {
		if got, ok := getSize(s); !ok || got != want {
			t.Errorf("size %q: %d %v, want %d", s, got, ok, want)
		}
	}
	for _, s := range []string{"-1", "5x", "1tb", "4294967296"} {
		if _, ok := getSize(s); ok {
			t.Errorf("size %q taken", s)
		}
	}
	for s, want := range map[string]uint32{"50ms": 50000, "1s": 1000000, "10us": 10, "10": 10, "1.5msec": 1500,
		"-5ms": 4294962296 /* as tc: the double's conversion wraps */} {
		if got, ok := getTime(s); !ok || got != want {
			t.Errorf("time %q: %d %v, want %d", s, got, ok, want)
		}
	}
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
	for v, want := range map[uint64]string{1250000: "10Mbit", 187500: "1500Kbit", 125: "1Kbit", 100: "800bit",
		1000000000: "8Gbit"} {
		if got := rateString(v); got != want {
			t.Errorf("rate %d: %q, want %q", v, got, want)
		}
	}
	for v, want := range map[uint32]string{32767: "32Kb", 1600: "1600b", 1 << 20: "1Mb", 95268: "95268b", 1100: "1100b"} {
		if got := sizeString(v); got != want {
			t.Errorf("size %d: %q, want %q", v, got, want)
		}
	}
	for v, want := range map[uint32]string{50000: "50ms", 999: "999us", 1500000: "1.5s", 12345: "12.3ms"} {
		if got := timeString(v); got != want {
			t.Errorf("time %d: %q, want %q", v, got, want)
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
				f.Add(h.Type, h.Flags, m[netlink.HeaderLen:])
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
			s.p.w = s.out
			s.names = map[int32]string{} // no lookups: "if%d"
			s.lookup = func(string) int32 { return 0 }
			s.clock = &rtnl.DefaultClock
			saved := stderr
			stderr = &bytes.Buffer{}
			s.p.newJSON(j)
			switch typ % 3 {
			case 0:
				s.printQdisc(unix.RTM_NEWQDISC, flags, tc, false)
			case 1:
				s.printFilter(unix.RTM_NEWTFILTER, flags, tc, &filterShow{})
			default:
				s.printFilter(unix.RTM_DELCHAIN, flags, tc, &filterShow{})
			}
			s.p.endJSON()
			s.out.Flush()
			stderr = saved
			if j && !json.Valid(out.Bytes()) {
				t.Fatalf("not JSON:\n%s", out.String())
			}
		}
	})
}
