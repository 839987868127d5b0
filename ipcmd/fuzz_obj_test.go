package ipcmd

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"testing"

	"nsbox/netlink"
)

// FuzzRouteMessages: the reader of saved dumps (ip route|addr|rule
// restore and showdump) takes no message it does not have whole, none
// longer than iproute2's 16 KiB, and what it reads, written back as the
// save commands write it, reads back the same.
func FuzzRouteMessages(f *testing.F) {
	msg := func(typ netlink.HeaderType, payload []byte) []byte {
		var b bytes.Buffer
		writeMessage(&b, netlink.Message{Header: netlink.Header{Type: typ, Flags: 2, Sequence: 7, PID: 9}, Data: payload})
		return b.Bytes()
	}
	rtm := []byte{2, 24, 0, 0, 254, 2, 253, 1, 0, 0, 0, 0, 8, 0, 1, 0, 10, 0, 0, 0}
	f.Add(append(msg(24, rtm), msg(24, rtm)...))
	f.Add(msg(20, []byte{2, 24, 0x80, 0, 3, 0, 0, 0}))
	f.Add(binary.NativeEndian.AppendUint32(nil, 0x0a0a0a0a))
	f.Add(append(binary.NativeEndian.AppendUint32(nil, 20000), make([]byte, 12)...))
	f.Add(msg(24, []byte{1, 2, 3}))
	f.Fuzz(func(t *testing.T, b []byte) {
		var got []netlink.Message
		total := 0
		routeMessages(bytes.NewReader(b), -1, func(m netlink.Message) error {
			if 16+len(m.Data) > 16384 {
				t.Fatalf("a message of %d bytes", 16+len(m.Data))
			}
			total += netlink.Align(16 + len(m.Data))
			got = append(got, netlink.Message{Header: m.Header, Data: append([]byte(nil), m.Data...)})
			return nil
		})
		if total > len(b) {
			t.Fatalf("read %d bytes of messages from %d bytes", total, len(b))
		}
		var again bytes.Buffer
		for _, m := range got {
			if len(m.Data)%4 != 0 {
				return // a length the kernel never sends: its padding is the next bytes
			}
			writeMessage(&again, m)
		}
		var back []netlink.Message
		routeMessages(bytes.NewReader(again.Bytes()), -1, func(m netlink.Message) error {
			back = append(back, netlink.Message{Header: m.Header, Data: append([]byte(nil), m.Data...)})
			return nil
		})
		for i := range got {
			got[i].Header.Length = uint32(16 + len(got[i].Data))
		}
		for i := range back {
			back[i].Header.Length = uint32(16 + len(back[i].Data))
		}
		if len(got) != len(back) || len(got) > 0 && !reflect.DeepEqual(got, back) {
			t.Fatalf("written and read back: %d messages, then %d", len(got), len(back))
		}
	})
}
