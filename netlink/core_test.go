package netlink

// Unit tests of the netlink core: header, message splitting, attribute
// encoder and decoder, struct nlmsgerr and NLMSG_DONE. Every vector is
// built here byte by byte in the host's native order (binary.NativeEndian),
// independently of the code under test, so the tests hold on big-endian
// mips and s390x as well as on 386 and amd64.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/internal/testutil"
)

// The builders of the vectors (nsbox/internal/testutil).
var (
	ne                          = binary.NativeEndian
	littleEndianHost            = testutil.LittleEndianHost
	u16, u32, u64               = testutil.U16, testutil.U32, testutil.U64
	cat, hdr, nlmsg, nla, nlerr = testutil.Cat, testutil.Hdr, testutil.NlMsg, testutil.Nla, testutil.NlErr
)

// neg is -errno as the kernel puts it in an int.
func neg(e unix.Errno) uint32 { return uint32(-int32(e)) }

func wantErrContains(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q does not contain %q", err, want)
	}
}

func TestMessageMarshalRoundTrip(t *testing.T) {
	m := Message{
		Header: Header{Type: unix.RTM_NEWLINK, Flags: unix.NLM_F_REQUEST | unix.NLM_F_ACK, Sequence: 0x01020304, PID: 0x0a0b0c0d},
		Data:   []byte{1, 2, 3, 4, 5},
	}
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	want := cat(hdr(21, unix.RTM_NEWLINK, unix.NLM_F_REQUEST|unix.NLM_F_ACK, 0x01020304, 0x0a0b0c0d), []byte{1, 2, 3, 4, 5, 0, 0, 0})
	if !bytes.Equal(b, want) {
		t.Fatalf("marshal:\n got % x\nwant % x", b, want)
	}
	// The length sits in the first four bytes in the host's own order.
	if littleEndianHost() && b[0] != 21 || !littleEndianHost() && b[3] != 21 {
		t.Fatalf("nlmsg_len not in native order: % x", b[:4])
	}
	// AppendBinary keeps what is before it.
	b2, err := m.AppendBinary([]byte{0xee})
	if err != nil || !bytes.Equal(b2, append([]byte{0xee}, want...)) {
		t.Fatalf("AppendBinary: % x, %v", b2, err)
	}
	h, err := ParseHeader(b)
	if err != nil {
		t.Fatal(err)
	}
	wantH := m.Header
	wantH.Length = 21
	if h != wantH {
		t.Fatalf("ParseHeader = %+v, want %+v", h, wantH)
	}
	msgs, err := ParseMessages(b)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("ParseMessages: %d messages, %v", len(msgs), err)
	}
	if msgs[0].Header != wantH || !bytes.Equal(msgs[0].Data, m.Data) {
		t.Fatalf("round trip: %+v % x", msgs[0].Header, msgs[0].Data)
	}
	// An empty payload is a bare header.
	b, _ = Message{Header: Header{Type: unix.NLMSG_NOOP}}.MarshalBinary()
	if !bytes.Equal(b, hdr(16, unix.NLMSG_NOOP, 0, 0, 0)) {
		t.Fatalf("empty message: % x", b)
	}
}

func TestParseHeaderShort(t *testing.T) {
	_, err := ParseHeader(make([]byte, 15))
	wantErrContains(t, err, "15 bytes left, need 16 for struct nlmsghdr")
}

func TestParseMessages(t *testing.T) {
	m1 := nlmsg(unix.RTM_NEWLINK, unix.NLM_F_MULTI, 7, 9, []byte{1, 2, 3, 4, 5}) // 21 bytes + 3 padding
	m2 := nlmsg(unix.NLMSG_DONE, unix.NLM_F_MULTI, 7, 9, u32(0))                 // 20 bytes
	unpadded := m1[:21]                                                          // last message's padding absent
	tests := []struct {
		name    string
		b       []byte
		lens    []int // len(Data) of each message returned
		wantErr string
	}{
		{"empty", nil, nil, ""},
		{"one", m2, []int{4}, ""},
		{"two, first padded", cat(m1, m2), []int{5, 4}, ""},
		{"last without padding", cat(m2, unpadded), []int{4, 5}, ""},
		{"short header", m2[:10], nil, "at offset 0: 10 bytes left, need 16 for struct nlmsghdr"},
		{"second header cut", cat(m1, m2[:8]), []int{5}, "at offset 24: 8 bytes left, need 16"},
		{"trailing zeros", cat(m2, make([]byte, 4)), []int{4}, "at offset 20: 4 bytes left"},
		{"overlong", cat(hdr(100, 1, 0, 0, 0), make([]byte, 16)), nil, "at offset 0: nlmsg_len 100 is outside 16..32"},
		{"overlong second", cat(m2, hdr(64, 1, 0, 0, 0), make([]byte, 4)), []int{4}, "at offset 20: nlmsg_len 64 is outside 16..20"},
		{"len below header", cat(hdr(8, 1, 0, 0, 0), make([]byte, 8)), nil, "nlmsg_len 8 is outside 16..24"},
		{"len zero", hdr(0, 1, 0, 0, 0), nil, "nlmsg_len 0 is outside 16..16"},
		{"len 2^32-1", cat(hdr(0xffffffff, 1, 0, 0, 0), make([]byte, 4)), nil, "nlmsg_len 4294967295 is outside 16..20"},
		{"len 2^31", hdr(0x80000000, 1, 0, 0, 0), nil, "nlmsg_len 2147483648 is outside"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs, err := ParseMessages(tt.b)
			if tt.wantErr == "" && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tt.wantErr != "" {
				wantErrContains(t, err, tt.wantErr)
			}
			if len(msgs) != len(tt.lens) {
				t.Fatalf("%d messages, want %d", len(msgs), len(tt.lens))
			}
			for i, m := range msgs {
				if len(m.Data) != tt.lens[i] || int(m.Header.Length) != HeaderLen+tt.lens[i] {
					t.Errorf("message %d: len %d, data %d bytes, want %d", i, m.Header.Length, len(m.Data), tt.lens[i])
				}
			}
		})
	}
	// Data aliases the input.
	b := cat(m1, m2)
	msgs, _ := ParseMessages(b)
	b[16] = 0x99
	if msgs[0].Data[0] != 0x99 {
		t.Fatal("Data does not alias the datagram")
	}
	if msgs[0].Header.Sequence != 7 || msgs[0].Header.PID != 9 || msgs[1].Header.Type != unix.NLMSG_DONE {
		t.Fatalf("headers: %+v %+v", msgs[0].Header, msgs[1].Header)
	}
}

