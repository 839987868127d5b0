// Package printf is a small stand-in for the part of package fmt that nsbox
// uses, written without reflect so that neither fmt nor reflect is linked
// into the binary (together about 180 KB of the stripped executable).
//
// The formatting code follows fmt's print.go and format.go; for every
// operand of a supported type the output is byte for byte what fmt prints
// (printf_test.go and FuzzSprintf compare against fmt itself).
//
// Supported operands, found by a type switch:
//   - nil, bool, string, []byte, float32, float64, and every int and uint
//     kind including uintptr (unnamed types only), and time.Duration;
//   - any value implementing error or interface{ String() string }, for the
//     verbs fmt hands to those methods (%v %s %x %X %q, and %w in Errorf).
//
// Without reflect some things cannot be seen, and the package then says so
// in the output instead of guessing, in fmt's bad-verb style:
//   - an operand of any other type (named types such as `type Kind uint8`
//     without a String method, structs, pointers, maps, slices other than
//     []byte, complex numbers), or an error/Stringer with a verb such as %d
//     or with %#v, prints "%!d(unsupported)" (with the verb used);
//   - where fmt names an operand's type in an error ("%!w(string=x)",
//     "%!(EXTRA int=1)"), the name of a type outside the list above is
//     written "?", and %T of such an operand prints "%!T(unsupported)";
//   - '*' width or precision must be an unnamed integer (else %!(BADWIDTH)
//     or %!(BADPREC), as fmt says for non-integers);
//   - Sprint and Fprint put no space between two operands when either is a
//     plain string; a named type of string kind counts as a non-string here;
//   - a String or Error method that panics prints fmt's
//     "%!v(PANIC=String method: ...)"; fmt instead prints "<nil>" when the
//     receiver is a nil pointer, which needs reflect to detect;
//   - %U, and the '#' flag on floating-point verbs, are left out (nsbox
//     does not use them): they print "%!U(unsupported)", "%!g(unsupported)";
//   - %p is not supported (it prints the bad-verb text for scalar operands,
//     as fmt does, and "%!p(unsupported)" otherwise); Formatter and
//     GoStringer are not consulted.
//
// go vet knows these functions only when told (make vet does):
//
//	go vet -printf.funcs=nsbox/internal/printf.Sprintf,nsbox/internal/printf.Errorf,...
//
// vet accepts %w only in fmt.Errorf and says so for each %w in Errorf:
// make vet filters out that complaint and no other. TestPrintfOperands
// (in the module's root) checks what vet cannot see: that every operand
// the product passes here, directly or through a wrapper, has a type and
// verb listed above.
package printf

import (
	"errors"
	"io"
	"os"
	"strconv"
	"time"
	"unicode/utf8"
)

// Stringer is fmt.Stringer.
type Stringer interface {
	String() string
}

const (
	ldigits = "0123456789abcdefx"
	udigits = "0123456789ABCDEFX"
)

// printer is fmt's pp and fmt in one.
type printer struct {
	buf []byte
	arg any

	// flags
	widPresent, precPresent          bool
	minus, plus, sharp, space, zero  bool
	plusV, sharpV                    bool
	wid, prec                        int
	reordered, goodArgNum, panicking bool
	erroring, wrapErrs               bool
	wrappedErrs                      []int

	intbuf [68]byte
}

func (p *printer) clearflags() {
	p.widPresent, p.precPresent = false, false
	p.minus, p.plus, p.sharp, p.space, p.zero = false, false, false, false, false
	p.plusV, p.sharpV = false, false
	p.wid, p.prec = 0, 0
}

// run formats a, appending to b: by format (mode 0), as Sprint (mode 1) or
// as Sprintln (mode 2). One body for all the entry points keeps them small.
func run(b []byte, mode int, format string, a []any) []byte {
	p := printer{buf: b}
	if mode == 0 {
		p.doPrintf(format, a)
	} else {
		p.doPrint(a, mode == 2)
	}
	return p.buf
}

// Fprintf formats according to a format specifier and writes to w.
func Fprintf(w io.Writer, format string, a ...any) (n int, err error) {
	return w.Write(run(nil, 0, format, a))
}

// Printf formats according to a format specifier and writes to standard output.
func Printf(format string, a ...any) (n int, err error) {
	return Fprintf(os.Stdout, format, a...)
}

// Sprintf formats according to a format specifier and returns the string.
func Sprintf(format string, a ...any) string {
	return string(run(nil, 0, format, a))
}

