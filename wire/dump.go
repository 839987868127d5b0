package wire

import (
	"bufio"
	"encoding/binary"
	"io"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
)

// Direction of a datagram in a dump.
type Direction int

const (
	DirUnknown  Direction = iota // read from a hex dump: direction not known
	DirSent                      // from this program to the kernel
	DirReceived                  // from the kernel
)

// Dumper prints annotated dumps of netlink datagrams: every byte with
// its offset, beside what it means, down to the attribute tree.
//
// The layout of each line is
//
//	OFFSET  BYTES (up to 16, "|" between header, value, padding)  MEANING
//
// and nesting shows as indentation of the meaning column. Numbers are
// read in the host's byte order, as the kernel writes them, so the text
// for one logical message is the same on little- and big-endian hosts.
type Dumper struct {
	w     *bufio.Writer
	proto int
}

// NewDumper returns a dumper writing to w for netlink protocol proto
// (0 NETLINK_ROUTE, 4 NETLINK_SOCK_DIAG, ...).
func NewDumper(w io.Writer, proto int) *Dumper { return &Dumper{w: bufio.NewWriter(w), proto: proto} }

// Datagram dumps one datagram (one or more messages); its lines are
// written out as they are made, and all of them before it returns.
func (d *Dumper) Datagram(dir Direction, b []byte) {
	WriteDatagram(d.w, binary.NativeEndian, d.proto, dir, b)
	d.w.Flush()
}

// FormatDatagram returns the annotated dump of one datagram.
func FormatDatagram(proto int, dir Direction, b []byte) string {
	s, _ := DumpDatagram(proto, dir, b)
	return s
}

// DumpDatagram returns the annotated dump of one datagram and the first
// malformation in it (offset and what was expected), if any. The dump
// shows malformed parts as raw bytes; nothing is dropped.
func DumpDatagram(proto int, dir Direction, b []byte) (string, error) {
	return DumpDatagramOrder(binary.NativeEndian, proto, dir, b)
}

// DumpDatagramOrder is DumpDatagram for messages written by a host of
// byte order bo (netlink is in host order: a capture from a big-endian
// machine reads wrong on a little-endian one unless told).
func DumpDatagramOrder(bo binary.ByteOrder, proto int, dir Direction, b []byte) (string, error) {
	var sb strings.Builder
	err := WriteDatagram(&sb, bo, proto, dir, b)
	return sb.String(), err
}

// MaxOutputPerByte is K in the bound every dump keeps: a datagram of n
// bytes dumps to at most K*n + MaxOutputHeader bytes of text (the header
// line). Why 256: a line shows at least one byte of the datagram, and is
// at most 60 columns of offset and hex, 2 a level of indentation (at most
// 24 levels: nesting stops at MAX_POLICY_RECURSION_DEPTH) and a field's
// text (a 1-byte field's name and value, or flags, ~120 bytes): ~230.
// Lines without bytes are notes that head at least 4 bytes each, at most
// 3 of them for 4 bytes. Values that print longer than they are (strings:
// \xNN for a byte) show 16 bytes a row. Measured, the most per byte is
// 92: rtm_flags with all 32 bits set (370 bytes of text for 4), and 88
// for empty struct attributes (a title, the struct's note, "cut short"
// for 4 bytes); fuzzing stays under 60. Before the nesting bound, one
// 65,532-byte datagram made 270 MB of text: 4,120 per byte. FuzzDump
// holds every dump to K.
const (
	MaxOutputPerByte = 256
	MaxOutputHeader  = 128
)

// maxNest is how deep nested attributes are decoded, as the kernel parses
// them (lib/nlattr.c):
//
//	#define MAX_POLICY_RECURSION_DEPTH	10
//
// __nla_validate_parse() refuses a nest at depth 10 and below with
// "allowed policy recursion depth exceeded"; the dump shows such a nest's
// bytes raw. Without the bound, every level is one more indentation on
// each of its lines: 65,532 bytes of nests in nests made 270 MB of text.
const maxNest = 10

