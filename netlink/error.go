package netlink

import (
	"errors"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
)

// Extended ack attributes that x/sys/unix does not have (it has
// unix.NLMSGERR_ATTR_MSG, _OFFS and _COOKIE): enum nlmsgerr_attrs, carried
// after struct nlmsgerr when the ACK has NLM_F_ACK_TLVS.
const (
	NLMSGERR_ATTR_POLICY    = 4 // nested: the policy of the attribute blamed
	NLMSGERR_ATTR_MISS_TYPE = 5 // u32: the attribute that was missing
	NLMSGERR_ATTR_MISS_NEST = 6 // u32: the offset of the nest it was missing from
)

// Error is a request the kernel refused: errno from struct nlmsgerr (or
// from NLMSG_DONE after a dump), and the extended ack if the kernel sent
// one. errors.Is(err, unix.EEXIST) works through Unwrap.
type Error struct {
	Errno   unix.Errno // positive, e.g. unix.EEXIST
	Message string     // NLMSGERR_ATTR_MSG, "" if none
	// Offset is NLMSGERR_ATTR_OFFS: the byte offset, from the start of
	// the request's nlmsghdr, of the attribute the kernel blames; -1 if
	// the kernel named none.
	Offset int
	// MissingType is NLMSGERR_ATTR_MISS_TYPE: the attribute the kernel
	// needed but did not get; 0 if none.
	MissingType uint32
	// Request is the header of the refused request (struct nlmsgerr's
	// copy), zero after a dump.
	Request Header
}

func (e *Error) Error() string {
	if e.Message != "" {
		return fmt.Sprintf("netlink: %s: %s", e.Message, e.Errno.Error())
	}
	return "netlink: " + e.Errno.Error()
}

// Unwrap returns the errno.
func (e *Error) Unwrap() error { return e.Errno }

// ErrDumpInterrupted says a dump saw NLM_F_DUMP_INTR: the kernel's table
// changed while it was being read, so the result may be inconsistent.
var ErrDumpInterrupted = errors.New("netlink: dump was interrupted and may be inconsistent")

// ErrTruncated says a datagram was larger than the buffer read into; it
// is never silently cut.
var ErrTruncated = errors.New("netlink: message truncated")

// ack is a decoded NLMSG_ERROR (error 0 is an ACK) or NLMSG_DONE.
type ack struct {
	errno   int32
	message string
	offset  int
	missing uint32
	request Header
}

// parseError decodes the payload of NLMSG_ERROR.
//
//	struct nlmsgerr {
//		int		error;
//		struct nlmsghdr msg;  // the request, whole unless NLM_F_CAPPED
//		/* then, with NLM_F_ACK_TLVS, struct nlattr: NLMSGERR_ATTR_* */
//	};
func parseError(m Message) (ack, error) {
	a := ack{offset: -1}
	b := m.Data
	if len(b) < 4+HeaderLen {
		return a, fmt.Errorf("netlink: NLMSG_ERROR of %d bytes, need %d for struct nlmsgerr", len(b), 4+HeaderLen)
	}
	a.errno = int32(native.Uint32(b[0:4]))
	a.request, _ = ParseHeader(b[4:])
	if m.Header.Flags&unix.NLM_F_ACK_TLVS == 0 {
		return a, nil
	}
	tlv := 4 + HeaderLen
	if m.Header.Flags&unix.NLM_F_CAPPED == 0 {
		// uint64: on 32-bit hosts int(a.request.Length) may be negative.
		if uint64(a.request.Length) > uint64(len(b)) {
			return a, fmt.Errorf("netlink: NLMSG_ERROR: echoed request of %d bytes runs past the %d-byte message", a.request.Length, len(b))
		}
		tlv = 4 + nlmsgAlign(int(a.request.Length))
	}
	if tlv > len(b) {
		return a, fmt.Errorf("netlink: NLMSG_ERROR: echoed request of %d bytes runs past the %d-byte message", a.request.Length, len(b))
	}
	return a, a.extack(b[tlv:])
}

// parseDone decodes the payload of NLMSG_DONE: an int, then extack TLVs
// when NLM_F_ACK_TLVS is set. Old kernels may send no payload at all.
func parseDone(m Message) (ack, error) {
	a := ack{offset: -1}
	if len(m.Data) < 4 {
		return a, nil
	}
	a.errno = int32(native.Uint32(m.Data[0:4]))
	if m.Header.Flags&unix.NLM_F_ACK_TLVS == 0 {
		return a, nil
	}
	return a, a.extack(m.Data[4:])
}

func (a *ack) extack(b []byte) error {
	d := NewAttributeDecoder(b)
	for d.Next() {
		switch d.Type() {
		case unix.NLMSGERR_ATTR_MSG:
			a.message = d.String()
		case unix.NLMSGERR_ATTR_OFFS:
			a.offset = int(d.Uint32())
		case NLMSGERR_ATTR_MISS_TYPE:
			a.missing = d.Uint32()
		}
	}
	return d.Err()
}

// err turns a non-zero error code into *Error, nil otherwise.
func (a ack) err() error {
	if a.errno == 0 {
		return nil
	}
	errno := -a.errno
	if errno < 0 {
		errno = -errno
	}
	return &Error{Errno: unix.Errno(errno), Message: a.message, Offset: a.offset, MissingType: a.missing, Request: a.request}
}

func errShort(what string, have, need int) error {
	return fmt.Errorf("netlink: %d bytes, need %d for %s", have, need, what)
}
