package wire

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	"nsbox/internal/sandbox"
	"nsbox/internal/testutil/rtnltest"
	"nsbox/netlink"
	"nsbox/rtnl"
)

// iproute2Requests reads what iproute2 sent in a strace capture, less the
// 32-byte probe every ip command starts with (nsbox sends none).
func iproute2Requests(t *testing.T, file string) []Datagram {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	ds, err := ParseText(string(b))
	if err != nil {
		t.Fatal(err)
	}
	var out []Datagram
	for _, d := range ds {
		if d.Dir != DirSent {
			t.Fatalf("%s: a datagram not sent: %v", file, d.Dir)
		}
		if len(d.Data) == 32 && binary.LittleEndian.Uint32(d.Data[8:]) == 0 {
			continue // the probe: RTM_NEWLINK, seq 0, no attributes
		}
		out = append(out, d)
	}
	return out
}

// maskSeq zeroes nlmsg_seq and nlmsg_pid of every message in b (and of
// the request an NLMSG_ERROR echoes).
func maskSeq(bo binary.ByteOrder, b []byte) []byte {
	b = append([]byte(nil), b...)
	for off := 0; off+16 <= len(b); {
		l := int(bo.Uint32(b[off:]))
		copy(b[off+8:off+16], make([]byte, 8))
		if bo.Uint16(b[off+4:]) == unix.NLMSG_ERROR && l >= 36 && off+36 <= len(b) {
			copy(b[off+28:off+36], make([]byte, 8)) // the echoed request's
		}
		if l < 16 {
			break
		}
		off += align(l)
	}
	return b
}

// seedEquivalents are nsbox's own requests for the captured commands, in
// the order iproute2 sent them (ifindex 3 is veth1, 4 is br1 there).
func seedEquivalents() map[string][]netlink.Message {
	getLink := func(name string) netlink.Message {
		l := &rtnl.Link{ExtMask: rtnl.RTEXT_FILTER_VF | rtnl.RTEXT_FILTER_SKIP_STATS, Name: name}
		b, _ := l.AppendBinary(nil)
		return msg(unix.RTM_GETLINK, req, 0, 0, b)
	}
	master := int32(4)
	return map[string][]netlink.Message{
		"iproute2-link-add-veth.strace": {withHeader(mustMsg(rtnl.NewLinkRequest(&rtnl.Link{Name: "veth1",
			Info: rtnl.LinkInfo{Kind: "veth", Data: &rtnl.Veth{Peer: &rtnl.Link{Name: "br-veth1"}}}}, create)), req|ack, 0)},
		"iproute2-link-add-bridge.strace": {withHeader(mustMsg(rtnl.NewLinkRequest(&rtnl.Link{Name: "br1",
			Info: rtnl.LinkInfo{Kind: "bridge"}}, create)), req|ack, 0)},
		"iproute2-addr-add.strace": {getLink("br1"), withHeader(mustMsg(rtnl.NewAddrRequest(&rtnl.Addr{
			IfAddrmsg: rtnl.IfAddrmsg{Family: unix.AF_INET, PrefixLen: 24, Index: 4},
			Local:     netip.MustParseAddr("192.168.1.10"), Address: netip.MustParseAddr("192.168.1.10"),
			Broadcast: netip.MustParseAddr("192.168.1.255"),
		}, create)), req|ack, 0)},
		"iproute2-link-set-master.strace": {getLink("br1"), getLink("veth1"),
			withHeader(mustMsg(rtnl.NewLinkRequest(&rtnl.Link{IfInfomsg: rtnl.IfInfomsg{Index: 3}, Master: master}, 0)), req|ack, 0)},
	}
}

var straceFiles = []string{"iproute2-link-add-veth.strace", "iproute2-link-add-bridge.strace",
	"iproute2-addr-add.strace", "iproute2-link-set-master.strace"}

