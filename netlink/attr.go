package netlink

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"strings"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
)

// NLA_TYPE_MASK clears the flags carried in the top bits of nla_type
// (unix.NLA_F_NESTED, unix.NLA_F_NET_BYTEORDER) from it; x/sys/unix does
// not have it.
//
//	#define NLA_F_NESTED		(1 << 15)
//	#define NLA_F_NET_BYTEORDER	(1 << 14)
//	#define NLA_TYPE_MASK		~(NLA_F_NESTED | NLA_F_NET_BYTEORDER)
const NLA_TYPE_MASK = ^uint16(unix.NLA_F_NESTED | unix.NLA_F_NET_BYTEORDER)

// Attribute is one struct nlattr and its value.
//
//	struct nlattr {
//		__u16 nla_len;   /* header + value, without trailing padding */
//		__u16 nla_type;
//	};
type Attribute struct {
	Type uint16 // as on the wire, flags included
	Data []byte
}

// Kind is the attribute type without NLA_F_NESTED and NLA_F_NET_BYTEORDER.
func (a Attribute) Kind() uint16 { return a.Type & NLA_TYPE_MASK }

// ParseAttributes splits b into attributes, checking every length.
func ParseAttributes(b []byte) ([]Attribute, error) {
	var attrs []Attribute
	d := NewAttributeDecoder(b)
	for d.Next() {
		attrs = append(attrs, Attribute{Type: d.typ, Data: d.data})
	}
	return attrs, d.Err()
}

// An AttributeEncoder appends attributes to one buffer; nested attributes
// are opened with Nest and closed with End, which patches their length.
// The first error sticks: later calls do nothing and Bytes reports it.
type AttributeEncoder struct {
	b   []byte
	err error
}

// NewAttributeEncoder starts encoding after prefix (typically a family
// header such as ifinfomsg), which is kept as is.
func NewAttributeEncoder(prefix []byte) *AttributeEncoder {
	b := make([]byte, len(prefix), 256)
	copy(b, prefix)
	return &AttributeEncoder{b: b}
}

// pad appends zeros up to NLA_ALIGN.
func (e *AttributeEncoder) pad() {
	for len(e.b) != nlaAlign(len(e.b)) {
		e.b = append(e.b, 0)
	}
}

func (e *AttributeEncoder) header(typ uint16, n int) {
	if e.err != nil {
		return
	}
	if AttrHeaderLen+n > 0xffff {
		e.err = fmt.Errorf("netlink: attribute type %d: %d bytes do not fit nla_len", typ&NLA_TYPE_MASK, n)
		return
	}
	e.pad() // the previous attribute (or the family header)
	e.b = native.AppendUint16(e.b, uint16(AttrHeaderLen+n))
	e.b = native.AppendUint16(e.b, typ)
}

// Bytes adds an attribute holding b as is.
func (e *AttributeEncoder) Bytes(typ uint16, b []byte) {
	e.header(typ, len(b))
	if e.err == nil {
		e.b = append(e.b, b...)
	}
}

// String adds a NUL-terminated string (NLA_NUL_STRING / NLA_STRING with
// its terminator, as iproute2 sends IFLA_IFNAME).
func (e *AttributeEncoder) String(typ uint16, s string) {
	e.header(typ, len(s)+1)
	if e.err == nil {
		e.b = append(e.b, s...)
		e.b = append(e.b, 0)
	}
}

// Flag adds an attribute with no value (NLA_FLAG).
func (e *AttributeEncoder) Flag(typ uint16) { e.header(typ, 0) }

// Uint8 adds a one-byte value.
func (e *AttributeEncoder) Uint8(typ uint16, v uint8) { e.Bytes(typ, []byte{v}) }

// Uint16 adds a value in native byte order.
func (e *AttributeEncoder) Uint16(typ uint16, v uint16) {
	e.header(typ, 2)
	if e.err == nil {
		e.b = native.AppendUint16(e.b, v)
	}
}

// Uint32 adds a value in native byte order.
func (e *AttributeEncoder) Uint32(typ uint16, v uint32) {
	e.header(typ, 4)
	if e.err == nil {
		e.b = native.AppendUint32(e.b, v)
	}
}

// Int32 adds a signed value in native byte order (e.g. IFLA_NET_NS_FD).
func (e *AttributeEncoder) Int32(typ uint16, v int32) { e.Uint32(typ, uint32(v)) }

// Uint64 adds a value in native byte order.
func (e *AttributeEncoder) Uint64(typ uint16, v uint64) {
	e.header(typ, 8)
	if e.err == nil {
		e.b = native.AppendUint64(e.b, v)
	}
}