// Appendf formats according to a format specifier and appends to b.
func Appendf(b []byte, format string, a ...any) []byte {
	return run(b, 0, format, a)
}

// Fprint writes the operands to w, with spaces between operands when
// neither is a string.
func Fprint(w io.Writer, a ...any) (n int, err error) {
	return w.Write(run(nil, 1, "", a))
}

// Print is Fprint to standard output.
func Print(a ...any) (n int, err error) {
	return Fprint(os.Stdout, a...)
}

// Sprint is Fprint to a string.
func Sprint(a ...any) string {
	return string(run(nil, 1, "", a))
}

// Fprintln writes the operands to w with spaces between them and a newline.
func Fprintln(w io.Writer, a ...any) (n int, err error) {
	return w.Write(run(nil, 2, "", a))
}

// Println is Fprintln to standard output.
func Println(a ...any) (n int, err error) {
	return Fprintln(os.Stdout, a...)
}

// Sprintln is Fprintln to a string.
func Sprintln(a ...any) string {
	return string(run(nil, 2, "", a))
}

// Errorf is fmt.Errorf: with one %w operand the error unwraps to it, with
// several its Unwrap returns them all ([]error), in argument order.
func Errorf(format string, a ...any) error {
	p := printer{wrapErrs: true}
	p.doPrintf(format, a)
	s := string(p.buf)
	switch len(p.wrappedErrs) {
	case 0:
		return errors.New(s)
	case 1:
		e, _ := a[p.wrappedErrs[0]].(error)
		return &wrapError{s, e}
	}
	// fmt sorts the operand numbers and drops repeats: the same as taking
	// the operands in order when they were wrapped at least once
	var errs []error
	for i, x := range a {
		for _, w := range p.wrappedErrs {
			if w == i {
				if e, ok := x.(error); ok {
					errs = append(errs, e)
				}
				break
			}
		}
	}
	return &wrapErrors{s, errs}
}

type wrapError struct {
	msg string
	err error
}

func (e *wrapError) Error() string { return e.msg }
func (e *wrapError) Unwrap() error { return e.err }

type wrapErrors struct {
	msg  string
	errs []error
}

func (e *wrapErrors) Error() string   { return e.msg }
func (e *wrapErrors) Unwrap() []error { return e.errs }

// ---- format.go ----

func (p *printer) ws(s string) { p.buf = append(p.buf, s...) }

func (p *printer) wb(c byte) { p.buf = append(p.buf, c) }

// bang writes "%!", the verb and s, the start of every complaint.
func (p *printer) bang(verb rune, s string) {
	p.ws("%!")
	p.buf = utf8.AppendRune(p.buf, verb)
	p.ws(s)
}

func (p *printer) writePadding(n int) {
	c := byte(' ')
	if p.zero && !p.minus {
		c = '0'
	}
	for ; n > 0; n-- {
		p.buf = append(p.buf, c)
	}
}

// padFrom pads what was written since start to the width: fmt's pad.
func (p *printer) padFrom(start int) {
	if !p.widPresent || p.wid == 0 {
		return
	}
	n := p.wid - utf8.RuneCount(p.buf[start:])
	if n <= 0 {
		return
	}
	end := len(p.buf)
	p.writePadding(n)
	if !p.minus { // move the text after the padding
		c := p.buf[end]
		copy(p.buf[start+n:], p.buf[start:end])
		for i := start; i < start+n; i++ {
			p.buf[i] = c
		}
	}
}

func (p *printer) padS(s string) {
	start := len(p.buf)
	p.ws(s)
	p.padFrom(start)
}

func (p *printer) padB(b []byte) {
	start := len(p.buf)
	p.buf = append(p.buf, b...)
	p.padFrom(start)
}

// padNoZero pads b with spaces even under the '0' flag.
func (p *printer) padNoZero(b []byte) {
	old := p.zero
	p.zero = false
	p.padB(b)
	p.zero = old
}

