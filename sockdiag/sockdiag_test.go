package sockdiag

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"nsbox/internal/bounded"
	"nsbox/netlink"
)

// inetMsgBytes builds a struct inet_diag_msg field by field, host fields
// in the native order of the machine running the test, ports and
// addresses in network order: the expected bytes hold on big-endian too.
func inetMsgBytes() []byte {
	ne := binary.NativeEndian
	var b []byte
	b = append(b, AF_INET, TCP_ESTABLISHED, 2, 1) // family, state, timer, retrans
	b = append(b, 0x1f, 0x90, 0xc3, 0x50)         // sport 8080, dport 50000
	b = append(b, 127, 0, 0, 1)                   // idiag_src[0]
	b = append(b, make([]byte, 12)...)            // idiag_src[1..3]
	b = append(b, 192, 0, 2, 7)                   // idiag_dst[0]
	b = append(b, make([]byte, 12)...)            // idiag_dst[1..3]
	b = ne.AppendUint32(b, 3)                     // idiag_if
	b = ne.AppendUint32(b, 0x1234)                // idiag_cookie[0]
	b = ne.AppendUint32(b, 0x1)                   // idiag_cookie[1]
	b = ne.AppendUint32(b, 1500)                  // idiag_expires
	b = ne.AppendUint32(b, 5)                     // idiag_rqueue
	b = ne.AppendUint32(b, 7)                     // idiag_wqueue
	b = ne.AppendUint32(b, 1000)                  // idiag_uid
	b = ne.AppendUint32(b, 424242)                // idiag_inode
	e := netlink.NewAttributeEncoder(b)
	e.Uint8(INET_DIAG_SHUTDOWN, 2)
	e.Uint8(INET_DIAG_PROTOCOL, IPPROTO_TCP)
	e.Uint64(INET_DIAG_CGROUP_ID, 0x0102030405060708)
	e.String(INET_DIAG_CONG, "cubic")
	e.Uint32(INET_DIAG_MARK, 0x10)
	e.Bytes(99, []byte{1, 2, 3})
	out, err := e.Encode()
	if err != nil {
		panic(err)
	}
	return out
}

func TestParseInet(t *testing.T) {
	b := inetMsgBytes()
	s, err := ParseInet(b)
	if err != nil {
		t.Fatal(err)
	}
	if s.Family != AF_INET || s.State != TCP_ESTABLISHED || s.Timer != 2 || s.Retrans != 1 {
		t.Errorf("header = %+v", s.InetMsg)
	}
	if s.ID.SPort != 8080 || s.ID.DPort != 50000 {
		t.Errorf("ports %d %d, want 8080 50000 (network order on the wire)", s.ID.SPort, s.ID.DPort)
	}
	if s.Src() != netip.MustParseAddr("127.0.0.1") || s.Dst() != netip.MustParseAddr("192.0.2.7") {
		t.Errorf("addresses %v %v", s.Src(), s.Dst())
	}
	if s.ID.If != 3 || s.ID.Cookie64() != 0x100001234 {
		t.Errorf("if %d cookie %x", s.ID.If, s.ID.Cookie64())
	}
	if s.Expires != 1500 || s.RQueue != 5 || s.WQueue != 7 || s.UID != 1000 || s.Inode != 424242 {
		t.Errorf("counters %+v", s.InetMsg)
	}
	if !s.HasShutdown || s.Shutdown != 2 || s.Protocol != IPPROTO_TCP || s.CgroupID != 0x0102030405060708 ||
		s.Cong != "cubic" || s.Mark != 0x10 {
		t.Errorf("attributes %+v", s)
	}
	if len(s.Other) != 1 || s.Other[0].Type != 99 {
		t.Errorf("other %+v", s.Other)
	}
	// the fixed part encodes back to the same bytes
	if got := s.InetMsg.AppendBinary(nil); !bytes.Equal(got, b[:InetMsgLen]) {
		t.Errorf("re-encoded\n%x\nwant\n%x", got, b[:InetMsgLen])
	}
}

func TestParseInet6(t *testing.T) {
	m := InetMsg{Family: AF_INET6, State: TCP_LISTEN, Inode: 9}
	m.ID.SPort = 8080
	a := netip.MustParseAddr("2001:db8::1").As16()
	m.ID.Src = a
	e := netlink.NewAttributeEncoder(m.AppendBinary(nil))
	e.Uint8(INET_DIAG_SKV6ONLY, 1)
	b, _ := e.Encode()
	s, err := ParseInet(b)
	if err != nil {
		t.Fatal(err)
	}
	if s.Src() != netip.MustParseAddr("2001:db8::1") || !s.Dst().IsUnspecified() || !s.HasV6Only || !s.V6Only {
		t.Errorf("got %v %v v6only %v/%v", s.Src(), s.Dst(), s.HasV6Only, s.V6Only)
	}
	if b[4] != 0x1f || b[5] != 0x90 {
		t.Errorf("sport on the wire %x %x, want 1f 90", b[4], b[5])
	}
}