// WriteDatagram writes the annotated dump of one datagram to w, line by
// line as it is made (nothing is built in memory but the current line:
// give it a buffered writer), and returns the first malformation in it.
// Messages are read in byte order bo.
func WriteDatagram(w io.Writer, bo binary.ByteOrder, proto int, dir Direction, b []byte) error {
	schema()
	p := &printer{bo: bo, w: w, attrAt: map[int]string{}, echoAt: -1}
	n := countMessages(bo, b)
	what := "datagram of"
	arrow := "==="
	switch dir {
	case DirSent:
		what, arrow = "sent", ">>>"
	case DirReceived:
		what, arrow = "received", "<<<"
	}
	plural := "s"
	if n == 1 {
		plural = ""
	}
	pn, ok := nameOf(uint64(proto), protoNames)
	if !ok {
		pn = fmt.Sprintf("netlink protocol %d", proto)
	}
	fmt.Fprintf(w, "%s %s %d bytes (%d message%s, %s)\n", arrow, what, len(b), n, plural, pn)
	p.messages(proto, b, 0, 0, n)
	return p.err
}

// countMessages counts the whole messages at the start of b.
func countMessages(bo binary.ByteOrder, b []byte) int {
	n := 0
	for off := 0; len(b)-off >= 16; n++ {
		l := int(bo.Uint32(b[off:]))
		if l < 16 || l > len(b)-off {
			break
		}
		off += align(l)
	}
	return n
}

func align(n int) int { return (n + 3) &^ 3 }

// printer writes the dump text.
type printer struct {
	bo binary.ByteOrder // of the host that wrote the messages
	w  io.Writer
	// attrAt names the attribute whose header is at each offset of the
	// request echoed in NLMSG_ERROR, and echoAt is where that request
	// starts: together they say what NLMSGERR_ATTR_OFFS points at.
	attrAt map[int]string
	echoAt int
	inEcho bool   // decoding the echoed request
	nest   int    // levels of nested attributes around the current ones
	err    error  // the first malformation met
	buf    []byte // emit's line, reused
}

const hexWidth = 52

// line prints parts (hex, separated by "| ") at offset off. Parts longer
// than 16 bytes in total go on continuation lines without text.
func (p *printer) line(off int, depth int, text string, parts ...[]byte) {
	total := 0
	for _, x := range parts {
		total += len(x)
	}
	if total <= 16 {
		h := make([]byte, 0, hexWidth+2)
		for _, x := range parts {
			if len(x) == 0 {
				continue
			}
			if len(h) > 0 {
				h = append(h, "| "...)
			}
			h = appendHex(h, x)
		}
		p.emit(off, h, depth, text)
		return
	}
	var all []byte
	for _, x := range parts {
		all = append(all, x...)
	}
	p.rows(off, all, depth, func(i, j int) string {
		if i == 0 {
			return text
		}
		return ""
	})
}

// rows prints b 16 bytes a row; note gives each row's text from the
// byte range it covers.
func (p *printer) rows(off int, b []byte, depth int, note func(i, j int) string) {
	for i := 0; i < len(b); i += 16 {
		j := min(i+16, len(b))
		p.emit(off+i, appendHex(make([]byte, 0, 48), b[i:j]), depth, note(i, j))
	}
}

// appendHex appends each byte of b as two hex digits and a blank.
func appendHex(dst, b []byte) []byte {
	const digits = "0123456789abcdef"
	for _, c := range b {
		dst = append(dst, digits[c>>4], digits[c&0xf], ' ')
	}
	return dst
}

// emit prints one line: "%04x  %-52s  %s%s" of the offset, the hex, the
// indentation and the text, without trailing blanks.
func (p *printer) emit(off int, hex []byte, depth int, text string) {
	if p.err == nil && strings.HasPrefix(text, "error: ") {
		p.err = fmt.Errorf("offset %#04x: %s", off, strings.TrimPrefix(text, "error: "))
	}
	l := p.buf[:0]
	o := strconv.FormatUint(uint64(off), 16)
	for n := len(o); n < 4; n++ {
		l = append(l, '0')
	}
	l = append(l, o...)
	l = append(l, "  "...)
	for len(hex) > 0 && hex[len(hex)-1] == ' ' {
		hex = hex[:len(hex)-1]
	}
	l = append(l, hex...)
	for n := len(hex); n < hexWidth; n++ {
		l = append(l, ' ')
	}
	l = append(l, "  "...)
	for range depth {
		l = append(l, "  "...)
	}
	l = append(l, text...)
	for len(l) > 0 && l[len(l)-1] == ' ' {
		l = l[:len(l)-1]
	}
	l = append(l, '\n')
	p.w.Write(l)
	p.buf = l
}

