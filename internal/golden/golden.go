// Package golden reads the strace captures of iproute2 kept under
// rtnl/testdata/iproute2 (see the header of each file) and converts their
// little-endian x86 bytes to the host's native order, so that tests can
// compare nsbox's requests and decoders with iproute2's on any host,
// big-endian included. It knows the integer fields of the rtnetlink
// messages nsbox uses (nlmsghdr, ifinfomsg, ifaddrmsg, rtmsg, ndmsg,
// fib_rule_hdr and the IFLA_/IFA_/RTA_/NDA_/FRA_ attributes that hold
// integers, struct rtnexthop and struct rtvia included; tcmsg and the
// TCA_* attributes, by kind, in tc.go); everything else is copied as it
// is. Call.Messages, Select, Last and LastRequest pick out the messages a
// test compares with. Used by tests only.
package golden

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/netlink"
)

var native = binary.NativeEndian

const (
	ifinfomsgLen = 16
	ifaddrmsgLen = 8
	rtmsgLen     = 12
	ndmsgLen     = 12
	ruleHdrLen   = 12
	rtnexthopLen = 8

	// VETH_INFO_PEER: rtnl.VETH_INFO_PEER, which this package cannot
	// import (rtnl's tests import it).
	vethInfoPeer = 1
)

func align(n int) int { return (n + 3) &^ 3 }

// Call is one strace'd sendmsg/recvmsg: its decoded line and the
// bytes of its hexdump.
type Call struct {
	Line string // strace's decoded line
	Data []byte // the hexdump
}

// Syscall reports whether c is a call of the named system call
// ("sendmsg": what iproute2 sent; "recvmsg": what the kernel answered).
func (c Call) Syscall(name string) bool { return strings.HasPrefix(c.Line, name+"(") }

// Carries reports whether c has a hexdump and strace decoded a message
// of the named type in it ("RTM_NEWLINK").
func (c Call) Carries(typ string) bool {
	return len(c.Data) > 0 && strings.Contains(c.Line, "nlmsg_type="+typ)
}

// Messages is c's datagram converted to native order (ToNative) and
// split into its messages.
func (c Call) Messages() ([]netlink.Message, error) {
	b, err := ToNative(c.Data)
	if err != nil {
		return nil, err
	}
	return netlink.ParseMessages(b)
}

// NftMessages is Messages for a capture of nft (NftToNative).
func (c Call) NftMessages() ([]netlink.Message, error) {
	b, err := NftToNative(c.Data)
	if err != nil {
		return nil, err
	}
	return netlink.ParseMessages(b)
}

// Select returns, in their order, the messages of type typ in the calls
// with a hexdump that keep accepts, in native order.
func Select(calls []Call, keep func(Call) bool, typ uint16) ([]netlink.Message, error) {
	var out []netlink.Message
	for _, c := range calls {
		if len(c.Data) == 0 || !keep(c) {
			continue
		}
		msgs, err := c.Messages()
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			if uint16(m.Header.Type) == typ {
				out = append(out, m)
			}
		}
	}
	return out, nil
}

// LastRequest is the last message of type typ that calls sent (sendmsg),
// as Last gives it: what nsbox must send for the same request.
func LastRequest(calls []Call, typ uint16) ([]byte, error) {
	var sent [][]byte
	for _, c := range calls {
		if len(c.Data) == 0 || !c.Syscall("sendmsg") {
			continue
		}
		b, err := ToNative(c.Data)
		if err != nil {
			return nil, err
		}
		sent = append(sent, b)
	}
	b, err := Last(sent, typ)
	if err == nil && b == nil {
		err = fmt.Errorf("no message of type %d sent", typ)
	}
	return b, err
}

// Last is the last message of type typ in datagrams (native order), with
// nlmsg_seq and nlmsg_pid zero, so that what iproute2 and nsbox sent
// compare byte for byte; nil when there is none.
func Last(datagrams [][]byte, typ uint16) ([]byte, error) {
	var out []byte
	for _, d := range datagrams {
		msgs, err := netlink.ParseMessages(d)
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			if uint16(m.Header.Type) == typ {
				if out, err = m.MarshalBinary(); err != nil {
					return nil, err
				}
			}
		}
	}
	if out != nil {
		native.PutUint32(out[8:], 0)  // nlmsg_seq
		native.PutUint32(out[12:], 0) // nlmsg_pid
	}
	return out, nil
}

