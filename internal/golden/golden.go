// Package golden reads the strace captures of iproute2 kept under
// rtnl/testdata/iproute2 (see the header of each file) and converts their
// little-endian x86 bytes to the host's native order, so that tests can
// compare nsbox's requests and decoders with iproute2's on any host,
// big-endian included. It knows the integer fields of the rtnetlink
// messages nsbox uses (nlmsghdr, ifinfomsg, ifaddrmsg, rtmsg and the
// IFLA_/IFA_/RTA_ attributes that hold integers); everything else is
// copied as it is. Used by tests only.
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
	switch typ {
	case unix.RTM_NEWLINK, unix.RTM_GETLINK, unix.RTM_DELLINK, unix.RTM_SETLINK:
		if len(b) < ifinfomsgLen {
			return nil, fmt.Errorf("short ifinfomsg")
		}
		return convertAttrs(ifinfoLE(b[:ifinfomsgLen]), b[ifinfomsgLen:], linkSchema)
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
// the value's own width (2, 4 or 8 bytes), 'U' = an array of u32, 'Q' =
// an array of u64, a nested schema, or bytes as they are.
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
		unix.IFLA_PROTINFO: brportSchema,
	}
	addrSchema  = schema{unix.IFA_CACHEINFO: 'U', unix.IFA_FLAGS: 'u', unix.IFA_RT_PRIORITY: 'u'}
	routeSchema = schema{unix.RTA_OIF: 'u', unix.RTA_IIF: 'u', unix.RTA_PRIORITY: 'u', unix.RTA_TABLE: 'u',
		unix.RTA_CACHEINFO: 'U', unix.RTA_UID: 'u', unix.RTA_EXPIRES: 'u', unix.RTA_METRICS: schema{}}
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
		switch how := sc[typ&netlink.NLA_TYPE_MASK].(type) {
		case rune:
			switch {
			case how == 'u' && len(v) == 2:
				out = native.AppendUint16(out, le.Uint16(v))
			case how == 'u' && len(v) == 4, how == 'U' && len(v)%4 == 0:
				for i := 0; i < len(v); i += 4 {
					out = native.AppendUint32(out, le.Uint32(v[i:]))
				}
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
