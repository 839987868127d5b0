package wire

import (
	"bytes"
	"encoding/binary"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/netlink"
	"nsbox/rtnl"
)

var ne = binary.NativeEndian

// enc builds attributes natively; fn fills them.
func enc(prefix []byte, fn func(e *netlink.AttributeEncoder)) []byte {
	e := netlink.NewAttributeEncoder(prefix)
	fn(e)
	b, err := e.Encode()
	if err != nil {
		panic(err)
	}
	return b
}

func msg(typ netlink.HeaderType, flags netlink.HeaderFlags, seq, pid uint32, data []byte) netlink.Message {
	return netlink.Message{Header: netlink.Header{Type: typ, Flags: flags, Sequence: seq, PID: pid}, Data: data}
}

const (
	req    = unix.NLM_F_REQUEST
	ack    = unix.NLM_F_ACK
	create = unix.NLM_F_CREATE | unix.NLM_F_EXCL
)

func mustMsg(m netlink.Message, err error) netlink.Message {
	if err != nil {
		panic(err)
	}
	return m
}

// withHeader sets the header fields a Conn would set.
func withHeader(m netlink.Message, flags netlink.HeaderFlags, seq uint32) netlink.Message {
	m.Header.Flags |= flags
	m.Header.Sequence = seq
	return m
}

// nlmsgerr builds NLMSG_ERROR answering request r.
func nlmsgerr(t testing.TB, errno int32, r netlink.Message, capped bool, extack func(e *netlink.AttributeEncoder)) netlink.Message {
	var b []byte
	b = ne.AppendUint32(b, uint32(errno))
	flags := netlink.HeaderFlags(0)
	rb := datagram(t, r)
	if capped {
		b = append(b, rb[:16]...)
		flags |= unix.NLM_F_CAPPED
	} else {
		b = append(b, rb...)
	}
	if extack != nil {
		flags |= unix.NLM_F_ACK_TLVS
		b = enc(b, extack)
	}
	return msg(unix.NLMSG_ERROR, flags, r.Header.Sequence, 4242, b)
}

