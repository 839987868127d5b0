package sockdiag

import (
	"bytes"
	"fmt"
	"math"
	"nsbox/netlink"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func FuzzParseInet(f *testing.F) {
	f.Add(inetMsgBytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		inetAttrsRoundTrip(t, b)
		s, err := ParseInet(b)
		if err != nil {
			return
		}
		if got := s.InetMsg.AppendBinary(nil); !bytes.Equal(got, b[:InetMsgLen]) {
			t.Fatalf("re-encoded %x, want %x", got, b[:InetMsgLen])
		}
		if s.Info != nil {
			ParseTCPInfo(s.Info)
		}
	})
}

// inetAttrsRoundTrip: a reply made of the input (its first InetMsgLen
// bytes the header, of the family the input's first bit says; the rest
// the values of the attributes ParseInet decodes, and one it does not)
// reads back as made.
func inetAttrsRoundTrip(t *testing.T, b []byte) {
	t.Helper()
	var in [InetMsgLen + 64]byte
	copy(in[:], b)
	in[0] = []uint8{AF_INET, AF_INET6}[in[0]&1]
	v := in[InetMsgLen:]
	want, err := ParseInet(in[:InetMsgLen])
	if err != nil {
		t.Fatal(err)
	}
	want.Protocol, want.Shutdown, want.HasShutdown, want.V6Only, want.HasV6Only = v[0], v[1], true, v[2]&1 != 0, true
	want.Mark, want.CgroupID, want.TOS, want.TClass, want.ClassID = native.Uint32(v[3:]), native.Uint64(v[7:]), v[15], v[16], native.Uint32(v[17:])
	want.Cong = strings.ReplaceAll(string(v[21:21+v[21]%8]), "\x00", "")
	want.Info = bytes.Clone(v[29 : 29+v[29]%24])
	want.MemInfo = &MemInfo{native.Uint32(v[0:]), native.Uint32(v[4:]), native.Uint32(v[8:]), native.Uint32(v[12:])}
	want.SKMemInfo = []uint32{native.Uint32(v[16:]), native.Uint32(v[20:])}
	e := netlink.NewAttributeEncoder(nil)
	e.Uint8(INET_DIAG_PROTOCOL, want.Protocol)
	e.Uint8(INET_DIAG_SHUTDOWN, want.Shutdown)
	e.Uint8(INET_DIAG_SKV6ONLY, v[2]&1)
	e.Uint32(INET_DIAG_MARK, want.Mark)
	e.Uint64(INET_DIAG_CGROUP_ID, want.CgroupID)
	e.Uint8(INET_DIAG_TOS, want.TOS)
	e.Uint8(INET_DIAG_TCLASS, want.TClass)
	e.Uint32(INET_DIAG_CLASS_ID, want.ClassID)
	e.String(INET_DIAG_CONG, want.Cong)
	e.Bytes(INET_DIAG_INFO, want.Info)
	e.Bytes(INET_DIAG_MEMINFO, v[0:16])
	e.Bytes(INET_DIAG_SKMEMINFO, v[16:24])
	e.Bytes(INET_DIAG_BBRINFO, v[24:28])
	attrs, err := e.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseInet(append(in[:InetMsgLen:InetMsgLen], attrs...))
	if err != nil {
		t.Fatalf("% x: %v", attrs, err)
	}
	if len(got.Other) != 1 || got.Other[0].Type != INET_DIAG_BBRINFO || !bytes.Equal(got.Other[0].Data, v[24:28]) {
		t.Fatalf("other attributes %+v, want INET_DIAG_BBRINFO % x", got.Other, v[24:28])
	}
	if !bytes.Equal(got.Info, want.Info) {
		t.Fatalf("% x: INET_DIAG_INFO % x, want % x", attrs, got.Info, want.Info)
	}
	got.Other, want.Other, got.Info, want.Info = nil, nil, nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("% x read as %+v, want %+v", attrs, got, want)
	}
}

func FuzzParseUnix(f *testing.F) {
	f.Add([]byte{AF_UNIX, SOCK_STREAM, TCP_LISTEN, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		unixAttrsRoundTrip(t, b)
		s, err := ParseUnix(b)
		if err != nil {
			return
		}
		if got := s.UnixMsg.AppendBinary(nil); !bytes.Equal(got[:3], b[:3]) || !bytes.Equal(got[4:], b[4:UnixMsgLen]) {
			t.Fatalf("re-encoded %x, want %x", got, b[:UnixMsgLen])
		}
	})
}

