package wire

import (
	"encoding/binary"
	"strconv"
	"strings"

	"nsbox/internal/bounded"
	fmt "nsbox/internal/printf"
)

// Datagram is one netlink datagram read from text or a pcap file.
type Datagram struct {
	Order binary.ByteOrder // nil: this host's
	Dir   Direction
	Proto int // -1: not known (text input)
	Data  []byte
}

// InputError is malformed input: where, and what was expected there.
type InputError struct {
	Line, Col int // 1-based; Col 0 when the whole line is at fault
	Msg       string
}

func (e *InputError) Error() string {
	if e.Col > 0 {
		return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
}

// The line shapes ParseText recognizes. They are matched by hand, not
// with package regexp (which adds about 90 KB to the binary); each
// matcher names the regular expression it implements, and a test holds
// every one to it.

// matchOwnHeader is ^(>>>|<<<|===) (sent|received|datagram of) \d+ bytes \(
// (nsbox's own dump: ">>> sent 96 bytes (1 message, NETLINK_ROUTE)"); it
// returns the arrow.
func matchOwnHeader(l string) (arrow string, ok bool) {
	if len(l) < 4 || l[3] != ' ' {
		return "", false
	}
	switch arrow = l[:3]; arrow {
	case ">>>", "<<<", "===":
	default:
		return "", false
	}
	rest := l[4:]
	for _, w := range []string{"sent ", "received ", "datagram of "} {
		if strings.HasPrefix(rest, w) {
			n := span(rest, len(w), isDigit)
			return arrow, n > len(w) && strings.HasPrefix(rest[n:], " bytes (")
		}
	}
	return "", false
}

// matchOwnLine is ^([0-9a-f]{4,})<two blanks>, an offset of nsbox's own
// dump: it returns where the digits and the match end.
func matchOwnLine(l string) (digits, end int, ok bool) {
	return hexRun(l, 0, 4, isLowerHex, "  ")
}

// matchStrace is ^\s*\| ([0-9a-f]{5,})<two blanks>, a line of strace
// -e write=FD / -e read=FD: " | 00000  60 00 00 00 ...  `....... |". It
// returns where the offset starts and ends and where the match ends.
func matchStrace(l string) (start, digits, end int, ok bool) {
	i := span(l, 0, isSpace)
	if !strings.HasPrefix(l[i:], "| ") {
		return 0, 0, 0, false
	}
	digits, end, ok = hexRun(l, i+2, 5, isLowerHex, "  ")
	return i + 2, digits, end, ok
}

// matchStraceBuf is ^\s*\* \d+ bytes in buffer (\d+), strace's
// " * 96 bytes in buffer 0": it returns the buffer number.
func matchStraceBuf(l string) (string, bool) {
	i := span(l, 0, isSpace)
	if !strings.HasPrefix(l[i:], "* ") {
		return "", false
	}
	i += 2
	n := span(l, i, isDigit)
	const mid = " bytes in buffer "
	if n == i || !strings.HasPrefix(l[n:], mid) {
		return "", false
	}
	n += len(mid)
	e := span(l, n, isDigit)
	return l[n:e], e > n
}

// matchXxd is ^([0-9a-fA-F]{4,}): , a line of xxd:
// "00000000: 6000 0000 1000 0506  `.......".
func matchXxd(l string) (digits, end int, ok bool) {
	return hexRun(l, 0, 4, isHex, ": ")
}

// matchHexdumpC is ^([0-9a-f]{8,})(<two blanks>|$), a line of hexdump -C:
// "00000000  60 00 00 00 10 00 05 06  26 58 0b 6b 00 00 00 00  |`.......&X.k....|".
// It returns where the offset ends.
func matchHexdumpC(l string) (digits int, ok bool) {
	n := span(l, 0, isLowerHex)
	return n, n >= 8 && (n == len(l) || strings.HasPrefix(l[n:], "  "))
}

// matchHexdumpWords is ^[0-9a-f]{7} [0-9a-f]{4}( |$), hexdump without -C:
// "0000000 0060 0000 ..." (16-bit words: the byte order is lost).
func matchHexdumpWords(l string) bool {
	return len(l) >= 12 && span(l, 0, isLowerHex) >= 7 && l[7] == ' ' &&
		span(l, 8, isLowerHex) >= 12 && (len(l) == 12 || l[12] == ' ')
}

// hexRun matches ([digits]{min,})SEP at s[i:]: it returns where the
// digits and the match end.
func hexRun(s string, i, min int, digit func(byte) bool, sep string) (digits, end int, ok bool) {
	n := span(s, i, digit)
	if n-i < min || !strings.HasPrefix(s[n:], sep) {
		return 0, 0, false
	}
	return n, n + len(sep), true
}

// span returns the end of the run of bytes in class from s[i:].
func span(s string, i int, class func(byte) bool) int {
	for i < len(s) && class(s[i]) {
		i++
	}
	return i
}

func isDigit(c byte) bool    { return c >= '0' && c <= '9' }
func isLowerHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' }

// isSpace is regexp's \s: [\t\n\f\r ].
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }

