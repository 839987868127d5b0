package packet

// tcpKey names a TCP connection, its two directions alike (tcp_seq_hash).
type tcpKey struct {
	src, dst [16]byte
	sport    uint16
	dport    uint16
	v6, rev  bool
}

// tcpSeq is the initial sequence numbers a connection's numbers are
// printed relative to.
type tcpSeq struct{ seq, ack uint32 }

const (
	thFIN = 0x01
	thSYN = 0x02
	thRST = 0x04
	thPSH = 0x08
	thACK = 0x10
	thURG = 0x20
	thECE = 0x40
	thCWR = 0x80
)

// tcp is tcp_print.
func tcp(d *decoder, h *ipHeader, b []byte, length int) {
	d.proto = "tcp"
	if len(b) < 4 {
		h.addrs(d)
		d.s(":")
		panic(truncated{})
	}
	sport, dport := d.u16(b, 0), d.u16(b, 2)
	h.addrsPorts(d, protoTCP, sport, dport)
	d.need(b, 0, 20)
	hlen := int(b[12]>>4) * 4
	if hlen < 20 {
		d.s(" tcp ")
		d.u(uint64(length - hlen))
		d.s(" [bad hdr length ")
		d.u(uint64(hlen))
		d.s(" - too short, < 20]")
		return
	}
	seq, ack := d.u32(b, 4), d.u32(b, 8)
	win, urp := d.u16(b, 14), d.u16(b, 18)
	if d.p.Quiet {
		d.s("tcp ")
		d.u(uint64(length - hlen))
		if hlen > length {
			d.s(" [bad hdr length ")
			d.u(uint64(hlen))
			d.s(" - too long, > ")
			d.u(uint64(length))
			d.s("]")
		}
		return
	}
	flags := b[13]
	d.s("Flags [")
	if flags == 0 {
		d.s("none")
	}
	for _, f := range []struct {
		bit uint8
		c   string
	}{{thFIN, "F"}, {thSYN, "S"}, {thRST, "R"}, {thPSH, "P"}, {thURG, "U"}, {thECE, "E"}, {thCWR, "W"}, {thACK, "."}} {
		if flags&f.bit != 0 {
			d.s(f.c)
		}
	}
	d.s("]")
	rev := false
	var thseq, thack uint32
	if flags&thACK != 0 {
		var k tcpKey
		var src, dst []byte
		if h.v6 {
			src, dst, k.v6 = h.b[8:24], h.b[24:40], true
		} else {
			src, dst = h.b[12:16], h.b[16:20]
		}
		if sport > dport || sport == dport && string(src) > string(dst) {
			rev = true
		}
		if rev {
			copy(k.src[:], dst)
			copy(k.dst[:], src)
			k.sport, k.dport = dport, sport
		} else {
			copy(k.src[:], src)
			copy(k.dst[:], dst)
			k.sport, k.dport = sport, dport
		}
		p := d.p
		if p.tcp == nil {
			p.tcp = make(map[tcpKey]tcpSeq)
		}
		th, ok := p.tcp[k]
		if !ok || flags&thSYN != 0 {
			if rev {
				th = tcpSeq{seq: ack - 1, ack: seq}
			} else {
				th = tcpSeq{seq: seq, ack: ack - 1}
			}
			if len(p.tcp) >= maxTCPFlows {
				clear(p.tcp) // bounded memory: forget, as a restart would
			}
			p.tcp[k] = th
		} else if rev {
			seq, ack = seq-th.ack, ack-th.seq
		} else {
			seq, ack = seq-th.seq, ack-th.ack
		}
		thseq, thack = th.seq, th.ack
	}
	if hlen > length {
		d.s(" [bad hdr length ")
		d.u(uint64(hlen))
		d.s(" - too long, > ")
		d.u(uint64(length))
		d.s("]")
		return
	}
	if d.p.Verbose > 0 && !h.fragment && length <= len(b) {
		field := d.u16(b, 16)
		sum := checksum(h.pseudo(protoTCP, length), b[:length])
		d.s(", cksum 0x")
		d.hex(uint64(field), 4)
		if sum != 0 {
			d.s(" (incorrect -> 0x")
			d.hex(uint64(shouldBe(field, sum)), 4)
			d.s(")")
		} else {
			d.s(" (correct)")
		}
	}
	data := length - hlen
	if d.p.Verbose > 1 || data > 0 || flags&(thSYN|thFIN|thRST) != 0 {
		d.s(", seq ")
		d.u(uint64(seq))
		if data > 0 {
			d.s(":")
			d.u(uint64(seq + uint32(data)))
		}
	}
	if flags&thACK != 0 {
		d.s(", ack ")
		d.u(uint64(ack))
	}
	d.s(", win ")
	d.u(uint64(win))
	if flags&thURG != 0 {
		d.s(", urg ")
		d.u(uint64(urp))
	}
	if hlen > 20 {
		if !tcpOptions(d, b, hlen, rev, thseq, thack) {
			return
		}
	}
	d.s(", length ")
	d.u(uint64(data))
	if data == 0 {
		return
	}
	if len(b) < hlen {
		d.s(" [remaining caplen(")
		d.u(uint64(len(b)))
		d.s(") < header length(")
		d.u(uint64(hlen))
		d.s(")]")
		panic(truncated{})
	}
	payload := b[hlen:]
	if flags&thRST != 0 && d.p.Verbose > 0 {
		return
	}
	if sport == 80 || dport == 80 || sport == 8080 || dport == 8080 {
		d.s(": ")
		d.proto = "http"
		text(d, payload, data, "HTTP")
	}
}