// Load reads a capture file: the message type named on its
// "# want:" line, and every call with a hexdump.
func Load(path string) (want string, calls []Call, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", nil, err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	var cur *Call
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "# want: "):
			want = strings.TrimSpace(strings.TrimPrefix(line, "# want: "))
		case strings.HasPrefix(line, "sendmsg(") || strings.HasPrefix(line, "recvmsg(") ||
			strings.HasPrefix(line, "sendto("):
			calls = append(calls, Call{Line: line})
			cur = &calls[len(calls)-1]
		case strings.HasPrefix(line, " | ") && cur != nil && len(line) > 10:
			// " | 00010  00 11 22 ...  ascii |": hex from column 10 to 59
			end := 59
			if len(line) < end {
				end = len(line)
			}
			for _, f := range strings.Fields(line[10:end]) {
				v, err := hex.DecodeString(f)
				if err != nil || len(v) != 1 {
					return "", nil, fmt.Errorf("%s: bad hexdump line %q", path, line)
				}
				cur.Data = append(cur.Data, v[0])
			}
		}
	}
	if want == "" {
		return "", nil, fmt.Errorf("%s: no '# want:' line", path)
	}
	return want, calls, nil
}

var le = binary.LittleEndian

// ToNative re-emits a little-endian datagram in native order.
func ToNative(b []byte) ([]byte, error) {
	var out []byte
	for off := 0; off < len(b); {
		if len(b)-off < 16 {
			return nil, fmt.Errorf("short header at %d", off)
		}
		n := int(le.Uint32(b[off:]))
		if n < 16 || off+n > len(b) {
			return nil, fmt.Errorf("bad nlmsg_len %d at %d", n, off)
		}
		typ := le.Uint16(b[off+4:])
		out = native.AppendUint32(out, uint32(n))
		out = native.AppendUint16(out, typ)
		out = native.AppendUint16(out, le.Uint16(b[off+6:]))
		out = native.AppendUint32(out, le.Uint32(b[off+8:]))
		out = native.AppendUint32(out, le.Uint32(b[off+12:]))
		body, err := convertBody(typ, b[off+16:off+n])
		if err != nil {
			return nil, err
		}
		out = append(out, body...)
		next := off + align(n)
		for len(out) < next && next <= len(b) {
			out = append(out, b[len(out)])
		}
		off = next
	}
	return out, nil
}

func convertBody(typ uint16, b []byte) ([]byte, error) {
	if isTC(typ) {
		return convertTC(typ, b) // tc.go
	}
	switch typ {
	case unix.RTM_NEWLINK, unix.RTM_GETLINK, unix.RTM_DELLINK, unix.RTM_SETLINK,
		unix.RTM_NEWLINKPROP, unix.RTM_DELLINKPROP:
		if len(b) < ifinfomsgLen {
			return nil, fmt.Errorf("short ifinfomsg")
		}
		sc := linkSchema
		if b[0] == unix.AF_BRIDGE {
			// an AF_BRIDGE link's IFLA_AF_SPEC holds IFLA_BRIDGE_*
			sc = schema{unix.IFLA_AF_SPEC: bridgeAFSpecSchema}
			for k, v := range linkSchema {
				if k != unix.IFLA_AF_SPEC {
					sc[k] = v
				}
			}
		}
		return convertAttrs(ifinfoLE(b[:ifinfomsgLen]), b[ifinfomsgLen:], sc)
	case unix.RTM_NEWADDR, unix.RTM_GETADDR, unix.RTM_DELADDR:
		if len(b) < ifaddrmsgLen {
			return nil, fmt.Errorf("short ifaddrmsg")
		}
		h := append([]byte(nil), b[:4]...)
		h = native.AppendUint32(h, le.Uint32(b[4:]))
		return convertAttrs(h, b[ifaddrmsgLen:], addrSchema)
	case unix.RTM_NEWROUTE, unix.RTM_GETROUTE, unix.RTM_DELROUTE:
		if len(b) < rtmsgLen {
			return nil, fmt.Errorf("short rtmsg")
		}
		h := append([]byte(nil), b[:8]...)
		h = native.AppendUint32(h, le.Uint32(b[8:]))
		return convertAttrs(h, b[rtmsgLen:], routeSchema)
	case unix.RTM_NEWNEIGH, unix.RTM_GETNEIGH, unix.RTM_DELNEIGH:
		if len(b) < ndmsgLen {
			return nil, fmt.Errorf("short ndmsg")
		}
		h := append([]byte(nil), b[:4]...)
		h = native.AppendUint32(h, le.Uint32(b[4:]))
		h = native.AppendUint16(h, le.Uint16(b[8:]))
		h = append(h, b[10:12]...)
		return convertAttrs(h, b[ndmsgLen:], neighSchema)
	case unix.RTM_NEWRULE, unix.RTM_GETRULE, unix.RTM_DELRULE:
		if len(b) < ruleHdrLen {
			return nil, fmt.Errorf("short fib_rule_hdr")
		}
		h := append([]byte(nil), b[:8]...)
		h = native.AppendUint32(h, le.Uint32(b[8:]))
		return convertAttrs(h, b[ruleHdrLen:], ruleSchema)
	case unix.NLMSG_ERROR, unix.NLMSG_DONE:
		if len(b) >= 4 {
			return append(native.AppendUint32(nil, le.Uint32(b)), b[4:]...), nil
		}
	}
	return append([]byte(nil), b...), nil
}

