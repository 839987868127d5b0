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
	var buf [len("f.f.")*16 + len("ip6.arpa")]byte
	b := buf[:0]
	if a.Is4() {
		v4 := a.As4()
		for i := 3; i >= 0; i-- {
			b = strconv.AppendUint(b, uint64(v4[i]), 10)
			b = append(b, '.')
		}
		return string(append(b, "in-addr.arpa"...))
	}
	const hex = "0123456789abcdef"
	v6 := a.As16()
	for i := 15; i >= 0; i-- {
		b = append(b, hex[v6[i]&0xf], '.', hex[v6[i]>>4], '.')
	}
	return string(append(b, "ip6.arpa"...))
}

// ptr asks DNS for the name of a (no search list: the name is absolute).
// The CNAMEs on the way (RFC 2317) are followed whatever they say, as
// glibc does; the name returned is a valid host name.
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
					// glibc's getanswer_ptr takes the first PTR
					// of the chain's end and only if it is a
					// host name (res_hnok): a target with
					// escapes, a dot inside a label or a
					// leading '-' is no name at all.
					if !hostnameOK(rec.Target) {
						return "", Fail
					}
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
