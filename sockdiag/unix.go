package sockdiag

import (
	"nsbox/netlink"
)

// What a unix_diag request asks to be shown (udiag_show bits,
// <linux/unix_diag.h>).
const (
	UDIAG_SHOW_NAME    = 0x01 // show name (not path)
	UDIAG_SHOW_VFS     = 0x02 // show VFS inode info
	UDIAG_SHOW_PEER    = 0x04 // show peer socket info
	UDIAG_SHOW_ICONS   = 0x08 // show pending connections
	UDIAG_SHOW_RQLEN   = 0x10 // show skb receive queue len
	UDIAG_SHOW_MEMINFO = 0x20 // show memory info of a socket
	UDIAG_SHOW_UID     = 0x40 // show socket's UID
)

// Attributes of a unix_diag reply.
const (
	UNIX_DIAG_NAME     = 0
	UNIX_DIAG_VFS      = 1
	UNIX_DIAG_PEER     = 2
	UNIX_DIAG_ICONS    = 3
	UNIX_DIAG_RQLEN    = 4
	UNIX_DIAG_MEMINFO  = 5
	UNIX_DIAG_SHUTDOWN = 6
	UNIX_DIAG_UID      = 7
)

// Socket types (<linux/net.h>).
const (
	SOCK_STREAM    = 1
	SOCK_DGRAM     = 2
	SOCK_RAW       = 3
	SOCK_RDM       = 4
	SOCK_SEQPACKET = 5
)

// UnixRequest is struct unix_diag_req.
//
//	struct unix_diag_req {
//		__u8	sdiag_family;
//		__u8	sdiag_protocol;
//		__u16	pad;
//		__u32	udiag_states;
//		__u32	udiag_ino;
//		__u32	udiag_show;
//		__u32	udiag_cookie[2];
//	};
type UnixRequest struct {
	States uint32 // bit 1<<TCP_x selects state TCP_x
	Ino    uint32 // 0 in a dump
	Show   uint32 // UDIAG_SHOW_*
	Cookie [2]uint32
}

// AppendBinary encodes the request (sdiag_family AF_UNIX).
func (r UnixRequest) AppendBinary(b []byte) []byte {
	b = append(b, AF_UNIX, 0, 0, 0)
	b = native.AppendUint32(b, r.States)
	b = native.AppendUint32(b, r.Ino)
	b = native.AppendUint32(b, r.Show)
	b = native.AppendUint32(b, r.Cookie[0])
	return native.AppendUint32(b, r.Cookie[1])
}

// Message is the netlink message for a dump of the request.
func (r UnixRequest) Message() netlink.Message {
	return netlink.Message{
		Header: netlink.Header{Type: SOCK_DIAG_BY_FAMILY},
		Data:   r.AppendBinary(make([]byte, 0, UnixReqLen)),
	}
}

// UnixMsg is struct unix_diag_msg.
//
//	struct unix_diag_msg {
//		__u8	udiag_family;
//		__u8	udiag_type;
//		__u8	udiag_state;
//		__u8	pad;
//		__u32	udiag_ino;
//		__u32	udiag_cookie[2];
//	};
type UnixMsg struct {
	Family uint8
	Type   uint8 // SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET
	State  uint8 // TCP_LISTEN, TCP_ESTABLISHED, TCP_CLOSE, ...
	Ino    uint32
	Cookie [2]uint32
}

// AppendBinary encodes the message header (as the kernel would send it).
func (m UnixMsg) AppendBinary(b []byte) []byte {
	b = append(b, m.Family, m.Type, m.State, 0)
	b = native.AppendUint32(b, m.Ino)
	b = native.AppendUint32(b, m.Cookie[0])
	return native.AppendUint32(b, m.Cookie[1])
}

// UnixSocket is one unix_diag reply with its attributes decoded.
type UnixSocket struct {
	UnixMsg
	// Name is UNIX_DIAG_NAME, the sun_path as bound: an abstract name
	// starts with a NUL byte. HasName tells whether it came.
	Name    string
	HasName bool
	// Peer is UNIX_DIAG_PEER: the inode of the peer socket.
	Peer    uint32
	HasPeer bool
	// RQueue and WQueue are struct unix_diag_rqlen (UNIX_DIAG_RQLEN):
	// for a listener, the accept backlog and its limit.
	RQueue, WQueue uint32
	HasRQLen       bool
	// VFSIno and VFSDev are struct unix_diag_vfs (UNIX_DIAG_VFS).
	VFSIno, VFSDev uint32
	HasVFS         bool
	Icons          []uint32 // UNIX_DIAG_ICONS: inodes of pending connections
	Shutdown       uint8    // UNIX_DIAG_SHUTDOWN
	HasShutdown    bool
	UID            uint32 // UNIX_DIAG_UID
	HasUID         bool
	MemInfo        []uint32 // UNIX_DIAG_MEMINFO: SK_MEMINFO_* words
	Other          []netlink.Attribute
}

// ParseUnix decodes one unix_diag reply payload (after struct nlmsghdr).
func ParseUnix(b []byte) (*UnixSocket, error) {
	if len(b) < UnixMsgLen {
		return nil, shortMsg("unix_diag_msg", len(b), UnixMsgLen)
	}
	s := &UnixSocket{}
	s.Family, s.Type, s.State = b[0], b[1], b[2]
	if s.Family != AF_UNIX {
		return nil, familyErr("unix_diag_msg", s.Family)
	}
	s.Ino = native.Uint32(b[4:])
	s.Cookie[0] = native.Uint32(b[8:])
	s.Cookie[1] = native.Uint32(b[12:])
	d := netlink.NewAttributeDecoder(b[UnixMsgLen:])
	for d.Next() {
		switch d.Type() {
		case UNIX_DIAG_NAME:
			s.Name, s.HasName = string(d.Bytes()), true
		case UNIX_DIAG_PEER:
			s.Peer, s.HasPeer = d.Uint32(), true
		case UNIX_DIAG_RQLEN:
			v := d.Bytes()
			if len(v) < unixRQLenLen {
				return nil, shortAttr("UNIX_DIAG_RQLEN", len(v), unixRQLenLen)
			}
			s.RQueue, s.WQueue, s.HasRQLen = native.Uint32(v), native.Uint32(v[4:]), true
		case UNIX_DIAG_VFS:
			v := d.Bytes()
			if len(v) < unixVFSLen {
				return nil, shortAttr("UNIX_DIAG_VFS", len(v), unixVFSLen)
			}
			s.VFSIno, s.VFSDev, s.HasVFS = native.Uint32(v), native.Uint32(v[4:]), true
		case UNIX_DIAG_ICONS:
			s.Icons = words(d.Bytes())
		case UNIX_DIAG_SHUTDOWN:
			s.Shutdown, s.HasShutdown = d.Uint8(), true
		case UNIX_DIAG_UID:
			s.UID, s.HasUID = d.Uint32(), true
		case UNIX_DIAG_MEMINFO:
			s.MemInfo = words(d.Bytes())
		default:
			s.Other = appendOther(s.Other, d)
		}
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	return s, nil
}

// DumpUnix sends the request as a SOCK_DIAG_BY_FAMILY dump on c and
// decodes every reply.
func DumpUnix(c *netlink.Conn, r UnixRequest) ([]*UnixSocket, error) {
	return dump(c, r.Message(), ParseUnix)
}