// goldenCases are logical messages, built natively on every host.
func goldenCases(t testing.TB) []struct {
	name  string
	proto int
	dir   Direction
	b     []byte
} {
	veth := withHeader(mustMsg(rtnl.NewLinkRequest(&rtnl.Link{Name: "veth1", Info: rtnl.LinkInfo{Kind: "veth", Data: &rtnl.Veth{Peer: &rtnl.Link{Name: "br-veth1"}}}}, create)), req|ack, 1001)
	bridge := withHeader(mustMsg(rtnl.NewLinkRequest(&rtnl.Link{Name: "br1", Info: rtnl.LinkInfo{Kind: "bridge"}}, create)), req|ack, 1002)
	master := int32(4)
	setMaster := withHeader(mustMsg(rtnl.NewLinkRequest(&rtnl.Link{IfInfomsg: rtnl.IfInfomsg{Index: 3}, Master: master}, 0)), req|ack, 1003)
	addr := withHeader(mustMsg(rtnl.NewAddrRequest(&rtnl.Addr{
		IfAddrmsg: rtnl.IfAddrmsg{Family: unix.AF_INET, PrefixLen: 24, Index: 4},
		Local:     netip.MustParseAddr("192.168.1.10"), Address: netip.MustParseAddr("192.168.1.10"),
		Broadcast: netip.MustParseAddr("192.168.1.255"),
	}, create)), req|ack, 1004)
	route := withHeader(mustMsg(rtnl.NewRouteRequest(&rtnl.Route{
		RtMsg:   rtnl.RtMsg{Family: unix.AF_INET, DstLen: 16, Table: unix.RT_TABLE_MAIN, Protocol: unix.RTPROT_BOOT, Type: unix.RTN_UNICAST},
		Dst:     netip.MustParseAddr("10.9.0.0"),
		Gateway: netip.MustParseAddr("192.168.1.1"),
		Other: []netlink.Attribute{{Type: unix.RTA_METRICS, Data: enc(nil, func(e *netlink.AttributeEncoder) {
			e.Uint32(unix.RTAX_MTU, 1400)
			e.String(unix.RTAX_CC_ALGO, "cubic")
		})}},
	}, create)), req|ack, 1005)
	// a route with two next hops: struct rtnexthop + RTA_GATEWAY each
	var mp []byte
	for i, gw := range []string{"192.168.1.1", "192.168.1.2"} {
		nh := enc(nil, func(e *netlink.AttributeEncoder) { e.Addr(unix.RTA_GATEWAY, netip.MustParseAddr(gw)) })
		mp = ne.AppendUint16(mp, uint16(8+len(nh)))
		mp = append(mp, 0, byte(i))
		mp = ne.AppendUint32(mp, 4)
		mp = append(mp, nh...)
	}
	multipath := withHeader(mustMsg(rtnl.NewRouteRequest(&rtnl.Route{
		RtMsg: rtnl.RtMsg{Family: unix.AF_INET, Table: unix.RT_TABLE_MAIN, Protocol: unix.RTPROT_STATIC, Type: unix.RTN_UNICAST},
		Other: []netlink.Attribute{{Type: unix.RTA_MULTIPATH, Data: mp}},
	}, create)), req|ack, 1006)

	// what the kernel says about a new bridge port: a multicast event
	portEvent := msg(unix.RTM_NEWLINK, 0, 0, 0, enc(rtnl.IfInfomsg{Family: unix.AF_BRIDGE, Type: unix.ARPHRD_ETHER, Index: 3,
		Flags: unix.IFF_BROADCAST | unix.IFF_MULTICAST | unix.IFF_UP | unix.IFF_LOWER_UP | unix.IFF_RUNNING}.AppendBinary(nil),
		func(e *netlink.AttributeEncoder) {
			e.String(unix.IFLA_IFNAME, "veth1")
			e.Uint32(unix.IFLA_MASTER, 4)
			e.Uint32(unix.IFLA_MTU, 1500)
			e.Uint8(unix.IFLA_OPERSTATE, 6)
			e.Bytes(unix.IFLA_ADDRESS, net.HardwareAddr{0x02, 0x00, 0x00, 0x00, 0x00, 0x01})
			e.Nested(unix.IFLA_PROTINFO|unix.NLA_F_NESTED, func(e *netlink.AttributeEncoder) {
				e.Uint8(unix.IFLA_BRPORT_STATE, 3)
				e.Uint16(unix.IFLA_BRPORT_PRIORITY, 32)
				e.Uint32(unix.IFLA_BRPORT_COST, 2)
				e.Uint8(unix.IFLA_BRPORT_LEARNING, 1)
			})
			e.Nested(unix.IFLA_AF_SPEC, func(e *netlink.AttributeEncoder) {
				// IFLA_BRIDGE_VLAN_INFO: flags PVID|UNTAGGED, vid 1
				e.Bytes(2, ne.AppendUint16(ne.AppendUint16(nil, 6), 1))
			})
			e.Bytes(999, []byte{1, 2, 3}) // an attribute no header names yet
		}))
	brEvent := msg(unix.RTM_NEWLINK, 0, 0, 0, enc(rtnl.IfInfomsg{Type: unix.ARPHRD_ETHER, Index: 4,
		Flags: unix.IFF_BROADCAST | unix.IFF_MULTICAST}.AppendBinary(nil),
		func(e *netlink.AttributeEncoder) {
			e.String(unix.IFLA_IFNAME, "br1")
			e.Uint32(unix.IFLA_TXQLEN, 1000)
			e.Uint8(unix.IFLA_OPERSTATE, 2)
			e.Uint32(unix.IFLA_GROUP, 0)
			e.String(unix.IFLA_QDISC, "noop")
			e.Bytes(unix.IFLA_ADDRESS, net.HardwareAddr{0x02, 0x00, 0x00, 0x00, 0x00, 0x04})
			e.Bytes(unix.IFLA_BROADCAST, net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
			e.Nested(unix.IFLA_LINKINFO, func(e *netlink.AttributeEncoder) {
				e.String(unix.IFLA_INFO_KIND, "bridge")
				e.Nested(unix.IFLA_INFO_DATA|unix.NLA_F_NESTED, func(e *netlink.AttributeEncoder) {
					e.Uint32(unix.IFLA_BR_FORWARD_DELAY, 1500)
					e.Uint32(unix.IFLA_BR_STP_STATE, 0)
					e.Uint16(unix.IFLA_BR_PRIORITY, 32768)
					e.Uint16BE(unix.IFLA_BR_VLAN_PROTOCOL, 0x8100)
					e.Bytes(unix.IFLA_BR_BRIDGE_ID, []byte{0x80, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x04})
					e.Bytes(unix.IFLA_BR_GROUP_ADDR, []byte{0x01, 0x80, 0xc2, 0x00, 0x00, 0x00})
					e.Uint64(unix.IFLA_BR_HELLO_TIMER, 0)
				})
			})
			e.Nested(unix.IFLA_AF_SPEC, func(e *netlink.AttributeEncoder) {
				e.Nested(unix.AF_INET, func(e *netlink.AttributeEncoder) {
					b := []byte{}
					for _, v := range []uint32{0, 1, 1, 1, 1, 0} {
						b = ne.AppendUint32(b, v)
					}
					e.Bytes(1, b)
				})
				e.Nested(unix.AF_INET6, func(e *netlink.AttributeEncoder) {
					e.Uint32(1, 0x80000000)
					e.Uint8(8, 0)
					e.Addr(7, netip.MustParseAddr("::"))
				})
			})
		}))
	getLink := withHeader(mustMsg(func() (netlink.Message, error) {
		l := &rtnl.Link{ExtMask: rtnl.RTEXT_FILTER_VF | rtnl.RTEXT_FILTER_SKIP_STATS, Name: "br1"}
		b, err := l.AppendBinary(nil)
		return msg(unix.RTM_GETLINK, 0, 0, 0, b), err
	}()), req, 1007)
	dump := withHeader(rtnl.LinkDumpRequest(0, rtnl.RTEXT_FILTER_VF), req|unix.NLM_F_DUMP, 1008)
	done := msg(unix.NLMSG_DONE, unix.NLM_F_MULTI, 1008, 4242, ne.AppendUint32(nil, 0))
	addrEvent := msg(unix.RTM_NEWADDR, unix.NLM_F_MULTI, 1009, 4242, enc(rtnl.IfAddrmsg{Family: unix.AF_INET6, PrefixLen: 64,
		Flags: 0x80, Scope: unix.RT_SCOPE_LINK, Index: 4}.AppendBinary(nil), func(e *netlink.AttributeEncoder) {
		e.Addr(unix.IFA_ADDRESS, netip.MustParseAddr("fe80::1"))
		ci := []byte{}
		for _, v := range []uint32{0xffffffff, 0xffffffff, 1234, 5678} {
			ci = ne.AppendUint32(ci, v)
		}
		e.Bytes(unix.IFA_CACHEINFO, ci)
		e.Uint32(unix.IFA_FLAGS, 0x280)
		e.Uint8(rtnl.IFA_PROTO, 3)
	}))
	nsid := msg(unix.RTM_NEWNSID, 0, 0, 0, enc([]byte{0, 0, 0, 0}, func(e *netlink.AttributeEncoder) {
		e.Int32(unix.NETNSA_NSID, 0)
	}))

	var out []struct {
		name  string
		proto int
		dir   Direction
		b     []byte
	}
	add := func(name string, proto int, dir Direction, msgs ...netlink.Message) {
		out = append(out, struct {
			name  string
			proto int
			dir   Direction
			b     []byte
		}{name, proto, dir, datagram(t, msgs...)})
	}
	add("newlink-veth", protoRoute, DirSent, veth)
	add("newlink-bridge", protoRoute, DirSent, bridge)
	add("newlink-master", protoRoute, DirSent, setMaster)
	add("newaddr", protoRoute, DirSent, addr)
	add("newroute", protoRoute, DirSent, route)
	add("newroute-multipath", protoRoute, DirSent, multipath)
	add("getlink", protoRoute, DirSent, getLink)
	add("ack", protoRoute, DirReceived, nlmsgerr(t, 0, veth, true, nil))
	add("error-extack", protoRoute, DirReceived, nlmsgerr(t, -int32(unix.EEXIST), bridge, false, func(e *netlink.AttributeEncoder) {
		e.String(unix.NLMSGERR_ATTR_MSG, "Device or resource busy")
		e.Uint32(unix.NLMSGERR_ATTR_OFFS, 32)
	}))
	add("event-bridge-port", protoRoute, DirReceived, portEvent)
	add("event-bridge", protoRoute, DirReceived, brEvent)
	add("dump-request", protoRoute, DirSent, dump)
	add("dump-answer", protoRoute, DirReceived, addrEvent, done)
	add("nsid", protoRoute, DirReceived, nsid)
	add("sockdiag", protoSockDiag, DirSent, sockDiagRequest())
	add("sockdiag-answer", protoSockDiag, DirReceived, sockDiagAnswer(t))
	add("unixdiag", protoSockDiag, DirSent, unixDiagRequest())
	add("unixdiag-answer", protoSockDiag, DirReceived, unixDiagAnswer(t))
	// malformed: an attribute longer than its message, and a message
	// longer than the datagram
	bad := datagram(t, bridge)
	ne.PutUint16(bad[32:], 200)
	out = append(out, struct {
		name  string
		proto int
		dir   Direction
		b     []byte
	}{"malformed-attr", protoRoute, DirUnknown, bad})
	short := datagram(t, addr)
	ne.PutUint32(short, 400)
	out = append(out, struct {
		name  string
		proto int
		dir   Direction
		b     []byte
	}{"malformed-length", protoRoute, DirUnknown, short})
	return out
}

// sockDiagRequest is ss -tln's question: TCP sockets in LISTEN, IPv4.
func sockDiagRequest() netlink.Message {
	b := []byte{unix.AF_INET, unix.IPPROTO_TCP, 1<<1 | 1<<7, 0}
	b = ne.AppendUint32(b, 1<<10) // TCP_LISTEN
	b = append(b, make([]byte, 48)...)
	ne.PutUint32(b[8+40:], 0xffffffff) // cookie: INET_DIAG_NOCOOKIE
	ne.PutUint32(b[8+44:], 0xffffffff)
	return msg(20, req|unix.NLM_F_DUMP, 2001, 0, b)
}

func sockDiagAnswer(t testing.TB) netlink.Message {
	b := []byte{unix.AF_INET, 10, 0, 0} // TCP_LISTEN
	id := make([]byte, 48)
	binary.BigEndian.PutUint16(id[0:], 8080)
	copy(id[4:], []byte{127, 0, 0, 1})
	ne.PutUint32(id[40:], 0x1234)
	b = append(b, id...)
	for _, v := range []uint32{0, 0, 128, 0, 31337} { // expires rqueue wqueue uid inode
		b = ne.AppendUint32(b, v)
	}
	b = enc(b, func(e *netlink.AttributeEncoder) {
		e.Uint8(8, 0)        // INET_DIAG_SHUTDOWN
		e.String(4, "cubic") // INET_DIAG_CONG
		sk := []byte{}
		for i := 0; i < 9; i++ {
			sk = ne.AppendUint32(sk, uint32(i))
		}
		e.Bytes(7, sk) // INET_DIAG_SKMEMINFO
	})
	return msg(20, unix.NLM_F_MULTI, 2001, 4242, b)
}

func unixDiagRequest() netlink.Message {
	b := []byte{unix.AF_UNIX, 0, 0, 0}
	b = ne.AppendUint32(b, 1<<10|1<<1) // LISTEN|ESTABLISHED
	b = ne.AppendUint32(b, 0)
	b = ne.AppendUint32(b, 0x1|0x10) // UDIAG_SHOW_NAME|RQLEN
	b = ne.AppendUint32(b, 0xffffffff)
	b = ne.AppendUint32(b, 0xffffffff)
	return msg(20, req|unix.NLM_F_DUMP, 2002, 0, b)
}

func unixDiagAnswer(t testing.TB) netlink.Message {
	b := []byte{unix.AF_UNIX, unix.SOCK_SEQPACKET, 10, 0} // SOCK_SEQPACKET: the same number on every arch
	b = ne.AppendUint32(b, 4711)
	b = ne.AppendUint32(b, 0x99)
	b = ne.AppendUint32(b, 0)
	b = enc(b, func(e *netlink.AttributeEncoder) {
		e.Bytes(0, append([]byte{0}, "abstract"...)) // UNIX_DIAG_NAME, abstract
		rq := ne.AppendUint32(nil, 0)
		rq = ne.AppendUint32(rq, 128)
		e.Bytes(4, rq) // UNIX_DIAG_RQLEN
	})
	return msg(20, unix.NLM_F_MULTI, 2002, 4242, b)
}

var reDumpLine = regexp.MustCompile(`^[0-9a-f]{4,}  `)

// meaning drops the bytes column: what must read the same on hosts of
// either byte order (the golden files hold little-endian bytes).
func meaning(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if reDumpLine.MatchString(l) && len(l) > 6+hexWidth {
			l = l[:6] + strings.Repeat(" ", hexWidth) + l[6+hexWidth:]
		} else if reDumpLine.MatchString(l) {
			l = l[:6]
		}
		b.WriteString(strings.TrimRight(l, " ") + "\n")
	}
	return b.String()
}

