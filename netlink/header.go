package netlink

import (
	"encoding/binary"

	fmt "nsbox/internal/printf"
)

var native = binary.NativeEndian

// Header is struct nlmsghdr.
//
//	struct nlmsghdr {
//		__u32 nlmsg_len;   /* Length of message including header */
//		__u16 nlmsg_type;  /* Message content */
//		__u16 nlmsg_flags; /* Additional flags */
//		__u32 nlmsg_seq;   /* Sequence number */
//		__u32 nlmsg_pid;   /* Sending process port ID */
//	};
type Header struct {
	Length   uint32
	Type     uint16
	Flags    uint16
	Sequence uint32
	PID      uint32
}

// Netlink message types common to every protocol (<linux/netlink.h>).
const (
	NLMSG_NOOP    = 0x1
	NLMSG_ERROR   = 0x2
	NLMSG_DONE    = 0x3
	NLMSG_OVERRUN = 0x4
)

// Flags of nlmsg_flags.
const (
	NLM_F_REQUEST       = 0x01
	NLM_F_MULTI         = 0x02
	NLM_F_ACK           = 0x04
	NLM_F_ECHO          = 0x08
	NLM_F_DUMP_INTR     = 0x10
	NLM_F_DUMP_FILTERED = 0x20
	// Modifiers to GET request
	NLM_F_ROOT   = 0x100
	NLM_F_MATCH  = 0x200
	NLM_F_ATOMIC = 0x400
	NLM_F_DUMP   = NLM_F_ROOT | NLM_F_MATCH
	// Modifiers to NEW request
	NLM_F_REPLACE = 0x100
	NLM_F_EXCL    = 0x200
	NLM_F_CREATE  = 0x400
	NLM_F_APPEND  = 0x800
	// Modifiers to DELETE request
	NLM_F_NONREC = 0x100
	NLM_F_BULK   = 0x200
	// Flags for ACK message
	NLM_F_CAPPED   = 0x100
	NLM_F_ACK_TLVS = 0x200
)

// Message is one netlink message: its header and its payload (the family
// header and attributes, without padding after the last attribute).
type Message struct {
	Header Header
	Data   []byte
}

// AppendBinary appends the message, header first, with Length computed
// and the payload padded to NLMSG_ALIGN.
func (m Message) AppendBinary(b []byte) ([]byte, error) {
	n := HeaderLen + len(m.Data)
	if uint64(n) > 1<<32-1 { // nlmsg_len is a __u32
		return b, fmt.Errorf("netlink: message of %d bytes is too long", n)
	}
	b = native.AppendUint32(b, uint32(n))
	b = native.AppendUint16(b, m.Header.Type)
	b = native.AppendUint16(b, m.Header.Flags)
	b = native.AppendUint32(b, m.Header.Sequence)
	b = native.AppendUint32(b, m.Header.PID)
	b = append(b, m.Data...)
	for i := n; i < nlmsgAlign(n); i++ {
		b = append(b, 0)
	}
	return b, nil
}

// MarshalBinary encodes the message.
func (m Message) MarshalBinary() ([]byte, error) {
	return m.AppendBinary(make([]byte, 0, nlmsgAlign(HeaderLen+len(m.Data))))
}

// ParseHeader decodes a struct nlmsghdr from the first 16 bytes of b.
func ParseHeader(b []byte) (Header, error) {
	if len(b) < HeaderLen {
		return Header{}, fmt.Errorf("netlink: %d bytes left, need %d for struct nlmsghdr", len(b), HeaderLen)
	}
	return Header{
		Length:   native.Uint32(b[0:4]),
		Type:     native.Uint16(b[4:6]),
		Flags:    native.Uint16(b[6:8]),
		Sequence: native.Uint32(b[8:12]),
		PID:      native.Uint32(b[12:16]),
	}, nil
}

// ParseMessages splits a datagram into its messages. Data slices alias b.
// Every length is checked; a message running past the end is an error
// naming its offset.
//
//	#define NLMSG_OK(nlh,len) ((len) >= (int)sizeof(struct nlmsghdr) && \
//				   (nlh)->nlmsg_len >= sizeof(struct nlmsghdr) && \
//				   (nlh)->nlmsg_len <= (len))
func ParseMessages(b []byte) ([]Message, error) {
	var msgs []Message
	for off := 0; off < len(b); {
		m, next, err := nextMessage(b, off)
		if err != nil {
			return msgs, err
		}
		msgs = append(msgs, m)
		off = next
	}
	return msgs, nil
}

// nextMessage decodes the message at b[off:] and returns the offset of
// the one after it (NLMSG_NEXT).
func nextMessage(b []byte, off int) (Message, int, error) {
	h, err := ParseHeader(b[off:])
	if err != nil {
		return Message{}, 0, fmt.Errorf("netlink: at offset %d: %d bytes left, need %d for struct nlmsghdr", off, len(b)-off, HeaderLen)
	}
	// Compared as uint64: on 32-bit hosts int(h.Length) may be negative.
	if h.Length < HeaderLen || uint64(h.Length) > uint64(len(b)-off) {
		return Message{}, 0, fmt.Errorf("netlink: at offset %d: nlmsg_len %d is outside %d..%d", off, h.Length, HeaderLen, len(b)-off)
	}
	m := Message{Header: h, Data: b[off+HeaderLen : off+int(h.Length)]}
	next := off + nlmsgAlign(int(h.Length))
	if next > len(b) {
		next = len(b) // the last message's padding may be absent
	}
	return m, next, nil
}
