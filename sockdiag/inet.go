package sockdiag

import (
	"encoding/binary"
	"net/netip"

	fmt "nsbox/internal/printf"
	"nsbox/netlink"
)

var native = binary.NativeEndian

// SOCK_DIAG_BY_FAMILY is the nlmsg_type of every sock_diag request
// (<linux/sock_diag.h>).
const SOCK_DIAG_BY_FAMILY = 20

// Attributes of an inet_diag reply (enum in <linux/inet_diag.h>).
const (
	INET_DIAG_NONE            = 0
	INET_DIAG_MEMINFO         = 1
	INET_DIAG_INFO            = 2
	INET_DIAG_VEGASINFO       = 3
	INET_DIAG_CONG            = 4
	INET_DIAG_TOS             = 5
	INET_DIAG_TCLASS          = 6
	INET_DIAG_SKMEMINFO       = 7
	INET_DIAG_SHUTDOWN        = 8
	INET_DIAG_DCTCPINFO       = 9
	INET_DIAG_PROTOCOL        = 10
	INET_DIAG_SKV6ONLY        = 11
	INET_DIAG_LOCALS          = 12
	INET_DIAG_PEERS           = 13
	INET_DIAG_PAD             = 14
	INET_DIAG_MARK            = 15
	INET_DIAG_BBRINFO         = 16
	INET_DIAG_CLASS_ID        = 17
	INET_DIAG_MD5SIG          = 18
	INET_DIAG_ULP_INFO        = 19
	INET_DIAG_SK_BPF_STORAGES = 20
	INET_DIAG_CGROUP_ID       = 21
	INET_DIAG_SOCKOPT         = 22
)

// Attributes of an inet_diag request.
const (
	INET_DIAG_REQ_NONE            = 0
	INET_DIAG_REQ_BYTECODE        = 1
	INET_DIAG_REQ_SK_BPF_STORAGES = 2
	INET_DIAG_REQ_PROTOCOL        = 3
)

// TCP states as the kernel numbers them (include/net/tcp_states.h); the
// bit 1<<state selects a state in idiag_states.
const (
	TCP_ESTABLISHED  = 1
	TCP_SYN_SENT     = 2
	TCP_SYN_RECV     = 3
	TCP_FIN_WAIT1    = 4
	TCP_FIN_WAIT2    = 5
	TCP_TIME_WAIT    = 6
	TCP_CLOSE        = 7
	TCP_CLOSE_WAIT   = 8
	TCP_LAST_ACK     = 9
	TCP_LISTEN       = 10
	TCP_CLOSING      = 11
	TCP_NEW_SYN_RECV = 12
	TCP_MAX_STATES   = 13
)

// AllStates selects every state up to TCP_CLOSING, as ss's SS_ALL does:
// the kernel adds TCP_NEW_SYN_RECV itself when TCP_SYN_RECV is asked
// for, and mptcp_diag finds no listener when bit 12 is set.
const AllStates = uint32(1<<(TCP_CLOSING+1) - 1)

// INET_DIAG_NOCOOKIE in idiag_cookie means "any socket".
const INET_DIAG_NOCOOKIE = ^uint32(0)

// Sizes of the fixed structures.
const (
	SockIDLen     = 48 // sizeof(struct inet_diag_sockid)
	InetReqLen    = 56 // sizeof(struct inet_diag_req_v2)
	InetMsgLen    = 72 // sizeof(struct inet_diag_msg)
	MemInfoLen    = 16 // sizeof(struct inet_diag_meminfo)
	UnixReqLen    = 24 // sizeof(struct unix_diag_req)
	UnixMsgLen    = 16 // sizeof(struct unix_diag_msg)
	unixRQLenLen  = 8  // sizeof(struct unix_diag_rqlen)
	unixVFSLen    = 8  // sizeof(struct unix_diag_vfs)
	skMemInfoVars = 9  // SK_MEMINFO_VARS
)