// Bounds of text input (ParseText). A datagram read from text is at
// most MaxDatagram bytes: tcpdump's and dumpcap's default snaplen, which
// is also MaxPcapRecord, so every record a capture tool writes fits, and
// 8 times the 32 KiB the kernel puts in one netlink dump datagram. All
// datagrams of one text together are at most MaxDecoded bytes: 32 times
// that, the messages of thousands of commands. (hexdump -C's "*" lines
// repeat bytes: a few input bytes may stand for a whole datagram, so the
// bounds are on what is decoded, not on the text.)
const (
	MaxDatagram = 256 << 10
	MaxDecoded  = 8 << 20
)

// lineScanner walks the lines of a text without copying it:
//
//	for sc := (lineScanner{rest: text}); sc.next(); { ... sc.n, sc.line ... }
//
// gives each line without its "\n" or "\r\n", and its 1-based number; a
// text that ends in "\n" has a last, empty line (as strings.Split gives).
type lineScanner struct {
	rest string
	n    int
	line string
	done bool
}

func (sc *lineScanner) next() bool {
	if sc.done {
		return false
	}
	sc.n++
	i := strings.IndexByte(sc.rest, '\n')
	if i < 0 {
		sc.line, sc.done = sc.rest, true
		return true
	}
	sc.line, sc.rest = strings.TrimSuffix(sc.rest[:i], "\r"), sc.rest[i+1:]
	return true
}

// budget keeps ParseText's datagrams within MaxDatagram each and
// MaxDecoded in all.
type budget struct {
	done int // bytes of the datagrams finished
}

// check says whether a datagram now n bytes long fits, as an error at
// line ln if it does not.
func (b *budget) check(ln, n int) error {
	if n > MaxDatagram {
		return &InputError{Line: ln, Msg: "a datagram larger than " + bounded.Size(MaxDatagram) + " (the bound for one datagram)"}
	}
	if b.done+n > MaxDecoded {
		return &InputError{Line: ln, Msg: "datagrams larger than " + bounded.Size(MaxDecoded) + " in all (the bound for one input)"}
	}
	return nil
}

