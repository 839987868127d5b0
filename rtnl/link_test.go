package rtnl

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/internal/golden"
	"nsbox/netlink"
)

// goldenLinkMessages returns the payloads of every RTM_NEWLINK in a reply
// capture, in native byte order.
func goldenLinkMessages(t testing.TB, file string) [][]byte {
	t.Helper()
	var out [][]byte
	for _, m := range goldenSelect(t, file, func(c golden.Call) bool { return c.Carries("RTM_NEWLINK") }, unix.RTM_NEWLINK) {
		out = append(out, m.Data)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no RTM_NEWLINK", file)
	}
	return out
}

func TestHardwareAddrString(t *testing.T) {
	for _, c := range []struct {
		a    HardwareAddr
		want string
	}{
		{nil, ""},
		{HardwareAddr{}, ""},
		{HardwareAddr{0x02, 0x00, 0x5e, 0x10, 0xab, 0xff}, "02:00:5e:10:ab:ff"},
		{HardwareAddr{0xc0, 0xa8, 0x01, 0x0a}, "c0:a8:01:0a"},
	} {
		if got := c.a.String(); got != c.want {
			t.Errorf("%x: %q, want %q", []byte(c.a), got, c.want)
		}
		if got := string(c.a.Append([]byte("x "))); got != "x "+c.want {
			t.Errorf("%x: Append gave %q", []byte(c.a), got)
		}
	}
}

// A Link that decoded other messages before decodes a message exactly as
// a fresh one does: nothing of the earlier messages stays.
func TestLinkDecodeReuse(t *testing.T) {
	var msgs [][]byte
	for _, f := range []string{"link-show-veth-reply.txt", "link-show-veth-netns-reply.txt"} {
		msgs = append(msgs, goldenLinkMessages(t, f)...)
	}
	// one with almost nothing, to see that every field is reset
	msgs = append(msgs, (IfInfomsg{Index: 9}).AppendBinary(nil))
	var l Link
	for round := 0; round < 2; round++ {
		for i, b := range msgs {
			want, err := ParseLink(b)
			if err != nil {
				t.Fatalf("message %d: %v", i, err)
			}
			if err := l.Decode(b); err != nil {
				t.Fatalf("message %d: Decode: %v", i, err)
			}
			if !reflect.DeepEqual(l.IfInfomsg, want.IfInfomsg) || l.Name != want.Name ||
				!reflect.DeepEqual(l.Master, want.Master) || !reflect.DeepEqual(l.Info, want.Info) ||
				!reflect.DeepEqual(l.Stats64(), want.Stats64()) || !reflect.DeepEqual(l.Carrier, want.Carrier) ||
				!reflect.DeepEqual(l.LinkNetNSID, want.LinkNetNSID) || l.Seen != want.Seen ||
				!bytes.Equal(l.Address, want.Address) || !bytes.Equal(l.Broadcast, want.Broadcast) ||
				len(l.Other) != len(want.Other) {
				t.Fatalf("message %d (round %d): reused Link\n%+v\nfresh\n%+v", i, round, l, *want)
			}
			for j := range l.Other {
				if l.Other[j].Type != want.Other[j].Type || !bytes.Equal(l.Other[j].Data, want.Other[j].Data) {
					t.Fatalf("message %d: Other[%d] differs", i, j)
				}
			}
		}
	}
	if l.Name != "" || l.Master != 0 || !reflect.DeepEqual(l.Info, LinkInfo{}) || l.Seen != (AttrSet{}) || l.Other != nil || l.Address != nil {
		t.Fatalf("last (empty) message left %+v", l)
	}
}

// A decoded link's addresses are the message's own bytes (no copy).
func TestLinkDecodeAliases(t *testing.T) {
	b := goldenLinkMessages(t, "link-show-veth-reply.txt")[0]
	l, err := ParseLink(b)
	if err != nil || len(l.Address) == 0 {
		t.Fatalf("ParseLink: %v, address %v", err, l.Address)
	}
	before := l.Address.String()
	l.Address[0] ^= 0xff
	if bytes.Equal(b, goldenLinkMessages(t, "link-show-veth-reply.txt")[0]) {
		t.Fatalf("address %s is a copy", before)
	}
}