// note prints a line of text without bytes.
func (p *printer) note(off int, depth int, text string) { p.emit(off, nil, depth, text) }

// raw prints bytes nothing decodes, never dropping them.
func (p *printer) raw(off int, depth int, b []byte, what string) {
	if len(b) == 0 {
		if strings.HasPrefix(what, "error: ") {
			p.note(off, depth, what) // nothing to show, but say what is wrong
		}
		return
	}
	p.rows(off, b, depth, func(i, j int) string {
		if i == 0 {
			return what
		}
		return ""
	})
}

// ctx is what decoding needs to know of the surrounding message.
type ctx struct {
	bo        binary.ByteOrder
	proto     int
	msgType   uint16
	request   bool  // NLM_F_REQUEST set: a request, not an answer
	family    uint8 // the family header's family
	kind      string
	slaveKind string
	// msgStart is the offset of the message's nlmsghdr in the datagram
	// (for NLMSGERR_ATTR_OFFS).
	msgStart int
}

// messages dumps the run of messages in b, which starts at offset base
// of the datagram.
func (p *printer) messages(proto int, b []byte, base int, depth int, count int) {
	for off, i := 0, 1; off < len(b); i++ {
		rest := b[off:]
		if len(rest) < 16 {
			p.raw(base+off, depth, rest, fmt.Sprintf("error: %d bytes left, need 16 for struct nlmsghdr", len(rest)))
			return
		}
		l := int(p.bo.Uint32(rest))
		if count > 1 {
			name, _ := typeName(proto, p.bo.Uint16(rest[4:]))
			if name == "" {
				name = fmt.Sprintf("type %d", p.bo.Uint16(rest[4:]))
			}
			p.note(base+off, depth, fmt.Sprintf("-- message %d of %d: %s", i, count, name))
		}
		if l < 16 || l > len(rest) {
			p.header(proto, rest[:16], base+off, depth)
			p.raw(base+off+16, depth, rest[16:], fmt.Sprintf("error: nlmsg_len %d is outside 16..%d (the bytes left); the rest shown raw", l, len(rest)))
			return
		}
		p.message(proto, rest[:l], base+off, depth)
		next := min(align(l), len(rest))
		if next > l {
			p.line(base+off+l, depth, padText("NLMSG_ALIGN", next-l), rest[l:next])
		}
		off += next
	}
}

// header dumps struct nlmsghdr (16 bytes in h).
func (p *printer) header(proto int, h []byte, off int, depth int) {
	l := p.bo.Uint32(h[0:])
	t := p.bo.Uint16(h[4:])
	f := p.bo.Uint16(h[6:])
	tn, ok := typeName(proto, t)
	ts := itoa(int(t))
	if ok {
		ts = tn + " (" + ts + ")"
	}
	p.line(off, depth, "nlmsg_len    "+utoa(uint64(l)), h[0:4])
	p.line(off+4, depth, "nlmsg_type   "+ts, h[4:6])
	fs := "0"
	if f != 0 {
		fs = flagString(uint64(f), flagsFor(proto, t)) + " (" + hex(uint64(f)) + ")"
	}
	p.line(off+6, depth, "nlmsg_flags  "+fs, h[6:8])
	p.line(off+8, depth, "nlmsg_seq    "+utoa(uint64(p.bo.Uint32(h[8:]))), h[8:12])
	pid := p.bo.Uint32(h[12:])
	who := ""
	if pid == 0 {
		who = " (the kernel)"
	}
	p.line(off+12, depth, "nlmsg_pid    "+utoa(uint64(pid))+who, h[12:16])
}

// message dumps one whole message m (nlmsg_len bytes) at offset off.
func (p *printer) message(proto int, m []byte, off int, depth int) {
	p.header(proto, m[:16], off, depth)
	t := p.bo.Uint16(m[4:])
	flags := p.bo.Uint16(m[6:])
	c := &ctx{bo: p.bo, proto: proto, msgType: t, request: flags&0x01 != 0, msgStart: off}
	payload := m[16:]
	po := off + 16
	switch t {
	case 1, 4: // NLMSG_NOOP, NLMSG_OVERRUN
		p.raw(po, depth, payload, "payload")
		return
	case 2:
		p.nlmsgerr(c, flags, payload, po, depth)
		return
	case 3:
		p.done(c, flags, payload, po, depth)
		return
	}
	if t < 16 {
		p.raw(po, depth, payload, fmt.Sprintf("payload of reserved control message type %d", t))
		return
	}
	fam := familyFor(c, payload)
	if fam == nil {
		p.raw(po, depth, payload, "payload: this message type is not decoded; raw bytes")
		return
	}
	n := p.structAt(fam.hdr, payload, po, depth, c)
	if n < 0 {
		return
	}
	if fam.attrs != nil {
		p.attrs(fam.attrs, payload[n:], po+n, depth, c)
	} else {
		p.raw(po+n, depth, payload[n:], "data after the family header, not decoded")
	}
}

