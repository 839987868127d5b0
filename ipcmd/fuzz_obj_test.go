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
// save commands write it, reads back the same. And messages made of the
// input, of any payload length, framed as rtnl_from_file() reads them,
// read back as made (savedFraming).
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
		savedFraming(t, b)
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

// savedFraming: messages made of the input, payloads of 0 to 10 bytes
// (most of a length the kernel never sends), each framed as iproute2's
// rtnl_from_file() reads a saved dump: struct nlmsghdr with nlmsg_len,
// the payload, then its padding to NLMSG_ALIGN (it reads
// NLMSG_ALIGN(nlmsg_len - sizeof(struct nlmsghdr)) bytes), read back as
// made: same headers, same payloads, nothing more.
func savedFraming(t *testing.T, in []byte) {
	t.Helper()
	var file []byte
	var made []netlink.Message
	for i := 0; i < len(in); {
		n := min(int(in[i])%11, len(in)-i-1)
		h := netlink.Header{Length: uint32(16 + n), Type: netlink.HeaderType(0x10 + i), Flags: netlink.HeaderFlags(in[i]), Sequence: uint32(i), PID: uint32(len(made))}
		ne := binary.NativeEndian
		file = ne.AppendUint32(file, h.Length)
		file = ne.AppendUint16(file, uint16(h.Type))
		file = ne.AppendUint16(file, uint16(h.Flags))
		file = ne.AppendUint32(file, h.Sequence)
		file = ne.AppendUint32(file, h.PID)
		file = append(file, in[i+1:i+1+n]...)
		file = append(file, make([]byte, netlink.Align(n)-n)...)
		made = append(made, netlink.Message{Header: h, Data: in[i+1 : i+1+n]})
		i += 1 + n
	}
	var got []netlink.Message
	err := routeMessages(bytes.NewReader(file), -1, func(m netlink.Message) error {
		got = append(got, netlink.Message{Header: m.Header, Data: append([]byte(nil), m.Data...)})
		return nil
	})
	if err != nil {
		t.Fatalf("%d messages framed as saved: %v\n% x", len(made), err, file)
	}
	if len(got) != len(made) {
		t.Fatalf("%d messages framed as saved, %d read\n% x", len(made), len(got), file)
	}
	for i := range made {
		if got[i].Header != made[i].Header || !bytes.Equal(got[i].Data, made[i].Data) {
			t.Fatalf("message %d: framed %+v % x, read %+v % x", i, made[i].Header, made[i].Data, got[i].Header, got[i].Data)
		}
	}
}