func (p *printer) fmtInteger(u uint64, base int, isSigned bool, verb rune, digits string) {
	negative := isSigned && int64(u) < 0
	if negative {
		u = -u
	}
	buf := p.intbuf[0:]
	if p.widPresent || p.precPresent {
		width := 3 + p.wid + p.prec
		if width > len(buf) {
			buf = make([]byte, width)
		}
	}
	prec := 0
	if p.precPresent {
		prec = p.prec
		if prec == 0 && u == 0 {
			old := p.zero
			p.zero = false
			p.writePadding(p.wid)
			p.zero = old
			return
		}
	} else if p.zero && !p.minus && p.widPresent {
		prec = p.wid
		if negative || p.plus || p.space {
			prec--
		}
	}
	i := len(buf)
	b := uint64(base)
	for u >= b {
		i--
		next := u / b
		buf[i] = digits[u-next*b]
		u = next
	}
	i--
	buf[i] = digits[u]
	for i > 0 && prec > len(buf)-i {
		i--
		buf[i] = '0'
	}
	if p.sharp {
		switch base {
		case 2:
			i -= 2
			buf[i], buf[i+1] = '0', 'b'
		case 8:
			if buf[i] != '0' {
				i--
				buf[i] = '0'
			}
		case 16:
			i -= 2
			buf[i], buf[i+1] = '0', digits[16]
		}
	}
	if verb == 'O' {
		i -= 2
		buf[i], buf[i+1] = '0', 'o'
	}
	if negative {
		i--
		buf[i] = '-'
	} else if p.plus {
		i--
		buf[i] = '+'
	} else if p.space {
		i--
		buf[i] = ' '
	}
	p.padNoZero(buf[i:])
}

func (p *printer) truncate(s string) string {
	if p.precPresent {
		n := p.prec
		for i := range s {
			n--
			if n < 0 {
				return s[:i]
			}
		}
	}
	return s
}

// fmtSx is fmt's fmtSbx: hex of the bytes of s.
func (p *printer) fmtSx(s string, digits string) {
	length := len(s)
	if p.precPresent && p.prec < length {
		length = p.prec
	}
	if length == 0 {
		if p.widPresent {
			p.writePadding(p.wid)
		}
		return
	}
	start := len(p.buf)
	for i := 0; i < length; i++ {
		if p.space && i > 0 {
			p.wb(' ')
		}
		if p.sharp && (p.space || i == 0) {
			p.wb('0')
			p.wb(digits[16])
		}
		c := s[i]
		p.wb(digits[c>>4])
		p.wb(digits[c&0xF])
	}
	p.padFrom(start) // ASCII: the rune count is the width fmt computes
}

func (p *printer) fmtQ(s string) {
	s = p.truncate(s)
	if p.sharp && strconv.CanBackquote(s) {
		start := len(p.buf)
		p.wb('`')
		p.ws(s)
		p.wb('`')
		p.padFrom(start)
		return
	}
	if p.plus {
		p.padB(strconv.AppendQuoteToASCII(p.intbuf[:0], s))
	} else {
		p.padB(strconv.AppendQuote(p.intbuf[:0], s))
	}
}

func (p *printer) fmtC(c uint64, quote bool) {
	r := rune(c)
	if c > utf8.MaxRune {
		r = utf8.RuneError
	}
	buf := p.intbuf[:0]
	switch {
	case !quote:
		buf = utf8.AppendRune(buf, r)
	case p.plus:
		buf = strconv.AppendQuoteRuneToASCII(buf, r)
	default:
		buf = strconv.AppendQuoteRune(buf, r)
	}
	p.padB(buf)
}

func (p *printer) fmtFloat(v float64, size int, verb rune, prec int) {
	if p.precPresent {
		prec = p.prec
	}
	num := strconv.AppendFloat(p.intbuf[:1], v, byte(verb), prec, size)
	if num[1] == '-' || num[1] == '+' {
		num = num[1:]
	} else {
		num[0] = '+'
	}
	if p.space && num[0] == '+' && !p.plus {
		num[0] = ' '
	}
	if num[1] == 'I' || num[1] == 'N' {
		if num[1] == 'N' && !p.space && !p.plus {
			num = num[1:]
		}
		p.padNoZero(num)
		return
	}
	if p.plus || num[0] != '+' {
		if p.zero && !p.minus && p.widPresent && p.wid > len(num) {
			p.wb(num[0])
			p.writePadding(p.wid - len(num))
			p.buf = append(p.buf, num[1:]...)
			return
		}
		p.padB(num)
		return
	}
	p.padB(num[1:])
}

// ---- print.go ----

// kind numbers the operand types the package knows.
type kind uint8

const (
	kOther kind = iota
	kBool
	kString
	kBytes
	kFloat32
	kFloat64
	kDuration // kDuration..kInt64 are signed, kUint..kUintptr unsigned
	kInt
	kInt8
	kInt16
	kInt32
	kInt64
	kUint
	kUint8
	kUint16
	kUint32
	kUint64
	kUintptr
)