// nlmsgerr dumps the payload of NLMSG_ERROR:
//
//	struct nlmsgerr {
//		int		error;	/* 0: ACK, else -errno */
//		struct nlmsghdr msg;	/* the request, whole unless NLM_F_CAPPED */
//	};	/* then, with NLM_F_ACK_TLVS, NLMSGERR_ATTR_* */
func (p *printer) nlmsgerr(c *ctx, flags uint16, b []byte, off int, depth int) {
	if len(b) < 4 {
		p.raw(off, depth, b, fmt.Sprintf("error: struct nlmsgerr needs 4 bytes for error, payload has %d", len(b)))
		return
	}
	p.note(off, depth, "struct nlmsgerr")
	p.line(off, depth+1, "error        "+errnoString(int32(p.bo.Uint32(b))), b[:4])
	b, off = b[4:], off+4
	if len(b) < 16 {
		p.raw(off, depth+1, b, fmt.Sprintf("error: the echoed request header needs 16 bytes, %d left", len(b)))
		return
	}
	rl := int(p.bo.Uint32(b))
	capped := flags&0x100 != 0
	if capped || rl < 16 || rl > len(b) {
		why := "NLM_F_CAPPED: header only"
		if !capped {
			why = fmt.Sprintf("header only (its nlmsg_len %d does not fit the %d bytes left)", rl, len(b))
		}
		p.note(off, depth+1, "msg: the request this answers, "+why)
		p.header(c.proto, b[:16], off, depth+2)
		b, off = b[16:], off+16
	} else {
		if p.inEcho {
			// the kernel echoes requests, never an NLMSG_ERROR: an echo
			// in an echo is not decoded (each would indent its lines
			// once more)
			p.note(off, depth+1, "msg: an echo inside an echoed request (the kernel never sends one): not decoded")
			p.raw(off, depth+2, b[:rl], "the echoed bytes, raw")
		} else {
			p.note(off, depth+1, "msg: the request this answers, echoed whole")
			p.echoAt = off
			p.inEcho = true
			p.message(c.proto, b[:rl], off, depth+2)
			p.inEcho = false
		}
		n := min(align(rl), len(b))
		if n > rl {
			p.line(off+rl, depth+1, "padding", b[rl:n])
		}
		b, off = b[n:], off+n
	}
	if len(b) == 0 {
		return
	}
	if flags&0x200 == 0 {
		p.raw(off, depth, b, "trailing bytes without NLM_F_ACK_TLVS")
		return
	}
	p.note(off, depth, "extended ACK (NLM_F_ACK_TLVS)")
	p.attrs(spaceExtack, b, off, depth+1, c)
}

// done dumps NLMSG_DONE: an int (0, or -errno of a failed dump), then
// extack attributes when NLM_F_ACK_TLVS is set.
func (p *printer) done(c *ctx, flags uint16, b []byte, off int, depth int) {
	if len(b) == 0 {
		return
	}
	if len(b) < 4 {
		p.raw(off, depth, b, "error: NLMSG_DONE payload shorter than its int")
		return
	}
	e := int32(p.bo.Uint32(b))
	text := "0 (the dump is complete)"
	if e != 0 {
		text = errnoString(e) + " (the dump failed)"
	}
	p.line(off, depth, "error        "+text, b[:4])
	if len(b) > 4 {
		if flags&0x200 == 0 {
			p.raw(off+4, depth, b[4:], "trailing bytes")
			return
		}
		p.note(off+4, depth, "extended ACK (NLM_F_ACK_TLVS)")
		p.attrs(spaceExtack, b[4:], off+4, depth+1, c)
	}
}