// Uint16BE adds a value in network byte order (ports and the like).
func (e *AttributeEncoder) Uint16BE(typ uint16, v uint16) {
	e.header(typ, 2)
	if e.err == nil {
		e.b = binary.BigEndian.AppendUint16(e.b, v)
	}
}

// Addr adds an IP address: 4 bytes for IPv4, 16 for IPv6 (network order,
// as the kernel keeps them). An IPv4-mapped IPv6 address (::ffff:1.2.3.4)
// is IPv6: 16 bytes, as ip sends it.
func (e *AttributeEncoder) Addr(typ uint16, a netip.Addr) {
	if !a.IsValid() {
		if e.err == nil {
			e.err = fmt.Errorf("netlink: attribute type %d: invalid address", typ)
		}
		return
	}
	e.Bytes(typ, a.AsSlice())
}

// Raw appends b at the current position without an attribute header,
// after aligning: VETH_INFO_PEER carries a struct ifinfomsg this way.
func (e *AttributeEncoder) Raw(b []byte) {
	if e.err != nil {
		return
	}
	e.pad()
	e.b = append(e.b, b...)
}

// Nest opens a nested attribute and returns the mark End needs. The type
// is sent as given: iproute2 does not set NLA_F_NESTED on IFLA_LINKINFO,
// the kernel accepts both; callers OR it in where a policy demands it.
//
//	struct rtattr *addattr_nest(struct nlmsghdr *n, int maxlen, int type)
func (e *AttributeEncoder) Nest(typ uint16) int {
	e.header(typ, 0)
	return len(e.b) - AttrHeaderLen
}

// End closes the nested attribute opened at mark. Its length includes
// the padding of the last attribute inside, as the kernel's nla_nest_end
// and iproute2's addattr_nest_end count it.
func (e *AttributeEncoder) End(mark int) {
	if e.err != nil {
		return
	}
	e.pad()
	n := len(e.b) - mark
	if n > 0xffff {
		e.err = fmt.Errorf("netlink: nested attribute of %d bytes does not fit nla_len", n)
		return
	}
	native.PutUint16(e.b[mark:], uint16(n))
}

// Nested adds a nested attribute whose contents fn encodes.
func (e *AttributeEncoder) Nested(typ uint16, fn func(e *AttributeEncoder)) {
	mark := e.Nest(typ)
	fn(e)
	e.End(mark)
}

// Encode returns the bytes, padded to NLA_ALIGN (iproute2 counts the last
// attribute's padding in nlmsg_len: NLMSG_ALIGN(len) + RTA_ALIGN(alen)),
// or the first error met.
func (e *AttributeEncoder) Encode() ([]byte, error) {
	if e.err != nil {
		return nil, e.err
	}
	e.pad()
	return e.b, nil
}

// An AttributeDecoder walks attributes one by one:
//
//	d := netlink.NewAttributeDecoder(b)
//	for d.Next() {
//		switch d.Type() {
//		case IFLA_IFNAME:
//			name = d.String()
//		}
//	}
//	if err := d.Err(); err != nil { ... }
//
// A getter that finds the wrong length records an error naming the
// attribute and returns zero; the first error sticks and ends the walk.
type AttributeDecoder struct {
	b    []byte
	off  int
	typ  uint16
	data []byte
	err  error
}

// NewAttributeDecoder decodes the attributes in b.
func NewAttributeDecoder(b []byte) *AttributeDecoder { return &AttributeDecoder{b: b} }

// Reset makes d decode the attributes in b from the start, as a new
// decoder would: a decoder kept in a variable walks message after message
// without an allocation.
func (d *AttributeDecoder) Reset(b []byte) { *d = AttributeDecoder{b: b} }

// ErrAttrLength is wrapped by every length error of the decoder.
var ErrAttrLength = errors.New("bad attribute length")

// Next moves to the next attribute and reports whether there is one.
//
//	#define RTA_OK(rta,len) ((len) >= (int)sizeof(struct rtattr) && \
//				 (rta)->rta_len >= sizeof(struct rtattr) && \
//				 (rta)->rta_len <= (len))
func (d *AttributeDecoder) Next() bool {
	if d.err != nil || d.off >= len(d.b) {
		return false
	}
	rest := d.b[d.off:]
	if len(rest) < AttrHeaderLen {
		d.err = fmt.Errorf("netlink: at offset %d: %d bytes left, need %d for struct nlattr: %w", d.off, len(rest), AttrHeaderLen, ErrAttrLength)
		return false
	}
	n := int(native.Uint16(rest[0:2]))
	if n < AttrHeaderLen || n > len(rest) {
		d.err = fmt.Errorf("netlink: at offset %d: nla_len %d is outside %d..%d: %w", d.off, n, AttrHeaderLen, len(rest), ErrAttrLength)
		return false
	}
	d.typ = native.Uint16(rest[2:4])
	d.data = rest[AttrHeaderLen:n]
	d.off += nlaAlign(n)
	return true
}

