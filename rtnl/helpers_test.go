package rtnl

// Byte builders for test vectors, in the host's native order, written
// independently of the code under test (as in netlink's own tests).

import "encoding/binary"

var ne = binary.NativeEndian

func littleEndianHost() bool { return ne.Uint16([]byte{1, 0}) == 1 }

func u16(v uint16) []byte { return ne.AppendUint16(nil, v) }
func u32(v uint32) []byte { return ne.AppendUint32(nil, v) }
func u64(v uint64) []byte { return ne.AppendUint64(nil, v) }

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func pad4(b []byte) []byte {
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// hdr is a struct nlmsghdr with an explicit nlmsg_len.
func hdr(length uint32, typ, flags uint16, seq, pid uint32) []byte {
	return cat(u32(length), u16(typ), u16(flags), u32(seq), u32(pid))
}

// nlmsg is a whole message: header with nlmsg_len = 16 + len(payload),
// the payload, and padding to 4 bytes.
func nlmsg(typ, flags uint16, seq, pid uint32, payload []byte) []byte {
	return pad4(cat(hdr(uint32(16+len(payload)), typ, flags, seq, pid), payload))
}

// nla is one attribute: nla_len = 4 + len(val), the value, padding.
func nla(typ uint16, val []byte) []byte {
	return pad4(cat(u16(uint16(4+len(val))), u16(typ), val))
}

// nlerr is the payload of NLMSG_ERROR: error, the echoed request (whole,
// or its header only when capped), then TLVs.
func nlerr(errno int32, echoed []byte, tlvs []byte) []byte {
	return cat(u32(uint32(errno)), pad4(append([]byte(nil), echoed...)), tlvs)
}