// GetLinkRequest is iproute2's iplink_get(): family, IFLA_IFNAME, then
// IFLA_EXT_MASK (strace of ip link show dev lo: ifi_family=AF_PACKET,
// [{nla_len=7, nla_type=IFLA_IFNAME}, "lo"], [{nla_len=8,
// nla_type=IFLA_EXT_MASK}, RTEXT_FILTER_VF]); a name of IFNAMSIZ bytes or
// more goes as IFLA_ALT_IFNAME.
func TestGetLinkRequest(t *testing.T) {
	m, err := GetLinkRequest(unix.AF_PACKET, "lo", RTEXT_FILTER_VF)
	if err != nil {
		t.Fatal(err)
	}
	want := cat((IfInfomsg{Family: unix.AF_PACKET}).AppendBinary(nil),
		u16(7), u16(unix.IFLA_IFNAME), []byte("lo\x00"), []byte{0},
		u16(8), u16(unix.IFLA_EXT_MASK), u32(RTEXT_FILTER_VF))
	if m.Header.Type != unix.RTM_GETLINK || !bytes.Equal(m.Data, want) {
		t.Fatalf("type %d\n% x\nwant\n% x", m.Header.Type, m.Data, want)
	}
	long := strings.Repeat("a", unix.IFNAMSIZ)
	m, err = GetLinkRequest(0, long, RTEXT_FILTER_VF)
	if err != nil {
		t.Fatal(err)
	}
	d := netlink.NewAttributeDecoder(m.Data[IfInfomsgLen:])
	if !d.Next() || d.Type() != unix.IFLA_ALT_IFNAME || d.String() != long {
		t.Fatalf("long name: % x", m.Data)
	}
	m, _ = GetLinkRequest(0, long[:unix.IFNAMSIZ-1], 0)
	d = netlink.NewAttributeDecoder(m.Data[IfInfomsgLen:])
	if !d.Next() || d.Type() != unix.IFLA_IFNAME {
		t.Fatalf("15 bytes: % x", m.Data)
	}
}

// FuzzLinkDecode: a Link reused across messages decodes each as ParseLink
// does (or fails as it does).
func FuzzLinkDecode(f *testing.F) {
	ifi := (IfInfomsg{Index: 3, Flags: unix.IFF_UP}).AppendBinary(nil)
	f.Add(cat(ifi, nla(unix.IFLA_IFNAME, []byte("veth1\x00")), nla(unix.IFLA_MASTER, u32(2)),
		nla(unix.IFLA_LINKINFO, cat(nla(unix.IFLA_INFO_KIND, []byte("veth")), nla(unix.IFLA_INFO_SLAVE_KIND, []byte("bridge\x00"))))))
	f.Add(cat(ifi, nla(unix.IFLA_STATS64, make([]byte, 80)), nla(unix.IFLA_ADDRESS, []byte{2, 0, 0, 0, 0, 1}), nla(999, nil)))
	f.Add(cat(ifi, nla(unix.IFLA_LINKINFO, nla(unix.IFLA_INFO_KIND, []byte{1}))[:12]))
	prev := cat(ifi, nla(unix.IFLA_IFNAME, []byte("prev\x00")), nla(unix.IFLA_CARRIER, []byte{1}),
		nla(unix.IFLA_LINK_NETNSID, u32(4)), nla(unix.IFLA_PROTINFO, nil), nla(200, []byte{1}))
	f.Fuzz(func(t *testing.T, b []byte) {
		var l Link
		if err := l.Decode(prev); err != nil {
			t.Fatal(err)
		}
		err := l.Decode(b)
		want, werr := ParseLink(b)
		if (err == nil) != (werr == nil) {
			t.Fatalf("Decode: %v, ParseLink: %v", err, werr)
		}
		if err != nil {
			return
		}
		if l.Name != want.Name || l.Seen != want.Seen || len(l.Other) != len(want.Other) ||
			!reflect.DeepEqual(l.Carrier, want.Carrier) || !reflect.DeepEqual(l.LinkNetNSID, want.LinkNetNSID) ||
			!reflect.DeepEqual(l.Info, want.Info) || !reflect.DeepEqual(l.Stats64(), want.Stats64()) ||
			(l.ProtInfo == nil) != (want.ProtInfo == nil) {
			t.Fatalf("reused Link\n%+v\nfresh\n%+v", l, *want)
		}
		_ = l.Address.String()
	})
}

func BenchmarkLinkDecode(b *testing.B) {
	msgs := goldenLinkMessages(b, "link-show-veth-reply.txt")
	b.Run("ParseLink", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := ParseLink(msgs[i%len(msgs)]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Decode", func(b *testing.B) {
		b.ReportAllocs()
		var l Link
		for i := 0; i < b.N; i++ {
			if err := l.Decode(msgs[i%len(msgs)]); err != nil {
				b.Fatal(err)
			}
		}
	})
}