func ifinfoLE(b []byte) []byte {
	h := []byte{b[0], b[1]}
	h = native.AppendUint16(h, le.Uint16(b[2:]))
	h = native.AppendUint32(h, le.Uint32(b[4:]))
	h = native.AppendUint32(h, le.Uint32(b[8:]))
	return native.AppendUint32(h, le.Uint32(b[12:]))
}

// A schema says how to convert each attribute's value: 'u' = integers of
// the value's own width (2, 4 or 8 bytes), 'U' = an array of u32, 'H' =
// an array of u16, 'Q' = an array of u64, 'M' = RTA_MULTIPATH (struct
// rtnexthop and RTA_* each), 'V' = struct rtvia (a u16 family, then the
// address), a nested schema, or bytes as they are.
type schema map[uint16]any

var (
	brportSchema = schema{2: 'u', 3: 'u', 15: 'u', 16: 'u', 17: 'u', 18: 'u', 21: 'u',
		22: 'u', 23: 'u', 31: 'u', 34: 'u', 37: 'u', 38: 'u', 41: 'u', 42: 'u'}
	// IFLA_LINKINFO's IFLA_INFO_DATA is typed by its IFLA_INFO_KIND (see
	// dataSchemas); here it is a placeholder convertAttrs replaces.
	infoSchema = schema{unix.IFLA_INFO_DATA: schema{}, unix.IFLA_INFO_SLAVE_DATA: brportSchema}
	// dataSchemas types IFLA_INFO_DATA by IFLA_INFO_KIND. Only the
	// integers kept in native order are listed: IFLA_BR_VLAN_PROTOCOL,
	// IFLA_VXLAN_PORT, _PORT_RANGE and _LABEL are in network order.
	dataSchemas = map[string]schema{
		"veth": {vethInfoPeer: 'P'}, // 'P': a struct ifinfomsg, then link attributes
		"bridge": {1: 'u', 2: 'u', 3: 'u', 4: 'u', 5: 'u', 6: 'u', 9: 'u', 12: 'u', 13: 'u',
			16: 'u', 17: 'u', 18: 'u', 19: 'u', 26: 'u', 27: 'u', 28: 'u', 29: 'u', 30: 'u',
			31: 'u', 32: 'u', 33: 'u', 34: 'u', 35: 'u', 39: 'u', 46: 'U', 48: 'u', 49: 'u'},
		"vxlan":   {1: 'u', 3: 'u', 8: 'u', 9: 'u'},
		"macvlan": {1: 'u', 2: 'u', 3: 'u', 6: 'u', 7: 'u', 8: 'u', 9: 'u'},
	}
	linkSchema = schema{
		unix.IFLA_MTU: 'u', unix.IFLA_LINK: 'u', unix.IFLA_MASTER: 'u',
		unix.IFLA_TXQLEN: 'u', unix.IFLA_NET_NS_PID: 'u', unix.IFLA_NET_NS_FD: 'u',
		unix.IFLA_EXT_MASK: 'u', unix.IFLA_GROUP: 'u', unix.IFLA_PROMISCUITY: 'u',
		unix.IFLA_NUM_TX_QUEUES: 'u', unix.IFLA_NUM_RX_QUEUES: 'u',
		unix.IFLA_CARRIER_CHANGES: 'u', unix.IFLA_LINK_NETNSID: 'u',
		unix.IFLA_GSO_MAX_SEGS: 'u', unix.IFLA_GSO_MAX_SIZE: 'u',
		unix.IFLA_CARRIER_UP_COUNT: 'u', unix.IFLA_CARRIER_DOWN_COUNT: 'u',
		unix.IFLA_MIN_MTU: 'u', unix.IFLA_MAX_MTU: 'u', unix.IFLA_NEW_NETNSID: 'u',
		unix.IFLA_ALLMULTI: 'u', unix.IFLA_GRO_MAX_SIZE: 'u', unix.IFLA_TSO_MAX_SIZE: 'u',
		unix.IFLA_TSO_MAX_SEGS: 'u', 63: 'u', 64: 'u', 66: 'u', 68: 'u', 69: 'u',
		unix.IFLA_STATS64: 'Q', unix.IFLA_STATS: 'U', unix.IFLA_LINKINFO: infoSchema,
		unix.IFLA_PROTINFO: brportSchema, unix.IFLA_PROP_LIST: schema{},
	}
	// IFLA_BRIDGE_FLAGS, IFLA_BRIDGE_MODE, IFLA_BRIDGE_VLAN_INFO (struct
	// bridge_vlan_info: two u16), IFLA_BRIDGE_VLAN_TUNNEL_INFO { ID, VID,
	// FLAGS }.
	bridgeAFSpecSchema = schema{0: 'u', 1: 'u', 2: 'H', 3: schema{1: 'u', 2: 'u', 3: 'u'}}
	addrSchema         = schema{unix.IFA_CACHEINFO: 'U', unix.IFA_FLAGS: 'u', unix.IFA_RT_PRIORITY: 'u'}
	routeSchema        = schema{unix.RTA_OIF: 'u', unix.RTA_IIF: 'u', unix.RTA_PRIORITY: 'u', unix.RTA_TABLE: 'u',
		unix.RTA_CACHEINFO: 'U', unix.RTA_UID: 'u', unix.RTA_EXPIRES: 'u', unix.RTA_METRICS: schema{},
		unix.RTA_MULTIPATH: 'M', unix.RTA_FLOW: 'u', unix.RTA_MARK: 'u', unix.RTA_VIA: 'V', 30 /* RTA_NH_ID */ : 'u'}
	// NDA_*: NDA_PORT is in network order.
	neighSchema = schema{unix.NDA_CACHEINFO: 'U', unix.NDA_PROBES: 'u', unix.NDA_VLAN: 'u', unix.NDA_VNI: 'u',
		unix.NDA_IFINDEX: 'u', unix.NDA_MASTER: 'u', unix.NDA_LINK_NETNSID: 'u', unix.NDA_SRC_VNI: 'u',
		13 /* NDA_NH_ID */ : 'u', 15 /* NDA_FLAGS_EXT */ : 'u', 16 /* NDA_NDM_STATE_MASK */ : 'u'}
	// FRA_*: FRA_TUN_ID is in network order; the port ranges are two u16.
	ruleSchema = schema{unix.FRA_GOTO: 'u', unix.FRA_PRIORITY: 'u', unix.FRA_FWMARK: 'u', unix.FRA_FWMASK: 'u', unix.FRA_FLOW: 'u',
		unix.FRA_SUPPRESS_IFGROUP: 'u', unix.FRA_SUPPRESS_PREFIXLEN: 'u', unix.FRA_TABLE: 'u',
		unix.FRA_UID_RANGE: 'U', unix.FRA_SPORT_RANGE: 'H', unix.FRA_DPORT_RANGE: 'H'}
)