func FuzzParseNetlink(f *testing.F) {
	f.Add(NetlinkMsg{Family: AF_NETLINK, Type: 3, Protocol: 4, PortID: 77, Ino: 5}.AppendBinary(nil))
	// for the round trip: a groups bitmap of 12 bytes (three 32-bit longs)
	f.Add(append(NetlinkMsg{Family: AF_NETLINK, Type: 3, Protocol: 16}.AppendBinary(nil), 1, 2, 3, 4, 5, 6, 7, 8, 12, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80))
	f.Fuzz(func(t *testing.T, b []byte) {
		netlinkAttrsRoundTrip(t, b)
		s, err := ParseNetlink(b)
		if err != nil {
			return
		}
		if got := s.NetlinkMsg.AppendBinary(nil); !bytes.Equal(got, b[:NetlinkMsgLen]) {
			t.Fatalf("re-encoded %x, want %x", got, b[:NetlinkMsgLen])
		}
	})
}

// FuzzParseStatComm: comm as ss reads it ("%*d (%[^)])"): for a stat
// line as the kernel writes it ("PID (COMM) S ..." with a comm of at
// most 15 bytes, no NUL), the comm up to its first ')' (ss stops there
// too); for any text, a part of it with no ')'. SocketInode accepts
// exactly the links the kernel writes for a socket, "socket:[INODE]"
// with a 32-bit decimal inode, and reads back the inode in them.
func FuzzParseStatComm(f *testing.F) {
	f.Add([]byte("197 (nc.openbsd) S 1 197 197 0 -1 4194560"), "nc.openbsd", uint32(197))
	f.Add([]byte("1 (a) b) S 0"), "a) b", uint32(20179))
	f.Add([]byte("socket:[20179]"), "(x", uint32(0))
	f.Fuzz(func(t *testing.T, b []byte, comm string, n uint32) {
		c := ParseStatComm(b)
		if strings.Contains(c, ")") || !bytes.Contains(b, []byte(c)) {
			t.Fatalf("%q: comm %q", b, c)
		}
		if bytes.IndexByte(b, '(') < 0 && c != "" {
			t.Fatalf("%q, no '(': comm %q", b, c)
		}
		if len(comm) > 15 {
			comm = comm[:15]
		}
		comm = strings.ReplaceAll(comm, "\x00", "")
		line := strconv.FormatUint(uint64(n), 10) + " (" + comm + ") S 1 2 3 0 -1 4194560 " + string(b)
		want := comm
		if i := strings.IndexByte(comm, ')'); i >= 0 {
			want = comm[:i]
		}
		if got := ParseStatComm([]byte(line)); got != want {
			t.Fatalf("%q: comm %q, want %q", line, got, want)
		}

		link := "socket:[" + strconv.FormatUint(uint64(n), 10) + "]"
		if ino, ok := SocketInode(link); !ok || ino != n {
			t.Fatalf("%q: %d %v", link, ino, ok)
		}
		ino, ok := SocketInode(string(b))
		digits, prefix := strings.CutPrefix(string(b), "socket:[")
		digits, suffix := strings.CutSuffix(digits, "]")
		v, err := strconv.ParseUint(digits, 10, 64)
		isSocket := prefix && suffix && digits != "" && strings.Trim(digits, "0123456789") == "" && err == nil && v <= math.MaxUint32
		if ok != isSocket || ok && uint64(ino) != v {
			t.Fatalf("SocketInode(%q) = %d, %v", b, ino, ok)
		}
	})
}