func TestAlign(t *testing.T) {
	for n, want := range map[int]int{0: 0, 1: 4, 3: 4, 4: 4, 5: 8, 17: 20} {
		if Align(n) != want || nlaAlign(n) != want || nlmsgAlign(n) != want {
			t.Errorf("Align(%d) = %d, want %d", n, Align(n), want)
		}
	}
}

func TestAttributeEncoderScalars(t *testing.T) {
	prefix := []byte{unix.AF_INET, 24, 0, 0, 0, 0, 0, 1} // a struct ifaddrmsg
	e := NewAttributeEncoder(prefix)
	e.String(3, "br1")
	e.String(4, "")
	e.Uint32(5, 1500)
	e.Uint8(6, 1)
	e.Uint16(7, 0x1234)
	e.Uint16BE(8, 0x1234)
	e.Uint64(9, 0x0102030405060708)
	e.Flag(10)
	e.Int32(11, -1)
	e.Addr(12, netip.MustParseAddr("192.168.1.10"))
	e.Addr(13, netip.MustParseAddr("2001:db8::1"))
	e.Addr(14, netip.MustParseAddr("::ffff:10.0.0.1")) // IPv6: 16 bytes, as ip sends it
	e.Bytes(15, []byte{0xaa, 0xbb, 0xcc})
	got, err := e.Encode()
	if err != nil {
		t.Fatal(err)
	}
	want := cat(prefix,
		nla(3, []byte("br1\x00")),
		nla(4, []byte{0}),
		nla(5, u32(1500)),
		nla(6, []byte{1}),
		nla(7, u16(0x1234)),
		nla(8, []byte{0x12, 0x34}),
		nla(9, u64(0x0102030405060708)),
		nla(10, nil),
		nla(11, []byte{0xff, 0xff, 0xff, 0xff}),
		nla(12, []byte{192, 168, 1, 10}),
		nla(13, netip.MustParseAddr("2001:db8::1").AsSlice()),
		nla(14, netip.MustParseAddr("::ffff:10.0.0.1").AsSlice()),
		nla(15, []byte{0xaa, 0xbb, 0xcc}), // padded by Encode
	)
	if !bytes.Equal(got, want) {
		t.Fatalf("encoded:\n got % x\nwant % x", got, want)
	}
	// The prefix given is not modified and not aliased.
	prefix[0] = 0
	if got[0] != unix.AF_INET {
		t.Fatal("encoder aliases its prefix")
	}
}

func TestAttributeEncoderNesting(t *testing.T) {
	ifi := make([]byte, 16) // struct ifinfomsg
	e := NewAttributeEncoder(ifi)
	e.String(unix.IFLA_IFNAME, "veth1")
	li := e.Nest(unix.IFLA_LINKINFO)
	e.Bytes(unix.IFLA_INFO_KIND, []byte("veth"))
	e.Nested(unix.IFLA_INFO_DATA, func(e *AttributeEncoder) {
		peer := e.Nest(vethInfoPeer)
		e.Raw(make([]byte, 16)) // the peer's struct ifinfomsg, no attribute header
		e.String(unix.IFLA_IFNAME, "br-veth1")
		e.End(peer)
	})
	e.End(li)
	e.Uint32(unix.IFLA_MTU, 1400)
	got, err := e.Encode()
	if err != nil {
		t.Fatal(err)
	}
	peer := nla(vethInfoPeer, cat(make([]byte, 16), nla(unix.IFLA_IFNAME, []byte("br-veth1\x00"))))
	want := cat(ifi,
		nla(unix.IFLA_IFNAME, []byte("veth1\x00")),
		nla(unix.IFLA_LINKINFO, cat(nla(unix.IFLA_INFO_KIND, []byte("veth")), nla(unix.IFLA_INFO_DATA, peer))),
		nla(unix.IFLA_MTU, u32(1400)))
	if !bytes.Equal(got, want) {
		t.Fatalf("encoded:\n got % x\nwant % x", got, want)
	}
	// The lengths iproute2 sends for "ip link add veth1 type veth peer
	// name br-veth1" (strace, testdata/iproute2/link-add-veth.txt):
	// IFLA_LINKINFO 52, IFLA_INFO_DATA 40, vethInfoPeer 36, the inner
	// nest lengths counting the padding of their last attribute.
	if l := ne.Uint16(got[16+12:]); l != 52 {
		t.Errorf("IFLA_LINKINFO nla_len %d, iproute2 sends 52", l)
	}
	if l := ne.Uint16(got[16+12+12:]); l != 40 {
		t.Errorf("unix.IFLA_INFO_DATA nla_len %d, iproute2 sends 40", l)
	}
	if l := ne.Uint16(got[16+12+16:]); l != 36 {
		t.Errorf("vethInfoPeer nla_len %d, iproute2 sends 36", l)
	}

	// A nest whose last attribute needs padding counts it (kernel's
	// nla_nest_end, iproute2's addattr_nest_end): "bridge" is 6 bytes.
	e = NewAttributeEncoder(nil)
	li = e.Nest(unix.IFLA_LINKINFO | unix.NLA_F_NESTED)
	e.Bytes(unix.IFLA_INFO_KIND, []byte("bridge"))
	e.End(li)
	got, _ = e.Encode()
	want = cat(u16(16), u16(unix.IFLA_LINKINFO|unix.NLA_F_NESTED), u16(10), u16(unix.IFLA_INFO_KIND), []byte("bridge\x00\x00"))
	if !bytes.Equal(got, want) {
		t.Fatalf("nest with padding:\n got % x\nwant % x", got, want)
	}
	// An empty nest is a bare header.
	e = NewAttributeEncoder(nil)
	e.Nested(7, func(*AttributeEncoder) {})
	got, _ = e.Encode()
	if !bytes.Equal(got, nla(7, nil)) {
		t.Fatalf("empty nest: % x", got)
	}
}