// tcpOptions prints ", options [...]"; false after a bad option (the
// line ends there, as tcpdump's does).
func tcpOptions(d *decoder, b []byte, hlen int, rev bool, thseq, thack uint32) bool {
	d.s(", options [")
	off, left := 20, hlen-20
	first := true
	for left > 0 {
		if !first {
			d.s(",")
		}
		first = false
		opt := d.u8(b, off)
		off++
		n := 1
		if opt > 1 {
			n = int(d.u8(b, off))
			off++
			if n < 2 || n > left {
				d.s("[bad opt]")
				if !first {
					d.s("]")
				}
				return false
			}
			left--
		}
		left--
		datalen := 0
		check := func(l int) bool {
			if l > left {
				d.s("[bad opt]]")
				return false
			}
			d.need(b, off, l)
			return true
		}
		switch opt {
		case 0:
			d.s("eol")
		case 1:
			d.s("nop")
		case 2:
			d.s("mss")
			datalen = 2
			if !check(datalen) {
				return false
			}
			d.s(" ")
			d.u(uint64(d.u16(b, off)))
		case 3:
			d.s("wscale")
			datalen = 1
			if !check(datalen) {
				return false
			}
			d.s(" ")
			d.u(uint64(b[off]))
		case 4:
			d.s("sackOK")
		case 5:
			d.s("sack")
			datalen = n - 2
			if datalen%8 != 0 {
				d.s(" invalid sack")
			} else {
				d.s(" ")
				d.u(uint64(datalen / 8))
				d.s(" ")
				for i := 0; i < datalen; i += 8 {
					if !check(i + 8) {
						return false
					}
					s, e := d.u32(b, off+i), d.u32(b, off+i+4)
					if rev {
						s, e = s-thseq, e-thseq
					} else {
						s, e = s-thack, e-thack
					}
					d.s("{")
					d.u(uint64(s))
					d.s(":")
					d.u(uint64(e))
					d.s("}")
				}
			}
		case 8:
			d.s("TS")
			datalen = 8
			if !check(datalen) {
				return false
			}
			d.s(" val ")
			d.u(uint64(d.u32(b, off)))
			d.s(" ecr ")
			d.u(uint64(d.u32(b, off+4)))
		default:
			if name := tcpOptionName(opt); name != "" {
				d.s(name)
			} else {
				d.s("unknown-")
				d.u(uint64(opt))
			}
			datalen = n - 2
			if datalen > 0 {
				d.s(" 0x")
			}
			for i := 0; i < datalen; i++ {
				if !check(i + 1) {
					return false
				}
				d.hex(uint64(b[off+i]), 2)
			}
		}
		off += datalen
		left -= datalen
		used := datalen + 1
		if opt > 1 {
			used++
		}
		if used != n {
			d.s("[len ")
			d.u(uint64(n))
			d.s("]")
		}
		if opt == 0 {
			break
		}
	}
	d.s("]")
	return true
}