// procLine is a line of /proc/net/{tcp,udp,raw}[6] for s, as the kernel's
// tcp4_seq_show/tcp6_seq_show write it: each __be32 word of an address as
// a native integer (%08X), ports in host order.
func procLine(sl int, s *InetSocket) string {
	words := 1
	if s.Family == AF_INET6 {
		words = 4
	}
	addr := func(a [16]byte, port uint16) string {
		var out string
		for i := 0; i < words; i++ {
			out += fmt.Sprintf("%08X", native.Uint32(a[4*i:]))
		}
		return out + fmt.Sprintf(":%04X", port)
	}
	return fmt.Sprintf("%4d: %s %s %02X %08X:%08X %02X:%08X %08X %5d %8d %d %d %016x %d %d %d %d %d",
		sl, addr(s.ID.Src, s.ID.SPort), addr(s.ID.Dst, s.ID.DPort), s.State, s.WQueue, s.RQueue,
		0, 0, 0, s.UID, 0, s.Inode, 2, 0, 20, 4, 30, 10, -1)
}

// sameProcSocket compares what a /proc/net line holds.
func sameProcSocket(a, b *InetSocket) bool {
	return a.Family == b.Family && a.ID.Src == b.ID.Src && a.ID.SPort == b.ID.SPort && a.ID.Dst == b.ID.Dst &&
		a.ID.DPort == b.ID.DPort && a.State == b.State && a.WQueue == b.WQueue && a.RQueue == b.RQueue &&
		a.UID == b.UID && a.Inode == b.Inode && a.FromProc && b.FromProc
}

// FuzzParseProcNet: a socket written as the kernel writes a /proc/net
// line (its fields taken from the input) reads back the same; whatever
// the text, every socket read is of the family asked, no more sockets
// than lines after the heading, and each written back as the kernel
// would reads back the same.
func FuzzParseProcNet(f *testing.F) {
	f.Add([]byte("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n   1: 0100007F:0011 0200007F:0000 01 00000000:00000000 00:00000000 00000000     0        0 937885 2 0000000000000000 0\n"), uint8(AF_INET))
	f.Fuzz(func(t *testing.T, b []byte, fam uint8) {
		if fam != AF_INET6 {
			fam = AF_INET
		}
		socks, err := readProcNet(b, fam)
		if lines := bytes.Count(b, []byte("\n")) + 1; len(socks) > lines-1 {
			t.Fatalf("%d sockets from %d lines", len(socks), lines)
		}
		if err == nil {
			for i, s := range socks {
				if s.Family != fam || !s.FromProc {
					t.Fatalf("socket %d: family %d, from /proc %v", i, s.Family, s.FromProc)
				}
				back, err := readProcNet([]byte("heading\n"+procLine(i, s)+"\n"), fam)
				if err != nil || len(back) != 1 || !sameProcSocket(back[0], s) {
					t.Fatalf("socket %d %+v written back as %q: %+v %v", i, s, procLine(i, s), back, err)
				}
			}
		}

		// a socket from the input's bytes
		var in [52]byte
		copy(in[:], b)
		s := &InetSocket{FromProc: true}
		s.Family = fam
		n := 4
		if fam == AF_INET6 {
			n = 16
		}
		copy(s.ID.Src[:n], in[0:16])
		copy(s.ID.Dst[:n], in[16:32])
		s.ID.SPort, s.ID.DPort = native.Uint16(in[32:]), native.Uint16(in[34:])
		s.State = in[36]
		s.WQueue, s.RQueue, s.UID, s.Inode = native.Uint32(in[37:]), native.Uint32(in[41:]), native.Uint32(in[45:]), native.Uint32(in[48:])
		text := "  sl  local_address ...\n" + procLine(0, s) + "\n\n" + procLine(1, s) + "\n"
		back, err := readProcNet([]byte(text), fam)
		if err != nil || len(back) != 2 || !sameProcSocket(back[0], s) || !sameProcSocket(back[1], s) {
			t.Fatalf("%q: %+v %v; want %+v twice", text, back, err, s)
		}
	})
}