// typeNames[k] is reflect.TypeOf(arg).String() for an operand of kind k.
var typeNames = [...]string{"?", "bool", "string", "[]uint8", "float32", "float64",
	"time.Duration", "int", "int8", "int16", "int32", "int64",
	"uint", "uint8", "uint16", "uint32", "uint64", "uintptr"}

// classify finds arg's kind and, for integers, its value as a uint64.
func classify(arg any) (kind, uint64) {
	switch v := arg.(type) {
	case bool:
		return kBool, 0
	case string:
		return kString, 0
	case []byte:
		return kBytes, 0
	case float32:
		return kFloat32, 0
	case float64:
		return kFloat64, 0
	case time.Duration:
		return kDuration, uint64(v)
	case int:
		return kInt, uint64(v)
	case int8:
		return kInt8, uint64(v)
	case int16:
		return kInt16, uint64(v)
	case int32:
		return kInt32, uint64(v)
	case int64:
		return kInt64, uint64(v)
	case uint:
		return kUint, uint64(v)
	case uint8:
		return kUint8, uint64(v)
	case uint16:
		return kUint16, uint64(v)
	case uint32:
		return kUint32, uint64(v)
	case uint64:
		return kUint64, v
	case uintptr:
		return kUintptr, uint64(v)
	}
	return kOther, 0
}

func typeName(arg any) string {
	k, _ := classify(arg)
	return typeNames[k]
}

func (p *printer) badVerb(verb rune) {
	p.erroring = true
	p.bang(verb, "(")
	if p.arg != nil {
		p.ws(typeName(p.arg))
		p.wb('=')
		p.printArg(p.arg, 'v')
	} else {
		p.ws("<nil>")
	}
	p.wb(')')
	p.erroring = false
}

func (p *printer) unsupported(verb rune) {
	p.bang(verb, "(unsupported)")
}

func (p *printer) fmtInt(v uint64, isSigned bool, verb rune) {
	digits := ldigits
	switch verb {
	case 'v':
		if p.sharpV && !isSigned {
			sharp := p.sharp
			p.sharp = true
			p.fmtInteger(v, 16, false, 'v', ldigits)
			p.sharp = sharp
			return
		}
		fallthrough
	case 'd':
		p.fmtInteger(v, 10, isSigned, verb, digits)
	case 'b':
		p.fmtInteger(v, 2, isSigned, verb, digits)
	case 'o', 'O':
		p.fmtInteger(v, 8, isSigned, verb, digits)
	case 'X':
		digits = udigits
		fallthrough
	case 'x':
		p.fmtInteger(v, 16, isSigned, verb, digits)
	case 'c', 'q':
		p.fmtC(v, verb == 'q')
	case 'U':
		p.unsupported(verb) // not used by nsbox; fmt prints U+0041
	default:
		p.badVerb(verb)
	}
}

func (p *printer) fmtFloatVerb(v float64, size int, verb rune) {
	if p.sharp {
		// '#' (a decimal point always, trailing zeros kept) is left out
		p.unsupported(verb)
		return
	}
	prec := -1
	switch verb {
	case 'v':
		verb = 'g'
	case 'F':
		verb = 'f'
		fallthrough
	case 'f', 'e', 'E':
		prec = 6
	case 'b', 'g', 'G', 'x', 'X':
	default:
		p.badVerb(verb)
		return
	}
	p.fmtFloat(v, size, verb, prec)
}

func (p *printer) fmtString(v string, verb rune) {
	switch verb {
	case 'v':
		if p.sharpV {
			p.fmtQ(v)
			return
		}
		fallthrough
	case 's':
		p.padS(p.truncate(v))
	case 'x':
		p.fmtSx(v, ldigits)
	case 'X':
		p.fmtSx(v, udigits)
	case 'q':
		p.fmtQ(v)
	default:
		p.badVerb(verb)
	}
}

func (p *printer) fmtBytes(v []byte, verb rune) {
	switch verb {
	case 's', 'x', 'X', 'q':
		p.fmtString(string(v), verb)
		return
	}
	// fmt prints other verbs element by element, as for any slice
	// ([]byte is the type's name under %#v, []uint8 under the %#w error)
	sep, open, close := " ", byte('['), byte(']')
	if p.sharpV {
		if verb == 'v' {
			p.ws("[]byte")
		} else {
			p.ws("[]uint8")
		}
		if v == nil {
			p.ws("(nil)")
			return
		}
		sep, open, close = ", ", '{', '}'
	}
	p.wb(open)
	for i, c := range v {
		if i > 0 {
			p.ws(sep)
		}
		p.arg = c
		p.fmtInt(uint64(c), false, verb)
	}
	p.wb(close)
}