// structAt dumps s at the start of b and returns how many bytes it took
// (-1 when b was too short to go on).
func (p *printer) structAt(s *structDef, b []byte, off int, depth int, c *ctx) int {
	size := s.size()
	p.note(off, depth, "struct "+s.name+" ("+itoa(size)+" bytes)")
	n := 0
	for i := range s.fields {
		f := &s.fields[i]
		if f.kind == fArray {
			for j := 0; n+f.elem.size() <= len(b); j++ {
				for _, ef := range f.elem.fields {
					v := b[n : n+ef.size]
					p.line(off+n, depth+1, padRight(f.name+"["+itoa(j)+"]."+ef.name, 14)+" "+ef.show(v, c), v)
					n += ef.size
				}
			}
			break
		}
		if n+f.size > len(b) {
			if f.kind == fPad && n == len(b) {
				break
			}
			p.raw(off+n, depth+1, b[n:], fmt.Sprintf("error: %s needs %d bytes, %d left: struct %s is cut short", f.name, f.size, len(b)-n, s.name))
			return -1
		}
		v := b[n : n+f.size]
		text := ""
		switch {
		case f.kind == fPad:
			text = padRight(f.name, 14) + " (padding)"
		default:
			text = padRight(f.name, 14) + " " + f.show(v, c)
		}
		p.line(off+n, depth+1, text, v)
		n += f.size
	}
	return n
}

// uintString shows a native-order unsigned number of 1, 2, 4 or 8 bytes.
func uintString(bo binary.ByteOrder, b []byte) string {
	switch len(b) {
	case 1:
		return strconv.Itoa(int(b[0]))
	case 2:
		return strconv.Itoa(int(bo.Uint16(b)))
	case 4:
		return strconv.FormatUint(uint64(bo.Uint32(b)), 10)
	case 8:
		return strconv.FormatUint(bo.Uint64(b), 10)
	}
	return fmt.Sprintf("% x", b)
}

func uintOf(bo binary.ByteOrder, b []byte) uint64 {
	switch len(b) {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(bo.Uint16(b))
	case 4:
		return uint64(bo.Uint32(b))
	case 8:
		return bo.Uint64(b)
	}
	return 0
}

// attrs dumps the attributes in b (offset off) named by sp.
func (p *printer) attrs(sp *space, b []byte, off int, depth int, c *ctx) {
	if sp != nil && sp.kindAttr != 0 { // TCA_KIND: what TCA_OPTIONS holds
		c2 := *c
		c2.kind = kindOf(p.bo, b, sp.kindAttr)
		c = &c2
	}
	for o := 0; o < len(b); {
		rest := b[o:]
		if len(rest) < 4 {
			p.raw(off+o, depth, rest, fmt.Sprintf("error: %d bytes left, need 4 for struct nlattr", len(rest)))
			return
		}
		l := int(p.bo.Uint16(rest))
		if l < 4 || l > len(rest) {
			p.line(off+o, depth, fmt.Sprintf("error: nla_len %d is outside 4..%d (the bytes left); attribute type %d", l, len(rest), p.bo.Uint16(rest[2:])&0x3fff), rest[:4])
			p.raw(off+o+4, depth, rest[4:], "rest of the bytes, raw")
			return
		}
		next := min(align(l), len(rest))
		p.attr(sp, rest[:l], rest[l:next], off+o, depth, c)
		o += next
	}
}

// Kinds of attribute values.
type valueKind int

const (
	vBinary valueKind = iota
	vU8
	vU16
	vU32
	vU64
	vS32
	vS64
	vBE16
	vBE32
	vString
	vMAC
	vAddr
	vFlag
	vNested
	vStruct
	vStructAttrs // a struct then attributes (VETH_INFO_PEER)
	vU32Array
	vS32Array
	vU64Array
	vLinkInfo  // IFLA_LINKINFO: nested, data typed by IFLA_INFO_KIND
	vMultipath // RTA_MULTIPATH: struct rtnexthop + RTA_* each
	vSunPath   // a unix socket's path: "@name" when abstract (leading NUL)
	vVia       // RTA_VIA: struct rtvia, a family and an address of it
)

// fixedSize is the size of a value of kind k, if it has one.
func fixedSize(k valueKind) (int, bool) {
	switch k {
	case vU8:
		return 1, true
	case vU16, vBE16:
		return 2, true
	case vU32, vS32, vBE32:
		return 4, true
	case vU64, vS64:
		return 8, true
	case vFlag:
		return 0, true
	}
	return 0, false
}

