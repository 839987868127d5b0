package resolve

import (
	"encoding/binary"
	"errors"
	"net/netip"
)

// DNS messages, RFC 1035 section 4.1: a 12-byte header, then question,
// answer, authority and additional sections. All in network byte order.

// Record types and the class this package asks for.
const (
	typeA     = 1
	typeCNAME = 5
	typePTR   = 12
	typeAAAA  = 28
	classIN   = 1
)

// Response codes (RCODE), RFC 1035 section 4.1.1.
const (
	rcodeOK       = 0 // NOERROR
	rcodeFormErr  = 1 // FORMERR
	rcodeServFail = 2 // SERVFAIL
	rcodeNXDomain = 3 // NXDOMAIN
	rcodeNotImp   = 4 // NOTIMP
	rcodeRefused  = 5 // REFUSED
)

// Header flag bits.
const (
	flagQR = 1 << 15 // a response
	flagTC = 1 << 9  // truncated
	flagRD = 1 << 8  // recursion desired
)

const headerLen = 12

var errMessage = errors.New("malformed DNS message")

// appendQuery builds a standard query (RD set, one question, no EDNS0)
// as res_mkquery does.
//
//	struct HEADER { id; flags; qdcount; ancount; nscount; arcount; }
func appendQuery(b []byte, id uint16, name string, qtype uint16) ([]byte, error) {
	b = binary.BigEndian.AppendUint16(b, id)
	b = binary.BigEndian.AppendUint16(b, flagRD)
	b = binary.BigEndian.AppendUint16(b, 1) // qdcount
	b = append(b, 0, 0, 0, 0, 0, 0)         // an, ns, ar counts
	b, err := appendName(b, name)
	if err != nil {
		return nil, err
	}
	b = binary.BigEndian.AppendUint16(b, qtype)
	return binary.BigEndian.AppendUint16(b, classIN), nil
}

// Record is one resource record of the answer section that this
// package understands; others are kept with their type only.
type Record struct {
	Name   string     // owner, in presentation form (see readName)
	Type   uint16     // typeA, typeAAAA, typeCNAME, typePTR or other
	Addr   netip.Addr // A, AAAA
	Target string     // CNAME, PTR, in presentation form
}

// Response is a decoded reply.
type Response struct {
	ID        uint16
	RCode     int
	Truncated bool
	Question  string // first question's name ("" when none)
	QType     uint16
	Answers   []Record
	Malformed bool // the answer section could not be read (see badAnswers)
}

// ParseResponse decodes a reply. Only the header, the questions and the
// answer section are read; authority and additional records are left
// alone (nothing here uses them). A record whose data does not fit its
// type (an A record of 3 bytes) makes the message malformed; when only
// its answer section is, the reply comes back too, marked Malformed.
// Names are in presentation form (readName).
func ParseResponse(msg []byte) (*Response, error) {
	if len(msg) < headerLen {
		return nil, errMessage
	}
	flags := binary.BigEndian.Uint16(msg[2:])
	if flags&flagQR == 0 {
		return nil, errMessage
	}
	r := &Response{
		ID:        binary.BigEndian.Uint16(msg),
		RCode:     int(flags & 0xf),
		Truncated: flags&flagTC != 0,
	}
	qd := int(binary.BigEndian.Uint16(msg[4:]))
	an := int(binary.BigEndian.Uint16(msg[6:]))
	off := headerLen
	for i := 0; i < qd; i++ {
		name, next, err := readName(msg, off)
		if err != nil {
			return r.partial(err)
		}
		if next+4 > len(msg) {
			return r.partial(errMessage)
		}
		if i == 0 {
			r.Question, r.QType = name, binary.BigEndian.Uint16(msg[next:])
		}
		off = next + 4
	}
	for i := 0; i < an; i++ {
		name, next, err := readName(msg, off)
		if err != nil {
			return r.badAnswers()
		}
		// type, class, ttl (4), rdlength
		if next+10 > len(msg) {
			return r.badAnswers()
		}
		typ := binary.BigEndian.Uint16(msg[next:])
		class := binary.BigEndian.Uint16(msg[next+2:])
		rdlen := int(binary.BigEndian.Uint16(msg[next+8:]))
		rd := next + 10
		if rd+rdlen > len(msg) {
			return r.badAnswers()
		}
		off = rd + rdlen
		if class != classIN {
			continue
		}
		rec := Record{Name: name, Type: typ}
		switch typ {
		case typeA:
			if rdlen != 4 {
				return r.badAnswers()
			}
			rec.Addr = netip.AddrFrom4([4]byte(msg[rd : rd+4]))
		case typeAAAA:
			if rdlen != 16 {
				return r.badAnswers()
			}
			rec.Addr = netip.AddrFrom16([16]byte(msg[rd : rd+16]))
		case typeCNAME, typePTR:
			t, tend, err := readName(msg[:rd+rdlen], rd)
			if err != nil || tend != rd+rdlen {
				return r.badAnswers()
			}
			rec.Target = t
		}
		r.Answers = append(r.Answers, rec)
	}
	return r, nil
}

// partial: a truncated reply may end anywhere; what was read so far
// still tells the caller to retry over TCP.
func (r *Response) partial(err error) (*Response, error) {
	if r.Truncated {
		r.Answers = nil
		return r, nil
	}
	return nil, err
}

// badAnswers: the header and question were read, the answer section
// cannot be (a name past 255 bytes, a record past the end, an A record
// of 3 bytes). The reply is still the server's answer to the question,
// as glibc takes it (res_send is done; its getanswer then finds nothing
// usable): r comes back with Malformed set and no records, along with
// the error.
func (r *Response) badAnswers() (*Response, error) {
	if r.Truncated {
		return r.partial(errMessage)
	}
	r.Answers, r.Malformed = nil, true
	return r, errMessage
}

// matches reports whether r answers the query (id, name and type), as
// res_queriesmatch checks before a reply is believed.
func (r *Response) matches(id uint16, name string, qtype uint16) bool {
	return r.ID == id && r.QType == qtype && equalName(r.Question, name)
}

// addrs follows the CNAME chain from name through the answer section
// and returns the addresses of type qtype owned by its end, and the
// canonical name: the last name of the chain that is a host name
// (res_hnok), as glibc's gaih_getanswer_slice keeps it (a CNAME target
// with escapes is still followed, but never shown).
func (r *Response) addrs(name string, qtype uint16) ([]netip.Addr, string) {
	cur, canon := name, name
	for hop := 0; hop < 16; hop++ {
		next := ""
		for _, rec := range r.Answers {
			if rec.Type == typeCNAME && equalName(rec.Name, cur) {
				next = rec.Target
				break
			}
		}
		if next == "" {
			break
		}
		cur = next
		if hostnameOK(cur) {
			canon = cur
		}
	}
	var out []netip.Addr
	for _, rec := range r.Answers {
		if rec.Type == qtype && equalName(rec.Name, cur) && !contains(out, rec.Addr) {
			out = append(out, rec.Addr)
		}
	}
	return out, canon
}