// unixAttrsRoundTrip: a reply made of the input (its first UnixMsgLen
// bytes the header; the rest the values of every attribute ParseUnix
// decodes, a name of up to 15 bytes that may start with a NUL as an
// abstract one does, and one attribute it does not decode) reads back
// as made.
func unixAttrsRoundTrip(t *testing.T, b []byte) {
	t.Helper()
	var in [UnixMsgLen + 64]byte
	copy(in[:], b)
	in[0] = AF_UNIX
	v := in[UnixMsgLen:]
	want, err := ParseUnix(in[:UnixMsgLen])
	if err != nil {
		t.Fatal(err)
	}
	want.Name, want.HasName = string(v[33:33+v[32]%16]), true
	want.Peer, want.HasPeer = native.Uint32(v[0:]), true
	want.RQueue, want.WQueue, want.HasRQLen = native.Uint32(v[4:]), native.Uint32(v[8:]), true
	want.VFSIno, want.VFSDev, want.HasVFS = native.Uint32(v[12:]), native.Uint32(v[16:]), true
	want.Icons = words(v[20 : 20+4*(v[20]%3)])
	want.Shutdown, want.HasShutdown = v[24], true
	want.UID, want.HasUID = native.Uint32(v[25:]), true
	want.MemInfo = words(v[48:56])
	e := netlink.NewAttributeEncoder(nil)
	e.Bytes(UNIX_DIAG_NAME, []byte(want.Name))
	e.Uint32(UNIX_DIAG_PEER, want.Peer)
	e.Bytes(UNIX_DIAG_RQLEN, v[4:12])
	e.Bytes(UNIX_DIAG_VFS, v[12:20])
	e.Bytes(UNIX_DIAG_ICONS, v[20:20+4*(v[20]%3)])
	e.Uint8(UNIX_DIAG_SHUTDOWN, want.Shutdown)
	e.Uint32(UNIX_DIAG_UID, want.UID)
	e.Bytes(UNIX_DIAG_MEMINFO, v[48:56])
	e.Bytes(UNIX_DIAG_UID+1, v[56:60])
	attrs, err := e.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseUnix(append(in[:UnixMsgLen:UnixMsgLen], attrs...))
	if err != nil {
		t.Fatalf("% x: %v", attrs, err)
	}
	if len(got.Other) != 1 || got.Other[0].Type != UNIX_DIAG_UID+1 || !bytes.Equal(got.Other[0].Data, v[56:60]) {
		t.Fatalf("other attributes %+v, want type %d % x", got.Other, UNIX_DIAG_UID+1, v[56:60])
	}
	if !slices.Equal(got.Icons, want.Icons) {
		t.Fatalf("% x: UNIX_DIAG_ICONS %v, want %v", attrs, got.Icons, want.Icons)
	}
	got.Other, want.Other, got.Icons, want.Icons = nil, nil, nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("% x read as %+v, want %+v", attrs, got, want)
	}
}

// netlinkAttrsRoundTrip: a reply made of the input (the header, then
// NETLINK_DIAG_MEMINFO, _GROUPS, _FLAGS and a ring attribute, which
// ParseNetlink keeps in Other) reads back as made.
func netlinkAttrsRoundTrip(t *testing.T, b []byte) {
	t.Helper()
	var in [NetlinkMsgLen + 40]byte
	copy(in[:], b)
	in[0] = AF_NETLINK
	v := in[NetlinkMsgLen:]
	want, err := ParseNetlink(in[:NetlinkMsgLen])
	if err != nil {
		t.Fatal(err)
	}
	want.MemInfo = words(v[0:8])
	want.Groups = v[8 : 8+v[8]%16]
	want.Flags = native.Uint32(v[24:])
	e := netlink.NewAttributeEncoder(nil)
	e.Bytes(NETLINK_DIAG_MEMINFO, v[0:8])
	e.Bytes(NETLINK_DIAG_GROUPS, want.Groups)
	e.Uint32(NETLINK_DIAG_FLAGS, want.Flags)
	e.Bytes(NETLINK_DIAG_RX_RING, v[28:40])
	attrs, err := e.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseNetlink(append(in[:NetlinkMsgLen:NetlinkMsgLen], attrs...))
	if err != nil {
		t.Fatalf("% x: %v", attrs, err)
	}
	if got.NetlinkMsg != want.NetlinkMsg || !slices.Equal(got.MemInfo, want.MemInfo) || !bytes.Equal(got.Groups, want.Groups) ||
		got.Flags != want.Flags || len(got.Other) != 1 || got.Other[0].Type != NETLINK_DIAG_RX_RING || !bytes.Equal(got.Other[0].Data, v[28:40]) {
		t.Fatalf("% x read as %+v, want %+v and NETLINK_DIAG_RX_RING % x", attrs, got, want, v[28:40])
	}
}