func TestAttributeEncoderRawAligns(t *testing.T) {
	e := NewAttributeEncoder(nil)
	e.Uint8(1, 0x11)
	e.Raw([]byte{9, 9})
	got, err := e.Encode()
	if err != nil {
		t.Fatal(err)
	}
	want := cat(nla(1, []byte{0x11}), []byte{9, 9, 0, 0})
	if !bytes.Equal(got, want) {
		t.Fatalf("raw:\n got % x\nwant % x", got, want)
	}
}

func TestAttributeEncoderStickyError(t *testing.T) {
	// The largest value that fits nla_len (0xffff) is 0xffff-4 bytes.
	e := NewAttributeEncoder(nil)
	e.Bytes(1, make([]byte, 0xffff-4))
	if b, err := e.Encode(); err != nil || len(b) != 0x10000 {
		t.Fatalf("largest attribute: %d bytes, %v", len(b), err)
	}

	e = NewAttributeEncoder([]byte{1, 2, 3, 4})
	e.Uint32(2, 7)
	e.Bytes(33, make([]byte, 0xffff-3)) // one byte too many
	e.Uint32(3, 8)                      // ignored after the error
	e.String(4, "x")
	e.Raw([]byte{1})
	mark := e.Nest(5)
	e.End(mark)
	if _, err := e.Encode(); err == nil {
		t.Fatal("oversized attribute accepted")
	} else {
		wantErrContains(t, err, "attribute type 33: 65532 bytes do not fit nla_len")
	}
	if len(e.b) != 4+8 {
		t.Fatalf("encoder grew to %d bytes after its error", len(e.b))
	}

	// The first error is the one kept.
	e = NewAttributeEncoder(nil)
	e.Addr(9, netip.Addr{})
	e.Bytes(10, make([]byte, 70000))
	_, err := e.Encode()
	wantErrContains(t, err, "attribute type 9: invalid address")

	// A string too long for nla_len (with its NUL).
	e = NewAttributeEncoder(nil)
	e.String(11, strings.Repeat("a", 0xffff-4))
	_, err = e.Encode()
	wantErrContains(t, err, "attribute type 11")

	// A nest that outgrows nla_len although each attribute fits.
	e = NewAttributeEncoder(nil)
	mark = e.Nest(12)
	e.Bytes(1, make([]byte, 40000))
	e.Bytes(2, make([]byte, 40000))
	e.End(mark)
	_, err = e.Encode()
	wantErrContains(t, err, "nested attribute of 80012 bytes does not fit nla_len")
}

func TestAttributeDecoderWalk(t *testing.T) {
	b := cat(
		nla(unix.IFLA_IFNAME, []byte("eth0\x00")),
		nla(unix.IFLA_MTU, u32(1500)),
		nla(unix.IFLA_LINKINFO|unix.NLA_F_NESTED, nla(unix.IFLA_INFO_KIND, []byte("veth"))),
		nla(9, []byte{7}),
		nla(10, u16(0xbeef)),
		nla(11, u64(1<<40+5)),
		nla(12, []byte{10, 0, 0, 1}),
		nla(13, netip.MustParseAddr("fe80::1").AsSlice()),
		nla(14, u32(0xfffffffe)),
		cat(u16(5), u16(15), []byte{0x42}), // the last attribute without padding
	)
	d := NewAttributeDecoder(b)
	var types []uint16
	var offs []int
	for d.Next() {
		types = append(types, d.Type())
		offs = append(offs, d.Offset())
		switch d.Type() {
		case unix.IFLA_IFNAME:
			if d.String() != "eth0" || d.Len() != 5 {
				t.Errorf("IFLA_IFNAME %q len %d", d.String(), d.Len())
			}
		case unix.IFLA_MTU:
			if d.Uint32() != 1500 {
				t.Error("IFLA_MTU")
			}
		case unix.IFLA_LINKINFO:
			if !d.Nested() {
				t.Error("NLA_F_NESTED not seen")
			}
			kind := ""
			d.Decode(func(nd *AttributeDecoder) error {
				for nd.Next() {
					if nd.Type() == unix.IFLA_INFO_KIND {
						kind = nd.String()
					}
				}
				return nil
			})
			if kind != "veth" {
				t.Errorf("nested kind %q", kind)
			}
		case 9:
			if d.Uint8() != 7 || d.Nested() {
				t.Error("u8")
			}
		case 10:
			if d.Uint16() != 0xbeef {
				t.Error("u16")
			}
		case 11:
			if d.Uint64() != 1<<40+5 {
				t.Error("u64")
			}
		case 12:
			if d.Addr() != netip.MustParseAddr("10.0.0.1") {
				t.Error("IPv4")
			}
		case 13:
			if d.Addr() != netip.MustParseAddr("fe80::1") {
				t.Error("IPv6")
			}
		case 14:
			if d.Int32() != -2 {
				t.Error("s32")
			}
		case 15:
			if !bytes.Equal(d.Bytes(), []byte{0x42}) {
				t.Error("unpadded last")
			}
		}
	}
	if err := d.Err(); err != nil {
		t.Fatal(err)
	}
	wantTypes := []uint16{unix.IFLA_IFNAME, unix.IFLA_MTU, unix.IFLA_LINKINFO, 9, 10, 11, 12, 13, 14, 15}
	wantOffs := []int{0, 12, 20, 32, 40, 48, 60, 68, 88, 96}
	if fmt.Sprint(types) != fmt.Sprint(wantTypes) || fmt.Sprint(offs) != fmt.Sprint(wantOffs) {
		t.Fatalf("walk: types %v offsets %v, want %v %v", types, offs, wantTypes, wantOffs)
	}
	attrs, err := ParseAttributes(b)
	if err != nil || len(attrs) != 10 || attrs[2].Type != unix.IFLA_LINKINFO|unix.NLA_F_NESTED || attrs[2].Kind() != unix.IFLA_LINKINFO {
		t.Fatalf("ParseAttributes: %v %v", attrs, err)
	}
}