// ParseText reads netlink datagrams written as text: plain hex, xxd
// output, hexdump -C output, or the hex dumps strace prints with
// -e write=FD / -e read=FD (each sendmsg/recvmsg one datagram). In
// plain hex, xxd and hexdump input a blank line, or offsets that start
// again at 0, begin a new datagram. Datagrams are bounded (MaxDatagram,
// MaxDecoded); the text itself is the caller's to bound. Time and memory
// are proportional to the text and to MaxDecoded.
func ParseText(text string) ([]Datagram, error) {
	format := ""
	for sc := (lineScanner{rest: text}); sc.next(); {
		if _, ok := matchOwnHeader(sc.line); ok {
			return parseOwnDump(text)
		}
	}
	for sc := (lineScanner{rest: text}); sc.next(); {
		if _, _, _, ok := matchStrace(sc.line); ok {
			format = "strace"
			break
		}
	}
	if format == "" {
		for sc := (lineScanner{rest: text}); sc.next(); {
			ln, l := sc.n, sc.line
			t := strings.TrimSpace(l)
			if t == "" || strings.HasPrefix(t, "#") {
				continue
			}
			_, _, xxd := matchXxd(l)
			_, hexdumpC := matchHexdumpC(l)
			switch {
			case xxd:
				format = "xxd"
			case matchHexdumpWords(l):
				return nil, &InputError{Line: ln, Msg: `this looks like hexdump without -C (16-bit words lose the byte order); use "hexdump -C" or "xxd"`}
			case hexdumpC && (strings.Contains(l, "|") || len(strings.Fields(l)) > 1):
				format = "hexdump"
			default:
				format = "plain"
			}
			break
		}
	}
	switch format {
	case "strace":
		return parseStrace(text)
	case "xxd":
		return parseOffsetDump(text, "xxd")
	case "hexdump":
		return parseOffsetDump(text, "hexdump")
	case "plain":
		return parsePlain(text)
	}
	return nil, nil
}

