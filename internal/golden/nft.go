package golden

import (
	"encoding/binary"
	"fmt"
)

// NftToNative re-emits a little-endian nfnetlink datagram (an x86 strace
// capture of nft) in native order: struct nlmsghdr and every nlattr
// header are native; struct nfgenmsg and the NFTA_* values are byte
// strings or big-endian already. Nests are recognised by NLA_F_NESTED,
// which libmnl sets on every one.
func NftToNative(b []byte) ([]byte, error) {
	le := binary.LittleEndian
	var attrs func(b []byte) ([]byte, error)
	attrs = func(b []byte) ([]byte, error) {
		var out []byte
		for off := 0; off < len(b); {
			if len(b)-off < 4 {
				return nil, fmt.Errorf("short nlattr at %d", off)
			}
			n, typ := int(le.Uint16(b[off:])), le.Uint16(b[off+2:])
			if n < 4 || off+n > len(b) {
				return nil, fmt.Errorf("bad nla_len %d at %d", n, off)
			}
			out = native.AppendUint16(out, uint16(n))
			out = native.AppendUint16(out, typ)
			if typ&0x8000 != 0 { // NLA_F_NESTED
				inner, err := attrs(b[off+4 : off+n])
				if err != nil {
					return nil, err
				}
				out = append(out, inner...)
			} else {
				out = append(out, b[off+4:off+n]...)
			}
			next := min(align(off+n), len(b))
			out = append(out, b[off+n:next]...)
			off = next
		}
		return out, nil
	}
	var out []byte
	for off := 0; off < len(b); {
		if len(b)-off < 20 {
			return nil, fmt.Errorf("short message at %d", off)
		}
		n := int(le.Uint32(b[off:]))
		if n < 20 || off+n > len(b) {
			return nil, fmt.Errorf("bad nlmsg_len %d at %d", n, off)
		}
		out = native.AppendUint32(out, uint32(n))
		out = native.AppendUint16(out, le.Uint16(b[off+4:]))
		out = native.AppendUint16(out, le.Uint16(b[off+6:]))
		out = native.AppendUint32(out, le.Uint32(b[off+8:]))
		out = native.AppendUint32(out, le.Uint32(b[off+12:]))
		out = append(out, b[off+16:off+20]...) // struct nfgenmsg
		a, err := attrs(b[off+20 : off+n])
		if err != nil {
			return nil, err
		}
		out = append(out, a...)
		off = align(off + n)
	}
	return out, nil
}
