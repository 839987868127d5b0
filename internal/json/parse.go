package json

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth is how deeply arrays and objects may nest in a document Parse
// accepts. (encoding/json allows 10000; no document nsbox reads needs more
// than a handful, and the bound keeps the recursion's stack small.)
const MaxDepth = 64

// SyntaxError is a document that is not JSON. Its text is
// encoding/json's for the same input.
type SyntaxError struct {
	msg    string
	Offset int64 // bytes read before the error
}

func (e *SyntaxError) Error() string { return e.msg }

// Parse decodes one JSON document (surrounding white space allowed).
// Strings with invalid UTF-8 are kept with each bad byte as U+FFFD, as
// encoding/json does. Time and memory are linear in len(b).
func Parse(b []byte) (Value, error) {
	p := parser{b: b}
	p.space()
	if p.i == len(b) {
		return Value{}, p.eof()
	}
	v, err := p.value(0)
	if err != nil {
		return Value{}, err
	}
	p.space()
	if p.i < len(b) {
		return Value{}, p.bad("after top-level value")
	}
	return v, nil
}

type parser struct {
	b []byte
	i int
}

// quoteChar formats c as encoding/json's scanner does in its messages.
func quoteChar(c byte) string {
	if c == '\'' {
		return `'\''`
	}
	if c == '"' {
		return `'"'`
	}
	s := strconv.Quote(string(rune(c)))
	return "'" + s[1:len(s)-1] + "'"
}

func (p *parser) bad(context string) error {
	return &SyntaxError{msg: "invalid character " + quoteChar(p.b[p.i]) + " " + context, Offset: int64(p.i)}
}

// badEOF is the error for input that ends inside a number or a literal:
// encoding/json's scanner feeds a space at the end and blames it.
func (p *parser) badEOF(context string) error {
	return &SyntaxError{msg: "invalid character ' ' " + context, Offset: int64(len(p.b))}
}

func (p *parser) eof() error {
	return &SyntaxError{msg: "unexpected end of JSON input", Offset: int64(len(p.b))}
}

func (p *parser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (Value, error) {
	if p.i == len(p.b) {
		return Value{}, p.eof()
	}
	switch c := p.b[p.i]; {
	case c == '{' || c == '[':
		if depth >= MaxDepth {
			return Value{}, &SyntaxError{msg: "exceeded max depth", Offset: int64(p.i)}
		}
		if c == '{' {
			return p.object(depth + 1)
		}
		return p.array(depth + 1)
	case c == '"':
		s, err := p.str()
		return Value{kind: String, text: s}, err
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return Value{kind: Bool, boolean: true}, p.literal("true")
	case c == 'f':
		return Value{kind: Bool}, p.literal("false")
	case c == 'n':
		return Value{}, p.literal("null")
	}
	return Value{}, p.bad("looking for beginning of value")
}

func (p *parser) literal(word string) error {
	for k := 0; k < len(word); k++ {
		if p.i == len(p.b) {
			return p.badEOF("in literal " + word + " (expecting " + quoteChar(word[k]) + ")")
		}
		if p.b[p.i] != word[k] {
			return p.bad("in literal " + word + " (expecting " + quoteChar(word[k]) + ")")
		}
		p.i++
	}
	return nil
}

func (p *parser) object(depth int) (Value, error) {
	p.i++ // {
	v := Value{kind: Object}
	p.space()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return v, nil
	}
	for {
		p.space()
		if p.i == len(p.b) {
			return Value{}, p.eof()
		}
		if p.b[p.i] != '"' {
			return Value{}, p.bad("looking for beginning of object key string")
		}
		key, err := p.str()
		if err != nil {
			return Value{}, err
		}
		p.space()
		if p.i == len(p.b) {
			return Value{}, p.eof()
		}
		if p.b[p.i] != ':' {
			return Value{}, p.bad("after object key")
		}
		p.i++
		p.space()
		val, err := p.value(depth)
		if err != nil {
			return Value{}, err
		}
		v.members = append(v.members, Member{key, val})
		p.space()
		if p.i == len(p.b) {
			return Value{}, p.eof()
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return v, nil
		default:
			return Value{}, p.bad("after object key:value pair")
		}
	}
}

