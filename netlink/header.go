package netlink

import (
	"encoding/binary"
	"strconv"

	"golang.org/x/sys/unix"

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
	Type     HeaderType
	Flags    HeaderFlags
	Sequence uint32
	PID      uint32
}

// HeaderType is nlmsg_type: one of the control messages every netlink
// protocol shares (unix.NLMSG_NOOP, NLMSG_ERROR, NLMSG_DONE,
// NLMSG_OVERRUN), or, from NLMSG_MIN_TYPE (0x10) on, a message of the
// protocol's own (unix.RTM_NEWLINK, SOCK_DIAG_BY_FAMILY, ...).
type HeaderType uint16

// String is the control message's name in <linux/netlink.h>, or the
// number of a protocol's own type (which only the protocol can name).
func (t HeaderType) String() string {
	switch t {
	case unix.NLMSG_NOOP:
		return "NLMSG_NOOP"
	case unix.NLMSG_ERROR:
		return "NLMSG_ERROR"
	case unix.NLMSG_DONE:
		return "NLMSG_DONE"
	case unix.NLMSG_OVERRUN:
		return "NLMSG_OVERRUN"
	}
	return strconv.Itoa(int(t))
}

// HeaderFlags is nlmsg_flags (unix.NLM_F_*). The low six bits mean the
// same in every message:
//
//	#define NLM_F_REQUEST		0x01	/* It is request message.	*/
//	#define NLM_F_MULTI		0x02	/* Multipart message, terminated by NLMSG_DONE */
//	#define NLM_F_ACK		0x04	/* Reply with ack, with zero or error code */
//	#define NLM_F_ECHO		0x08	/* Receive resulting notifications */
//	#define NLM_F_DUMP_INTR		0x10	/* Dump was inconsistent due to sequence change */
//	#define NLM_F_DUMP_FILTERED	0x20	/* Dump was filtered as requested */
//
// The four above them depend on the message: in a GET request 0x100 is
// NLM_F_ROOT and 0x300 NLM_F_DUMP; in a NEW request 0x100 is
// NLM_F_REPLACE, 0x200 NLM_F_EXCL, 0x400 NLM_F_CREATE, 0x800
// NLM_F_APPEND; in a DELETE request 0x100 is NLM_F_NONREC, 0x200
// NLM_F_BULK; in an ACK 0x100 is NLM_F_CAPPED, 0x200 NLM_F_ACK_TLVS.
type HeaderFlags uint16

var flagNames = [...]string{"REQUEST", "MULTI", "ACK", "ECHO", "DUMP_INTR", "DUMP_FILTERED"}

// String names the six flags that mean the same everywhere, as
// <linux/netlink.h> does without "NLM_F_", and shows the bits whose
// meaning depends on the message in hex: "REQUEST|ACK|0x600" (0x600 is
// EXCL|CREATE in a NEW request). No flag at all is "0".
func (f HeaderFlags) String() string {
	var b []byte
	for i, name := range flagNames {
		if f&(1<<i) != 0 {
			if len(b) > 0 {
				b = append(b, '|')
			}
			b = append(b, name...)
		}
	}
	if rest := f &^ (1<<len(flagNames) - 1); rest != 0 {
		if len(b) > 0 {
			b = append(b, '|')
		}
		b = append(b, "0x"...)
		b = strconv.AppendUint(b, uint64(rest), 16)
	}
	if len(b) == 0 {
		return "0"
	}
	return string(b)
}

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
	b = native.AppendUint16(b, uint16(m.Header.Type))
	b = native.AppendUint16(b, uint16(m.Header.Flags))
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
		Type:     HeaderType(native.Uint16(b[4:6])),
		Flags:    HeaderFlags(native.Uint16(b[6:8])),
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
