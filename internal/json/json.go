// Package json reads and writes JSON (RFC 8259) as a tree of values,
// without reflect: package encoding/json would add ~560 KB and package
// fmt to the binary for the few documents nsbox exchanges (CNI network
// configurations and results).
//
// Parse keeps what a reader needs to behave as encoding/json does for a Go
// struct: members in document order, numbers as their text, and Lookup
// matches keys as encoding/json matches struct fields (the last member
// whose key equals the name, ignoring case, wins). Input is bounded: a
// document nests at most MaxDepth deep, and its size is the caller's
// bound (the whole document is in memory).
//
// Value's writers produce encoding/json's bytes for the same tree (the
// CNI documents): AppendIndent is json.MarshalIndent's layout, strings
// are escaped as json.Marshal escapes them (HTML characters as \u003c
// \u003e \u0026, U+2028 and U+2029, invalid UTF-8 as U+FFFD).
//
// Writer is the other writer: iproute2's json_writer.c, the streaming
// layout of ip, bridge and tc -j output, whose strings keep every byte
// but the control ones as it is.
package json

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Kind is the type of a JSON value.
type Kind uint8

const (
	Null Kind = iota
	Bool
	Number
	String
	Array
	Object
)

func (k Kind) String() string {
	switch k {
	case Null:
		return "null"
	case Bool:
		return "bool"
	case Number:
		return "number"
	case String:
		return "string"
	case Array:
		return "array"
	case Object:
		return "object"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is one JSON value. The zero Value is null.
type Value struct {
	kind    Kind
	text    string // a String's value, a Number's literal text
	boolean bool
	items   []Value  // Array
	members []Member // Object, in document (or construction) order
}

// Member is one name/value pair of an object.
type Member struct {
	Key   string
	Value Value
}

// Constructors.

// Str is a string value.
func Str(s string) Value { return Value{kind: String, text: s} }

// Int is a number value.
func Int(n int64) Value { return Value{kind: Number, text: strconv.FormatInt(n, 10)} }

// BoolValue is true or false.
func BoolValue(b bool) Value { return Value{kind: Bool, boolean: b} }

// Arr is an array of vs.
func Arr(vs ...Value) Value { return Value{kind: Array, items: vs} }

// Obj is an object with members ms, in that order.
func Obj(ms ...Member) Value { return Value{kind: Object, members: ms} }

// Kind is v's type.
func (v Value) Kind() Kind { return v.kind }

// IsNull reports whether v is null (or the zero Value).
func (v Value) IsNull() bool { return v.kind == Null }

// Text is a string's value or a number's literal; "" otherwise.
func (v Value) Text() string { return v.text }

// Bool is a boolean's value.
func (v Value) Bool() bool { return v.boolean }

// Len is the number of items of an array or members of an object.
func (v Value) Len() int {
	if v.kind == Object {
		return len(v.members)
	}
	return len(v.items)
}

// Items are an array's values.
func (v Value) Items() []Value { return v.items }

// Members are an object's members in order.
func (v Value) Members() []Member { return v.members }

// Lookup finds member key of an object as encoding/json finds the field
// tagged key: the last member whose key is key, ignoring case (Unicode
// simple folding). ok is false if v is not an object or has no such key.
func (v Value) Lookup(key string) (Value, bool) {
	for i := len(v.members) - 1; i >= 0; i-- {
		if strings.EqualFold(v.members[i].Key, key) {
			return v.members[i].Value, true
		}
	}
	return Value{}, false
}

// Get is Lookup without ok: null when absent.
func (v Value) Get(key string) Value {
	m, _ := v.Lookup(key)
	return m
}

// Set replaces every member key (exact match) of object v with one, at
// the place of the first, or appends it.
func (v *Value) Set(key string, val Value) {
	out := v.members[:0:0]
	done := false
	for _, m := range v.members {
		if m.Key == key {
			if done {
				continue
			}
			m.Value, done = val, true
		}
		out = append(out, m)
	}
	if !done {
		out = append(out, Member{key, val})
	}
	v.kind, v.members = Object, out
}

// Delete removes every member key (exact match) of an object.
func (v *Value) Delete(key string) {
	out := v.members[:0:0]
	for _, m := range v.members {
		if m.Key != key {
			out = append(out, m)
		}
	}
	v.members = out
}

// Int64 is a number's value as an integer: an error if v is not a number
// or not an integer in range (as encoding/json refuses 1.5 or 1e100 for
// an int field).
func (v Value) Int64() (int64, error) {
	if v.kind != Number {
		return 0, &TypeError{Value: v.kind, Want: "int"}
	}
	n, err := strconv.ParseInt(v.text, 10, 64)
	if err != nil {
		return 0, &TypeError{Value: Number, Literal: v.text, Want: "int"}
	}
	return n, nil
}

// TypeError is a value of the wrong type for what a reader wanted, in
// encoding/json's words: "json: cannot unmarshal string into Go value of
// type int".
type TypeError struct {
	Value   Kind   // what was found
	Literal string // a number's text when the number did not fit
	Want    string // the Go type wanted
	Field   string // the member's key, "" if none
}

func (e *TypeError) Error() string {
	what := e.Value.String()
	if e.Literal != "" {
		what += " " + e.Literal
	}
	if e.Field != "" {
		return "json: cannot unmarshal " + what + " into Go struct field ." + e.Field + " of type " + e.Want
	}
	return "json: cannot unmarshal " + what + " into Go value of type " + e.Want
}

// SortKeys sorts the members of every object in v, recursively, by key
// (byte order), as encoding/json writes a map. Duplicate keys keep the
// last, as a map would.
func (v *Value) SortKeys() {
	switch v.kind {
	case Array:
		for i := range v.items {
			v.items[i].SortKeys()
		}
	case Object:
		var out []Member
		for _, m := range v.members {
			m.Value.SortKeys()
			i := 0
			for i < len(out) && out[i].Key < m.Key {
				i++
			}
			if i < len(out) && out[i].Key == m.Key {
				out[i] = m
				continue
			}
			out = append(out, Member{})
			copy(out[i+1:], out[i:])
			out[i] = m
		}
		v.members = out
	}
}

// Append appends v's compact encoding (json.Marshal's) to b.
func (v Value) Append(b []byte) []byte { return v.appendTo(b, "", "", 0) }

// AppendIndent appends v as json.MarshalIndent(v, prefix, indent) writes
// it: each member and item on its own line, empty arrays and objects as
// [] and {}. No newline at the end.
func (v Value) AppendIndent(b []byte, prefix, indent string) []byte {
	return v.appendTo(b, prefix, indent, 0)
}

func newline(b []byte, prefix, indent string, depth int) []byte {
	b = append(b, '\n')
	b = append(b, prefix...)
	for range depth {
		b = append(b, indent...)
	}
	return b
}

func (v Value) appendTo(b []byte, prefix, indent string, depth int) []byte {
	pretty := prefix != "" || indent != ""
	switch v.kind {
	case Null:
		return append(b, "null"...)
	case Bool:
		return strconv.AppendBool(b, v.boolean)
	case Number:
		return append(b, v.text...)
	case String:
		return AppendString(b, v.text)
	case Array:
		if len(v.items) == 0 {
			return append(b, "[]"...)
		}
		b = append(b, '[')
		for i, it := range v.items {
			if i > 0 {
				b = append(b, ',')
			}
			if pretty {
				b = newline(b, prefix, indent, depth+1)
			}
			b = it.appendTo(b, prefix, indent, depth+1)
		}
		if pretty {
			b = newline(b, prefix, indent, depth)
		}
		return append(b, ']')
	}
	if len(v.members) == 0 {
		return append(b, "{}"...)
	}
	b = append(b, '{')
	for i, m := range v.members {
		if i > 0 {
			b = append(b, ',')
		}
		if pretty {
			b = newline(b, prefix, indent, depth+1)
		}
		b = AppendString(b, m.Key)
		b = append(b, ':')
		if pretty {
			b = append(b, ' ')
		}
		b = m.Value.appendTo(b, prefix, indent, depth+1)
	}
	if pretty {
		b = newline(b, prefix, indent, depth)
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string, escaped as json.Marshal
// escapes it.
func AppendString(b []byte, s string) []byte { return appendQuoted(b, s, true) }

// appendQuoted appends s as a JSON string. Both policies escape '"',
// '\' and every byte below 0x20 (\n, \t, \r, \b, \f by name, the others
// as \u00XX). marshal adds json.Marshal's escapes: < > & as \u003c
// \u003e \u0026, U+2028 and U+2029, and invalid UTF-8 as U+FFFD.
// Without it, the policy is iproute2's jsonw_puts, which copies every
// other byte as it is, plus DEL (0x7f) as \u007f and the C1 controls
// U+0080..U+009F (UTF-8 c2 80..c2 9f) as \u0080..\u009f, so that no
// control reaches a terminal: the decoded value is the same.
func appendQuoted(b []byte, s string, marshal bool) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		if n := plainRun(s[i:]); n > 0 {
			b = append(b, s[i:i+n]...)
			i += n
			continue
		}
		c := s[i]
		if !marshal && c == 0xc2 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0x9f {
			b = append(b, '\\', 'u', '0', '0', hexDigits[s[i+1]>>4], hexDigits[s[i+1]&0xf])
			i += 2
			continue
		}
		if c < utf8.RuneSelf || !marshal {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c == '\b':
				b = append(b, '\\', 'b')
			case c == '\f':
				b = append(b, '\\', 'f')
			case c < 0x20 || !marshal && c == 0x7f || marshal && (c == '<' || c == '>' || c == '&'):
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// plainRun is how many bytes at the start of s both policies copy as
// they are (printable ASCII but " \ < > &), so that appendQuoted appends
// a name or a number in one piece, not byte by byte.
func plainRun(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return i
		}
	}
	return len(s)
}