func (p *printer) catchPanic(verb rune, method string) {
	if err := recover(); err != nil {
		if p.panicking {
			panic(err)
		}
		p.clearflags()
		p.bang(verb, "(PANIC=")
		p.ws(method)
		p.ws(" method: ")
		p.panicking = true
		p.printArg(err, 'v')
		p.panicking = false
		p.wb(')')
		// fmt restores the flags; nothing reads them after this operand.
	}
}

// handleMethods is fmt's handleMethods without Formatter and GoStringer.
func (p *printer) handleMethods(verb rune) (handled bool) {
	if p.erroring {
		return false
	}
	if verb == 'w' {
		if _, ok := p.arg.(error); !ok || !p.wrapErrs {
			p.badVerb(verb)
			return true
		}
		verb = 'v'
	}
	if p.sharpV {
		return false
	}
	switch verb {
	case 'v', 's', 'x', 'X', 'q':
		var method func() string
		name := "Error"
		switch v := p.arg.(type) {
		case error:
			method = v.Error
		case Stringer:
			method, name = v.String, "String"
		default:
			return false
		}
		handled = true // also when the method panics
		defer p.catchPanic(verb, name)
		p.fmtString(method(), verb)
	}
	return handled
}

func (p *printer) printArg(arg any, verb rune) {
	p.arg = arg
	if arg == nil {
		switch verb {
		case 'T', 'v':
			p.padS("<nil>")
		default:
			p.badVerb(verb)
		}
		return
	}
	k, u := classify(arg)
	switch {
	case verb == 'T' && k != kOther:
		p.padS(p.truncate(typeNames[k]))
	case verb == 'p' && k != kOther && k != kBytes:
		p.badVerb(verb)
	case verb == 'T' || verb == 'p':
		p.unsupported(verb)
	case k == kDuration && p.handleMethods(verb):
		// String for %v %s %x %X %q, the number otherwise, as fmt
	case k >= kDuration:
		p.fmtInt(u, k <= kInt64, verb)
	case k == kString:
		p.fmtString(arg.(string), verb)
	case k == kBytes:
		p.fmtBytes(arg.([]byte), verb)
	case k == kFloat64:
		p.fmtFloatVerb(arg.(float64), 64, verb)
	case k == kFloat32:
		p.fmtFloatVerb(float64(arg.(float32)), 32, verb)
	case k == kBool:
		if verb != 't' && verb != 'v' {
			p.badVerb(verb)
		} else if arg.(bool) {
			p.padS("true")
		} else {
			p.padS("false")
		}
	case !p.handleMethods(verb):
		p.unsupported(verb)
	}
}

func tooLarge(x int) bool {
	const max int = 1e6
	return x > max || x < -max
}

func parsenum(s string, start, end int) (num int, isnum bool, newi int) {
	if start >= end {
		return 0, false, end
	}
	for newi = start; newi < end && '0' <= s[newi] && s[newi] <= '9'; newi++ {
		if tooLarge(num) {
			return 0, false, end
		}
		num = num*10 + int(s[newi]-'0')
		isnum = true
	}
	return
}

// intFromArg takes a '*' width or precision; only unnamed integer types
// are recognised (fmt also takes named ones, through reflect).
func intFromArg(a []any, argNum int) (num int, isInt bool, newArgNum int) {
	newArgNum = argNum
	if argNum < len(a) {
		k, u := classify(a[argNum])
		if k >= kDuration {
			num = int(u)
			if k <= kInt64 {
				isInt = int64(num) == int64(u)
			} else {
				isInt = int64(u) >= 0 && uint64(num) == u
			}
			if !isInt {
				num = 0
			}
		}
		newArgNum = argNum + 1
		if tooLarge(num) {
			num = 0
			isInt = false
		}
	}
	return
}

func parseArgNumber(format string) (index int, wid int, ok bool) {
	if len(format) < 3 {
		return 0, 1, false
	}
	for i := 1; i < len(format); i++ {
		if format[i] == ']' {
			width, ok, newi := parsenum(format, 1, i)
			if !ok || newi != i {
				return 0, i + 1, false
			}
			return width - 1, i + 1, true
		}
	}
	return 0, 1, false
}