func (p *parser) array(depth int) (Value, error) {
	p.i++ // [
	v := Value{kind: Array}
	p.space()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return v, nil
	}
	for {
		p.space()
		it, err := p.value(depth)
		if err != nil {
			return Value{}, err
		}
		v.items = append(v.items, it)
		p.space()
		if p.i == len(p.b) {
			return Value{}, p.eof()
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return v, nil
		default:
			return Value{}, p.bad("after array element")
		}
	}
}

// number checks the grammar of RFC 8259 and keeps the literal.
//
//	number = [ minus ] int [ frac ] [ exp ]
func (p *parser) number() (Value, error) {
	start := p.i
	digits := func(context string) error {
		if p.i == len(p.b) {
			return p.badEOF(context)
		}
		if p.b[p.i] < '0' || p.b[p.i] > '9' {
			return p.bad(context)
		}
		for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
			p.i++
		}
		return nil
	}
	if p.b[p.i] == '-' {
		p.i++
	}
	if p.i < len(p.b) && p.b[p.i] == '0' {
		p.i++
	} else if err := digits("in numeric literal"); err != nil {
		return Value{}, err
	}
	if p.i < len(p.b) && p.b[p.i] == '.' {
		p.i++
		if err := digits("after decimal point in numeric literal"); err != nil {
			return Value{}, err
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if err := digits("in exponent of numeric literal"); err != nil {
			return Value{}, err
		}
	}
	return Value{kind: Number, text: string(p.b[start:p.i])}, nil
}

// str decodes a string literal starting at its opening quote.
func (p *parser) str() (string, error) {
	p.i++ // "
	start := p.i
	// The common case: no escapes, valid UTF-8.
	for p.i < len(p.b) {
		c := p.b[p.i]
		if c == '"' {
			s := p.b[start:p.i]
			p.i++
			if utf8.Valid(s) {
				return string(s), nil
			}
			return string([]rune(string(s))), nil // each bad byte -> U+FFFD
		}
		if c == '\\' || c < 0x20 {
			break
		}
		p.i++
	}
	out := append([]byte(nil), p.b[start:p.i]...)
	for {
		if p.i == len(p.b) {
			return "", p.eof()
		}
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			if !utf8.Valid(out) {
				return string([]rune(string(out))), nil
			}
			return string(out), nil
		case c < 0x20:
			return "", p.bad("in string literal")
		case c != '\\':
			out = append(out, c)
			p.i++
			continue
		}
		p.i++ // backslash
		if p.i == len(p.b) {
			return "", p.badEOF("in string escape code")
		}
		e := p.b[p.i]
		p.i++
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, err := p.hex4()
			if err != nil {
				return "", err
			}
			if utf16.IsSurrogate(r) {
				// A high surrogate followed by \uDC00-\uDFFF is one
				// character; anything else makes it U+FFFD.
				r2 := rune(-1)
				if p.i+1 < len(p.b) && p.b[p.i] == '\\' && p.b[p.i+1] == 'u' {
					save := p.i
					p.i += 2
					var err error
					if r2, err = p.hex4(); err != nil {
						return "", err
					}
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						out = utf8.AppendRune(out, dec)
						continue
					}
					p.i = save
				}
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
		default:
			p.i--
			return "", p.bad("in string escape code")
		}
	}
}

func (p *parser) hex4() (rune, error) {
	var r rune
	for k := 0; k < 4; k++ {
		if p.i == len(p.b) {
			return 0, p.badEOF("in \\u hexadecimal character escape")
		}
		c := p.b[p.i]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, p.bad("in \\u hexadecimal character escape")
		}
		r = r<<4 | rune(c)
		p.i++
	}
	return r, nil
}