// hexBytes reads pairs of hex digits separated by blanks from s, which
// starts at column col of line ln. group is how many digits a word has
// (2 for "60 00", 4 for xxd's "6000").
func hexBytes(s string, ln, col int, group int) ([]byte, error) {
	var out []byte
	i := 0
	for i < len(s) {
		if s[i] == ' ' || s[i] == '\t' {
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != '\t' {
			j++
		}
		w := s[i:j]
		if len(w)%2 != 0 || (group > 0 && len(w) > group) {
			return nil, &InputError{Line: ln, Col: col + i, Msg: fmt.Sprintf("%q is not a group of hex bytes", w)}
		}
		for k := 0; k < len(w); k += 2 {
			v, err := strconv.ParseUint(w[k:k+2], 16, 8)
			if err != nil {
				return nil, &InputError{Line: ln, Col: col + i + k, Msg: fmt.Sprintf("%q is not a hex byte", w[k:k+2])}
			}
			out = append(out, byte(v))
		}
		i = j
	}
	return out, nil
}

// parseStrace reads strace output: every syscall line starts a new
// datagram, its direction from the syscall's name; dump lines add bytes
// at the offsets they give.
func parseStrace(text string) ([]Datagram, error) {
	var out []Datagram
	var cur *Datagram
	var bud budget
	dir := DirUnknown
	peek := false // the syscall only peeked (MSG_PEEK): the data comes again
	bufStart := 0 // where the current iovec buffer starts in cur.Data
	flush := func() {
		if cur != nil && len(cur.Data) > 0 && !peek {
			out = append(out, *cur)
			bud.done += len(cur.Data)
		}
		cur = nil
	}
	last := 0
	for sc := (lineScanner{rest: text}); sc.next(); {
		ln, l := sc.n, sc.line
		last = ln
		if offStart, offEnd, start, ok := matchStrace(l); ok {
			offs := l[offStart:offEnd]
			off, err := strconv.ParseUint(offs, 16, 32)
			if err != nil {
				return nil, &InputError{Line: ln, Col: offStart + 1, Msg: fmt.Sprintf("offset %q is not hex", offs)}
			}
			if cur == nil {
				cur = &Datagram{Dir: dir, Proto: -1}
				bufStart = 0
			}
			// " | %05x  %-49s  %-16s |": the hex is the 49 columns after
			// the offset; the ASCII column after it may look like hex.
			end := min(start+49, len(l))
			b, err := hexBytes(l[start:end], ln, start+1, 2)
			if err != nil {
				return nil, err
			}
			if len(b) > 16 {
				return nil, &InputError{Line: ln, Col: start + 1, Msg: fmt.Sprintf("%d bytes on one strace dump line, at most 16", len(b))}
			}
			if want := len(cur.Data) - bufStart; int(off) != want {
				return nil, &InputError{Line: ln, Col: offStart + 1, Msg: fmt.Sprintf("offset %#x, expected %#x (a dump line is missing or repeated)", off, want)}
			}
			if err := bud.check(ln, len(cur.Data)+len(b)); err != nil {
				return nil, err
			}
			cur.Data = append(cur.Data, b...)
			continue
		}
		if buf, ok := matchStraceBuf(l); ok {
			if buf != "0" && cur != nil {
				bufStart = len(cur.Data) // next iovec of the same sendmsg
				continue
			}
			flush()
			continue
		}
		t := strings.TrimSpace(l)
		if t == "" {
			continue
		}
		// a syscall line (or anything else) ends the datagram
		flush()
		dir = straceDirection(t)
		peek = strings.Contains(t, "MSG_PEEK")
	}
	flush()
	if len(out) == 0 {
		return nil, &InputError{Line: last, Msg: "no strace hex dump lines (\" | 00000  ...\"): run strace with -e write=FD or -e read=FD"}
	}
	return out, nil
}

// syscallName is
// ^(?:\[pid\s+\d+\]\s+)?(?:\d+\s+)?(?:[0-9:.]+\s+)?([a-z_0-9]+)\(
// (strace -f, -ff, -t, -tt, -r prefixes, then the call): it returns the
// name of the call. Every run the pattern takes is bounded by a byte it
// cannot take, so only the optional parts need trying.
func syscallName(l string) (string, bool) {
	if strings.HasPrefix(l, "[") {
		i := len("[pid")
		if !strings.HasPrefix(l, "[pid") || span(l, i, isSpace) == i {
			return "", false
		}
		i = span(l, i, isSpace)
		d := span(l, i, isDigit)
		if d == i || d == len(l) || l[d] != ']' {
			return "", false
		}
		i = d + 1
		if span(l, i, isSpace) == i {
			return "", false
		}
		l = l[span(l, i, isSpace):]
	}
	// the ways an optional "run of class, then blanks" can take s: past
	// it (when it is there), or not at all
	optional := func(s string, class func(byte) bool) []string {
		n := span(s, 0, class)
		if e := span(s, n, isSpace); n > 0 && e > n {
			return []string{s[e:], s}
		}
		return []string{s}
	}
	isName := func(c byte) bool { return c >= 'a' && c <= 'z' || c == '_' || isDigit(c) }
	isTime := func(c byte) bool { return isDigit(c) || c == ':' || c == '.' }
	for _, s := range optional(l, isDigit) {
		for _, t := range optional(s, isTime) {
			if n := span(t, 0, isName); n > 0 && n < len(t) && t[n] == '(' {
				return t[:n], true
			}
		}
	}
	return "", false
}

func straceDirection(line string) Direction {
	name, ok := syscallName(line)
	if !ok {
		return DirUnknown
	}
	switch name {
	case "sendmsg", "sendto", "write", "writev", "sendmmsg":
		return DirSent
	case "recvmsg", "recvfrom", "read", "readv", "recvmmsg":
		return DirReceived
	}
	return DirUnknown
}

// parseOffsetDump reads xxd or hexdump -C output.
func parseOffsetDump(text string, format string) ([]Datagram, error) {
	var out []Datagram
	var cur []byte
	var prev []byte // last line's bytes (hexdump's "*" repeats it)
	var bud budget
	repeat := false
	flush := func() {
		if len(cur) > 0 {
			out = append(out, Datagram{Proto: -1, Data: cur})
			bud.done += len(cur)
		}
		cur, prev, repeat = nil, nil, false
	}
	for sc := (lineScanner{rest: text}); sc.next(); {
		ln, l := sc.n, sc.line
		t := strings.TrimSpace(l)
		if t == "" {
			flush()
			continue
		}
		if strings.HasPrefix(t, "#") {
			continue
		}
		if format == "hexdump" && t == "*" {
			repeat = true
			continue
		}
		var offs, hex string
		col := 0
		if format == "xxd" {
			digits, end, ok := matchXxd(l)
			if !ok {
				return nil, &InputError{Line: ln, Col: 1, Msg: `expected an xxd line "OFFSET: HEX  TEXT"`}
			}
			offs = l[:digits]
			rest := l[end:]
			// the hex ends at the first double blank (the text follows)
			if k := strings.Index(rest, "  "); k >= 0 {
				rest = rest[:k]
			}
			hex, col = rest, end+1
		} else {
			digits, ok := matchHexdumpC(l)
			if !ok {
				return nil, &InputError{Line: ln, Col: 1, Msg: `expected a hexdump -C line "OFFSET  HEX  |TEXT|"`}
			}
			offs = l[:digits]
			rest := l[digits:]
			if k := strings.IndexByte(rest, '|'); k >= 0 {
				rest = rest[:k]
			}
			hex, col = rest, digits+1
		}
		off, err := strconv.ParseUint(offs, 16, 32)
		if err != nil {
			return nil, &InputError{Line: ln, Col: 1, Msg: fmt.Sprintf("offset %q is not hex", offs)}
		}
		if off == 0 && len(cur) > 0 {
			flush() // offsets start again: the next datagram
		}
		if repeat {
			// "*": the line before repeats up to this offset
			if len(prev) == 0 {
				return nil, &InputError{Line: ln, Msg: `"*" with no line before it to repeat`}
			}
			// the datagram's bound, before a byte is repeated: "*" and
			// an offset are a few bytes of text that stand for many
			if off > uint64(len(cur)) {
				if err := bud.check(ln, int(min(off, MaxDatagram+1))); err != nil {
					return nil, err
				}
			}
			for uint64(len(cur)) < off {
				cur = append(cur, prev...)
			}
			repeat = false
		}
		if off != uint64(len(cur)) {
			return nil, &InputError{Line: ln, Col: 1, Msg: fmt.Sprintf("offset %#x, expected %#x (a line is missing or repeated)", off, len(cur))}
		}
		group := 2
		if format == "xxd" {
			group = 0 // xxd -g N groups any number of bytes
		}
		b, err := hexBytes(hex, ln, col, group)
		if err != nil {
			return nil, err
		}
		if err := bud.check(ln, len(cur)+len(b)); err != nil {
			return nil, err
		}
		cur = append(cur, b...)
		if len(b) > 0 {
			prev = b
		}
	}
	flush()
	return out, nil
}

// parsePlain reads hex digits, in pairs or runs ("60 00 00 00",
// "60000000", "0x60, 0x00", "\x60\x00"); "#" starts a comment; a blank
// line ends a datagram.
func parsePlain(text string) ([]Datagram, error) {
	var out []Datagram
	var cur []byte
	var bud budget
	flush := func() {
		if len(cur) > 0 {
			out = append(out, Datagram{Proto: -1, Data: cur})
			bud.done += len(cur)
		}
		cur = nil
	}
	isSep := func(c byte) bool { return c == ' ' || c == '\t' || c == ',' || c == ';' || c == '"' }
	for sc := (lineScanner{rest: text}); sc.next(); {
		ln, l := sc.n, sc.line
		if k := strings.IndexByte(l, '#'); k >= 0 {
			l = l[:k]
		}
		if strings.TrimSpace(l) == "" {
			flush()
			continue
		}
		for j := 0; j < len(l); {
			if isSep(l[j]) {
				j++
				continue
			}
			k := j
			for k < len(l) && !isSep(l[k]) {
				k++
			}
			tok, col := l[j:k], j+1
			j = k
			var pieces []string
			var cols []int
			switch {
			case strings.Contains(tok, "\\x") || strings.Contains(tok, "\\X"):
				c := col
				for _, p := range strings.FieldsFunc(strings.ReplaceAll(tok, "\\X", "\\x"), func(r rune) bool { return r == '\\' }) {
					if !strings.HasPrefix(p, "x") {
						return nil, &InputError{Line: ln, Col: c, Msg: fmt.Sprintf("%q: expected \\xHH", p)}
					}
					pieces, cols = append(pieces, p[1:]), append(cols, c+2)
					c += len(p) + 1
				}
			case strings.HasPrefix(tok, "0x") || strings.HasPrefix(tok, "0X"):
				pieces, cols = []string{tok[2:]}, []int{col + 2}
			default:
				pieces, cols = []string{tok}, []int{col}
			}
			for pi, p := range pieces {
				for q := 0; q < len(p); q++ {
					if !isHex(p[q]) {
						return nil, &InputError{Line: ln, Col: cols[pi] + q, Msg: fmt.Sprintf("%q is not a hex digit", p[q])}
					}
				}
				if len(p) == 0 || len(p)%2 != 0 {
					return nil, &InputError{Line: ln, Col: cols[pi], Msg: fmt.Sprintf("%q: a byte is two hex digits, this has %d", p, len(p))}
				}
				if err := bud.check(ln, len(cur)+len(p)/2); err != nil {
					return nil, err
				}
				for q := 0; q < len(p); q += 2 {
					v, _ := strconv.ParseUint(p[q:q+2], 16, 8)
					cur = append(cur, byte(v))
				}
			}
		}
	}
	flush()
	return out, nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// parseOwnDump reads nsbox's own annotated dump (-wire, decode): the
// header line of each datagram gives its direction, the 52 columns after
// each offset its bytes; the annotations are ignored.
func parseOwnDump(text string) ([]Datagram, error) {
	var out []Datagram
	var cur *Datagram
	var bud budget
	for sc := (lineScanner{rest: text}); sc.next(); {
		ln, l := sc.n, sc.line
		if arrow, ok := matchOwnHeader(l); ok {
			if cur != nil {
				out = append(out, *cur)
				bud.done += len(cur.Data)
			}
			cur = &Datagram{Proto: -1}
			switch arrow {
			case ">>>":
				cur.Dir = DirSent
			case "<<<":
				cur.Dir = DirReceived
			}
			if strings.Contains(l, "NETLINK_SOCK_DIAG)") {
				cur.Proto = protoSockDiag
			} else if strings.Contains(l, "NETLINK_ROUTE)") {
				cur.Proto = protoRoute
			}
			continue
		}
		digits, start, ok := matchOwnLine(l)
		if !ok {
			if strings.TrimSpace(l) == "" {
				continue
			}
			return nil, &InputError{Line: ln, Col: 1, Msg: "expected an offset (4 or more hex digits) and two blanks, as nsbox dumps print"}
		}
		if cur == nil {
			return nil, &InputError{Line: ln, Col: 1, Msg: "a dump line before any \">>> sent\" / \"<<< received\" header"}
		}
		end := min(start+hexWidth, len(l))
		hex := strings.ReplaceAll(l[start:end], "|", " ")
		b, err := hexBytes(hex, ln, start+1, 2)
		if err != nil {
			return nil, err
		}
		if len(b) == 0 {
			continue // a note: no bytes of its own
		}
		off, _ := strconv.ParseUint(l[:digits], 16, 32)
		if int(off) != len(cur.Data) {
			return nil, &InputError{Line: ln, Col: 1, Msg: fmt.Sprintf("offset %#x, expected %#x (a line is missing or repeated)", off, len(cur.Data))}
		}
		if err := bud.check(ln, len(cur.Data)+len(b)); err != nil {
			return nil, err
		}
		cur.Data = append(cur.Data, b...)
	}
	if cur != nil {
		out = append(out, *cur)
	}
	return out, nil
}