func TestAttributeDecoderString(t *testing.T) {
	for in, want := range map[string]string{"abc\x00": "abc", "abc": "abc", "ab\x00cd\x00": "ab", "": "", "\x00": ""} {
		d := NewAttributeDecoder(nla(1, []byte(in)))
		if !d.Next() || d.String() != want {
			t.Errorf("String of %q = %q, want %q", in, d.String(), want)
		}
	}
}

func TestAttributeDecoderWrongLength(t *testing.T) {
	tests := []struct {
		name string
		val  []byte
		get  func(d *AttributeDecoder) any
		zero any
		want string
	}{
		{"u8 of 2", []byte{1, 2}, func(d *AttributeDecoder) any { return d.Uint8() }, uint8(0), "2 bytes, want 1"},
		{"u16 of 4", u32(1), func(d *AttributeDecoder) any { return d.Uint16() }, uint16(0), "4 bytes, want 2"},
		{"u32 of 2", u16(1), func(d *AttributeDecoder) any { return d.Uint32() }, uint32(0), "2 bytes, want 4"},
		{"u32 of 8", u64(1), func(d *AttributeDecoder) any { return d.Uint32() }, uint32(0), "8 bytes, want 4"},
		{"s32 of 3", []byte{1, 2, 3}, func(d *AttributeDecoder) any { return d.Int32() }, int32(0), "3 bytes, want 4"},
		{"u64 of 4", u32(1), func(d *AttributeDecoder) any { return d.Uint64() }, uint64(0), "4 bytes, want 8"},
		{"u32 of 0", nil, func(d *AttributeDecoder) any { return d.Uint32() }, uint32(0), "0 bytes, want 4"},
		{"addr of 5", []byte{1, 2, 3, 4, 5}, func(d *AttributeDecoder) any { return d.Addr() }, netip.Addr{}, "5 bytes is not an IPv4 or IPv6 address"},
		{"addr of 0", nil, func(d *AttributeDecoder) any { return d.Addr() }, netip.Addr{}, "0 bytes is not an IPv4 or IPv6 address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := cat(nla(1, u32(5)), nla(42|unix.NLA_F_NET_BYTEORDER, tt.val), nla(2, u32(6)))
			d := NewAttributeDecoder(b)
			var seen []uint16
			for d.Next() {
				seen = append(seen, d.Type())
				if d.Type() == 42 {
					if got := tt.get(d); got != tt.zero {
						t.Errorf("getter returned %v, want zero", got)
					}
				}
			}
			err := d.Err()
			wantErrContains(t, err, "attribute type 42: "+tt.want)
			if !errors.Is(err, ErrAttrLength) {
				t.Errorf("%v does not wrap ErrAttrLength", err)
			}
			if fmt.Sprint(seen) != "[1 42]" {
				t.Errorf("walk went on after the error: %v", seen)
			}
			// Sticky: every getter now returns zero, the error stays.
			if d.Uint32() != 0 || d.Next() || d.Err() != err {
				t.Error("error not sticky")
			}
		})
	}
}

func TestAttributeDecoderBadHeaders(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		n    int // attributes seen before the error
		want string
	}{
		{"nla_len past end", cat(u16(20), u16(1), u32(0)), 0, "at offset 0: nla_len 20 is outside 4..8"},
		{"nla_len below header", cat(u16(2), u16(1), u32(0)), 0, "at offset 0: nla_len 2 is outside 4..8"},
		{"nla_len zero", cat(nla(1, u32(1)), u16(0), u16(1)), 1, "at offset 8: nla_len 0 is outside 4..4"},
		{"trailing bytes", cat(nla(1, u32(1)), []byte{1, 2, 3}), 1, "at offset 8: 3 bytes left, need 4 for struct nlattr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewAttributeDecoder(tt.b)
			n := 0
			for d.Next() {
				n++
			}
			if n != tt.n {
				t.Errorf("%d attributes before the error, want %d", n, tt.n)
			}
			wantErrContains(t, d.Err(), tt.want)
			if !errors.Is(d.Err(), ErrAttrLength) {
				t.Error("not ErrAttrLength")
			}
			if _, err := ParseAttributes(tt.b); err == nil || err.Error() != d.Err().Error() {
				t.Errorf("ParseAttributes: %v", err)
			}
		})
	}
}

func TestAttributeDecoderNetByteOrder(t *testing.T) {
	b := cat(
		nla(1|unix.NLA_F_NET_BYTEORDER, []byte{0x1f, 0x90}),             // port 8080, network order
		nla(2|unix.NLA_F_NET_BYTEORDER, []byte{0xc0, 0xa8, 0x01, 0x0a}), // 0xc0a8010a
		nla(3, u16(8080)),
		nla(4, u32(0xc0a8010a)),
	)
	d := NewAttributeDecoder(b)
	var got []uint32
	for d.Next() {
		switch d.Type() {
		case 1, 3:
			got = append(got, uint32(d.Uint16()))
		case 2, 4:
			got = append(got, d.Uint32())
		}
	}
	if d.Err() != nil || fmt.Sprint(got) != fmt.Sprint([]uint32{8080, 0xc0a8010a, 8080, 0xc0a8010a}) {
		t.Fatalf("got %x, %v", got, d.Err())
	}
	// The encoder's Uint16BE is what the decoder reads with the flag.
	e := NewAttributeEncoder(nil)
	e.Uint16BE(5|unix.NLA_F_NET_BYTEORDER, 8080)
	enc, _ := e.Encode()
	d = NewAttributeDecoder(enc)
	if !d.Next() || d.Type() != 5 || d.Uint16() != 8080 {
		t.Fatalf("Uint16BE round trip: % x", enc)
	}
}