// SockID is struct inet_diag_sockid.
//
//	struct inet_diag_sockid {
//		__be16	idiag_sport;
//		__be16	idiag_dport;
//		__be32	idiag_src[4];
//		__be32	idiag_dst[4];
//		__u32	idiag_if;
//		__u32	idiag_cookie[2];
//	};
//
// Ports are kept here in host order (decoded from network order);
// addresses as the 16 raw network-order bytes (an IPv4 address uses the
// first 4).
type SockID struct {
	SPort, DPort uint16
	Src, Dst     [16]byte
	If           uint32
	Cookie       [2]uint32
}

// AppendBinary encodes the sockid: ports and addresses in network order,
// interface and cookie in native order.
func (id SockID) AppendBinary(b []byte) []byte {
	b = binary.BigEndian.AppendUint16(b, id.SPort)
	b = binary.BigEndian.AppendUint16(b, id.DPort)
	b = append(b, id.Src[:]...)
	b = append(b, id.Dst[:]...)
	b = native.AppendUint32(b, id.If)
	b = native.AppendUint32(b, id.Cookie[0])
	return native.AppendUint32(b, id.Cookie[1])
}

func parseSockID(b []byte) SockID {
	var id SockID
	id.SPort = binary.BigEndian.Uint16(b[0:2])
	id.DPort = binary.BigEndian.Uint16(b[2:4])
	copy(id.Src[:], b[4:20])
	copy(id.Dst[:], b[20:36])
	id.If = native.Uint32(b[36:40])
	id.Cookie[0] = native.Uint32(b[40:44])
	id.Cookie[1] = native.Uint32(b[44:48])
	return id
}

// Cookie64 is the socket cookie as one number, as ss prints it (sk:).
func (id SockID) Cookie64() uint64 {
	return uint64(id.Cookie[1])<<32 | uint64(id.Cookie[0])
}

// addr returns the address in raw for family.
func addr(family uint8, raw [16]byte) netip.Addr {
	if family == AF_INET {
		return netip.AddrFrom4([4]byte(raw[:4]))
	}
	return netip.AddrFrom16(raw)
}

// Address families used here (<linux/socket.h>).
const (
	AF_UNIX  = 1
	AF_INET  = 2
	AF_INET6 = 10
)

// IP protocols (<linux/in.h>).
const (
	IPPROTO_ICMP = 1
	IPPROTO_TCP  = 6
	IPPROTO_UDP  = 17
	IPPROTO_RAW  = 255
	// IPPROTO_MPTCP does not fit sdiag_protocol: a request for it
	// carries INET_DIAG_REQ_PROTOCOL.
	IPPROTO_MPTCP = 262
)

// InetRequest is struct inet_diag_req_v2 (for raw sockets, struct
// inet_diag_req_raw: the pad byte carries sdiag_raw_protocol).
//
//	struct inet_diag_req_v2 {
//		__u8	sdiag_family;
//		__u8	sdiag_protocol;
//		__u8	idiag_ext;
//		__u8	pad;
//		__u32	idiag_states;
//		struct inet_diag_sockid id;
//	};
type InetRequest struct {
	Family   uint8 // AF_INET or AF_INET6
	Protocol uint8 // IPPROTO_TCP, IPPROTO_UDP, IPPROTO_RAW
	// Ext asks for extra attributes: bit INET_DIAG_x-1 for INET_DIAG_x.
	Ext uint8
	// RawProtocol is sdiag_raw_protocol (raw sockets only; 0 = any).
	RawProtocol uint8
	States      uint32 // bit 1<<TCP_x selects state TCP_x
	ID          SockID
	// ExtProtocol, when above 255 (IPPROTO_MPTCP), is sent as
	// INET_DIAG_REQ_PROTOCOL; sdiag_protocol then holds its low byte,
	// as iproute2 sends it.
	ExtProtocol uint32
}

// ExtBit is the idiag_ext bit that asks for attribute attr.
func ExtBit(attr int) uint8 { return 1 << (attr - 1) }

// AppendBinary encodes the request.
func (r InetRequest) AppendBinary(b []byte) []byte {
	b = append(b, r.Family, r.Protocol, r.Ext, r.RawProtocol)
	b = native.AppendUint32(b, r.States)
	return r.ID.AppendBinary(b)
}

