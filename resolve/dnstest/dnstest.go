// Package dnstest is a small authoritative DNS server for tests: it
// answers A, AAAA, CNAME and PTR questions from a table over UDP and
// TCP, and can be told to answer NXDOMAIN, SERVFAIL, REFUSED, a
// truncated reply (the whole answer only over TCP), a reply trickled
// over TCP a byte at a time, or nothing at all. Records may carry raw
// wire data, so that tests can send names no zone file would hold.
// It is imported by tests only, never by the product.
package dnstest

import (
	"encoding/binary"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Behaviour of a name.
const (
	Answer   = iota // the records of the table; NXDOMAIN when it has none
	ServFail        // RCODE 2
	Refused         // RCODE 5
	Truncate        // over UDP: TC set, no records; over TCP: the records
	Silent          // no reply
	NoData          // NOERROR, no records, whatever the table says
	Trickle         // over UDP as Truncate; over TCP the records, one byte every TrickleDelay
)

// RR is one record of the table.
type RR struct {
	Type   uint16 // 1 A, 5 CNAME, 12 PTR, 28 AAAA
	Addr   netip.Addr
	Target string
	// Wire, when set, is the record's data as sent (for a CNAME or
	// PTR: the target name in wire form, labels holding any bytes).
	// A CNAME with Wire is not followed by the server.
	Wire []byte
	// Owner, when set, is the record's owner name in wire form, in
	// place of the name it is filed under (which the question asked).
	Owner []byte
}

// Name is a domain name in wire form from its labels, taken as they
// are: a label may hold dots, control bytes, anything.
func Name(labels ...string) []byte {
	var b []byte
	for _, l := range labels {
		b = append(b, byte(len(l)))
		b = append(b, l...)
	}
	return append(b, 0)
}

// Server is the fake server.
type Server struct {
	mu       sync.Mutex
	Records  map[string][]RR // lower-case owner name, no trailing dot
	Mode     map[string]int  // lower-case name -> behaviour
	Queries  []string        // "udp A name", in arrival order
	udp      net.PacketConn
	tcp      net.Listener
	UDPAddr  string
	closeOne sync.Once

	// TrickleDelay is the pause between two bytes of a Trickle
	// reply (100 ms when zero).
	TrickleDelay time.Duration
	// Trickled has, for each Trickle reply, how many of its bytes
	// were written before the client went away, or -1 when all
	// were.
	trickled []int
}

// Trickled returns what each Trickle reply came to so far (see the
// field's comment).
func (s *Server) Trickled() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.trickled...)
}

// Start listens on addr ("127.0.0.1:53", "[::1]:0") over UDP and TCP
// (the same port) and serves until Close.
func Start(addr string) (*Server, error) {
	s := &Server{Records: map[string][]RR{}, Mode: map[string]int{}}
	udp, err := net.ListenPacket("udp", addr)
	if err != nil {
		return nil, err
	}
	tcp, err := net.Listen("tcp", udp.LocalAddr().String())
	if err != nil {
		udp.Close()
		return nil, err
	}
	s.udp, s.tcp, s.UDPAddr = udp, tcp, udp.LocalAddr().String()
	go s.serveUDP()
	go s.serveTCP()
	return s, nil
}

// AddrPort is where the server listens.
func (s *Server) AddrPort() netip.AddrPort {
	return netip.MustParseAddrPort(s.UDPAddr)
}

func (s *Server) Close() {
	s.closeOne.Do(func() { s.udp.Close(); s.tcp.Close() })
}

// Add puts records for name into the table.
func (s *Server) Add(name string, rrs ...RR) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := key(name)
	s.Records[k] = append(s.Records[k], rrs...)
}

// Set gives name a behaviour.
func (s *Server) Set(name string, mode int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Mode[key(name)] = mode
}

// Asked returns the queries seen so far.
func (s *Server) Asked() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.Queries...)
}

func key(n string) string { return strings.ToLower(strings.TrimSuffix(n, ".")) }

func (s *Server) serveUDP() {
	buf := make([]byte, 512)
	for {
		n, from, err := s.udp.ReadFrom(buf)
		if err != nil {
			return
		}
		if out := s.reply(buf[:n], "udp"); out != nil {
			s.udp.WriteTo(out, from)
		}
	}
}

func (s *Server) serveTCP() {
	for {
		c, err := s.tcp.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			var l [2]byte
			for {
				if _, err := readFull(c, l[:]); err != nil {
					return
				}
				q := make([]byte, binary.BigEndian.Uint16(l[:]))
				if _, err := readFull(c, q); err != nil {
					return
				}
				out, trickle := s.replyMode(q, "tcp")
				if out == nil {
					return
				}
				out = append(binary.BigEndian.AppendUint16(nil, uint16(len(out))), out...)
				if trickle {
					s.trickle(c, out)
					return
				}
				c.Write(out)
			}
		}()
	}
}