// kindOf is the IFLA_INFO_KIND in the attributes of IFLA_LINKINFO.
func kindOf(b []byte) string {
	for off := 0; off+4 <= len(b); {
		n := int(le.Uint16(b[off:]))
		if n < 4 || off+n > len(b) {
			break
		}
		if le.Uint16(b[off+2:])&netlink.NLA_TYPE_MASK == unix.IFLA_INFO_KIND {
			return strings.TrimRight(string(b[off+4:off+n]), "\x00")
		}
		off += align(n)
	}
	return ""
}

func convertAttrs(out, b []byte, sc schema) ([]byte, error) {
	for off := 0; off < len(b); {
		if len(b)-off < 4 {
			return append(out, b[off:]...), nil // trailing pad
		}
		n := int(le.Uint16(b[off:]))
		typ := le.Uint16(b[off+2:])
		if n < 4 || off+n > len(b) {
			return nil, fmt.Errorf("bad nla_len %d type %d at %d (%d bytes)", n, typ, off, len(b))
		}
		out = native.AppendUint16(out, uint16(n))
		out = native.AppendUint16(out, typ)
		v := b[off+4 : off+n]
		if conv, ok, err := convertSpecial(sc[typ&netlink.NLA_TYPE_MASK], v); ok {
			if err != nil {
				return nil, fmt.Errorf("in %d: %w", typ&netlink.NLA_TYPE_MASK, err)
			}
			out = append(out, conv...)
			next := min(off+align(n), len(b))
			out = append(out, b[off+n:next]...)
			off = next
			continue
		}
		switch how := sc[typ&netlink.NLA_TYPE_MASK].(type) {
		case rune:
			switch {
			case how == 'u' && len(v) == 2:
				out = native.AppendUint16(out, le.Uint16(v))
			case how == 'u' && len(v) == 4, how == 'U' && len(v)%4 == 0:
				for i := 0; i < len(v); i += 4 {
					out = native.AppendUint32(out, le.Uint32(v[i:]))
				}
			case how == 'H' && len(v)%2 == 0:
				for i := 0; i < len(v); i += 2 {
					out = native.AppendUint16(out, le.Uint16(v[i:]))
				}
			case how == 'V' && len(v) >= 2:
				out = native.AppendUint16(out, le.Uint16(v))
				out = append(out, v[2:]...)
			case how == 'M':
				nested, err := convertMultipath(v)
				if err != nil {
					return nil, err
				}
				out = append(out, nested...)
			case how == 'u' && len(v) == 8, how == 'Q' && len(v)%8 == 0:
				for i := 0; i < len(v); i += 8 {
					out = native.AppendUint64(out, le.Uint64(v[i:]))
				}
			case how == 'P' && len(v) >= ifinfomsgLen:
				nested, err := convertAttrs(ifinfoLE(v[:ifinfomsgLen]), v[ifinfomsgLen:], linkSchema)
				if err != nil {
					return nil, err
				}
				out = append(out, nested...)
			default:
				out = append(out, v...)
			}
		case schema:
			if sc[unix.IFLA_INFO_SLAVE_DATA] != nil && typ&netlink.NLA_TYPE_MASK == unix.IFLA_INFO_DATA {
				how = dataSchemas[kindOf(b)] // b: the attributes of IFLA_LINKINFO
			}
			sub := how
			if len(how) == 0 && typ&netlink.NLA_TYPE_MASK == unix.RTA_METRICS {
				sub = schema{}
				for i := uint16(0); i < 32; i++ {
					sub[i] = 'u'
				}
			}
			nested, err := convertAttrs(nil, v, sub)
			if err != nil {
				err = fmt.Errorf("in %d: %w", typ, err)
			}
			if err != nil {
				return nil, err
			}
			out = append(out, nested...)
		default:
			out = append(out, v...)
		}
		next := off + align(n)
		if next > len(b) {
			next = len(b)
		}
		out = append(out, b[off+n:next]...)
		off = next
	}
	return out, nil
}

// convertMultipath converts RTA_MULTIPATH's next hops: struct rtnexthop
// (rtnh_len u16, flags, hops, rtnh_ifindex s32), then its RTA_*.
func convertMultipath(b []byte) ([]byte, error) {
	var out []byte
	for off := 0; off < len(b); {
		if len(b)-off < rtnexthopLen {
			return append(out, b[off:]...), nil
		}
		n := int(le.Uint16(b[off:]))
		if n < rtnexthopLen || off+n > len(b) {
			return nil, fmt.Errorf("bad rtnh_len %d at %d", n, off)
		}
		out = native.AppendUint16(out, uint16(n))
		out = append(out, b[off+2], b[off+3])
		out = native.AppendUint32(out, le.Uint32(b[off+4:]))
		nested, err := convertAttrs(nil, b[off+rtnexthopLen:off+n], routeSchema)
		if err != nil {
			return nil, err
		}
		out = append(out, nested...)
		next := min(off+align(n), len(b))
		out = append(out, b[off+n:next]...)
		off = next
	}
	return out, nil
}