// Offset is where the current attribute's header starts in the buffer.
func (d *AttributeDecoder) Offset() int { return d.off - nlaAlign(AttrHeaderLen+len(d.data)) }

// Type is the current attribute's type, without the flag bits.
func (d *AttributeDecoder) Type() uint16 { return d.typ & NLA_TYPE_MASK }

// Nested reports whether NLA_F_NESTED is set on the current attribute.
func (d *AttributeDecoder) Nested() bool { return d.typ&unix.NLA_F_NESTED != 0 }

// Attribute is the current attribute: its type as on the wire (flag bits
// included) and its value, which aliases the decoded buffer.
func (d *AttributeDecoder) Attribute() Attribute { return Attribute{Type: d.typ, Data: d.data} }

// Bytes returns the current value; it aliases the decoded buffer.
func (d *AttributeDecoder) Bytes() []byte { return d.data }

// Len is the length of the current value.
func (d *AttributeDecoder) Len() int { return len(d.data) }

// Want reports whether the current value is n bytes long; if it is not,
// it records a length error naming the attribute, as a getter would.
func (d *AttributeDecoder) Want(n int) bool {
	if d.err != nil {
		return false
	}
	if len(d.data) != n {
		d.err = fmt.Errorf("netlink: attribute type %d: %d bytes, want %d: %w", d.Type(), len(d.data), n, ErrAttrLength)
		return false
	}
	return true
}

// String returns the value up to its first NUL.
func (d *AttributeDecoder) String() string {
	for i, c := range d.data {
		if c == 0 {
			return string(d.data[:i])
		}
	}
	return string(d.data)
}

// Uint8 returns a one-byte value.
func (d *AttributeDecoder) Uint8() uint8 {
	if !d.Want(1) {
		return 0
	}
	return d.data[0]
}

// Uint16 returns a two-byte value in native order (network order when
// NLA_F_NET_BYTEORDER is set).
func (d *AttributeDecoder) Uint16() uint16 {
	if !d.Want(2) {
		return 0
	}
	if d.typ&unix.NLA_F_NET_BYTEORDER != 0 {
		return binary.BigEndian.Uint16(d.data)
	}
	return native.Uint16(d.data)
}

// Uint32 returns a four-byte value in native order (network order when
// NLA_F_NET_BYTEORDER is set).
func (d *AttributeDecoder) Uint32() uint32 {
	if !d.Want(4) {
		return 0
	}
	if d.typ&unix.NLA_F_NET_BYTEORDER != 0 {
		return binary.BigEndian.Uint32(d.data)
	}
	return native.Uint32(d.data)
}

// Int32 returns a signed four-byte value in native order.
func (d *AttributeDecoder) Int32() int32 { return int32(d.Uint32()) }

// Uint64 returns an eight-byte value in native order.
func (d *AttributeDecoder) Uint64() uint64 {
	if !d.Want(8) {
		return 0
	}
	return native.Uint64(d.data)
}

// Addr returns an IPv4 (4 bytes) or IPv6 (16 bytes) address.
func (d *AttributeDecoder) Addr() netip.Addr {
	if d.err != nil {
		return netip.Addr{}
	}
	a, ok := netip.AddrFromSlice(d.data)
	if !ok || (len(d.data) != 4 && len(d.data) != 16) {
		d.err = fmt.Errorf("netlink: attribute type %d: %d bytes is not an IPv4 or IPv6 address: %w", d.Type(), len(d.data), ErrAttrLength)
		return netip.Addr{}
	}
	return a
}

// Decode walks the current attribute's value as nested attributes with fn;
// fn's error, or the nested decoder's, sticks to d.
func (d *AttributeDecoder) Decode(fn func(nd *AttributeDecoder) error) {
	if d.err != nil {
		return
	}
	nd := NewAttributeDecoder(d.data)
	if err := fn(nd); err != nil {
		d.err = err
		return
	}
	if err := nd.Err(); err != nil {
		d.err = &nestedError{typ: d.Type(), err: err}
	}
}

// nestedError is an error inside a nested attribute, with the nest's
// type for context: "netlink: in attribute type 18: at offset 8: ...".
type nestedError struct {
	typ uint16
	err error
}

func (e *nestedError) Error() string {
	return fmt.Sprintf("netlink: in attribute type %d: %s", e.typ, strings.TrimPrefix(e.err.Error(), "netlink: "))
}

func (e *nestedError) Unwrap() error { return e.err }

// Err returns the first error met.
func (d *AttributeDecoder) Err() error { return d.err }