// Message is the netlink message for a dump of the request.
func (r InetRequest) Message() netlink.Message {
	b := r.AppendBinary(make([]byte, 0, InetReqLen+8))
	if r.ExtProtocol > 255 {
		b[1] = uint8(r.ExtProtocol)
		e := netlink.NewAttributeEncoder(b)
		e.Uint32(INET_DIAG_REQ_PROTOCOL, r.ExtProtocol)
		b, _ = e.Encode()
	}
	return netlink.Message{Header: netlink.Header{Type: SOCK_DIAG_BY_FAMILY}, Data: b}
}

// InetMsg is struct inet_diag_msg.
//
//	struct inet_diag_msg {
//		__u8	idiag_family;
//		__u8	idiag_state;
//		__u8	idiag_timer;
//		__u8	idiag_retrans;
//		struct inet_diag_sockid id;
//		__u32	idiag_expires;
//		__u32	idiag_rqueue;
//		__u32	idiag_wqueue;
//		__u32	idiag_uid;
//		__u32	idiag_inode;
//	};
type InetMsg struct {
	Family  uint8
	State   uint8
	Timer   uint8
	Retrans uint8
	ID      SockID
	Expires uint32 // ms
	RQueue  uint32
	WQueue  uint32
	UID     uint32
	Inode   uint32
}

// AppendBinary encodes the message header (as the kernel would send it).
func (m InetMsg) AppendBinary(b []byte) []byte {
	b = append(b, m.Family, m.State, m.Timer, m.Retrans)
	b = m.ID.AppendBinary(b)
	b = native.AppendUint32(b, m.Expires)
	b = native.AppendUint32(b, m.RQueue)
	b = native.AppendUint32(b, m.WQueue)
	b = native.AppendUint32(b, m.UID)
	return native.AppendUint32(b, m.Inode)
}

// MemInfo is struct inet_diag_meminfo (INET_DIAG_MEMINFO).
type MemInfo struct{ RMem, WMem, FMem, TMem uint32 }

// InetSocket is one reply: the fixed part and the attributes nsbox uses.
// Attributes it does not decode are kept in Other.
type InetSocket struct {
	InetMsg
	// Protocol is INET_DIAG_PROTOCOL when sent (the kernel sends it for
	// every socket since 4.x), else 0.
	Protocol uint8
	// Shutdown is INET_DIAG_SHUTDOWN: bit 0 RCV_SHUTDOWN, bit 1
	// SEND_SHUTDOWN; HasShutdown tells whether it came.
	Shutdown    uint8
	HasShutdown bool
	// V6Only is INET_DIAG_SKV6ONLY (IPv6 sockets); HasV6Only tells
	// whether it came.
	V6Only    bool
	HasV6Only bool
	Mark      uint32 // INET_DIAG_MARK
	CgroupID  uint64 // INET_DIAG_CGROUP_ID
	TOS       uint8  // INET_DIAG_TOS
	TClass    uint8  // INET_DIAG_TCLASS
	ClassID   uint32 // INET_DIAG_CLASS_ID
	Cong      string // INET_DIAG_CONG
	// Info is INET_DIAG_INFO as sent: struct tcp_info for TCP (its
	// length grows with the kernel; see ParseTCPInfo).
	Info      []byte
	MemInfo   *MemInfo // INET_DIAG_MEMINFO
	SKMemInfo []uint32 // INET_DIAG_SKMEMINFO: SK_MEMINFO_* words
	Other     []netlink.Attribute
	// FromProc says the socket was read from /proc/net (ReadProcNet),
	// not from a sock_diag reply.
	FromProc bool
}

// Src is the local address.
func (s *InetSocket) Src() netip.Addr { return addr(s.Family, s.ID.Src) }

// Dst is the remote address.
func (s *InetSocket) Dst() netip.Addr { return addr(s.Family, s.ID.Dst) }

