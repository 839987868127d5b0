package sockdiag

import (
	"nsbox/netlink"
)

// AF_NETLINK and what a netlink_diag request asks to be shown
// (<linux/netlink_diag.h>).
const (
	AF_NETLINK = 16

	NDIAG_PROTO_ALL    = 255 // ((__u8) ~0)
	NDIAG_SHOW_MEMINFO = 0x01
	NDIAG_SHOW_GROUPS  = 0x02
	NDIAG_SHOW_RING    = 0x04
	NDIAG_SHOW_FLAGS   = 0x08

	NETLINK_DIAG_MEMINFO = 0
	NETLINK_DIAG_GROUPS  = 1
	NETLINK_DIAG_RX_RING = 2
	NETLINK_DIAG_TX_RING = 3
	NETLINK_DIAG_FLAGS   = 4

	// ndiag_state of a socket that has a default destination
	NETLINK_CONNECTED = 1

	NetlinkReqLen = 20 // sizeof(struct netlink_diag_req)
	NetlinkMsgLen = 28 // sizeof(struct netlink_diag_msg)

	// Indexes into the SK_MEMINFO_* words (<linux/sock_diag.h>).
	SK_MEMINFO_RMEM_ALLOC = 0
	SK_MEMINFO_RCVBUF     = 1
	SK_MEMINFO_WMEM_ALLOC = 2
)

// NetlinkRequest is struct netlink_diag_req.
//
//	struct netlink_diag_req {
//		__u8	sdiag_family;
//		__u8	sdiag_protocol;
//		__u16	pad;
//		__u32	ndiag_ino;
//		__u32	ndiag_show;
//		__u32	ndiag_cookie[2];
//	};
type NetlinkRequest struct {
	Protocol uint8 // NETLINK_ROUTE, ..., or NDIAG_PROTO_ALL
	Ino      uint32
	Show     uint32 // NDIAG_SHOW_*
	Cookie   [2]uint32
}

// AppendBinary encodes the request (sdiag_family AF_NETLINK).
func (r NetlinkRequest) AppendBinary(b []byte) []byte {
	b = append(b, AF_NETLINK, r.Protocol, 0, 0)
	b = native.AppendUint32(b, r.Ino)
	b = native.AppendUint32(b, r.Show)
	b = native.AppendUint32(b, r.Cookie[0])
	return native.AppendUint32(b, r.Cookie[1])
}

// Message is the netlink message for a dump of the request.
func (r NetlinkRequest) Message() netlink.Message {
	return netlink.Message{
		Header: netlink.Header{Type: SOCK_DIAG_BY_FAMILY},
		Data:   r.AppendBinary(make([]byte, 0, NetlinkReqLen)),
	}
}

// NetlinkMsg is struct netlink_diag_msg.
//
//	struct netlink_diag_msg {
//		__u8	ndiag_family;
//		__u8	ndiag_type;
//		__u8	ndiag_protocol;
//		__u8	ndiag_state;
//		__u32	ndiag_portid;
//		__u32	ndiag_dst_portid;
//		__u32	ndiag_dst_group;
//		__u32	ndiag_ino;
//		__u32	ndiag_cookie[2];
//	};
type NetlinkMsg struct {
	Family, Type, Protocol, State uint8
	PortID, DstPortID, DstGroup   uint32
	Ino                           uint32
	Cookie                        [2]uint32
}

// AppendBinary encodes the message header (as the kernel would send it).
func (m NetlinkMsg) AppendBinary(b []byte) []byte {
	b = append(b, m.Family, m.Type, m.Protocol, m.State)
	for _, v := range []uint32{m.PortID, m.DstPortID, m.DstGroup, m.Ino, m.Cookie[0], m.Cookie[1]} {
		b = native.AppendUint32(b, v)
	}
	return b
}

// NetlinkSocket is one netlink_diag reply with its attributes decoded.
type NetlinkSocket struct {
	NetlinkMsg
	// MemInfo is NETLINK_DIAG_MEMINFO: SK_MEMINFO_* words.
	MemInfo []uint32
	// Groups is NETLINK_DIAG_GROUPS as sent: a bitmap of unsigned longs
	// (the kernel's word size).
	Groups []byte
	Flags  uint32 // NETLINK_DIAG_FLAGS
	Other  []netlink.Attribute
}

// ParseNetlink decodes one netlink_diag reply payload.
func ParseNetlink(b []byte) (*NetlinkSocket, error) {
	if len(b) < NetlinkMsgLen {
		return nil, shortMsg("netlink_diag_msg", len(b), NetlinkMsgLen)
	}
	s := &NetlinkSocket{}
	s.Family, s.Type, s.Protocol, s.State = b[0], b[1], b[2], b[3]
	if s.Family != AF_NETLINK {
		return nil, familyErr("netlink_diag_msg", s.Family)
	}
	w := words(b[4:NetlinkMsgLen])
	s.PortID, s.DstPortID, s.DstGroup, s.Ino, s.Cookie[0], s.Cookie[1] = w[0], w[1], w[2], w[3], w[4], w[5]
	d := netlink.NewAttributeDecoder(b[NetlinkMsgLen:])
	for d.Next() {
		switch d.Type() {
		case NETLINK_DIAG_MEMINFO:
			s.MemInfo = words(d.Bytes())
		case NETLINK_DIAG_GROUPS:
			s.Groups = clone(d.Bytes())
		case NETLINK_DIAG_FLAGS:
			s.Flags = d.Uint32()
		default:
			s.Other = appendOther(s.Other, d)
		}
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	return s, nil
}

// DumpNetlink sends the request as a SOCK_DIAG_BY_FAMILY dump on c and
// decodes every reply.
func DumpNetlink(c *netlink.Conn, r NetlinkRequest) ([]*NetlinkSocket, error) {
	return dump(c, r.Message(), ParseNetlink)
}