func TestAttributeDecoderNestedErrors(t *testing.T) {
	// A broken attribute inside a nest: the outer error names the nest.
	b := cat(nla(unix.IFLA_LINKINFO, cat(nla(1, []byte("veth")), u16(40), u16(2))), nla(3, u32(1)))
	d := NewAttributeDecoder(b)
	n := 0
	for d.Next() {
		n++
		if d.Type() == unix.IFLA_LINKINFO {
			d.Decode(func(nd *AttributeDecoder) error {
				for nd.Next() {
				}
				return nil
			})
		}
	}
	wantErrContains(t, d.Err(), "netlink: in attribute type 18: at offset 8: nla_len 40 is outside 4..4")
	if n != 1 || !errors.Is(d.Err(), ErrAttrLength) {
		t.Fatalf("n=%d err=%v", n, d.Err())
	}
	// A wrong length met by a getter inside a nest.
	b = nla(unix.IFLA_LINKINFO, nla(7, []byte{1, 2}))
	d = NewAttributeDecoder(b)
	d.Next()
	d.Decode(func(nd *AttributeDecoder) error {
		for nd.Next() {
			nd.Uint32()
		}
		return nil
	})
	wantErrContains(t, d.Err(), "netlink: in attribute type 18: attribute type 7: 2 bytes, want 4")
	// fn's own error sticks as is.
	mine := errors.New("mine")
	d = NewAttributeDecoder(cat(b, b))
	calls := 0
	for d.Next() {
		calls++
		d.Decode(func(*AttributeDecoder) error { return mine })
	}
	if d.Err() != mine || calls != 1 {
		t.Fatalf("fn error: %v after %d calls", d.Err(), calls)
	}
}

// request is an RTM_NEWLINK request of 41 bytes (nlmsg_len not a
// multiple of 4) as the kernel echoes it in NLMSG_ERROR.
func testRequest() []byte {
	payload := cat(make([]byte, 16), u16(9), u16(unix.IFLA_IFNAME), []byte("abcd\x00"))
	return cat(hdr(uint32(16+len(payload)), unix.RTM_NEWLINK, unix.NLM_F_REQUEST|unix.NLM_F_ACK|unix.NLM_F_CREATE|unix.NLM_F_EXCL, 1234, 0), payload)
}