// TestDecodeIproute2 decodes the bytes iproute2 sent (strace, committed
// little-endian) and compares the tree with the dump of nsbox's own
// equivalent request, sequence numbers masked.
func TestDecodeIproute2(t *testing.T) {
	eq := seedEquivalents()
	for _, file := range straceFiles {
		ds := iproute2Requests(t, file)
		own := eq[file]
		if len(ds) != len(own) {
			t.Fatalf("%s: %d requests, nsbox sends %d", file, len(ds), len(own))
		}
		for i, d := range ds {
			theirs, err := DumpDatagramOrder(binary.LittleEndian, protoRoute, DirSent, maskSeq(binary.LittleEndian, d.Data))
			if err != nil {
				t.Errorf("%s: %v", file, err)
			}
			ours := FormatDatagram(protoRoute, DirSent, datagram(t, own[i]))
			compareDump(t, file, ours, theirs)
		}
	}
}

// TestWireMatchesIproute2 runs nsbox's requests against the kernel with
// -wire on, reads the sent datagrams back from the -wire text, and
// compares them with what iproute2 sent for the same commands.
func TestWireMatchesIproute2(t *testing.T) {
	sandbox.Require(t, "ip")
	conn := rtnltest.DialIn(t, "wire-iproute2")
	var wire bytes.Buffer
	tap, err := NewTap(conn.Protocol(), cli.Global{Wire: true}, &wire)
	if err != nil {
		t.Fatal(err)
	}
	conn.Tap = func(dir netlink.Direction, b []byte) { tap.See(dir == netlink.Sent, b) }
	eq := seedEquivalents()
	var sent [][]byte // what iproute2 sent, in order
	for _, file := range straceFiles {
		for _, d := range iproute2Requests(t, file) {
			sent = append(sent, d.Data)
		}
		for _, m := range eq[file] {
			if m.Header.Type == unix.RTM_GETLINK {
				l, err := rtnl.ParseLink(m.Data)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := conn.LinkByName(l.Name); err != nil {
					t.Fatalf("%s: %s: %v", file, l.Name, err)
				}
				continue
			}
			m.Header.Flags &^= req | ack // Execute adds them
			if _, err := conn.Execute(m); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
		}
	}
	ds, err := ParseText(wire.String())
	if err != nil {
		t.Fatalf("reading -wire output back: %v", err)
	}
	var ours [][]byte
	for _, d := range ds {
		if d.Dir == DirSent {
			ours = append(ours, d.Data)
		}
	}
	if len(ours) != len(sent) {
		t.Fatalf("nsbox sent %d datagrams, iproute2 %d", len(ours), len(sent))
	}
	for i := range sent {
		// rtnl's LinkByName asks with NLM_F_ACK (it uses Execute), where
		// iproute2 asks with NLM_F_REQUEST alone; the kernel answers
		// both the same. Everything else must be byte for byte the same.
		if binary.NativeEndian.Uint16(ours[i][4:]) == unix.RTM_GETLINK {
			f := binary.NativeEndian.Uint16(ours[i][6:]) &^ ack
			binary.NativeEndian.PutUint16(ours[i][6:], f)
		}
		want, _ := DumpDatagramOrder(binary.LittleEndian, protoRoute, DirSent, maskSeq(binary.LittleEndian, sent[i]))
		got := FormatDatagram(protoRoute, DirSent, maskSeq(binary.NativeEndian, ours[i]))
		compareDump(t, "datagram "+string(rune('1'+i)), got, want)
	}
}

// TestDecodeStraceConversation: with -e write=all -e read=all strace
// shows requests and answers; MSG_PEEK reads (the data comes again) are
// left out.
func TestDecodeStraceConversation(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "iproute2-conversation.strace"))
	if err != nil {
		t.Fatal(err)
	}
	ds, err := ParseText(string(b))
	if err != nil {
		t.Fatal(err)
	}
	want := []Direction{DirSent, DirReceived, DirSent, DirReceived}
	if len(ds) != len(want) {
		t.Fatalf("%d datagrams, want %d", len(ds), len(want))
	}
	for i, d := range ds {
		if d.Dir != want[i] {
			t.Errorf("datagram %d: direction %v, want %v", i+1, d.Dir, want[i])
		}
		s, err := DumpDatagramOrder(binary.LittleEndian, protoRoute, d.Dir, d.Data)
		if err != nil {
			t.Errorf("datagram %d: %v", i+1, err)
		}
		if i == 3 && !strings.Contains(s, "error        0 (success: this is an ACK)") {
			t.Errorf("the last answer is not an ACK:\n%s", s)
		}
	}
}
