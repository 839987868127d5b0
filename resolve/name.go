package resolve

import (
	"errors"
	"strings"
)

// Domain names on the wire, RFC 1035 section 3.1: a sequence of labels,
// each a length byte (at most 63) and that many bytes, ended by the root
// label (a zero byte); the whole at most 255 bytes. Section 4.1.4: two
// top bits set make the length byte and the next one a pointer to an
// earlier name in the message (compression).

const (
	maxLabel = 63
	maxName  = 255
	maxHops  = 64 // compression pointers followed per name
)

var errName = errors.New("malformed domain name")

// appendName appends name (dotted, a trailing dot optional) in wire
// form, uncompressed. Empty labels ("a..b") and over-long ones are
// refused, as res_mkquery does.
func appendName(b []byte, name string) ([]byte, error) {
	name = strings.TrimSuffix(name, ".")
	start := len(b)
	if name != "" {
		for _, l := range strings.Split(name, ".") {
			if l == "" || len(l) > maxLabel {
				return b[:start], errName
			}
			b = append(b, byte(len(l)))
			b = append(b, l...)
		}
	}
	b = append(b, 0)
	if len(b)-start > maxName {
		return b[:start], errName
	}
	return b, nil
}

// readName decodes the name at off in msg, following compression
// pointers, and returns it in presentation form (no trailing dot; "."
// for the root) with the offset just past it in the original place.
//
// Presentation form is glibc's ns_name_ntop(3), RFC 1035 section 5.1:
// labels joined by dots, a label's own '.', '\', '"', ';', '(', ')',
// '@' and '$' written with a backslash before them, and a byte that is
// not printable ASCII as \DDD (three decimal digits). So a name read
// from the network is always printable and never ambiguous: the label
// "a.b" is "a\.b", an escape character is "\027". Whether such a name
// may be used as a host name is hostnameOK's (res_hnok's) question.
func readName(msg []byte, off int) (string, int, error) {
	var buf [4 * maxName]byte // every byte of the wire form escaped at worst
	sb := buf[:0]
	end := -1 // offset after the name where it started, once a pointer was taken
	wire := 0
	for hops := 0; ; {
		if off >= len(msg) {
			return "", 0, errName
		}
		c := int(msg[off])
		switch c & 0xc0 {
		case 0x00:
			if c == 0 {
				if end < 0 {
					end = off + 1
				}
				if len(sb) == 0 {
					return ".", end, nil
				}
				return string(sb), end, nil
			}
			if off+1+c > len(msg) {
				return "", 0, errName
			}
			if wire += 1 + c; wire+1 > maxName {
				return "", 0, errName
			}
			if len(sb) > 0 {
				sb = append(sb, '.')
			}
			sb = appendLabel(sb, msg[off+1:off+1+c])
			off += 1 + c
		case 0xc0:
			if off+1 >= len(msg) {
				return "", 0, errName
			}
			if end < 0 {
				end = off + 2
			}
			if hops++; hops > maxHops {
				return "", 0, errName
			}
			off = (c&0x3f)<<8 | int(msg[off+1])
		default: // 0x40, 0x80: reserved (EDNS0 extended labels, obsolete)
			return "", 0, errName
		}
	}
}

// appendLabel appends one label in presentation form (ns_name_ntop's
// special() and printable()).
func appendLabel(b, label []byte) []byte {
	for _, c := range label {
		switch {
		case c == '.' || c == '\\' || c == '"' || c == ';' || c == '(' || c == ')' || c == '@' || c == '$':
			b = append(b, '\\', c)
		case c <= ' ' || c >= 0x7f:
			b = append(b, '\\', '0'+c/100, '0'+c/10%10, '0'+c%10)
		default:
			b = append(b, c)
		}
	}
	return b
}

// equalName compares two dotted names as DNS does: ASCII case-insensitive.
func equalName(a, b string) bool {
	return lowerASCII(strings.TrimSuffix(a, ".")) == lowerASCII(strings.TrimSuffix(b, "."))
}
