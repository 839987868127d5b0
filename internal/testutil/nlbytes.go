package testutil

// Byte builders for netlink test vectors, in the host's native order
// (binary.NativeEndian), written independently of the code under test so
// that the tests hold on big-endian mips and s390x as well as on 386 and
// amd64.

import "encoding/binary"

var ne = binary.NativeEndian

// LittleEndianHost reports whether the host's native order is little-endian.
func LittleEndianHost() bool { return ne.Uint16([]byte{1, 0}) == 1 }

func U16(v uint16) []byte { return ne.AppendUint16(nil, v) }
func U32(v uint32) []byte { return ne.AppendUint32(nil, v) }
func U64(v uint64) []byte { return ne.AppendUint64(nil, v) }

// Cat is parts one after the other.
func Cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// Pad4 is b padded with zeros to a multiple of 4 bytes (NLMSG_ALIGN,
// NLA_ALIGN).
func Pad4(b []byte) []byte {
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// Hdr is a struct nlmsghdr with an explicit nlmsg_len.
func Hdr(length uint32, typ, flags uint16, seq, pid uint32) []byte {
	return Cat(U32(length), U16(typ), U16(flags), U32(seq), U32(pid))
}

// NlMsg is a whole message: header with nlmsg_len = 16 + len(payload),
// the payload, and padding to 4 bytes.
func NlMsg(typ, flags uint16, seq, pid uint32, payload []byte) []byte {
	return Pad4(Cat(Hdr(uint32(16+len(payload)), typ, flags, seq, pid), payload))
}

// Nla is one attribute: nla_len = 4 + len(val), the value, padding.
func Nla(typ uint16, val []byte) []byte {
	return Pad4(Cat(U16(uint16(4+len(val))), U16(typ), val))
}

// NlErr is the payload of NLMSG_ERROR: error, the echoed request (whole,
// or its header only when capped), then TLVs.
func NlErr(errno int32, echoed []byte, tlvs []byte) []byte {
	return Cat(U32(uint32(errno)), Pad4(append([]byte(nil), echoed...)), tlvs)
}