// tcpOptionName is tcpdump's tcp_option_values, for the options the
// switch above does not decode.
func tcpOptionName(opt uint8) string {
	switch opt {
	case 6:
		return "echo"
	case 7:
		return "echoreply"
	case 11:
		return "cc"
	case 12:
		return "ccnew"
	case 13:
		return "ccecho"
	case 19:
		return "md5"
	case 20:
		return "scps"
	case 28:
		return "uto"
	case 29:
		return "tcp-ao"
	case 30:
		return "mptcp"
	case 34:
		return "tfo"
	case 253, 254:
		return "exp"
	}
	return ""
}

// httpMethods are tcpdump's httpcmds.
var httpMethods = []string{"GET", "PUT", "COPY", "HEAD", "LOCK", "MOVE", "POLL", "POST", "BCOPY",
	"BMOVE", "MKCOL", "TRACE", "LABEL", "MERGE", "DELETE", "SEARCH", "UNLOCK", "REPORT", "UPDATE",
	"NOTIFY", "BDELETE", "CONNECT", "OPTIONS", "CHECKIN", "PROPFIND", "CHECKOUT", "CCM_POST",
	"SUBSCRIBE", "PROPPATCH", "BPROPFIND"}

func printable(c byte) bool { return c >= 0x20 && c < 0x7f }

// token is fetch_token: the token at i (printable ASCII up to a blank)
// and where the next one starts; 0 when there is none.
func token(b []byte, i, length int) (string, int) {
	start := i
	for ; i < length; i++ {
		if i >= len(b) || b[i] >= 0x80 {
			return "", 0
		}
		c := b[i]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			break
		}
		if !printable(c) || i-start+2 > 256 {
			return "", 0
		}
	}
	if i == start {
		return "", 0
	}
	tok := string(b[start:i])
	for ; i < length && i < len(b); i++ {
		c := b[i]
		if c == '\r' || c == '\n' || !printable(c) || c != ' ' && c != '\t' {
			break
		}
	}
	return tok, i
}

// text is txtproto_print for HTTP: the protocol's name, and the request
// or response line (every line with -v).
func text(d *decoder, b []byte, length int, name string) {
	show := false
	if tok, i := token(b, 0, length); i != 0 {
		for _, m := range httpMethods {
			if len(tok) == len(m) && upper(tok) == m {
				show = true
			}
		}
		tok, i = token(b, i, length)
		if i != 0 && len(tok) == 3 && isDigit(tok[0]) && isDigit(tok[1]) && isDigit(tok[2]) {
			show = true
		}
	}
	d.s(name)
	if !show {
		return
	}
	if d.p.Verbose > 0 {
		d.s(", length: ")
		d.u(uint64(length))
		for i := 0; i < length; {
			next := textLine(d, "\n\t", b, i, length)
			if next == 0 {
				break
			}
			i = next
		}
		return
	}
	textLine(d, ": ", b, 0, length)
}

// textLine is print_txt_line: one line of printable ASCII (tabs too),
// ended by LF or CRLF; 0 when the line is not one.
func textLine(d *decoder, prefix string, b []byte, i, length int) int {
	start := i
	for i < length {
		c := d.u8(b, i)
		switch {
		case c == '\n':
			d.s(prefix)
			d.b = append(d.b, b[start:i]...)
			return i + 1
		case c == '\r':
			if i+1 >= length {
				return 0
			}
			if d.u8(b, i+1) == '\n' {
				d.s(prefix)
				d.b = append(d.b, b[start:i]...)
				return i + 2
			}
			return 0
		case !printable(c) && c != '\t':
			return 0
		}
		i++
	}
	d.s(prefix)
	d.b = append(d.b, b[start:i]...)
	d.trunc()
	return 0
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}