// trickle writes out a byte at a time and notes how far it got.
func (s *Server) trickle(c net.Conn, out []byte) {
	s.mu.Lock()
	delay := s.TrickleDelay
	s.mu.Unlock()
	if delay == 0 {
		delay = 100 * time.Millisecond
	}
	sent := -1
	for i := range out {
		if i > 0 {
			time.Sleep(delay)
		}
		if _, err := c.Write(out[i : i+1]); err != nil {
			sent = i
			break
		}
	}
	s.mu.Lock()
	s.trickled = append(s.trickled, sent)
	s.mu.Unlock()
}

func readFull(c net.Conn, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := c.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

var typeNames = map[uint16]string{1: "A", 5: "CNAME", 12: "PTR", 28: "AAAA"}

// reply builds the answer to query q, or nil for no answer.
func (s *Server) reply(q []byte, proto string) []byte {
	out, _ := s.replyMode(q, proto)
	return out
}

// replyMode is reply, and whether the name's mode is Trickle.
func (s *Server) replyMode(q []byte, proto string) ([]byte, bool) {
	if len(q) < 12 || binary.BigEndian.Uint16(q[4:]) != 1 {
		return nil, false
	}
	name, end, ok := parseName(q, 12)
	if !ok || end+4 > len(q) {
		return nil, false
	}
	qtype := binary.BigEndian.Uint16(q[end:])
	question := q[12 : end+4]
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Queries = append(s.Queries, proto+" "+typeNames[qtype]+" "+name)
	mode := s.Mode[key(name)]
	flags := uint16(1<<15 | 1<<10 | 1<<8 | 1<<7) // QR AA RD RA
	var answers [][]byte
	rcode := uint16(0)
	switch {
	case mode == Silent:
		return nil, false
	case mode == ServFail:
		rcode = 2
	case mode == Refused:
		rcode = 5
	case (mode == Truncate || mode == Trickle) && proto == "udp":
		flags |= 1 << 9
	case mode == NoData:
	default:
		answers, rcode = s.answer(name, qtype)
	}
	out := binary.BigEndian.AppendUint16(nil, binary.BigEndian.Uint16(q))
	out = binary.BigEndian.AppendUint16(out, flags|rcode)
	out = binary.BigEndian.AppendUint16(out, 1)
	out = binary.BigEndian.AppendUint16(out, uint16(len(answers)))
	out = append(out, 0, 0, 0, 0)
	out = append(out, question...)
	for _, a := range answers {
		out = append(out, a...)
	}
	return out, mode == Trickle
}

// answer follows CNAMEs in the table and returns the records, the
// owner of the first written as a pointer to the question (offset 12).
func (s *Server) answer(name string, qtype uint16) ([][]byte, uint16) {
	var out [][]byte
	cur := name
	first := true
	for hop := 0; hop < 8; hop++ {
		rrs, exists := s.Records[key(cur)]
		if !exists {
			if first {
				return nil, 3 // NXDOMAIN
			}
			break
		}
		owner := func() []byte {
			if first {
				return []byte{0xc0, 12}
			}
			return appendName(nil, cur)
		}
		next := ""
		for _, rr := range rrs {
			if rr.Type == 5 && qtype != 5 {
				if rr.Wire != nil {
					// Not followed: records owned by the target
					// are filed here, with Owner set.
					out = append(out, rec(owner(), 5, rr.Wire))
					continue
				}
				out = append(out, rec(owner(), 5, appendName(nil, rr.Target)))
				next = rr.Target
				break
			}
		}
		if next == "" {
			for _, rr := range rrs {
				if rr.Type != qtype {
					continue
				}
				var data []byte
				switch {
				case rr.Wire != nil:
					data = rr.Wire
				case rr.Type == 1:
					b := rr.Addr.As4()
					data = b[:]
				case rr.Type == 28:
					b := rr.Addr.As16()
					data = b[:]
				default:
					data = appendName(nil, rr.Target)
				}
				o := owner()
				if rr.Owner != nil {
					o = rr.Owner
				}
				out = append(out, rec(o, rr.Type, data))
			}
			break
		}
		first = false
		cur = next
	}
	return out, 0
}

func rec(owner []byte, typ uint16, data []byte) []byte {
	b := append([]byte(nil), owner...)
	b = binary.BigEndian.AppendUint16(b, typ)
	b = binary.BigEndian.AppendUint16(b, 1)
	b = binary.BigEndian.AppendUint32(b, 60)
	b = binary.BigEndian.AppendUint16(b, uint16(len(data)))
	return append(b, data...)
}

func appendName(b []byte, n string) []byte {
	for _, l := range strings.Split(strings.TrimSuffix(n, "."), ".") {
		if l != "" {
			b = append(b, byte(len(l)))
			b = append(b, l...)
		}
	}
	return append(b, 0)
}

func parseName(b []byte, off int) (string, int, bool) {
	var labels []string
	for off < len(b) {
		l := int(b[off])
		if l == 0 {
			return strings.Join(labels, "."), off + 1, true
		}
		if l > 63 || off+1+l > len(b) {
			return "", 0, false
		}
		labels = append(labels, string(b[off+1:off+1+l]))
		off += 1 + l
	}
	return "", 0, false
}