// ParseInet decodes one inet_diag reply payload (after struct nlmsghdr).
func ParseInet(b []byte) (*InetSocket, error) {
	if len(b) < InetMsgLen {
		return nil, shortMsg("inet_diag_msg", len(b), InetMsgLen)
	}
	s := &InetSocket{}
	s.Family, s.State, s.Timer, s.Retrans = b[0], b[1], b[2], b[3]
	if s.Family != AF_INET && s.Family != AF_INET6 {
		return nil, familyErr("inet_diag_msg", s.Family)
	}
	s.ID = parseSockID(b[4 : 4+SockIDLen])
	o := 4 + SockIDLen
	s.Expires = native.Uint32(b[o:])
	s.RQueue = native.Uint32(b[o+4:])
	s.WQueue = native.Uint32(b[o+8:])
	s.UID = native.Uint32(b[o+12:])
	s.Inode = native.Uint32(b[o+16:])

	d := netlink.NewAttributeDecoder(b[InetMsgLen:])
	for d.Next() {
		switch d.Type() {
		case INET_DIAG_PROTOCOL:
			s.Protocol = d.Uint8()
		case INET_DIAG_SHUTDOWN:
			s.Shutdown, s.HasShutdown = d.Uint8(), true
		case INET_DIAG_SKV6ONLY:
			s.V6Only, s.HasV6Only = d.Uint8() != 0, true
		case INET_DIAG_MARK:
			s.Mark = d.Uint32()
		case INET_DIAG_CGROUP_ID:
			s.CgroupID = d.Uint64()
		case INET_DIAG_TOS:
			s.TOS = d.Uint8()
		case INET_DIAG_TCLASS:
			s.TClass = d.Uint8()
		case INET_DIAG_CLASS_ID:
			s.ClassID = d.Uint32()
		case INET_DIAG_CONG:
			s.Cong = d.String()
		case INET_DIAG_INFO:
			s.Info = clone(d.Bytes())
		case INET_DIAG_MEMINFO:
			v := d.Bytes()
			if len(v) < MemInfoLen {
				return nil, shortAttr("INET_DIAG_MEMINFO", len(v), MemInfoLen)
			}
			s.MemInfo = &MemInfo{native.Uint32(v), native.Uint32(v[4:]), native.Uint32(v[8:]), native.Uint32(v[12:])}
		case INET_DIAG_SKMEMINFO:
			s.SKMemInfo = words(d.Bytes())
		default:
			s.Other = appendOther(s.Other, d)
		}
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	return s, nil
}

// words splits b into native-order __u32 values (a trailing partial word
// is dropped).
func words(b []byte) []uint32 {
	w := make([]uint32, 0, len(b)/4)
	for i := 0; i+4 <= len(b); i += 4 {
		w = append(w, native.Uint32(b[i:]))
	}
	return w
}

// TCPInfo holds the first fields of struct tcp_info (<linux/tcp.h>), the
// part every kernel since 2.6 sends.
//
//	struct tcp_info {
//		__u8	tcpi_state;
//		__u8	tcpi_ca_state;
//		__u8	tcpi_retransmits;
//		__u8	tcpi_probes;
//		__u8	tcpi_backoff;
//		__u8	tcpi_options;
//		__u8	tcpi_snd_wscale : 4, tcpi_rcv_wscale : 4;
//		__u8	tcpi_delivery_rate_app_limited:1, tcpi_fastopen_client_fail:2;
//		__u32	tcpi_rto;
//		__u32	tcpi_ato;
//		__u32	tcpi_snd_mss;
//		__u32	tcpi_rcv_mss;
//		__u32	tcpi_unacked;
//		__u32	tcpi_sacked;
//		__u32	tcpi_lost;
//		__u32	tcpi_retrans;
//		__u32	tcpi_fackets;
//		/* Times. */
//		__u32	tcpi_last_data_sent;
//		__u32	tcpi_last_ack_sent;
//		__u32	tcpi_last_data_recv;
//		__u32	tcpi_last_ack_recv;
//		/* Metrics. */
//		__u32	tcpi_pmtu;
//		__u32	tcpi_rcv_ssthresh;
//		__u32	tcpi_rtt;
//		__u32	tcpi_rttvar;
//		__u32	tcpi_snd_ssthresh;
//		__u32	tcpi_snd_cwnd;
//		__u32	tcpi_advmss;
//		__u32	tcpi_reordering;
//		...
//	};
type TCPInfo struct {
	State, CAState, Retransmits, Probes, Backoff, Options uint8
	SndWScale, RcvWScale                                  uint8
	RTO, ATO, SndMSS, RcvMSS                              uint32
	Unacked, Sacked, Lost, Retrans, Fackets               uint32
	LastDataSent, LastAckSent, LastDataRecv, LastAckRecv  uint32
	PMTU, RcvSSThresh, RTT, RTTVar, SndSSThresh, SndCwnd  uint32
	AdvMSS, Reordering                                    uint32
}

// tcpInfoMinLen is the size of the fields TCPInfo holds.
const tcpInfoMinLen = 8 + 24*4

// ParseTCPInfo decodes the start of struct tcp_info.
func ParseTCPInfo(b []byte) (*TCPInfo, error) {
	if len(b) < tcpInfoMinLen {
		return nil, fmt.Errorf("sockdiag: struct tcp_info of %d bytes, need %d", len(b), tcpInfoMinLen)
	}
	t := &TCPInfo{State: b[0], CAState: b[1], Retransmits: b[2], Probes: b[3], Backoff: b[4], Options: b[5]}
	// Bit-fields are allocated from the least significant bit on
	// little-endian ABIs and from the most significant on big-endian.
	if isBigEndian() {
		t.SndWScale, t.RcvWScale = b[6]>>4, b[6]&0xf
	} else {
		t.SndWScale, t.RcvWScale = b[6]&0xf, b[6]>>4
	}
	w := words(b[8:tcpInfoMinLen])
	t.RTO, t.ATO, t.SndMSS, t.RcvMSS = w[0], w[1], w[2], w[3]
	t.Unacked, t.Sacked, t.Lost, t.Retrans, t.Fackets = w[4], w[5], w[6], w[7], w[8]
	t.LastDataSent, t.LastAckSent, t.LastDataRecv, t.LastAckRecv = w[9], w[10], w[11], w[12]
	t.PMTU, t.RcvSSThresh, t.RTT, t.RTTVar, t.SndSSThresh, t.SndCwnd = w[13], w[14], w[15], w[16], w[17], w[18]
	t.AdvMSS, t.Reordering = w[19], w[20]
	return t, nil
}

// dump sends m (a SOCK_DIAG_BY_FAMILY dump request) on c and decodes
// every SOCK_DIAG_BY_FAMILY reply with parse. Every family's Dump is
// this one function: P is a pointer, so one instantiation serves them all.
func dump[P any](c *netlink.Conn, m netlink.Message, parse func([]byte) (P, error)) ([]P, error) {
	msgs, err := c.DumpAll(m)
	if err != nil {
		return nil, err
	}
	out := make([]P, 0, len(msgs))
	for _, m := range msgs {
		if m.Header.Type != SOCK_DIAG_BY_FAMILY {
			continue
		}
		s, err := parse(m.Data)
		if err != nil {
			return out, err
		}
		out = append(out, s)
	}
	return out, nil
}

// clone copies an attribute's value out of the receive buffer (nil
// for an empty one).
func clone(b []byte) []byte { return append([]byte(nil), b...) }

// appendOther keeps a copy of the attribute d is at, one the parser
// does not decode.
func appendOther(other []netlink.Attribute, d *netlink.AttributeDecoder) []netlink.Attribute {
	return append(other, netlink.Attribute{Type: d.Type(), Data: clone(d.Bytes())})
}

// The decoders' errors, written once.
func shortMsg(name string, n, need int) error {
	return fmt.Errorf("sockdiag: %d bytes, need %d for struct %s", n, need, name)
}

func familyErr(msg string, family uint8) error {
	return fmt.Errorf("sockdiag: %s of family %d", msg, family)
}

func shortAttr(attr string, n, need int) error {
	return fmt.Errorf("sockdiag: %s of %d bytes, need %d: %w", attr, n, need, netlink.ErrAttrLength)
}

func isBigEndian() bool {
	var b [2]byte
	native.PutUint16(b[:], 1)
	return b[0] == 0
}

// DumpInet sends the request as a SOCK_DIAG_BY_FAMILY dump on c (a
// NETLINK_SOCK_DIAG socket) and decodes every reply.
func DumpInet(c *netlink.Conn, r InetRequest) ([]*InetSocket, error) {
	return dump(c, r.Message(), ParseInet)
}
