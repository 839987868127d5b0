package tccmd

// nsbox's tc against tc's own bytes: every command of
// rtnl/testdata/tc/capture.sh (tc 6.1 under strace) is run through
// nsbox's tc with the capture's link indexes and psched clock, and the
// request it would send must be the one tc sent, byte for byte (the
// captures converted to native order: this holds on big-endian too).

import (
	"bytes"
	"encoding/binary"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"nsbox/internal/golden"
	"nsbox/netlink"
	"nsbox/rtnl"

	"golang.org/x/sys/unix"
)

func TestGoldenCommands(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "rtnl", "testdata", "tc", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		h, err := golden.Headers(f)
		if err != nil {
			t.Fatal(err)
		}
		argv := strings.Fields(h["command"])
		if len(argv) < 2 || argv[0] != "tc" || strings.HasPrefix(argv[1], "-") {
			continue // the show commands: their dump requests are rtnl's tests
		}
		n++
		t.Run(filepath.Base(f), func(t *testing.T) {
			msgs, err := golden.WantMessages(f)
			if err != nil {
				t.Fatal(err)
			}
			want := msgs[len(msgs)-1]
			clock, err := rtnl.ParsePsched(h["psched"])
			if err != nil {
				t.Fatal(err)
			}
			links := golden.Links(h)
			var got []byte
			s := newSession(options{})
			s.clock = &clock
			s.lookup = func(name string) int32 { return links[name] }
			s.send = func(m netlink.Message) error {
				m.Header.Flags |= unix.NLM_F_REQUEST | unix.NLM_F_ACK
				m.Header.Sequence = binary.NativeEndian.Uint32(want[8:])
				got, err = m.MarshalBinary()
				return err
			}
			saved := stderr
			stderr = io.Discard
			defer func() { stderr = saved }()
			if err := s.do(argv[1:]); err != nil {
				t.Fatalf("%s: %v", h["command"], err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s:\n got: % x\nwant: % x", h["command"], got, want)
			}
		})
	}
	if n < 30 {
		t.Errorf("%d commands, want at least 30", n)
	}
}