func TestParseInetErrors(t *testing.T) {
	b := inetMsgBytes()
	for _, c := range []struct {
		name string
		b    []byte
	}{
		{"short", b[:InetMsgLen-1]},
		{"bad family", append([]byte{7}, b[1:]...)},
		{"attribute past end", append(append([]byte(nil), b[:InetMsgLen]...), 0xff, 0, 1, 0)},
		{"shutdown of 2 bytes", append(append([]byte(nil), b[:InetMsgLen]...), attr(INET_DIAG_SHUTDOWN, []byte{1, 2})...)},
		{"short meminfo", append(append([]byte(nil), b[:InetMsgLen]...), attr(INET_DIAG_MEMINFO, []byte{1, 2, 3, 4})...)},
	} {
		if _, err := ParseInet(c.b); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}

func attr(typ uint16, v []byte) []byte {
	e := netlink.NewAttributeEncoder(nil)
	e.Bytes(typ, v)
	b, _ := e.Encode()
	return b
}

func TestInetRequest(t *testing.T) {
	ne := binary.NativeEndian
	r := InetRequest{Family: AF_INET6, Protocol: IPPROTO_UDP, Ext: ExtBit(INET_DIAG_INFO), States: 1 << TCP_LISTEN}
	r.ID.SPort = 53
	r.ID.Cookie = [2]uint32{INET_DIAG_NOCOOKIE, INET_DIAG_NOCOOKIE}
	want := []byte{AF_INET6, IPPROTO_UDP, 2, 0}
	want = ne.AppendUint32(want, 1<<10)
	want = append(want, 0, 53, 0, 0)
	want = append(want, make([]byte, 32)...)
	want = ne.AppendUint32(want, 0)
	want = append(want, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	got := r.AppendBinary(nil)
	if !bytes.Equal(got, want) || len(got) != InetReqLen {
		t.Errorf("got  %x\nwant %x", got, want)
	}
	m := r.Message()
	if m.Header.Type != SOCK_DIAG_BY_FAMILY || !bytes.Equal(m.Data, want) {
		t.Errorf("message %+v", m)
	}
}

func TestUnixRequest(t *testing.T) {
	ne := binary.NativeEndian
	r := UnixRequest{States: 0xfff, Show: UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN}
	want := []byte{AF_UNIX, 0, 0, 0}
	want = ne.AppendUint32(want, 0xfff)
	want = ne.AppendUint32(want, 0)
	want = ne.AppendUint32(want, 0x15)
	want = append(want, make([]byte, 8)...)
	if got := r.AppendBinary(nil); !bytes.Equal(got, want) || len(got) != UnixReqLen {
		t.Errorf("got  %x\nwant %x", got, want)
	}
}

func TestParseUnix(t *testing.T) {
	ne := binary.NativeEndian
	b := []byte{AF_UNIX, SOCK_STREAM, TCP_LISTEN, 0}
	b = ne.AppendUint32(b, 777)
	b = ne.AppendUint32(b, 1)
	b = ne.AppendUint32(b, 2)
	e := netlink.NewAttributeEncoder(b)
	e.Bytes(UNIX_DIAG_NAME, []byte("\x00abstract"))
	e.Uint32(UNIX_DIAG_PEER, 778)
	rq := ne.AppendUint32(nil, 3)
	rq = ne.AppendUint32(rq, 128)
	e.Bytes(UNIX_DIAG_RQLEN, rq)
	e.Bytes(UNIX_DIAG_ICONS, ne.AppendUint32(ne.AppendUint32(nil, 10), 11))
	e.Uint8(UNIX_DIAG_SHUTDOWN, 3)
	b, _ = e.Encode()
	s, err := ParseUnix(b)
	if err != nil {
		t.Fatal(err)
	}
	if s.Type != SOCK_STREAM || s.State != TCP_LISTEN || s.Ino != 777 || s.Cookie != [2]uint32{1, 2} {
		t.Errorf("header %+v", s.UnixMsg)
	}
	if !s.HasName || s.Name != "\x00abstract" || !s.HasPeer || s.Peer != 778 || s.RQueue != 3 || s.WQueue != 128 ||
		len(s.Icons) != 2 || s.Icons[1] != 11 || !s.HasShutdown || s.Shutdown != 3 {
		t.Errorf("attributes %+v", s)
	}
	if got := s.UnixMsg.AppendBinary(nil); !bytes.Equal(got, b[:UnixMsgLen]) {
		t.Errorf("re-encoded %x want %x", got, b[:UnixMsgLen])
	}
	if _, err := ParseUnix(b[:UnixMsgLen-1]); err == nil {
		t.Error("short message accepted")
	}
	if _, err := ParseUnix(append(append([]byte(nil), b[:UnixMsgLen]...), attr(UNIX_DIAG_RQLEN, []byte{1})...)); err == nil {
		t.Error("short UNIX_DIAG_RQLEN accepted")
	}
}

func TestParseTCPInfo(t *testing.T) {
	ne := binary.NativeEndian
	b := []byte{TCP_ESTABLISHED, 0, 0, 0, 0, 7, 0, 0}
	if isBigEndian() {
		b[6] = 0x7 << 4 // snd_wscale 7 in the high nibble
	} else {
		b[6] = 0x7
	}
	for i := 0; i < 24; i++ {
		b = ne.AppendUint32(b, uint32(i+1))
	}
	ti, err := ParseTCPInfo(b)
	if err != nil {
		t.Fatal(err)
	}
	if ti.State != TCP_ESTABLISHED || ti.SndWScale != 7 || ti.RcvWScale != 0 || ti.RTO != 1 || ti.RTT != 16 || ti.Reordering != 21 {
		t.Errorf("%+v", ti)
	}
	if _, err := ParseTCPInfo(b[:20]); err == nil {
		t.Error("short tcp_info accepted")
	}
}

func TestSocketInode(t *testing.T) {
	for _, c := range []struct {
		in  string
		ino uint32
		ok  bool
	}{
		{"socket:[12345]", 12345, true},
		{"socket:[]", 0, false},
		{"pipe:[12]", 0, false},
		{"socket:[12", 0, false},
		{"socket:[99999999999]", 0, false},
		{"/dev/null", 0, false},
	} {
		ino, ok := SocketInode(c.in)
		if ino != c.ino || ok != c.ok {
			t.Errorf("%q: %d %v", c.in, ino, ok)
		}
	}
}

func TestParseStatComm(t *testing.T) {
	for in, want := range map[string]string{
		"197 (nc) S 1 197":            "nc",
		"5 (kworker/0:1) I 2":         "kworker/0:1",
		"9 (a b) R":                   "a b",
		"9 (x)y) R":                   "x",
		"garbage":                     "",
		"12 (nc.openbsd) S 1 2 3 4 5": "nc.openbsd",
	} {
		if got := ParseStatComm([]byte(in)); got != want {
			t.Errorf("%q: %q want %q", in, got, want)
		}
	}
}

// A protocol that does not fit sdiag_protocol goes in
// INET_DIAG_REQ_PROTOCOL, sdiag_protocol keeping its low byte (as ss
// sends IPPROTO_MPTCP).
func TestInetRequestMPTCP(t *testing.T) {
	ne := binary.NativeEndian
	r := InetRequest{Family: AF_INET, ExtProtocol: IPPROTO_MPTCP, States: AllStates}
	m := r.Message()
	want := []byte{AF_INET, 6, 0, 0}
	want = ne.AppendUint32(want, 0xfff)
	want = append(want, make([]byte, SockIDLen)...)
	want = ne.AppendUint16(want, 8)
	want = ne.AppendUint16(want, INET_DIAG_REQ_PROTOCOL)
	want = ne.AppendUint32(want, IPPROTO_MPTCP)
	if !bytes.Equal(m.Data, want) {
		t.Errorf("got  %x\nwant %x", m.Data, want)
	}
}

func TestNetlink(t *testing.T) {
	ne := binary.NativeEndian
	r := NetlinkRequest{Protocol: NDIAG_PROTO_ALL, Show: NDIAG_SHOW_GROUPS | NDIAG_SHOW_MEMINFO}
	want := []byte{AF_NETLINK, 255, 0, 0}
	want = ne.AppendUint32(want, 0)
	want = ne.AppendUint32(want, 3)
	want = append(want, make([]byte, 8)...)
	if got := r.AppendBinary(nil); !bytes.Equal(got, want) || len(got) != NetlinkReqLen {
		t.Errorf("request %x want %x", got, want)
	}
	b := []byte{AF_NETLINK, 3, 4, NETLINK_CONNECTED}
	for _, v := range []uint32{0xfffffff5, 0, 1, 1234, 9, 0} {
		b = ne.AppendUint32(b, v)
	}
	e := netlink.NewAttributeEncoder(b)
	mem := []byte{}
	for i := uint32(0); i < 9; i++ {
		mem = ne.AppendUint32(mem, i*100)
	}
	e.Bytes(NETLINK_DIAG_MEMINFO, mem)
	e.Bytes(NETLINK_DIAG_GROUPS, ne.AppendUint64(nil, 0x11))
	b, _ = e.Encode()
	s, err := ParseNetlink(b)
	if err != nil {
		t.Fatal(err)
	}
	if s.Protocol != 4 || s.PortID != 0xfffffff5 || s.DstGroup != 1 || s.Ino != 1234 || s.Cookie[0] != 9 ||
		s.MemInfo[SK_MEMINFO_WMEM_ALLOC] != 200 || len(s.Groups) != 8 || s.State != NETLINK_CONNECTED {
		t.Errorf("%+v", s)
	}
	if _, err := ParseNetlink(b[:NetlinkMsgLen-1]); err == nil {
		t.Error("short message accepted")
	}
}

func TestParseProcNet(t *testing.T) {
	ne := binary.NativeEndian
	// /proc prints each __be32 word as a native integer
	word := func(a ...byte) string { return fmt.Sprintf("%08X", ne.Uint32(a)) }
	v4 := "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n" +
		"   1: " + word(127, 0, 0, 1) + ":0011 " + word(127, 0, 0, 2) + ":0000 01 00000002:00000003 00:00000000 00000000  1000        0 937885 2 0000000000000000 0\n"
	socks, err := readProcNet([]byte(v4), AF_INET)
	if err != nil || len(socks) != 1 {
		t.Fatal(socks, err)
	}
	s := socks[0]
	if s.Src().String() != "127.0.0.1" || s.Dst().String() != "127.0.0.2" || s.ID.SPort != 17 || s.State != TCP_ESTABLISHED ||
		s.WQueue != 2 || s.RQueue != 3 || s.UID != 1000 || s.Inode != 937885 || !s.FromProc {
		t.Errorf("%+v", s)
	}
	v6 := "header\n   0: " + word(0, 0, 0, 0) + word(0, 0, 0, 0) + word(0, 0, 0, 0) + word(0, 0, 0, 1) + ":003A " +
		strings.Repeat("0", 32) + ":0000 07 00000000:00000000 00:00000000 00000000     0        0 5 2 0000000000000000 0\n"
	socks, err = readProcNet([]byte(v6), AF_INET6)
	if err != nil || len(socks) != 1 || socks[0].Src().String() != "::1" || socks[0].ID.SPort != 58 || socks[0].State != TCP_CLOSE {
		t.Errorf("%+v %v", socks, err)
	}
	if _, err := readProcNet([]byte("h\n 1: zz:0 00:0 01\n"), AF_INET); err == nil {
		t.Error("bad line accepted")
	}
	// a line past MaxProcNetLine ends the table with the bound's error,
	// after the sockets before it
	long := v4 + "   2: " + word(127, 0, 0, 1) + ":0012 " + word(127, 0, 0, 2) + ":0000 01 00000002:00000003 00:00000000 00000000  1000        0 937886 2 0000000000000000 0" +
		strings.Repeat(" 0", MaxProcNetLine) + "\n"
	socks, err = readProcNet([]byte(long), AF_INET)
	if e, ok := err.(*bounded.Error); !ok || e.Line != 3 || len(socks) != 1 {
		t.Errorf("long line: %d sockets, %v", len(socks), err)
	}
}

// readProcNet is ReadProcNet of b, the sockets gathered.
func readProcNet(b []byte, family uint8) ([]*InetSocket, error) {
	var out []*InetSocket
	err := ReadProcNet(bytes.NewReader(b), family, func(s *InetSocket) { out = append(out, s) })
	return out, err
}

// sortInts must order as slices.Sort does, duplicates and all.
func TestSortInts(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for n := 0; n < 300; n++ {
		x := make([]int, n)
		for i := range x {
			x[i] = r.Intn(n/2 + 1)
		}
		want := slices.Clone(x)
		slices.Sort(want)
		sortInts(x)
		if !slices.Equal(x, want) {
			t.Fatalf("n=%d: got %v want %v", n, x, want)
		}
	}
}