// attr dumps one attribute: a is nla_len bytes, pad what follows to
// NLA_ALIGN.
func (p *printer) attr(sp *space, a []byte, pad []byte, off int, depth int, c *ctx) {
	typ := p.bo.Uint16(a[2:])
	k := typ & 0x3fff
	val := a[4:]
	s, known := sp.lookup(k)
	if o, ok := sp.overlay(c.kind).lookup(k); ok {
		s, known = o, true
	}
	nested := typ&0x8000 != 0
	flagText := ""
	if nested {
		flagText += "|NLA_F_NESTED"
	}
	if typ&0x4000 != 0 {
		flagText += "|NLA_F_NET_BYTEORDER"
	}
	name := s.name
	if !known {
		prefix := "attribute"
		if sp != nil {
			prefix = sp.name
		}
		name = "unknown " + prefix
	}
	title := name + " (" + itoa(int(k)) + flagText + ") len " + itoa(len(a))
	if p.inEcho {
		p.attrAt[off] = name
	}
	padNote := ""
	if len(pad) > 0 {
		padNote = " +" + itoa(len(pad)) + " pad"
	}
	kind := s.kind
	if !known && nested {
		kind = vNested
	}
	if s.nest == "$inet_conf" && !c.request {
		// IFLA_INET_CONF: the kernel dumps every setting as an array
		// (inet_fill_link_af), but takes IPV4_DEVCONF_* attributes in a
		// request (inet_set_link_af)
		kind = vU32Array
	}
	switch kind {
	case vNested, vLinkInfo:
		var child *space
		child = s.child(c)
		c2 := *c
		if kind == vLinkInfo {
			child = spaceLinkInfo
			c2.kind, c2.slaveKind = linkKinds(p.bo, val)
		}
		what := "nested"
		if child != nil && child.name != "" {
			what = "nested " + child.name
		}
		p.line(off, depth, title+", "+what, a[:4])
		if !p.tooDeep(val, off+4, depth+1) {
			p.nest++
			p.attrs(child, val, off+4, depth+1, &c2)
			p.nest--
		}
		p.padLine(off+len(a), depth, pad)
		return
	case vStruct, vStructAttrs:
		what := ": struct " + s.st.name
		if kind == vStructAttrs {
			what += " + " + s.child(c).name
		}
		p.line(off, depth, title+what, a[:4])
		n := p.structAt(s.st, val, off+4, depth+1, c)
		if n >= 0 && n < len(val) {
			if kind == vStructAttrs {
				if !p.tooDeep(val[n:], off+4+n, depth+1) {
					p.nest++
					p.attrs(s.child(c), val[n:], off+4+n, depth+1, c)
					p.nest--
				}
			} else {
				p.raw(off+4+n, depth+1, val[n:], fmt.Sprintf("%d more bytes than struct %s has (a newer kernel's fields)", len(val)-n, s.st.name))
			}
		}
		p.padLine(off+len(a), depth, pad)
		return
	case vMultipath:
		p.line(off, depth, title+", struct rtnexthop + RTA_* per next hop", a[:4])
		if !p.tooDeep(val, off+4, depth+1) {
			p.nest++
			p.multipath(val, off+4, depth+1, c)
			p.nest--
		}
		p.padLine(off+len(a), depth, pad)
		return
	case vU32Array, vS32Array, vU64Array:
		w := 4
		if kind == vU64Array {
			w = 8
		}
		if len(val)%w != 0 {
			break
		}
		p.line(off, depth, title+", "+itoa(len(val)/w)+" values", a[:4])
		p.rows(off+4, val, depth+1, func(i, j int) string {
			var parts []string
			for x := i; x+w <= j; x += w {
				v := val[x : x+w]
				var s string
				if kind == vS32Array {
					s = strconv.Itoa(int(int32(p.bo.Uint32(v))))
				} else {
					s = uintString(p.bo, v)
				}
				parts = append(parts, "["+itoa(x/w)+"] "+s)
			}
			return strings.Join(parts, "  ")
		})
		p.padLine(off+len(a), depth, pad)
		return
	}
	text, ok := leafString(s, kind, known, val, c)
	if ok && sp == spaceExtack && k == 2 && len(val) == 4 && p.echoAt >= 0 {
		target := p.echoAt + int(p.bo.Uint32(val))
		if n, found := p.attrAt[target]; found {
			text = fmt.Sprintf("%d: the request's byte %d is %s at %04x above", p.bo.Uint32(val), p.bo.Uint32(val), n, target)
		}
	}
	if !ok {
		text = fmt.Sprintf("%d bytes, not a valid %s: shown raw", len(val), kindName(kind))
	}
	if 4+len(val)+len(pad) <= 16 {
		sep := ": "
		if text == "" {
			sep = ""
		}
		p.line(off, depth, title+sep+text+padNote, a[:4], val, pad)
		return
	}
	p.line(off, depth, title, a[:4])
	p.raw(off+4, depth+1, val, text)
	p.padLine(off+len(a), depth, pad)
}