func (p *printer) argNumber(argNum int, format string, i int, numArgs int) (newArgNum, newi int, found bool) {
	if len(format) <= i || format[i] != '[' {
		return argNum, i, false
	}
	p.reordered = true
	index, wid, ok := parseArgNumber(format[i:])
	if ok && 0 <= index && index < numArgs {
		return index, i + wid, true
	}
	p.goodArgNum = false
	return argNum, i + wid, ok
}

func (p *printer) doPrintf(format string, a []any) {
	end := len(format)
	argNum := 0
	afterIndex := false
	p.reordered = false
formatLoop:
	for i := 0; i < end; {
		p.goodArgNum = true
		lasti := i
		for i < end && format[i] != '%' {
			i++
		}
		if i > lasti {
			p.ws(format[lasti:i])
		}
		if i >= end {
			break
		}
		i++
		p.clearflags()
	simpleFormat:
		for ; i < end; i++ {
			c := format[i]
			switch c {
			case '#':
				p.sharp = true
			case '0':
				p.zero = true
			case '+':
				p.plus = true
			case '-':
				p.minus = true
			case ' ':
				p.space = true
			default:
				if 'a' <= c && c <= 'z' && argNum < len(a) {
					p.verb(a, argNum, rune(c))
					argNum++
					i++
					continue formatLoop
				}
				break simpleFormat
			}
		}
		argNum, i, afterIndex = p.argNumber(argNum, format, i, len(a))
		if i < end && format[i] == '*' {
			i++
			p.wid, p.widPresent, argNum = intFromArg(a, argNum)
			if !p.widPresent {
				p.ws("%!(BADWIDTH)")
			}
			if p.wid < 0 {
				p.wid = -p.wid
				p.minus = true
				p.zero = false
			}
			afterIndex = false
		} else {
			p.wid, p.widPresent, i = parsenum(format, i, end)
			if afterIndex && p.widPresent {
				p.goodArgNum = false
			}
		}
		if i+1 < end && format[i] == '.' {
			i++
			if afterIndex {
				p.goodArgNum = false
			}
			argNum, i, afterIndex = p.argNumber(argNum, format, i, len(a))
			if i < end && format[i] == '*' {
				i++
				p.prec, p.precPresent, argNum = intFromArg(a, argNum)
				if p.prec < 0 {
					p.prec = 0
					p.precPresent = false
				}
				if !p.precPresent {
					p.ws("%!(BADPREC)")
				}
				afterIndex = false
			} else {
				p.prec, p.precPresent, i = parsenum(format, i, end)
				if !p.precPresent {
					p.prec = 0
					p.precPresent = true
				}
			}
		}
		if !afterIndex {
			argNum, i, afterIndex = p.argNumber(argNum, format, i, len(a))
		}
		if i >= end {
			p.ws("%!(NOVERB)")
			break
		}
		verb, size := utf8.DecodeRuneInString(format[i:])
		i += size
		switch {
		case verb == '%':
			p.wb('%')
		case !p.goodArgNum:
			p.bang(verb, "(BADINDEX)")
		case argNum >= len(a):
			p.bang(verb, "(MISSING)")
		default:
			p.verb(a, argNum, verb)
			argNum++
		}
	}
	if !p.reordered && argNum < len(a) {
		p.clearflags()
		p.ws("%!(EXTRA ")
		for i, arg := range a[argNum:] {
			if i > 0 {
				p.ws(", ")
			}
			if arg == nil {
				p.ws("<nil>")
			} else {
				p.ws(typeName(arg))
				p.wb('=')
				p.printArg(arg, 'v')
			}
		}
		p.wb(')')
	}
}

// verb prints operand argNum of a for verb, after the flags are parsed.
func (p *printer) verb(a []any, argNum int, verb rune) {
	switch verb {
	case 'w':
		p.wrappedErrs = append(p.wrappedErrs, argNum)
		fallthrough
	case 'v':
		p.sharpV, p.sharp = p.sharp, false
		p.plusV, p.plus = p.plus, false
	}
	p.printArg(a[argNum], verb)
}

// doPrint is fmt's doPrint (ln false) and doPrintln (ln true).
func (p *printer) doPrint(a []any, ln bool) {
	prevString := false
	for argNum, arg := range a {
		_, isString := arg.(string)
		if argNum > 0 && (ln || !isString && !prevString) {
			p.wb(' ')
		}
		p.printArg(arg, 'v')
		prevString = isString
	}
	if ln {
		p.wb('\n')
	}
}
