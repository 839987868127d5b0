package resolve

import (
	"net/netip"
	"strconv"
	"strings"
)

// reverseName is the PTR question for a, RFC 1035 section 3.5 and
// RFC 3596 section 2.5: 4.3.2.1.in-addr.arpa, or the 32 nibbles of an
// IPv6 address, lowest first, under ip6.arpa.
func reverseName(a netip.Addr) string {
	var sb strings.Builder
	if a.Is4() {
		b := a.As4()
		for i := 3; i >= 0; i-- {
			sb.WriteString(strconv.Itoa(int(b[i])))
			sb.WriteByte('.')
		}
		sb.WriteString("in-addr.arpa")
		return sb.String()
	}
	const hex = "0123456789abcdef"
	b := a.As16()
	for i := 15; i >= 0; i-- {
		sb.WriteByte(hex[b[i]&0xf])
		sb.WriteByte('.')
		sb.WriteByte(hex[b[i]>>4])
		sb.WriteByte('.')
	}
	sb.WriteString("ip6.arpa")
	return sb.String()
}

// ptr asks DNS for the name of a (no search list: the name is absolute).
func (r *Resolver) ptr(a netip.Addr) (string, error) {
	c := r.conf()
	name := reverseName(a)
	resps, h := ask(c, name, []uint16{typePTR})
	if resps == nil {
		return "", h.code()
	}
	resp := resps[0]
	cur := name
	for hop := 0; hop < 16; hop++ {
		next := ""
		for _, rec := range resp.Answers {
			if equalName(rec.Name, cur) {
				if rec.Type == typePTR {
					return strings.TrimSuffix(rec.Target, "."), nil
				}
				if rec.Type == typeCNAME { // RFC 2317 classless delegation
					next = rec.Target
				}
			}
		}
		if next == "" {
			break
		}
		cur = next
	}
	switch resp.RCode {
	case rcodeOK:
		return "", NoData
	case rcodeNXDomain:
		return "", NoName
	case rcodeServFail:
		return "", Again
	}
	return "", Fail
}