func TestParseError(t *testing.T) {
	req := testRequest()
	if len(req) != 41 {
		t.Fatalf("test request is %d bytes", len(req))
	}
	reqHdr, _ := ParseHeader(req)
	extack := cat(nla(unix.NLMSGERR_ATTR_MSG, []byte("Unknown device type\x00")), nla(unix.NLMSGERR_ATTR_OFFS, u32(36)), nla(NLMSGERR_ATTR_MISS_TYPE, u32(3)))
	tests := []struct {
		name     string
		flags    uint16
		payload  []byte
		errno    unix.Errno
		message  string
		offset   int
		missing  uint32
		text     string
		parseErr string
	}{
		{name: "plain ACK", flags: unix.NLM_F_CAPPED, payload: nlerr(0, req[:16], nil), offset: -1},
		{name: "ACK, old kernel echoing the whole request", payload: nlerr(0, req, nil), offset: -1},
		{name: "error without TLVs", payload: nlerr(-int32(unix.EEXIST), req, nil), errno: unix.EEXIST, offset: -1, text: "netlink: file exists"},
		{name: "capped error with TLVs", flags: unix.NLM_F_CAPPED | unix.NLM_F_ACK_TLVS, payload: nlerr(-int32(unix.EOPNOTSUPP), req[:16], extack),
			errno: unix.EOPNOTSUPP, message: "Unknown device type", offset: 36, missing: 3, text: "netlink: Unknown device type: operation not supported"},
		{name: "TLVs after the whole request", flags: unix.NLM_F_ACK_TLVS, payload: nlerr(-int32(unix.EINVAL), req, extack),
			errno: unix.EINVAL, message: "Unknown device type", offset: 36, missing: 3, text: "netlink: Unknown device type: invalid argument"},
		{name: "ACK with a warning", flags: unix.NLM_F_CAPPED | unix.NLM_F_ACK_TLVS, payload: nlerr(0, req[:16], nla(unix.NLMSGERR_ATTR_MSG, []byte("careful\x00"))),
			message: "careful", offset: -1},
		{name: "positive errno", flags: unix.NLM_F_CAPPED, payload: nlerr(int32(unix.ENOENT), req[:16], nil), errno: unix.ENOENT, offset: -1, text: "netlink: no such file or directory"},
		{name: "unknown TLVs ignored", flags: unix.NLM_F_CAPPED | unix.NLM_F_ACK_TLVS, payload: nlerr(-int32(unix.EPERM), req[:16], cat(nla(unix.NLMSGERR_ATTR_COOKIE, u64(1)), nla(99, nil))),
			errno: unix.EPERM, offset: -1, text: "netlink: operation not permitted"},
		{name: "short", payload: []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, parseErr: "NLMSG_ERROR of 10 bytes, need 20 for struct nlmsgerr"},
		{name: "echoed request runs past", flags: unix.NLM_F_ACK_TLVS, payload: nlerr(-1, req[:32], nil), parseErr: "echoed request of 41 bytes runs past the 36-byte message"},
		{name: "echoed length 2^32-16", flags: unix.NLM_F_ACK_TLVS, payload: nlerr(-1, cat(u32(0xfffffff0), req[4:16]), nil), parseErr: "echoed request of 4294967280 bytes runs past"},
		{name: "bad TLV", flags: unix.NLM_F_CAPPED | unix.NLM_F_ACK_TLVS, payload: nlerr(-1, req[:16], cat(u16(60), u16(1), []byte("x\x00\x00\x00"))), parseErr: "nla_len 60 is outside 4..8"},
		{name: "offset of 2 bytes", flags: unix.NLM_F_CAPPED | unix.NLM_F_ACK_TLVS, payload: nlerr(-1, req[:16], nla(unix.NLMSGERR_ATTR_OFFS, u16(3))), parseErr: "attribute type 2: 2 bytes, want 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := nlmsg(unix.NLMSG_ERROR, tt.flags, 1234, 77, tt.payload)
			msgs, err := ParseMessages(b)
			if err != nil || len(msgs) != 1 {
				t.Fatalf("ParseMessages: %v", err)
			}
			a, err := parseError(msgs[0])
			if tt.parseErr != "" {
				wantErrContains(t, err, tt.parseErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.message != tt.message || a.offset != tt.offset || a.missing != tt.missing || a.request != reqHdr {
				t.Errorf("ack = %+v", a)
			}
			e := a.err()
			if tt.errno == 0 {
				if e != nil {
					t.Fatalf("ACK gave error %v", e)
				}
				return
			}
			var ne *Error
			if !errors.As(e, &ne) {
				t.Fatalf("%T is not *rtnl.Error", e)
			}
			if ne.Errno != tt.errno || ne.Message != tt.message || ne.Offset != tt.offset || ne.MissingType != tt.missing || ne.Request != reqHdr {
				t.Errorf("Error = %+v", ne)
			}
			if !errors.Is(e, tt.errno) || errors.Is(e, unix.E2BIG) {
				t.Error("errors.Is through Unwrap")
			}
			if e.Error() != tt.text {
				t.Errorf("Error() = %q, want %q", e.Error(), tt.text)
			}
		})
	}
}

func TestParseDone(t *testing.T) {
	tests := []struct {
		name    string
		flags   uint16
		payload []byte
		errno   unix.Errno
		message string
		wantErr string
	}{
		{name: "no payload (old kernels)"},
		{name: "zero", payload: u32(0)},
		{name: "error", payload: u32(neg(unix.EMSGSIZE)), errno: unix.EMSGSIZE},
		{name: "error with extack", flags: unix.NLM_F_ACK_TLVS, payload: cat(u32(neg(unix.EINVAL)), nla(unix.NLMSGERR_ATTR_MSG, []byte("Invalid header for link dump\x00"))),
			errno: unix.EINVAL, message: "Invalid header for link dump"},
		{name: "TLV flag, no TLVs", flags: unix.NLM_F_ACK_TLVS, payload: u32(neg(unix.EBUSY)), errno: unix.EBUSY},
		{name: "TLVs without the flag are ignored", payload: cat(u32(0), []byte{1, 2, 3}), errno: 0},
		{name: "bad TLV", flags: unix.NLM_F_ACK_TLVS, payload: cat(u32(0), []byte{1, 2, 3}), wantErr: "3 bytes left, need 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs, err := ParseMessages(nlmsg(unix.NLMSG_DONE, unix.NLM_F_MULTI|tt.flags, 1, 2, tt.payload))
			if err != nil {
				t.Fatal(err)
			}
			a, err := parseDone(msgs[0])
			if tt.wantErr != "" {
				wantErrContains(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			e := a.err()
			if tt.errno == 0 {
				if e != nil {
					t.Fatal(e)
				}
				return
			}
			var ne *Error
			if !errors.As(e, &ne) || ne.Errno != tt.errno || ne.Message != tt.message || ne.Offset != -1 || ne.Request != (Header{}) {
				t.Fatalf("Error = %#v", e)
			}
		})
	}
}

func TestErrorType(t *testing.T) {
	var err error = &Error{Errno: unix.EEXIST, Offset: -1}
	wrapped := fmt.Errorf("ip: add veth1: %w", err)
	if !errors.Is(wrapped, unix.EEXIST) || errors.Is(wrapped, unix.ENOENT) {
		t.Fatal("errors.Is through a wrapped *rtnl.Error")
	}
	var re *Error
	if !errors.As(wrapped, &re) || re.Errno != unix.EEXIST {
		t.Fatal("errors.As")
	}
	if err.Error() != "netlink: file exists" {
		t.Fatalf("Error() = %q", err.Error())
	}
	err = &Error{Errno: unix.ENODEV, Message: "Device not found", Offset: 20}
	if err.Error() != "netlink: Device not found: no such device" {
		t.Fatalf("Error() = %q", err.Error())
	}
}

func TestCheck(t *testing.T) {
	c := &Conn{pid: 4242}
	ok := Message{Header: Header{Sequence: 6, PID: 4242}}
	if err := c.check(ok, 6); err != nil {
		t.Fatal(err)
	}
	ok.Header.PID = 0 // some replies carry port id 0
	if err := c.check(ok, 6); err != nil {
		t.Fatal(err)
	}
	wantErrContains(t, c.check(Message{Header: Header{Sequence: 5, PID: 4242}}, 6), "reply with sequence 5 to request 6")
	wantErrContains(t, c.check(Message{Header: Header{Sequence: 6, PID: 4243}}, 6), "reply for port id 4243 on socket 4242")
}

// ---- fuzz targets: every decoder of kernel input ----
//
// Seeds: testdata/fuzz/FuzzX/kernel-* are messages this kernel sent (links,
// bridge ports, addresses, routes, nsids, ACKs, errors with extack, dump
// ends), captured inside the test sandbox; the f.Add seeds below are the
// hand-built edge cases. Under go test (no -fuzz) every seed runs as a test.

func FuzzParseMessages(f *testing.F) {
	f.Add(nlmsg(unix.RTM_NEWLINK, unix.NLM_F_MULTI, 1, 2, []byte{1, 2, 3, 4, 5}))
	f.Add(cat(nlmsg(unix.NLMSG_ERROR, unix.NLM_F_CAPPED, 1, 2, nlerr(0, hdr(16, 0, 0, 1, 0), nil)), nlmsg(unix.NLMSG_DONE, unix.NLM_F_MULTI, 1, 2, u32(0))))
	f.Add(hdr(0xffffffff, 1, 0, 0, 0))
	f.Add(hdr(0, 1, 0, 0, 0))
	f.Fuzz(func(t *testing.T, b []byte) {
		// Messages made of the input (type, flags, sequence from its
		// bytes, data of 0 to 7 bytes, so most need padding), written
		// one after another, parse back as made.
		var made []Message
		var wire []byte
		for in := b; len(in) >= 5; {
			n := min(int(in[4]%8), len(in)-5)
			m := Message{Header: Header{Type: HeaderType(ne.Uint16(in)), Flags: HeaderFlags(in[2]), Sequence: uint32(in[3])}, Data: in[5 : 5+n]}
			wire, _ = m.AppendBinary(wire)
			m.Header.Length = uint32(HeaderLen + n)
			made = append(made, m)
			in = in[5+n:]
		}
		if got, err := ParseMessages(wire); err != nil || len(got) != len(made) {
			t.Fatalf("% x: %d messages, %v; want %d", wire, len(got), err, len(made))
		} else {
			for i := range got {
				if got[i].Header != made[i].Header || !bytes.Equal(got[i].Data, made[i].Data) {
					t.Fatalf("% x: message %d %+v, want %+v", wire, i, got[i], made[i])
				}
			}
		}

		msgs, err := ParseMessages(b)
		end := 0
		for i, m := range msgs {
			if int(m.Header.Length) != HeaderLen+len(m.Data) {
				t.Fatalf("message %d: nlmsg_len %d with %d bytes of data", i, m.Header.Length, len(m.Data))
			}
			end += nlmsgAlign(int(m.Header.Length))
		}
		if err == nil && end < len(b) {
			t.Fatalf("messages cover %d of %d bytes without an error", end, len(b))
		}
		if err == nil {
			// Marshalling the messages and parsing them again gives them back.
			var out []byte
			for _, m := range msgs {
				out, _ = m.AppendBinary(out)
			}
			again, err := ParseMessages(out)
			if err != nil || len(again) != len(msgs) {
				t.Fatalf("round trip: %d messages, %v", len(again), err)
			}
			for i := range msgs {
				if again[i].Header != msgs[i].Header || !bytes.Equal(again[i].Data, msgs[i].Data) {
					t.Fatalf("round trip of message %d", i)
				}
			}
		}
	})
}

// walkAttrs decodes b as attributes, calls the getter that fits each
// value's length and descends into every value that parses as attributes.
func walkAttrs(t *testing.T, b []byte, depth int) error {
	d := NewAttributeDecoder(b)
	for d.Next() {
		off := d.Offset()
		if off < 0 || off+AttrHeaderLen+d.Len() > len(b) || !bytes.Equal(b[off+AttrHeaderLen:off+AttrHeaderLen+d.Len()], d.Bytes()) {
			t.Fatalf("attribute at %d with %d bytes does not sit in the %d-byte buffer", off, d.Len(), len(b))
		}
		_ = d.String()
		switch d.Len() {
		case 1:
			d.Uint8()
		case 2:
			d.Uint16()
		case 4:
			d.Uint32()
			d.Int32()
			d.Addr()
		case 8:
			d.Uint64()
		case 16:
			d.Addr()
		}
		if d.Err() != nil {
			t.Fatalf("getter of the right length failed: %v", d.Err())
		}
		if depth < 4 && d.Len() >= AttrHeaderLen {
			if _, err := ParseAttributes(d.Bytes()); err == nil {
				d.Decode(func(nd *AttributeDecoder) error { return walkAttrs(t, nd.b, depth+1) })
				if d.Err() != nil {
					t.Fatalf("nested walk failed where ParseAttributes did not: %v", d.Err())
				}
			}
		}
	}
	return d.Err()
}

func FuzzAttributeDecoder(f *testing.F) {
	f.Add(cat(nla(unix.IFLA_IFNAME, []byte("eth0\x00")), nla(unix.IFLA_LINKINFO|unix.NLA_F_NESTED, nla(unix.IFLA_INFO_KIND, []byte("veth")))))
	f.Add(cat(nla(1, u32(1)), []byte{1, 2, 3}))
	f.Add(cat(u16(0), u16(1)))
	f.Fuzz(func(t *testing.T, b []byte) {
		attrs, perr := ParseAttributes(b)
		werr := walkAttrs(t, b, 0)
		if (perr == nil) != (werr == nil) {
			t.Fatalf("ParseAttributes: %v, walk: %v", perr, werr)
		}
		if perr != nil {
			if !errors.Is(perr, ErrAttrLength) {
				t.Fatalf("%v does not wrap ErrAttrLength", perr)
			}
			return
		}
		// Encoding what was decoded and decoding it again gives it back.
		e := NewAttributeEncoder(nil)
		for _, a := range attrs {
			e.Bytes(a.Type, a.Data)
		}
		out, err := e.Encode()
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseAttributes(out)
		if err != nil || len(again) != len(attrs) {
			t.Fatalf("round trip: %d attributes, %v", len(again), err)
		}
		for i := range attrs {
			if again[i].Type != attrs[i].Type || !bytes.Equal(again[i].Data, attrs[i].Data) {
				t.Fatalf("round trip of attribute %d", i)
			}
		}
	})
}

// checkAck holds for any decoded NLMSG_ERROR or NLMSG_DONE.
func checkAck(t *testing.T, a ack) {
	err := a.err()
	if a.errno == 0 {
		if err != nil {
			t.Fatalf("error 0 gave %v", err)
		}
		return
	}
	var re *Error
	if !errors.As(err, &re) || re.Errno == 0 || !errors.Is(err, re.Errno) || re.Error() == "" || re.Message != a.message {
		t.Fatalf("errno %d gave %#v", a.errno, err)
	}
}

// ackByFormat reads the payload of NLMSG_ERROR (done false) or NLMSG_DONE
// by its format alone (netlink(7)): an int, for NLMSG_ERROR the echoed
// request's struct nlmsghdr and the rest of it unless NLM_F_CAPPED, then,
// with NLM_F_ACK_TLVS, NLMSGERR_ATTR_* attributes as ParseAttributes
// splits them. ok says whether the payload is well formed: what
// parseError and parseDone must agree with.
func ackByFormat(data []byte, flags HeaderFlags, done bool) (a ack, ok bool) {
	a.offset = -1
	need, tlvAt := 20, 20
	if done {
		if len(data) < 4 {
			return a, true // old kernels: no payload at all
		}
		need, tlvAt = 4, 4
	}
	if len(data) < need {
		return a, false
	}
	a.errno = int32(ne.Uint32(data))
	if !done {
		a.request, _ = ParseHeader(data[4:])
	}
	if flags&unix.NLM_F_ACK_TLVS == 0 {
		return a, true
	}
	if !done && flags&unix.NLM_F_CAPPED == 0 {
		end := 4 + (uint64(a.request.Length)+3)&^3 // after the whole request, aligned
		if end > uint64(len(data)) {
			return a, false
		}
		tlvAt = int(end)
	}
	attrs, err := ParseAttributes(data[tlvAt:])
	if err != nil {
		return a, false
	}
	for _, at := range attrs {
		u32 := func() (uint32, bool) {
			if len(at.Data) != 4 {
				return 0, false
			}
			if at.Type&unix.NLA_F_NET_BYTEORDER != 0 {
				return binary.BigEndian.Uint32(at.Data), true
			}
			return ne.Uint32(at.Data), true
		}
		switch at.Kind() {
		case unix.NLMSGERR_ATTR_MSG:
			a.message, _, _ = strings.Cut(string(at.Data), "\x00")
		case unix.NLMSGERR_ATTR_OFFS:
			v, good := u32()
			if !good {
				return a, false
			}
			a.offset = int(v)
		case NLMSGERR_ATTR_MISS_TYPE:
			v, good := u32()
			if !good {
				return a, false
			}
			a.missing = v
		}
	}
	return a, true
}

// appendAck encodes a as the kernel would send it in NLMSG_ERROR (done
// false, the request's header only: NLM_F_CAPPED) or NLMSG_DONE, with the
// extended ack as TLVs; it returns the payload and the message's flags.
func appendAck(a ack, done bool) ([]byte, HeaderFlags) {
	b := ne.AppendUint32(nil, uint32(a.errno))
	flags := HeaderFlags(unix.NLM_F_ACK_TLVS)
	if !done {
		h, _ := Message{Header: a.request}.MarshalBinary()
		ne.PutUint32(h, a.request.Length) // the echoed length, not 16
		b = append(b, h...)
		flags |= unix.NLM_F_CAPPED
	}
	e := NewAttributeEncoder(b)
	if a.message != "" {
		e.String(unix.NLMSGERR_ATTR_MSG, a.message)
	}
	if a.offset >= 0 {
		e.Uint32(unix.NLMSGERR_ATTR_OFFS, uint32(a.offset))
	}
	if a.missing != 0 {
		e.Uint32(NLMSGERR_ATTR_MISS_TYPE, a.missing)
	}
	out, _ := e.Encode()
	return out, flags
}

// fuzzAck checks parse (parseError or parseDone) on every message of b:
// it accepts exactly the well-formed payloads (ackByFormat, which reads
// the TLVs with ParseAttributes) and decodes them to the same fields;
// the ack it decodes, encoded again, decodes to itself; its error value
// is an *Error carrying the errno and message.
func fuzzAck(t *testing.T, b []byte, done bool, parse func(Message) (ack, error)) {
	msgs, _ := ParseMessages(b)
	for _, m := range msgs {
		a, err := parse(m)
		want, ok := ackByFormat(m.Data, m.Header.Flags, done)
		if (err == nil) != ok {
			t.Fatalf("parse: %v; by the format the payload is well formed: %v", err, ok)
		}
		if err != nil {
			continue
		}
		if a != want {
			t.Fatalf("parse: %+v\nby the format: %+v", a, want)
		}
		checkAck(t, a)
		if len(a.message) > len(m.Data) {
			t.Fatalf("message of %d bytes from a payload of %d", len(a.message), len(m.Data))
		}
		payload, flags := appendAck(a, done)
		again, err := parse(Message{Header: Header{Flags: flags}, Data: payload})
		if err != nil || again != a {
			t.Fatalf("round trip: %+v, %v\nwant %+v", again, err, a)
		}
	}
}

func FuzzParseError(f *testing.F) {
	req := testRequest()
	extack := cat(nla(unix.NLMSGERR_ATTR_MSG, []byte("Unknown device type\x00")), nla(unix.NLMSGERR_ATTR_OFFS, u32(36)))
	f.Add(nlmsg(unix.NLMSG_ERROR, unix.NLM_F_CAPPED, 1, 2, nlerr(0, req[:16], nil)))
	f.Add(nlmsg(unix.NLMSG_ERROR, 0, 1, 2, nlerr(-int32(unix.EEXIST), req, nil)))
	f.Add(nlmsg(unix.NLMSG_ERROR, unix.NLM_F_ACK_TLVS, 1, 2, nlerr(-int32(unix.EINVAL), req, extack)))
	f.Add(nlmsg(unix.NLMSG_ERROR, unix.NLM_F_ACK_TLVS|unix.NLM_F_CAPPED, 1, 2, nlerr(-int32(unix.EINVAL), req[:16], extack)))
	f.Add(nlmsg(unix.NLMSG_ERROR, unix.NLM_F_ACK_TLVS, 1, 2, nlerr(-1, cat(u32(0xfffffff0), req[4:16]), nil)))
	f.Add(nlmsg(unix.NLMSG_ERROR, unix.NLM_F_ACK_TLVS|unix.NLM_F_CAPPED, 1, 2, nlerr(-1, req[:16], nla(NLMSGERR_ATTR_MISS_TYPE|unix.NLA_F_NET_BYTEORDER, []byte{0, 0, 0, 7}))))
	f.Fuzz(func(t *testing.T, b []byte) { fuzzAck(t, b, false, parseError) })
}

func FuzzParseDone(f *testing.F) {
	f.Add(nlmsg(unix.NLMSG_DONE, unix.NLM_F_MULTI, 1, 2, nil))
	f.Add(nlmsg(unix.NLMSG_DONE, unix.NLM_F_MULTI, 1, 2, u32(neg(unix.EMSGSIZE))))
	f.Add(nlmsg(unix.NLMSG_DONE, unix.NLM_F_MULTI|unix.NLM_F_ACK_TLVS, 1, 2, cat(u32(neg(unix.EINVAL)), nla(unix.NLMSGERR_ATTR_MSG, []byte("Invalid header for link dump\x00")))))
	f.Fuzz(func(t *testing.T, b []byte) { fuzzAck(t, b, true, parseDone) })
}

// vethInfoPeer is VETH_INFO_PEER (<linux/veth.h>), a nested attribute
// with a struct ifinfomsg before its attributes.
const vethInfoPeer = 1