// tooDeep says whether the attributes in b would be nested maxNest levels
// deep or more, and then shows b raw: the kernel parses no deeper.
func (p *printer) tooDeep(b []byte, off int, depth int) bool {
	if p.nest+1 < maxNest {
		return false
	}
	p.raw(off, depth, b, "nested deeper than MAX_POLICY_RECURSION_DEPTH (10 levels): not decoded, the kernel parses no deeper")
	return true
}

func (p *printer) padLine(off int, depth int, pad []byte) {
	if len(pad) > 0 {
		p.line(off, depth, padText("NLA_ALIGN", len(pad)), pad)
	}
}

func kindName(k valueKind) string {
	switch k {
	case vU8:
		return "u8"
	case vU16:
		return "u16"
	case vU32:
		return "u32"
	case vU64:
		return "u64"
	case vS32:
		return "s32"
	case vS64:
		return "s64"
	case vBE16:
		return "be16"
	case vBE32:
		return "be32"
	case vString:
		return "string"
	case vMAC:
		return "link-layer address"
	case vAddr:
		return "IPv4/IPv6 address"
	case vFlag:
		return "flag (no value)"
	case vU32Array, vS32Array:
		return "array of 32-bit values"
	case vU64Array:
		return "array of 64-bit values"
	}
	return "value"
}

// leafString shows a value that is not nested; ok is false when the
// length does not fit the type.
func leafString(s spec, kind valueKind, known bool, v []byte, c *ctx) (string, bool) {
	if n, fixed := fixedSize(kind); fixed && len(v) != n {
		return "", false
	}
	num := func(x uint64, signed string) string {
		if s.enum != nil {
			return enumString(x, s.enum) + s.note
		}
		if s.flags != nil {
			return flagString(x, s.flags) + " (" + hex(x) + ")"
		}
		if signed != "" {
			return signed + s.note
		}
		return strconv.FormatUint(x, 10) + s.note
	}
	switch kind {
	case vU8, vU16, vU32, vU64:
		return num(uintOf(c.bo, v), ""), true
	case vS32:
		x := int32(c.bo.Uint32(v))
		return num(uint64(uint32(x)), strconv.Itoa(int(x))), true
	case vS64:
		x := int64(c.bo.Uint64(v))
		return num(uint64(x), strconv.FormatInt(x, 10)), true
	case vBE16:
		return num(uint64(binary.BigEndian.Uint16(v)), "") + " (network order)", true
	case vBE32:
		return num(uint64(binary.BigEndian.Uint32(v)), "") + " (network order)", true
	case vFlag:
		return "flag (no value)", true
	case vString:
		return quoteC(v), true
	case vSunPath:
		if len(v) > 0 && v[0] == 0 {
			return "@" + strconv.Quote(string(v[1:])) + " (abstract: leading NUL)", true
		}
		return quoteC(v), true
	case vMAC:
		if len(v) == 0 {
			return "", false
		}
		return macString(v), true
	case vAddr:
		a, ok := netip.AddrFromSlice(v)
		if !ok {
			return "", false
		}
		return a.String(), true
	case vVia:
		// struct rtvia { __kernel_sa_family_t rtvia_family; __u8 rtvia_addr[]; }
		if len(v) < 2 {
			return "", false
		}
		fam := c.bo.Uint16(v)
		name := enumString(uint64(fam), afNames)
		if a, ok := netip.AddrFromSlice(v[2:]); ok && (fam == 2 && len(v) == 6 || fam == 10 && len(v) == 18) {
			return name + " " + a.String() + " (struct rtvia)", true
		}
		return name + ", " + itoa(len(v)-2) + " bytes of address (struct rtvia)", true
	}
	if !known {
		return fmt.Sprintf("%d bytes, type not known here: raw", len(v)), true
	}
	if len(v) == 0 {
		return "", true
	}
	return itoa(len(v)) + " bytes", true
}