func isLittleEndian() bool { return ne.Uint16([]byte{1, 0}) == 1 }

// compareDump checks a dump against the golden text: all of it on a
// little-endian host, the meaning column on a big-endian one.
func compareDump(t *testing.T, what, got, want string) {
	t.Helper()
	if isLittleEndian() {
		if got != want {
			t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", what, got, want)
		}
		return
	}
	if meaning(got) != meaning(want) {
		t.Errorf("%s differs (meaning column, big-endian host):\n--- got\n%s\n--- want\n%s", what, meaning(got), meaning(want))
	}
}

func TestGolden(t *testing.T) {
	for _, c := range goldenCases(t) {
		t.Run(c.name, func(t *testing.T) {
			got, err := DumpDatagram(c.proto, c.dir, c.b)
			if strings.HasPrefix(c.name, "malformed") {
				if err == nil {
					t.Error("no error for malformed input")
				} else {
					got += "error: " + err.Error() + "\n"
				}
			} else if err != nil {
				t.Errorf("error: %v", err)
			}
			path := filepath.Join("testdata", c.name+".golden")
			if *update && isLittleEndian() {
				writeFile(t, path, []byte(got))
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			compareDump(t, path, got, string(want))
		})
	}
}

// TestRoundTrip: encode -> dump -> decode the dump -> the same bytes,
// and the same dump again.
func TestRoundTrip(t *testing.T) {
	for _, c := range goldenCases(t) {
		t.Run(c.name, func(t *testing.T) {
			dump := FormatDatagram(c.proto, c.dir, c.b)
			ds, err := ParseText(dump)
			if err != nil {
				t.Fatalf("decoding the dump: %v\n%s", err, dump)
			}
			if len(ds) != 1 || !bytes.Equal(ds[0].Data, c.b) {
				t.Fatalf("the dump decodes to other bytes:\n%x\nwant\n%x", ds, c.b)
			}
			if ds[0].Dir != c.dir || (ds[0].Proto != c.proto && ds[0].Proto != -1) {
				t.Errorf("direction/protocol %v/%d, want %v/%d", ds[0].Dir, ds[0].Proto, c.dir, c.proto)
			}
			var out strings.Builder
			decode(cliGlobal(), []string{"-"}, strings.NewReader(dump), &out, &out)
			if strings.HasPrefix(c.name, "malformed") {
				return
			}
			if out.String() != dump {
				t.Errorf("nsbox decode of the dump:\n%s\nwant\n%s", out.String(), dump)
			}
		})
	}
}