// quoteC shows a C string: quoted up to its NUL, saying if the NUL is
// missing or bytes follow it.
func quoteC(v []byte) string {
	i := 0
	for i < len(v) && v[i] != 0 {
		i++
	}
	q := strconv.Quote(string(v[:i]))
	switch {
	case i == len(v):
		return q + " (no NUL)"
	case i+1 < len(v):
		return fmt.Sprintf("%s + NUL + %d more bytes", q, len(v)-i-1)
	}
	return q
}

// kindOf is the string value of the attribute of type typ in b ("" if
// there is none).
func kindOf(bo binary.ByteOrder, b []byte, typ uint16) string {
	for o := 0; o+4 <= len(b); {
		l := int(bo.Uint16(b[o:]))
		if l < 4 || o+l > len(b) {
			break
		}
		if bo.Uint16(b[o+2:])&0x3fff == typ {
			v := b[o+4 : o+l]
			if i := strings.IndexByte(string(v), 0); i >= 0 {
				v = v[:i]
			}
			return string(v)
		}
		o += align(l)
	}
	return ""
}

// linkKinds finds IFLA_INFO_KIND and IFLA_INFO_SLAVE_KIND in the
// attributes of IFLA_LINKINFO: they say how INFO_DATA is typed.
func linkKinds(bo binary.ByteOrder, b []byte) (kind, slave string) {
	for o := 0; o+4 <= len(b); {
		l := int(bo.Uint16(b[o:]))
		if l < 4 || o+l > len(b) {
			break
		}
		v := b[o+4 : o+l]
		if i := strings.IndexByte(string(v), 0); i >= 0 {
			v = v[:i]
		}
		switch bo.Uint16(b[o+2:]) & 0x3fff {
		case 1:
			kind = string(v)
		case 4:
			slave = string(v)
		}
		o += align(l)
	}
	return kind, slave
}

// multipath dumps RTA_MULTIPATH: a run of
//
//	struct rtnexthop {
//		unsigned short	rtnh_len;	/* this struct and its RTA_* */
//		unsigned char	rtnh_flags;
//		unsigned char	rtnh_hops;	/* weight - 1 */
//		int		rtnh_ifindex;
//	};
func (p *printer) multipath(b []byte, off int, depth int, c *ctx) {
	for o := 0; o < len(b); {
		rest := b[o:]
		if len(rest) < 8 {
			p.raw(off+o, depth, rest, fmt.Sprintf("error: %d bytes left, need 8 for struct rtnexthop", len(rest)))
			return
		}
		l := int(p.bo.Uint16(rest))
		if l < 8 || l > len(rest) {
			p.raw(off+o, depth, rest, fmt.Sprintf("error: rtnh_len %d is outside 8..%d", l, len(rest)))
			return
		}
		n := p.structAt(stRtnexthop, rest[:l], off+o, depth, c)
		if n < 0 {
			return
		}
		p.attrs(spaceRTA, rest[8:l], off+o+8, depth+1, c)
		next := min(align(l), len(rest))
		p.padLine(off+o+l, depth, rest[l:next])
		o += next
	}
}

// errnoString shows struct nlmsgerr's error: 0 is an ACK.
func errnoString(e int32) string {
	if e == 0 {
		return "0 (success: this is an ACK)"
	}
	n := -e
	if n < 0 {
		n = e
	}
	name := unix.ErrnoName(unix.Errno(n))
	if name == "" {
		name = fmt.Sprintf("errno %d", n)
	}
	text := unix.Errno(n).Error()
	if text != "" {
		text = strings.ToUpper(text[:1]) + text[1:]
	}
	return fmt.Sprintf("%d (-%s: %s)", e, name, text)
}

func itoa(n int) string    { return strconv.Itoa(n) }
func utoa(n uint64) string { return strconv.FormatUint(n, 10) }

// padRight is s with blanks after it up to n bytes ("%-*s").
func padRight(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return s + strings.Repeat(" ", n-len(s))
}

func padText(what string, n int) string {
	if n == 1 {
		return "padding to " + what + " (1 byte)"
	}
	return fmt.Sprintf("padding to %s (%d bytes)", what, n)
}
